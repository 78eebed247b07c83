using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// The native window kernels (<see cref="IBackend.Im2Col"/>, <see cref="IBackend.Col2Im"/>,
/// <see cref="IBackend.Pool2D"/>, <see cref="IBackend.Pool2DBackward"/>) through
/// NativeKernelBackend on the native CPU engine and each CUDA device: a hand-worked 3x3 image, so
/// a wrong field order in the Window2D conversion or the table shows up. The kernels' full
/// coverage is native/tests (test_conv, test_pool, cuda/test_cuda_conv).
/// </summary>
public class NativeWindowKernelTests
{
    private static readonly Layout Image = Layout.Contiguous(new Shape(1, 3, 3, 1));
    private static readonly Layout Pooled = Layout.Contiguous(new Shape(1, 2, 2, 1));
    private static readonly Layout Cols = Layout.Contiguous(new Shape(1, 2, 2, 2, 2, 1));
    private static readonly double[] X = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    // 2x2 taps, stride 1, no dilation or padding: 2x2 outputs.
    private static readonly Window2D W = new(KernelH: 2, KernelW: 2, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, PadTop: 0, PadLeft: 0);

    private static List<IBackend> Natives()
    {
        var r = new List<IBackend>(BackendRegistry.Cuda);
        if (BackendRegistry.NativeCpu is { } cpu) r.Insert(0, cpu);
        Skip.If(r.Count == 0, $"native CPU backend not built: {BackendRegistry.NativeFailure}");
        return r;
    }

    [SkippableFact]
    public void Im2col_and_col2im_on_a_worked_example()
    {
        foreach (var b in Natives())
        {
            using var guards = new Sentinels(b);
            nint x = guards.Output(X, "x"), cols = guards.Output(16 * sizeof(double), "cols");
            b.Im2Col(DType.Float64, x, Image, W, cols, Cols);
            guards.Check("Im2Col");
            Assert.Equal([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9], guards.Read<double>(cols, 16));

            nint ones = guards.Output(Enumerable.Repeat(1.0, 16).ToArray(), "ones"), img = guards.Output(9 * sizeof(double), "img");
            b.Col2Im(DType.Float64, ones, Cols, W, img, Image);
            guards.Check("Col2Im");
            // Each pixel: the number of windows reading it.
            Assert.Equal([1, 2, 1, 2, 4, 2, 1, 2, 1], guards.Read<double>(img, 9));
        }
    }

    [SkippableFact]
    public void Pooling_and_its_gradient_on_a_worked_example()
    {
        foreach (var b in Natives())
        {
            using var guards = new Sentinels(b);
            nint x = guards.Output(X, "x"), y = guards.Output(4 * sizeof(double), "y"), dx = guards.Output(9 * sizeof(double), "dx");
            b.Pool2D(PoolOp.Max, DType.Float64, x, Image, W, y, Pooled);
            guards.Check("Pool2D max");
            Assert.Equal([5, 6, 8, 9], guards.Read<double>(y, 4));
            b.Pool2D(PoolOp.Average, DType.Float64, x, Image, W, y, Pooled);
            guards.Check("Pool2D average");
            Assert.Equal([3, 4, 6, 7], guards.Read<double>(y, 4));

            nint dy = guards.Output(new double[] { 1, 2, 3, 4 }, "dy");
            b.Pool2DBackward(PoolOp.Max, DType.Float64, x, Image, dy, Pooled, W, dx, Image);
            guards.Check("Pool2DBackward max");
            Assert.Equal([0, 0, 0, 0, 1, 2, 0, 3, 4], guards.Read<double>(dx, 9));
            b.Pool2DBackward(PoolOp.Average, DType.Float64, x, Image, dy, Pooled, W, dx, Image);
            guards.Check("Pool2DBackward average");
            Assert.Equal([0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1], guards.Read<double>(dx, 9));
        }
    }

    [SkippableFact]
    public void A_bad_window_fails_with_the_native_message()
    {
        foreach (var b in Natives())
        {
            using var guards = new Sentinels(b);
            nint x = guards.Output(X, "x"), y = guards.Output(4 * sizeof(double), "y");
            var e = Assert.Throws<ArgumentException>(() => b.Pool2D(PoolOp.Max, DType.Float64, x, Image, W with { StrideW = 0 }, y, Pooled));
            Assert.Contains("window->stride_w = 0 must be >= 1", e.Message);
        }
    }
}
