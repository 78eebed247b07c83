namespace NeuralFlow.Keras;

/// <summary>Keras' <c>keras.utils</c> helpers for preparing data.</summary>
public static partial class Utils
{
    /// <summary>
    /// Class ids as one-hot float32 rows (<c>keras.utils.to_categorical</c>): labels of shape (N,)
    /// (or (N, 1), whose last axis is dropped, as Keras does) give (N, numClasses). Without
    /// <paramref name="numClasses"/>, the largest label + 1. Floating labels must hold whole
    /// numbers. A label outside [0, numClasses) is an error naming it (Keras would fail an index check).
    /// </summary>
    public static Tensor ToCategorical(Tensor y, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.DType == DType.Bool) throw new ArgumentException("ToCategorical: labels must be class ids (integers), not bool.", nameof(y));
        var labels = y.ToDoubleArray();
        foreach (var v in labels)
            if (v != Math.Floor(v) || double.IsInfinity(v))
                throw new ArgumentException($"ToCategorical: labels must be whole numbers (class ids), got {v}.", nameof(y));
        double max = labels.Length == 0 ? -1 : labels.Max(), min = labels.Length == 0 ? 0 : labels.Min();
        int classes = numClasses ?? (int)(max + 1);
        if (numClasses is < 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "ToCategorical: numClasses must be at least 0.");
        if (min < 0 || max >= classes)
            throw new ArgumentOutOfRangeException(nameof(y), $"ToCategorical: labels must be in [0, {classes}), got {(min < 0 ? min : max)}" +
                (numClasses is null ? "." : $"; numClasses is {classes}."));
        var dims = y.Shape.ToArray();
        if (dims.Length > 1 && dims[^1] == 1) dims = dims[..^1];
        using var _ = NF.UseBackend(y.Backend);
        using var ids = NF.Constant(labels.Select(v => (long)v).ToArray(), new Shape(dims));
        return NF.OneHot(ids, classes);
    }

    /// <summary>
    /// Each vector along <paramref name="axis"/> divided by its Lp norm (<c>keras.utils.normalize</c>,
    /// order 2 by default); a zero vector stays zero. Integer and bool input is normalized in float32,
    /// as Keras' (its result_type with float32): keras.ops.normalize([[1, 2, 3], [4, 5, 6]]) is float32.
    /// </summary>
    public static Tensor Normalize(Tensor x, int axis = -1, int order = 2)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (order < 1) throw new ArgumentOutOfRangeException(nameof(order), order, "Normalize: order must be at least 1.");
        // Before, int32 input threw from Norm ("it needs a float dtype") where Keras gives float32.
        if (!x.DType.IsFloating()) x = NF.Cast(x, DType.Float32);
        using var norm = NF.Norm(x, ord: order, axis: axis, keepDims: true);
        using var zero = NF.Equal(norm, NF.ZerosLike(norm));
        using var safe = NF.Where(zero, NF.OnesLike(norm), norm);
        return x / safe;
    }

    /// <summary>
    /// Seeds every random draw NeuralFlow makes (<c>keras.utils.set_random_seed</c>): initializers,
    /// dropout and noise layers, augmentation, Fit's shuffling and <see cref="NF.Random"/>, so that a
    /// run repeats. The same as <see cref="NF.Random.SetSeed"/>; C#'s own <see cref="System.Random"/>
    /// instances are the caller's to seed (Keras also seeds Python's and numpy's generators).
    /// </summary>
    public static void SetRandomSeed(int seed)
    {
        if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seed), seed, "SetRandomSeed: the seed must be a non-negative integer (Keras: \"seed must be a non-negative integer\").");
        NF.Random.SetSeed(seed);
    }
}
