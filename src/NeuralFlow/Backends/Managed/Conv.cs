using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralFlow.Backends.Managed;

// Convolution patches (im2col) and their adjoint (col2im) over NHWC data. Both write a
// contiguous output and read their input through its layout, so views need no copy. Col2im is
// a gather: each output pixel sums the patch entries that read it, in (kh, kw) order, so the
// result does not depend on how the work is split over threads.
public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void Im2Col(DType dtype, nint x, in Layout xLayout, in Window2D window, nint output, in Layout outLayout)
    {
        const string M = nameof(Im2Col);
        var g = ConvGeometry.Create(M, dtype, nameof(xLayout), xLayout, nameof(outLayout), outLayout, window, patches: true);
        CheckContiguous(M, nameof(outLayout), outLayout);
        CheckPointer(M, nameof(x), x, xLayout.Shape.Count);
        CheckPointer(M, nameof(output), output, outLayout.Shape.Count);
        if (outLayout.Shape.Count == 0) return;
        // A pure copy: any dtype goes, moved as raw elements of its size.
        switch (dtype.SizeInBytes())
        {
            case 1: Im2ColKernel<byte>(g, x, xLayout, output); break;
            case 4: Im2ColKernel<int>(g, x, xLayout, output); break;
            default: Im2ColKernel<long>(g, x, xLayout, output); break;
        }
    }

    /// <inheritdoc/>
    public void Col2Im(DType dtype, nint cols, in Layout colsLayout, in Window2D window, nint output, in Layout outLayout)
    {
        const string M = nameof(Col2Im);
        var g = ConvGeometry.Create(M, dtype, nameof(outLayout), outLayout, nameof(colsLayout), colsLayout, window, patches: true);
        CheckContiguous(M, nameof(outLayout), outLayout);
        if (!dtype.IsFloating()) throw Unsupported(M, "col2im", dtype);
        CheckPointer(M, nameof(cols), cols, colsLayout.Shape.Count);
        CheckPointer(M, nameof(output), output, outLayout.Shape.Count);
        if (outLayout.Shape.Count == 0) return;
        if (dtype == DType.Float32) Col2ImKernel<float>(g, cols, colsLayout, output);
        else Col2ImKernel<double>(g, cols, colsLayout, output);
    }

    private static unsafe void Im2ColKernel<T>(ConvGeometry g, nint x, Layout xl, nint output) where T : unmanaged
    {
        T* src = (T*)x + xl.Offset, dst = (T*)output;
        var (sN, sH, sW, sC) = Strides4(xl);
        int C = g.C;
        var w = g.Window;
        // One unit is an output row (n, oh): OW * KH * KW patches of C elements each.
        ForRows(g.N, g.OH, (long)g.OW * g.KK * C, (n, oh, r) =>
        {
            T* o = dst + r * g.OW * g.KK * C;
            for (int ow = 0; ow < g.OW; ow++)
                for (int kh = 0; kh < w.KernelH; kh++)
                {
                    long ih = oh * w.StrideH + (long)kh * w.DilationH - w.PadTop;
                    for (int kw = 0; kw < w.KernelW; kw++, o += C)
                    {
                        long iw = (long)ow * w.StrideW + (long)kw * w.DilationW - w.PadLeft;
                        if ((ulong)ih >= (ulong)g.H || (ulong)iw >= (ulong)g.W) { new Span<T>(o, C).Clear(); continue; }
                        T* s = src + n * sN + ih * sH + iw * sW;
                        if (sC == 1) new ReadOnlySpan<T>(s, C).CopyTo(new Span<T>(o, C));
                        else for (int c = 0; c < C; c++) o[c] = s[c * sC];
                    }
                }
        });
    }

    private static unsafe void Col2ImKernel<T>(ConvGeometry g, nint cols, Layout cl, nint output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* src = (T*)cols + cl.Offset, dst = (T*)output;
        var s = cl.Strides; // [N, OH, OW, KH, KW, C]
        int C = g.C;
        var w = g.Window;
        // One unit is an image row (n, ih); each pixel gathers the (oh, ow, kh, kw) that read it.
        ForRows(g.N, g.H, (long)g.W * g.KK * C, (n, ih, r) =>
        {
            for (int iw = 0; iw < g.W; iw++)
            {
                var o = new Span<T>(dst + (r * g.W + iw) * C, C);
                o.Clear();
                for (int kh = 0; kh < w.KernelH; kh++)
                {
                    long oh = TapSource(ih, kh, w.DilationH, w.PadTop, w.StrideH, g.OH);
                    if (oh < 0) continue;
                    for (int kw = 0; kw < w.KernelW; kw++)
                    {
                        long ow = TapSource(iw, kw, w.DilationW, w.PadLeft, w.StrideW, g.OW);
                        if (ow < 0) continue;
                        T* p = src + n * s[0] + oh * s[1] + ow * s[2] + kh * s[3] + kw * s[4];
                        if (s[5] == 1) TensorPrimitives.Add(o, new ReadOnlySpan<T>(p, C), o);
                        else for (int c = 0; c < C; c++) o[c] += p[c * s[5]];
                    }
                }
            }
        });
    }

    /// <summary>
    /// The output position whose tap <paramref name="k"/> reads input position <paramref name="i"/>
    /// (i = o * stride + k * dilation - pad), or -1 when there is none in [0, outSize).
    /// </summary>
    internal static long TapSource(long i, int k, int dilation, int pad, int stride, int outSize)
    {
        long t = i + pad - (long)k * dilation;
        if (t < 0 || t % stride != 0) return -1;
        long o = t / stride;
        return o < outSize ? o : -1;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(n, row, n * rows + row) for every row of every image,
    /// split over cores when the work (<paramref name="workPerRow"/> per row) is large enough.
    /// </summary>
    private static void ForRows(int images, int rows, long workPerRow, Action<long, long, long> body)
    {
        long units = (long)images * rows;
        RunPieces(units, units * workPerRow, (b, e) =>
        {
            for (long r = b; r < e; r++)
            {
                long n = r / rows;
                body(n, r - n * rows, r);
            }
        });
    }

    private static (long, long, long, long) Strides4(in Layout l) => (l.Strides[0], l.Strides[1], l.Strides[2], l.Strides[3]);

    /// <summary>Runs <paramref name="body"/> over [0, units), split over cores when the work is large enough.</summary>
    internal static void RunPieces(long units, long work, Action<long, long> body)
    {
        WorkerPool.Split(body, units, ChunksFor(work, units));
    }
}

/// <summary>The sizes shared by the window kernels, checked once against the layouts and the window.</summary>
internal readonly record struct ConvGeometry(int N, int H, int W, int C, int OH, int OW, Window2D Window)
{
    public int KK => Window.KernelH * Window.KernelW;

    /// <summary>
    /// Checks an image layout [N, H, W, C] against a windowed layout: [N, OH, OW, KH, KW, C]
    /// (patches) or [N, OH, OW, C] (pooling); throws ArgumentException naming what is wrong.
    /// </summary>
    public static ConvGeometry Create(string method, DType dtype, string imageName, in Layout image, string windowedName, in Layout windowed, in Window2D w, bool patches)
    {
        ManagedBackend.CheckDType(method, nameof(dtype), dtype);
        ManagedBackend.CheckLayout(method, imageName, image);
        ManagedBackend.CheckLayout(method, windowedName, windowed);
        if (w.KernelH < 1 || w.KernelW < 1 || w.StrideH < 1 || w.StrideW < 1 || w.DilationH < 1 || w.DilationW < 1 || w.PadTop < 0 || w.PadLeft < 0)
            throw new ArgumentException($"{method}: invalid window {w}: kernel, stride and dilation must be at least 1 and padding at least 0.", "window");
        if (image.Rank != 4)
            throw new ArgumentException($"{method}: {imageName} must be [N, H, W, C], got shape {image.Shape}.", imageName);
        var d = image.Shape;
        int rank = patches ? 6 : 4;
        var o = windowed.Shape;
        bool ok = o.Rank == rank && o[0] == d[0] && o[rank - 1] == d[3]
            && (!patches || (o[3] == w.KernelH && o[4] == w.KernelW));
        if (!ok)
            throw new ArgumentException(
                $"{method}: {windowedName} has shape {o} but {imageName} {d} with a {w.KernelH}x{w.KernelW} window needs {(patches ? "[N, OH, OW, KH, KW, C]" : "[N, OH, OW, C]")} with the same N and C.", windowedName);
        return new ConvGeometry(d[0], d[1], d[2], d[3], o[1], o[2], w);
    }
}
