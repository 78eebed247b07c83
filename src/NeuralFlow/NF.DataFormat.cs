namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Whether <paramref name="dataFormat"/> names NCHW: Keras' "channels_first" (or TensorFlow's
    /// "NCHW"); "channels_last" / "NHWC" is NHWC. Anything else is refused, naming the op.
    /// </summary>
    internal static bool ChannelsFirst(string op, string? dataFormat) => dataFormat?.ToLowerInvariant() switch
    {
        "channels_last" or "nhwc" => false,
        "channels_first" or "nchw" => true,
        _ => throw new ArgumentException(
            $"{op}: dataFormat must be \"channels_last\" (NHWC) or \"channels_first\" (NCHW), got \"{dataFormat}\".", nameof(dataFormat)),
    };

    // The image ops work in NHWC; an NCHW tensor goes through them as a transposed view (the
    // windowed kernels read any strides), so channels_first costs one copy of the result only.
    internal static Tensor ToNhwc(Tensor nchw) => Transpose(nchw, [0, 2, 3, 1]);

    internal static Tensor FromNhwc(Tensor nhwc) => Transpose(nhwc, [0, 3, 1, 2]);
}
