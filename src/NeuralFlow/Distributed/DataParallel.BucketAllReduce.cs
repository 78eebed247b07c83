using System.Numerics.Tensors;
using NeuralFlow.Backends;
using NeuralFlow.Backends.Cuda;
using NeuralFlow.Native;

namespace NeuralFlow.Distributed;

// One gradient bucket's allreduce, on the buffer its gradients were packed into on their own
// device (GradientReduction): weighed by this rank's share, started without blocking, tested
// while the backward pass goes on, waited for. Each step takes the packed buffer's address of
// its run, so one object serves an eager step and every replay of a traced one: the steps are
// recorded as collective calls of the plan (FunctionTrace.RunCollective), and a rank that replays
// issues the same collectives in the same order as one that traces or runs eagerly. Host memory
// (the CPU engines) is reduced where it lies; a GPU's buffer goes by NCCL, a CUDA-aware MPI or a
// page-locked host copy (DataParallel.Gpu.cs).
public sealed partial class DataParallel
{
    internal sealed unsafe class BucketAllReduce(DataParallel owner, int bucket, DType dtype, long count, IBackend backend, Func<double> weight)
    {
        private long _handle = -1;
        private bool _done;
        private nint _staged;            // a GPU bucket's page-locked host copy, while staged
        private DeviceBuffer? _weight;   // a GPU bucket's weight, on the device, reused by every run

        /// <summary>Weighs the packed gradients at <paramref name="packed"/> and starts their allreduce (a sum over the ranks, in place).</summary>
        public void Start(nint packed)
        {
            owner.ThrowIfUnusable();
            (_handle, _done, _staged) = (-1, false, 0);
            // Read at each run: Fit's share of the global batch changes with the last batch, not the trace.
            double w = weight();
            if (backend is CudaBackend cuda)
            {
                StartOnDevice(cuda, packed, w);
                return;
            }
            if (!backend.IsHostMemory)
                throw new NotSupportedException($"AllReduceGradients: gradients on {backend.Name} cannot be reduced (neither host memory nor a CUDA device).");
            if (w != 1)
            {
                // The same rounding as any float multiply: TensorPrimitives, as the step before this one did.
                if (dtype == DType.Float32) TensorPrimitives.Multiply(new Span<float>((void*)packed, (int)count), (float)w, new Span<float>((void*)packed, (int)count));
                else TensorPrimitives.Multiply(new Span<double>((void*)packed, (int)count), w, new Span<double>((void*)packed, (int)count));
            }
            long handle;
            owner.Check(NativeDistMethods.nf_dist_iallreduce((void*)packed, count, (int)dtype, NativeDistMethods.Sum, &handle));
            _handle = handle;
        }

        /// <summary>Lets MPI advance the allreduce (Open MPI moves a non-blocking one only inside MPI calls); true once it finished.</summary>
        public bool Progress()
        {
            if (_handle < 0 || _done) return true;
            int done;
            owner.Check(NativeDistMethods.nf_dist_test(_handle, &done));
            return _done = done != 0;
        }

        /// <summary>Waits for the allreduce; the sums are then at <paramref name="packed"/> (a staged GPU bucket's copied back, queued before the kernels that read them).</summary>
        public void Wait(nint packed)
        {
            if (_handle >= 0 && !_done) owner.Check(NativeDistMethods.nf_dist_wait(_handle, owner.TimeoutSeconds));
            _done = true;
            if (_staged == 0) return;
            ((CudaBackend)backend).MakeCurrent();
            NativeErrors.ThrowIfCudaFailed(NativeCudaMethods.nf_cuda_copy_to_device_async(packed, _staged, count * dtype.SizeInBytes()));
            _staged = 0;
        }

        /// <summary>Tests the oldest allreduce of <paramref name="started"/> still in flight, as each gradient of the backward pass is reported.</summary>
        public static void ProgressOldest(BucketAllReduce?[] started, int startedCount)
        {
            for (int b = 0; b < startedCount; b++)
                if (started[b] is { } s && !s.Progress()) return;
        }

        private void StartOnDevice(CudaBackend cuda, nint packed, double w)
        {
            var all = Layout.Contiguous(new Shape(checked((int)count)));
            if (w != 1)
            {
                _weight ??= cuda.Allocate(sizeof(double));
                if (dtype == DType.Float32)
                {
                    float single = (float)w;
                    cuda.Upload(new ReadOnlySpan<byte>(&single, sizeof(float)), _weight.Pointer, 0);
                }
                else cuda.Upload(new ReadOnlySpan<byte>(&w, sizeof(double)), _weight.Pointer, 0);
                cuda.Binary(BinaryOp.Mul, dtype, packed, all, _weight.Pointer, Layout.Contiguous(Shape.Scalar).BroadcastTo(all.Shape), packed, all);
            }
            owner.ChooseGpuTransport(cuda);
            long bytes = count * dtype.SizeInBytes();
            long handle;
            switch (owner.GpuTransport)
            {
                case GpuTransport.Nccl:
                    // Queued on the default stream after the packing kernels; later kernels queue after it.
                    owner.Check(NativeDistMethods.nf_dist_nccl_allreduce(packed, count, (int)dtype, NativeDistMethods.Sum, 0));
                    _done = true;
                    return;
                case GpuTransport.CudaAwareMpi:
                    cuda.Synchronize();  // MPI reads the buffer itself: the packing must have finished
                    owner.Check(NativeDistMethods.nf_dist_iallreduce((void*)packed, count, (int)dtype, NativeDistMethods.Sum, &handle));
                    break;
                default:
                    var host = owner.PinnedBuffer(bucket, bytes);
                    cuda.MakeCurrent();
                    NativeErrors.ThrowIfCudaFailed(NativeCudaMethods.nf_cuda_copy_to_host_async(host, packed, bytes));
                    cuda.Synchronize();  // the copy (queued after the packing) has landed
                    owner.Check(NativeDistMethods.nf_dist_iallreduce((void*)host, count, (int)dtype, NativeDistMethods.Sum, &handle));
                    _staged = host;
                    break;
            }
            _handle = handle;
        }
    }
}
