using NeuralFlow.Backends;

namespace NeuralFlow;

// torch.nn.functional.unfold / fold (keras.ops.unfold): im2col and col2im of NCHW images, on the
// convolutions' own patch kernels (NF.Patches / NF.Unpatches, which are each other's gradient), so
// every engine runs them and second derivatives work. A column holds one patch as (channel,
// kernel row, kernel column), PyTorch's order; columns run over the output positions row by row.
public static partial class NF
{
    /// <summary>
    /// Sliding patches of <paramref name="input"/> [N, C, H, W] as columns (<c>torch.nn.functional.unfold</c>,
    /// <c>keras.ops.unfold</c>): [N, C * kh * kw, L], L the number of window positions
    /// ((H + 2 padH - dilH (kh - 1) - 1) / strideH + 1 times the same for the width), zero padding.
    /// </summary>
    /// <exception cref="ArgumentException">Not a float tensor of rank 4, or no window fits.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A kernel size, dilation or stride below 1, or a negative padding.</exception>
    public static Tensor Unfold(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width)? dilation = null,
                                (int Height, int Width)? padding = null, (int Height, int Width)? stride = null)
    {
        const string op = nameof(Unfold);
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || !input.DType.IsFloating())
            throw new ArgumentException($"{op}: the input must be a float32 or float64 [N, C, H, W] tensor, got {input.DType.Name()} {input.Shape}.", nameof(input));
        var (window, oh, ow) = FoldWindow(op, input.Shape[2], input.Shape[3], kernelSize, dilation, padding, stride);
        int n = input.Shape[0], c = input.Shape[1];
        var cols = Patches(ToNhwc(input), window, oh, ow);                    // [N, OH, OW, KH, KW, C]
        return Reshape(Transpose(cols, [0, 5, 3, 4, 1, 2]), [n, c * kernelSize.Height * kernelSize.Width, oh * ow]);
    }

    /// <summary><see cref="Unfold(Tensor, ValueTuple{int, int}, ValueTuple{int, int}?, ValueTuple{int, int}?, ValueTuple{int, int}?)"/> with square kernel, dilation, padding and stride.</summary>
    public static Tensor Unfold(Tensor input, int kernelSize, int dilation = 1, int padding = 0, int stride = 1) =>
        Unfold(input, (kernelSize, kernelSize), (dilation, dilation), (padding, padding), (stride, stride));

    /// <summary>
    /// The adjoint of <see cref="Unfold(Tensor, ValueTuple{int, int}, ValueTuple{int, int}?, ValueTuple{int, int}?, ValueTuple{int, int}?)"/>
    /// (<c>torch.nn.functional.fold</c>, col2im): columns [N, C * kh * kw, L] summed back into an image
    /// [N, C, H, W] of <paramref name="outputSize"/>, overlapping patches adding up and padding dropped.
    /// </summary>
    /// <exception cref="ArgumentException">Not a float tensor of rank 3, channels not divisible by kh * kw, or L not the number of window positions of outputSize.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, kernel size, dilation or stride below 1, or a negative padding.</exception>
    public static Tensor Fold(Tensor input, (int Height, int Width) outputSize, (int Height, int Width) kernelSize, (int Height, int Width)? dilation = null,
                              (int Height, int Width)? padding = null, (int Height, int Width)? stride = null)
    {
        const string op = nameof(Fold);
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || !input.DType.IsFloating())
            throw new ArgumentException($"{op}: the input must be a float32 or float64 [N, C * kh * kw, L] tensor, got {input.DType.Name()} {input.Shape}.", nameof(input));
        if (outputSize.Height < 1 || outputSize.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, $"{op}: outputSize must be at least 1 x 1.");
        var (window, oh, ow) = FoldWindow(op, outputSize.Height, outputSize.Width, kernelSize, dilation, padding, stride);
        int n = input.Shape[0], kk = kernelSize.Height * kernelSize.Width;
        if (input.Shape[1] % kk != 0)
            throw new ArgumentException($"{op}: axis 1 of {input.Shape} must be divisible by kh * kw = {kk}.", nameof(input));
        if (input.Shape[2] != oh * ow)
            throw new ArgumentException(
                $"{op}: axis 2 of {input.Shape} must be the {oh * ow} ({oh} x {ow}) window positions of a {outputSize.Height} x {outputSize.Width} output.", nameof(input));
        int c = input.Shape[1] / kk;
        var cols = Transpose(Reshape(input, [n, c, kernelSize.Height, kernelSize.Width, oh, ow]), [0, 4, 5, 2, 3, 1]);
        return FromNhwc(Unpatches(Reshape(cols, cols.Shape.ToArray()), window, new Shape(n, outputSize.Height, outputSize.Width, c)));
    }

    /// <summary><see cref="Fold(Tensor, ValueTuple{int, int}, ValueTuple{int, int}, ValueTuple{int, int}?, ValueTuple{int, int}?, ValueTuple{int, int}?)"/> with square kernel, dilation, padding and stride.</summary>
    public static Tensor Fold(Tensor input, (int Height, int Width) outputSize, int kernelSize, int dilation = 1, int padding = 0, int stride = 1) =>
        Fold(input, outputSize, (kernelSize, kernelSize), (dilation, dilation), (padding, padding), (stride, stride));

    // The patch window of an H x W image with symmetric zero padding, and the number of positions it takes.
    private static (Window2D Window, int OH, int OW) FoldWindow(string op, int h, int w, (int Height, int Width) kernel, (int Height, int Width)? dilation,
                                                               (int Height, int Width)? padding, (int Height, int Width)? stride)
    {
        var (dh, dw) = dilation ?? (1, 1);
        var (ph, pw) = padding ?? (0, 0);
        var (sh, sw) = stride ?? (1, 1);
        if (kernel.Height < 1 || kernel.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"{op}: kernelSize must be at least 1 x 1.");
        if (dh < 1 || dw < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, $"{op}: dilation must be at least 1.");
        if (sh < 1 || sw < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"{op}: stride must be at least 1.");
        if (ph < 0 || pw < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{op}: padding must be at least 0.");
        // In long: a large dilation or padding must not wrap around into a negative span or image.
        long spanH = (long)dh * (kernel.Height - 1) + 1, spanW = (long)dw * (kernel.Width - 1) + 1;
        long paddedH = h + 2L * ph, paddedW = w + 2L * pw;
        if (paddedH < spanH || paddedW < spanW)
            throw new ArgumentException(
                $"{op}: a {kernel.Height} x {kernel.Width} kernel with dilation ({dh}, {dw}) spans {spanH} x {spanW}, more than the padded {paddedH} x {paddedW} image.", "input");
        if (paddedH > int.MaxValue || paddedW > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{op}: padding ({ph}, {pw}) makes the padded image {paddedH} x {paddedW}, more than a dimension holds.");
        int oh = (int)((paddedH - spanH) / sh + 1), ow = (int)((paddedW - spanW) / sw + 1);
        return (new Window2D(kernel.Height, kernel.Width, sh, sw, dh, dw, ph, pw), oh, ow);
    }
}
