using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NeuralFlow.Backends;

namespace NeuralFlow.Benchmarks;

/// <summary>Shared set-up: every benchmark runs once per available backend.</summary>
public abstract class BackendBenchmark
{
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    public static IEnumerable<string> Backends => BackendRegistry.Available.Select(b => b.Name);

    protected IDisposable? Scope;
    private Device _device;

    protected void Enter()
    {
        Scope = NF.UseBackend(Backend);
        _device = NF.CurrentDevice;
    }

    /// <summary>
    /// Waits for the GPU (a CUDA op returns once queued): each measured call then includes its
    /// kernel's run, not only its launch. Nothing to wait for on the CPU backends.
    /// </summary>
    protected void Done()
    {
        if (_device.Kind == DeviceKind.Gpu) NF.Cuda.Synchronize(_device.Index);
    }

    [GlobalCleanup]
    public void Leave() => Scope?.Dispose();
}

/// <summary>sgemm n x n x n; GFLOP/s = 2 n^3 / time.</summary>
public class MatMulBenchmark : BackendBenchmark
{
    [Params(128, 512, 1024, 2048)]
    public int N { get; set; }

    private Tensor _a = null!, _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        Enter();
        _a = NF.Random.Normal([N, N]);
        _b = NF.Random.Normal([N, N]);
    }

    [Benchmark]
    public void MatMul()
    {
        NF.MatMul(_a, _b).Dispose();
        Done();
    }
}

/// <summary>Bandwidth-bound kernels on 4096 x 4096 float32, against a plain copy of the same bytes.</summary>
public class ElementwiseBenchmark : BackendBenchmark
{
    private const int N = 4096;
    private Tensor _x = null!, _row = null!;
    private float[] _src = null!, _dst = null!;

    [GlobalSetup]
    public void Setup()
    {
        Enter();
        _x = NF.Random.Normal([N, N]);
        _row = NF.Random.Normal([N]);
        // Both arrays written once: an untouched page reads as the kernel's shared zero page, which
        // sits in cache and would make the copy look several times faster than memory allows.
        _src = _x.ToArray<float>();
        _dst = _x.ToArray<float>();
        NF.Add(_x, _row).Dispose(); // warm the allocator's cache for the result size
    }

    /// <summary>The yardstick: one read and one write of 64 MiB, as the add does (plus a 16 KiB row).</summary>
    [Benchmark(Baseline = true)]
    public void MemCopy() => _src.AsSpan().CopyTo(_dst);

    /// <summary>The same copy through the C library's memcpy (no 'rep movsb' fast path).</summary>
    [Benchmark]
    public unsafe void LibcMemcpy()
    {
        fixed (float* s = _src, d = _dst) memcpy(d, s, (nuint)(_src.Length * sizeof(float)));
    }

    [DllImport("libc", EntryPoint = "memcpy")]
    private static extern unsafe void* memcpy(void* destination, void* source, nuint bytes);

    [Benchmark]
    public void BroadcastAdd()
    {
        NF.Add(_x, _row).Dispose();
        Done();
    }

    [Benchmark]
    public void RowSoftmax()
    {
        NF.Softmax(_x).Dispose();
        Done();
    }

    [Benchmark]
    public void ReduceSumAll()
    {
        NF.ReduceSum(_x).Dispose();
        Done();
    }

    [Benchmark]
    public void ReduceSumRows()
    {
        NF.ReduceSum(_x, 1).Dispose();
        Done();
    }

    [Benchmark]
    public void ReduceSumColumns()
    {
        NF.ReduceSum(_x, 0).Dispose();
        Done();
    }
}

/// <summary>The fixed cost of one op: a + b on 1-element tensors.</summary>
public class OverheadBenchmark : BackendBenchmark
{
    private Tensor _a = null!, _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        Enter();
        _a = NF.Constant(new[] { 1f });
        _b = NF.Constant(new[] { 2f });
    }

    [Benchmark]
    public void AddOneElement()
    {
        NF.Add(_a, _b).Dispose();
        Done();
    }
}
