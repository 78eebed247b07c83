namespace NeuralFlow;

// tf.nn.depth_to_space / tf.nn.space_to_depth: pure rearrangements (Reshape and Transpose), so any
// dtype, every engine and the gradient come with them. The channel axis splits as
// (block row, block column, channel), TensorFlow's order for NHWC and NCHW alike: an NCHW result is
// the transposed NHWC one. (Keras 3's channels_first and torch.nn.functional.pixel_shuffle split it
// as (channel, block row, block column) instead; that order is not offered here.)
public static partial class NF
{
    /// <summary>
    /// Moves depth into blocks of space (<c>tf.nn.depth_to_space</c>): [B, H, W, C] becomes
    /// [B, H * blockSize, W * blockSize, C / blockSize²] ("NHWC"; "NCHW": [B, C, H, W] to
    /// [B, C / blockSize², H * blockSize, W * blockSize]). Output pixel (h * bs + i, w * bs + j,
    /// c) is input channel (i * bs + j) * C' + c of pixel (h, w).
    /// </summary>
    /// <exception cref="ArgumentException">Not rank 4, an unknown data format, or channels not divisible by blockSize².</exception>
    /// <exception cref="ArgumentOutOfRangeException">blockSize below 2.</exception>
    public static Tensor DepthToSpace(Tensor input, int blockSize, string dataFormat = "NHWC")
    {
        const string op = nameof(DepthToSpace);
        bool nchw = SpaceDepthArgs(op, input, blockSize, dataFormat);
        int bs = blockSize, b = input.Shape[0];
        int c = input.Shape[nchw ? 1 : 3], h = input.Shape[nchw ? 2 : 1], w = input.Shape[nchw ? 3 : 2];
        if (c % (bs * bs) != 0)
            throw new ArgumentException($"{op}: the channels ({c}) of {input.Shape} must be divisible by blockSize² = {bs * bs}.", nameof(input));
        int depth = c / (bs * bs);
        if (nchw)
            return Reshape(Transpose(Reshape(input, [b, bs, bs, depth, h, w]), [0, 3, 4, 1, 5, 2]), [b, depth, h * bs, w * bs]);
        return Reshape(Transpose(Reshape(input, [b, h, w, bs, bs, depth]), [0, 1, 3, 2, 4, 5]), [b, h * bs, w * bs, depth]);
    }

    /// <summary>
    /// Moves blocks of space into depth (<c>tf.nn.space_to_depth</c>), the inverse of
    /// <see cref="DepthToSpace"/>: [B, H, W, C] becomes [B, H / blockSize, W / blockSize, C * blockSize²]
    /// ("NHWC"; "NCHW": [B, C, H, W] to [B, C * blockSize², H / blockSize, W / blockSize]).
    /// </summary>
    /// <exception cref="ArgumentException">Not rank 4, an unknown data format, or height or width not divisible by blockSize.</exception>
    /// <exception cref="ArgumentOutOfRangeException">blockSize below 2.</exception>
    public static Tensor SpaceToDepth(Tensor input, int blockSize, string dataFormat = "NHWC")
    {
        const string op = nameof(SpaceToDepth);
        bool nchw = SpaceDepthArgs(op, input, blockSize, dataFormat);
        int bs = blockSize, b = input.Shape[0];
        int c = input.Shape[nchw ? 1 : 3], h = input.Shape[nchw ? 2 : 1], w = input.Shape[nchw ? 3 : 2];
        if (h % bs != 0 || w % bs != 0)
            throw new ArgumentException($"{op}: the height ({h}) and width ({w}) of {input.Shape} must be divisible by blockSize {bs}.", nameof(input));
        int oh = h / bs, ow = w / bs;
        if (nchw)
            return Reshape(Transpose(Reshape(input, [b, c, oh, bs, ow, bs]), [0, 3, 5, 1, 2, 4]), [b, bs * bs * c, oh, ow]);
        return Reshape(Transpose(Reshape(input, [b, oh, bs, ow, bs, c]), [0, 1, 3, 2, 4, 5]), [b, oh, ow, bs * bs * c]);
    }

    // Rank 4, a block of at least 2 (TensorFlow's rule), TensorFlow's "NHWC" or "NCHW": whether it is NCHW.
    private static bool SpaceDepthArgs(string op, Tensor input, int blockSize, string dataFormat)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4)
            throw new ArgumentException($"{op}: the input must have rank 4 (NHWC or NCHW), got shape {input.Shape}.", nameof(input));
        if (blockSize < 2)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, $"{op}: blockSize must be at least 2.");
        return dataFormat switch
        {
            "NHWC" => false,
            "NCHW" => true,
            _ => throw new ArgumentException(
                $"{op}: dataFormat must be \"NHWC\" or \"NCHW\" (TensorFlow's names), got \"{dataFormat}\".", nameof(dataFormat)),
        };
    }
}
