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

    // The image ops work in NHWC (the volume ops in NDHWC). An NCHW (NCDHW) input is packed into
    // channels_last first (Reshape copies a view and is taped): the windowed kernels would read a
    // transposed view too, but gathering channels H * W apart is about twice as slow as one packing copy.
    // Both helpers take any rank: the channels move between axis 1 and the last axis.
    internal static Tensor ToNhwc(Tensor nchw)
    {
        var view = Transpose(nchw, [0, .. Enumerable.Range(2, nchw.Rank - 2), 1]);
        return Reshape(view, view.Shape.ToArray());
    }

    internal static Tensor FromNhwc(Tensor nhwc) => Transpose(nhwc, [0, nhwc.Rank - 1, .. Enumerable.Range(1, nhwc.Rank - 2)]);
}
