using NeuralFlow.Backends.Native;
using NeuralFlow.Native;
using static NeuralFlow.Native.NativeCudaMethods;

namespace NeuralFlow.Backends.Cuda;

/// <summary>
/// One instantiated CUDA graph of the CUDA engine (nf_cuda_graph_*, native/src/cuda/graph.cpp):
/// the kernel calls a thread made between <see cref="BeginCapture"/> and <see cref="EndCapture"/>,
/// launched as one unit on the device's stream. Random draws and optimizer steps inside the
/// capture read their per-launch values from the graph's slots (numbered in call order), which
/// <see cref="SetRandom"/> and <see cref="SetOptimizer"/> rewrite before a <see cref="Launch"/>.
/// </summary>
internal sealed unsafe class CudaGraph : IDisposable
{
    /// <summary>What a slot holds (nf_cuda_graph_slot_kinds).</summary>
    public enum SlotKind { Random = 0, Optimizer = 1 }

    private readonly CudaBackend _backend;
    private nint _handle;

    private CudaGraph(CudaBackend backend, nint handle)
    {
        _backend = backend;
        _handle = handle;
    }

    /// <summary>From here the calling thread's kernel calls on <paramref name="backend"/> are recorded, not run; at most <paramref name="maxSlots"/> random draws and optimizer steps.</summary>
    public static void BeginCapture(CudaBackend backend, int maxSlots)
    {
        backend.MakeCurrent();
        NativeErrors.ThrowIfCudaFailed(nf_cuda_graph_capture_begin(maxSlots));
    }

    /// <summary>Ends the thread's capture (always) and instantiates what it recorded.</summary>
    public static CudaGraph EndCapture(CudaBackend backend)
    {
        backend.MakeCurrent();
        nint handle;
        NativeErrors.ThrowIfCudaFailed(nf_cuda_graph_capture_end(&handle));
        return new CudaGraph(backend, handle);
    }

    /// <summary>The slots in call order.</summary>
    public SlotKind[] Slots()
    {
        int count;
        NativeErrors.ThrowIfCudaFailed(nf_cuda_graph_slot_kinds(Handle, null, 0, &count));
        var kinds = new int[count];
        fixed (int* k = kinds)
            NativeErrors.ThrowIfCudaFailed(nf_cuda_graph_slot_kinds(Handle, k, count, &count));
        return Array.ConvertAll(kinds, k => (SlotKind)k);
    }

    /// <summary>The next launch's Philox counters of a random draw's slot.</summary>
    public void SetRandom(int slot, ulong seed, ulong offset) =>
        NativeErrors.ThrowIfCudaFailed(nf_cuda_graph_set_random(Handle, slot, seed, offset));

    /// <summary>The next launch's hyperparameters of an optimizer step's slot (the arguments the eager call would get).</summary>
    public void SetOptimizer(int slot, OptimizerKind kind, DType dtype, in OptimizerParams p)
    {
        var np = NativeKernelBackend.ToNative(p);
        var no = NativeKernelBackend.OptionsToNative(p);
        NativeErrors.ThrowIfCudaFailed(nf_cuda_graph_set_optimizer(Handle, slot, (int)kind, (int)dtype, &np, &no));
    }

    /// <summary>Queues the graph on the device's stream, after every kernel queued before.</summary>
    public void Launch()
    {
        _backend.MakeCurrent();
        var status = nf_cuda_graph_launch(Handle);
        if (status == NfStatus.Ok) return;
        // A check of a captured op (a label or index out of range) fails the launch with that op's
        // message, worded as its eager call's (Gather: ..., not nf_cuda_gather: ...).
        var message = NativeErrors.CudaLastError();
        throw NativeErrors.ToException(status, status == NfStatus.InvalidArgument ? NativeErrors.OpNamed(message) : message);
    }

    private nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(CudaGraph));

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    // The engine waits for the graph's last launch before freeing it, so a finalizer may free it.
    ~CudaGraph() => Release();

    private void Release()
    {
        var h = Interlocked.Exchange(ref _handle, 0);
        if (h != 0) nf_cuda_graph_destroy(h);
    }
}
