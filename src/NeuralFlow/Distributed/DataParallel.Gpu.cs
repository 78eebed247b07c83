using System.Runtime.InteropServices;
using NeuralFlow.Backends;
using NeuralFlow.Backends.Cuda;
using NeuralFlow.Native;

namespace NeuralFlow.Distributed;

// Gradient buckets on a GPU (issue 18): how they travel. A bucket's gradients are packed by the
// CUDA engine into one device buffer (weighted there), reduced by NCCL, by a CUDA-aware MPI on the
// device pointer, or through a page-locked host buffer (DataParallel.BucketAllReduce.cs), and
// handed back as views of the reduced buffer. Nothing goes through managed arrays: the host copy,
// where one is needed, is DMA into pinned memory, one buffer per bucket kept here.
public sealed partial class DataParallel
{
    private readonly NcclMode _ncclMode = NcclModeFromEnvironment();
    private readonly List<(nint Pointer, long Bytes)> _pinned = [];

    private enum NcclMode { Auto, On, Off }

    /// <summary>How gradients on a GPU travel (chosen at the first collective on GPU tensors).</summary>
    public GpuTransport GpuTransport { get; private set; }

    /// <summary>Why <see cref="GpuTransport"/> is what it is: the NCCL and CUDA-aware MPI findings, for logs.</summary>
    public string GpuTransportReason { get; private set; } = "no collective on GPU tensors yet";

    /// <summary>
    /// Page-locked staging buffers allocated so far (<see cref="GpuTransport.StagedThroughPinnedHost"/>):
    /// one per bucket, reused every step and reallocated only when a bucket grows, so after the
    /// first step this stops counting.
    /// </summary>
    public int PinnedAllocations { get; private set; }

    /// <summary>Bytes of page-locked host memory the staging buffers hold now.</summary>
    public long PinnedBytes => _pinned.Sum(p => p.Bytes);

    private static NcclMode NcclModeFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("NEURALFLOW_DIST_NCCL");
        if (string.IsNullOrEmpty(text)) return NcclMode.Auto;
        return text.ToUpperInvariant() switch
        {
            "AUTO" => NcclMode.Auto,
            "ON" or "1" => NcclMode.On,
            "OFF" or "0" => NcclMode.Off,
            _ => throw new DistributedException($"NEURALFLOW_DIST_NCCL='{text}' is not AUTO, ON or OFF."),
        };
    }

    // Collective the first time (every rank reaches its first GPU bucket at the same point).
    private unsafe void ChooseGpuTransport(CudaBackend cuda)
    {
        if (GpuTransport != GpuTransport.NotChosen) return;
        string nccl = "NCCL: off (NEURALFLOW_DIST_NCCL=OFF)";
        if (_ncclMode != NcclMode.Off)
        {
            cuda.MakeCurrent();  // NCCL joins the calling thread's current device
            int available;
            Check(NativeDistMethods.nf_dist_nccl_init(Environment.GetEnvironmentVariable("NEURALFLOW_NCCL_PATH") is { Length: > 0 } p ? p : null,
                _ncclMode == NcclMode.On ? 1 : 0, &available, TimeoutSeconds));
            nccl = $"NCCL: {Marshal.PtrToStringUTF8(NativeDistMethods.nf_dist_nccl_status())}";
            if (available != 0)
            {
                (GpuTransport, GpuTransportReason) = (GpuTransport.Nccl, nccl);
                return;
            }
        }
        int aware;
        nint source;
        Check(NativeDistMethods.nf_dist_cuda_aware(&aware, &source));
        string mpi = Marshal.PtrToStringUTF8(source) ?? "";
        GpuTransport = aware != 0 ? GpuTransport.CudaAwareMpi : GpuTransport.StagedThroughPinnedHost;
        GpuTransportReason = $"{nccl}; CUDA-aware MPI: {(aware != 0 ? "yes" : "no")} ({mpi})";
    }

    // Bucket b's page-locked host buffer, reused across steps and grown (never shrunk) when a
    // bucket needs more.
    private unsafe nint PinnedBuffer(int b, long bytes)
    {
        while (_pinned.Count <= b) _pinned.Add((0, 0));
        if (_pinned[b].Bytes >= bytes) return _pinned[b].Pointer;
        if (_pinned[b].Pointer != 0) NativeErrors.ThrowIfCudaFailed(NativeCudaMethods.nf_cuda_host_free(_pinned[b].Pointer));
        _pinned[b] = (0, 0);
        nint p;
        NativeErrors.ThrowIfCudaFailed(NativeCudaMethods.nf_cuda_host_alloc(bytes, &p));
        _pinned[b] = (p, bytes);
        PinnedAllocations++;
        return p;
    }

    private void FreePinned()
    {
        foreach (var (p, _) in _pinned)
            if (p != 0) NativeCudaMethods.nf_cuda_host_free(p);
        _pinned.Clear();
    }

    // Variables that all live on one GPU go by NCCL or a CUDA-aware MPI straight from a device
    // copy, one broadcast each (a start-of-training cost); staged, they take the host path.
    private unsafe bool BroadcastOnDevice(List<Variable> list, int root)
    {
        if (list.Count == 0 || list[0].Backend is not CudaBackend cuda || list.Any(v => !ReferenceEquals(v.Backend, cuda))) return false;
        ChooseGpuTransport(cuda);
        if (GpuTransport is not (GpuTransport.Nccl or GpuTransport.CudaAwareMpi)) return false;
        foreach (var v in list)
        {
            long bytes = v.Count * v.DType.SizeInBytes();
            if (bytes > int.MaxValue)
                throw new ArgumentException($"Broadcast: variable {v.Name ?? "?"} holds {bytes} bytes, more than one broadcast moves (2^31 - 1).", "variables");
            using var copy = Tensor.Empty(v.Shape, v.DType, cuda);
            if (Rank == root) Engine.Copy(v, v.Layout, copy, copy.Layout);
            if (GpuTransport == GpuTransport.Nccl)
                Check(NativeDistMethods.nf_dist_nccl_broadcast(copy.Data, bytes, root, 0));
            else
            {
                cuda.Synchronize();  // MPI reads the device buffer itself
                Check(NativeDistMethods.nf_dist_broadcast((void*)copy.Data, bytes, root, TimeoutSeconds));
            }
            if (Rank != root) v.Assign(copy);
        }
        return true;
    }
}
