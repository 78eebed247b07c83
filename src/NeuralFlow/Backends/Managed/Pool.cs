using System.Numerics;
using System.Runtime.InteropServices;

namespace NeuralFlow.Backends.Managed;

// Max and average pooling over NHWC data. Only taps inside the image count: padding never wins
// a max and is not part of an average's divisor (TensorFlow's "same" pooling). The backward
// pass is a gather per dx element (no scatter, so no races and a fixed summation order); for
// max it first records each output's winning tap, so every dx element checks O(KH * KW) taps.
public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void Pool2D(PoolOp op, DType dtype, nint x, in Layout xLayout, in Window2D window, nint output, in Layout outLayout)
    {
        const string M = nameof(Pool2D);
        var g = ConvGeometry.Create(M, dtype, nameof(xLayout), xLayout, nameof(outLayout), outLayout, window, patches: false);
        CheckPoolOp(M, op);
        CheckContiguous(M, nameof(outLayout), outLayout);
        if (!dtype.IsFloating()) throw Unsupported(M, $"{op} pooling", dtype);
        CheckPointer(M, nameof(x), x, xLayout.Shape.Count);
        CheckPointer(M, nameof(output), output, outLayout.Shape.Count);
        if (outLayout.Shape.Count == 0) return;
        if (dtype == DType.Float32) PoolKernel<float>(op, g, x, xLayout, output);
        else PoolKernel<double>(op, g, x, xLayout, output);
    }

    /// <inheritdoc/>
    public void Pool2DBackward(PoolOp op, DType dtype, nint x, in Layout xLayout, nint dy, in Layout dyLayout, in Window2D window, nint dx, in Layout dxLayout)
    {
        const string M = nameof(Pool2DBackward);
        var g = ConvGeometry.Create(M, dtype, nameof(dxLayout), dxLayout, nameof(dyLayout), dyLayout, window, patches: false);
        CheckPoolOp(M, op);
        CheckContiguous(M, nameof(dxLayout), dxLayout);
        CheckLayout(M, nameof(xLayout), xLayout);
        CheckSameShape(M, nameof(dxLayout), dxLayout, nameof(xLayout), xLayout);
        if (!dtype.IsFloating()) throw Unsupported(M, $"{op} pooling", dtype);
        CheckPointer(M, nameof(x), x, xLayout.Shape.Count);
        CheckPointer(M, nameof(dy), dy, dyLayout.Shape.Count);
        CheckPointer(M, nameof(dx), dx, dxLayout.Shape.Count);
        if (dxLayout.Shape.Count == 0) return;
        if (dtype == DType.Float32) PoolBackwardKernel<float>(op, g, x, xLayout, dy, dyLayout, dx);
        else PoolBackwardKernel<double>(op, g, x, xLayout, dy, dyLayout, dx);
    }

    private static void CheckPoolOp(string method, PoolOp op)
    {
        if (op is not (PoolOp.Max or PoolOp.Average))
            throw new ArgumentException($"{method}: op = {(int)op} is not a valid PoolOp.", nameof(op));
    }

    internal static void CheckContiguous(string method, string arg, in Layout layout)
    {
        if (!layout.IsContiguous || layout.Offset != 0)
            throw new ArgumentException($"{method}: {arg} must be contiguous, got {layout}.", arg);
    }

    /// <summary>The in-image tap range [k0, k1) of output position o along one axis.</summary>
    private static (int K0, int K1) TapRange(long o, int stride, int dilation, int pad, int kernel, int size)
    {
        long start = o * stride - pad;
        int k0 = 0, k1 = kernel;
        while (k0 < kernel && start + (long)k0 * dilation < 0) k0++;
        while (k1 > k0 && start + (long)(k1 - 1) * dilation >= size) k1--;
        return (k0, k1);
    }

    private static unsafe void PoolKernel<T>(PoolOp op, ConvGeometry g, nint x, Layout xl, nint output) where T : unmanaged, IFloatingPointIeee754<T> =>
        PoolPass<T>(op, g, x, xl, (T*)output, null);

    /// <summary>
    /// One pass over the outputs: writes each output's value to <paramref name="values"/> and/or
    /// its winning tap (kh * KW + kw, -1 when the window holds no in-image tap; max only) to
    /// <paramref name="winners"/>, either of which may be null. The backward pass reuses it so
    /// the winner is found exactly as the forward pass found the value.
    /// </summary>
    private static unsafe void PoolPass<T>(PoolOp op, ConvGeometry g, nint x, Layout xl, T* values, int* winners) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* src = (T*)x + xl.Offset;
        var (sN, sH, sW, sC) = Strides4(xl);
        int C = g.C;
        var w = g.Window;
        ForRows(g.N, g.OH, (long)g.OW * C * g.KK, (n, oh, r) =>
        {
            var (h0, h1) = TapRange(oh, w.StrideH, w.DilationH, w.PadTop, w.KernelH, g.H);
            for (int ow = 0; ow < g.OW; ow++)
            {
                var (v0, v1) = TapRange(ow, w.StrideW, w.DilationW, w.PadLeft, w.KernelW, g.W);
                int count = (h1 - h0) * (v1 - v0);
                long at0 = (r * g.OW + ow) * C;
                for (int c = 0; c < C; c++)
                {
                    // A window wholly in the padding has no taps: its max and mean are 0.
                    T acc = T.Zero;
                    int at = -1;
                    for (int kh = h0; kh < h1; kh++)
                    {
                        T* row = src + n * sN + (oh * w.StrideH + (long)kh * w.DilationH - w.PadTop) * sH + c * sC;
                        for (int kw = v0; kw < v1; kw++)
                        {
                            T v = row[((long)ow * w.StrideW + (long)kw * w.DilationW - w.PadLeft) * sW];
                            if (op == PoolOp.Average) acc += v;
                            else if (at < 0 || (!T.IsNaN(acc) && (T.IsNaN(v) || v > acc))) { acc = v; at = kh * w.KernelW + kw; }
                        }
                    }
                    if (values != null) values[at0 + c] = op == PoolOp.Average && count > 0 ? acc / T.CreateTruncating(count) : acc;
                    if (winners != null) winners[at0 + c] = at;
                }
            }
        });
    }

    private static unsafe void PoolBackwardKernel<T>(PoolOp op, ConvGeometry g, nint x, Layout xl, nint dy, Layout dl, nint dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* gs = (T*)dy + dl.Offset, dst = (T*)dx;
        var (dN, dH, dW, dC) = Strides4(dl);
        int C = g.C;
        var w = g.Window;
        long outCount = (long)g.N * g.OH * g.OW * C;
        // Max: the winning tap (kh * KW + kw) of every output, found as the forward pass does.
        int* winner = op == PoolOp.Max ? (int*)NativeMemory.Alloc((nuint)Math.Max(outCount, 1), sizeof(int)) : null;
        try
        {
            if (op == PoolOp.Max) PoolPass<T>(op, g, x, xl, null, winner);

            // Each dx pixel gathers, in (kh, kw) order, the outputs whose tap (kh, kw) reads it.
            ForRows(g.N, g.H, (long)g.W * C * g.KK, (n, ih, r) =>
            {
                for (int iw = 0; iw < g.W; iw++)
                {
                    T* o = dst + (r * g.W + iw) * C;
                    for (int c = 0; c < C; c++) o[c] = T.Zero;
                    for (int kh = 0; kh < w.KernelH; kh++)
                    {
                        long oh = TapSource(ih, kh, w.DilationH, w.PadTop, w.StrideH, g.OH);
                        if (oh < 0) continue;
                        var (h0, h1) = TapRange(oh, w.StrideH, w.DilationH, w.PadTop, w.KernelH, g.H);
                        for (int kw = 0; kw < w.KernelW; kw++)
                        {
                            long ow = TapSource(iw, kw, w.DilationW, w.PadLeft, w.StrideW, g.OW);
                            if (ow < 0) continue;
                            T* gy = gs + n * dN + oh * dH + ow * dW;
                            if (op == PoolOp.Max)
                            {
                                int* win = winner + ((n * g.OH + oh) * g.OW + ow) * C;
                                int tap = kh * w.KernelW + kw;
                                for (int c = 0; c < C; c++)
                                    if (win[c] == tap) o[c] += gy[c * dC];
                            }
                            else
                            {
                                var (v0, v1) = TapRange(ow, w.StrideW, w.DilationW, w.PadLeft, w.KernelW, g.W);
                                T count = T.CreateTruncating((h1 - h0) * (v1 - v0));
                                for (int c = 0; c < C; c++) o[c] += gy[c * dC] / count;
                            }
                        }
                    }
                }
            });
        }
        finally
        {
            if (winner != null) NativeMemory.Free(winner);
        }
    }
}
