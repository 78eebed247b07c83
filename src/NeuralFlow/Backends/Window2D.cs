namespace NeuralFlow.Backends;

/// <summary>
/// The window of a 2-D convolution or pooling over NHWC data (the C ABI's <c>nf_window2d</c>):
/// output position (oh, ow) with tap (kh, kw) reads input row oh * StrideH + kh * DilationH -
/// PadTop and column ow * StrideW + kw * DilationW - PadLeft; taps outside the image are padding.
/// The output's height and width come from the output layout (the op computes them from its
/// padding mode), so the bottom and right padding need no fields.
/// </summary>
public readonly record struct Window2D(int KernelH, int KernelW, int StrideH, int StrideW, int DilationH, int DilationW, int PadTop, int PadLeft);

/// <summary>2-D pooling kinds (the C ABI's <c>nf_pool_op</c>).</summary>
public enum PoolOp
{
    /// <summary>Maximum over the window's taps inside the image (padding never wins); NaN propagates.</summary>
    Max = 0,
    /// <summary>Mean over the window's taps inside the image (padding is not counted, as TensorFlow's "same" average pooling).</summary>
    Average = 1,
}
