namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Group normalization (<c>keras.layers.GroupNormalization</c>'s arithmetic, PyTorch's
    /// <c>F.group_norm</c> for channels-last data): the <paramref name="axis"/> of C channels is cut into
    /// <paramref name="groups"/> consecutive blocks of C / groups channels, and each sample's block is
    /// normalized by its own mean and biased variance over the block's channels and every other non-batch
    /// axis; then y * gamma + beta per channel (<paramref name="gamma"/>/<paramref name="beta"/> are [C] or
    /// null). One group is layer normalization over all non-batch axes; C groups is instance normalization.
    /// </summary>
    public static Tensor GroupNormalization(Tensor x, int groups, Tensor? gamma = null, Tensor? beta = null, int axis = -1, double epsilon = 1e-3)
    {
        const string op = nameof(GroupNormalization);
        ArgumentNullException.ThrowIfNull(x);
        CheckNormEpsilon(op, epsilon);
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: needs float32 or float64, got {x.DType.Name()}; convert with NF.Cast(x, DType.Float32).", nameof(x));
        if (x.Rank < 2)
            throw new ArgumentException($"{op}: needs a batch axis and a channel axis, got shape {x.Shape}.", nameof(x));
        int a = x.Shape.NormalizeAxis(axis, nameof(axis));
        if (a == 0)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is the batch axis of shape {x.Shape}; name the channel axis (-1 for channels-last).");
        int channels = x.Shape[a];
        if (groups < 1 || groups > channels || channels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups,
                $"{op}: groups must divide the {channels} channels of axis {axis} (shape {x.Shape}) and lie in 1..{channels}, got {groups}.");
        CheckNormParam(op, "gamma", gamma, x, [channels]);
        CheckNormParam(op, "beta", beta, x, [channels]);
        // Keras' reshape: the channel axis becomes [groups, channels / groups]; the statistics run over every
        // axis but the batch and the group axis (LayerNormalization moves them last when they are not).
        var grouped = x.Shape.ToArray().ToList();
        grouped[a] = channels / groups;
        grouped.Insert(a, groups);
        int[] reduce = Enumerable.Range(1, x.Rank).Where(i => i != a).ToArray();
        var y = Reshape(LayerNormalization(Reshape(x, grouped.ToArray()), null, null, reduce, epsilon), x.Shape.ToArray());
        if (gamma is null && beta is null) return y;
        var perChannel = Enumerable.Repeat(1, x.Rank).ToArray();
        perChannel[a] = channels;
        if (gamma is not null) y = y * Reshape(gamma, perChannel);
        if (beta is not null) y = y + Reshape(beta, perChannel);
        return y;
    }
}
