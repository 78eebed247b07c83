namespace NeuralFlow;

// Norm clipping (tf.clip_by_norm, tf.clip_by_global_norm, tf.linalg.global_norm), built from
// tensor ops exactly as TensorFlow builds them, so the results, the gradients through them and
// their NaN behaviour match, and a custom training loop can clip on the device (the Keras
// optimizers' clipnorm options compute their scale on the host instead).
public static partial class NF
{
    /// <summary>
    /// <paramref name="t"/> scaled so that its L2 norm over <paramref name="axes"/> (all axes when
    /// null) is at most <paramref name="clipNorm"/> (<c>tf.clip_by_norm</c>): t * clipNorm /
    /// max(norm, clipNorm), unchanged where the norm is already within it. A zero tensor stays zero
    /// and has a finite gradient (the square root is taken of 1 where the sum of squares is 0).
    /// </summary>
    /// <exception cref="ArgumentException">t is not float, clipNorm is not a positive number, or an axis is out of range.</exception>
    public static Tensor ClipByNorm(Tensor t, double clipNorm, int[]? axes = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        CheckClipNorm(nameof(ClipByNorm), clipNorm);
        if (!t.DType.IsFloating()) throw new ArgumentException($"ClipByNorm: t is {t.DType.Name()}; it needs a float dtype.", nameof(t));
        int[] over = axes ?? Enumerable.Range(0, t.Rank).ToArray();
        foreach (int a in over)
            if (a < -t.Rank || a >= t.Rank)
                throw new ArgumentOutOfRangeException(nameof(axes), a, $"ClipByNorm: axis {a} is out of range for t of shape {t.Shape} (rank {t.Rank}).");
        var sum = ReduceSum(Square(t), over, keepDims: true);
        var positive = Greater(sum, 0);
        var norm = Where(positive, Sqrt(Where(positive, sum, 1)), sum);
        return Divide(Multiply(t, clipNorm), Maximum(norm, clipNorm));
    }

    /// <summary>
    /// sqrt(Σ sum(t²)) over every tensor of <paramref name="tList"/>, nulls skipped
    /// (<c>tf.linalg.global_norm</c>), in the dtype of the first tensor (the others are cast to it).
    /// </summary>
    /// <exception cref="ArgumentException">tList holds no tensor, or one that is not float.</exception>
    public static Tensor GlobalNorm(IReadOnlyList<Tensor?> tList)
    {
        ArgumentNullException.ThrowIfNull(tList);
        Tensor? total = null;
        foreach (var t in tList)
        {
            if (t is null) continue;
            if (!t.DType.IsFloating())
                throw new ArgumentException($"GlobalNorm: tList[{IndexOf(tList, t)}] is {t.DType.Name()}; every tensor needs a float dtype.", nameof(tList));
            var squares = ReduceSum(Square(t));
            total = total is null ? squares : total + Cast(squares, total.DType);
        }
        if (total is null) throw new ArgumentException("GlobalNorm: tList holds no tensor (only nulls, or none at all).", nameof(tList));
        return Sqrt(total);
    }

    /// <summary>
    /// Every tensor of <paramref name="tList"/> scaled by clipNorm / max(globalNorm, clipNorm)
    /// (<c>tf.clip_by_global_norm</c>), so that their joint L2 norm is at most
    /// <paramref name="clipNorm"/>, and that global norm (of the tensors as given). Nulls stay null
    /// in their place (gradients of unused variables). <paramref name="useNorm"/>, when given, is
    /// used as the global norm instead of computing it. As in TensorFlow, a global norm that is
    /// inf or NaN makes every clipped value NaN, so that a diverging step is visible.
    /// </summary>
    /// <exception cref="ArgumentException">clipNorm is not a positive number, or tList holds no tensor or one that is not float.</exception>
    public static (Tensor?[] ListClipped, Tensor GlobalNorm) ClipByGlobalNorm(IReadOnlyList<Tensor?> tList, double clipNorm, Tensor? useNorm = null)
    {
        ArgumentNullException.ThrowIfNull(tList);
        CheckClipNorm(nameof(ClipByGlobalNorm), clipNorm);
        var norm = useNorm ?? GlobalNorm(tList);
        if (useNorm is not null && useNorm.Rank != 0)
            throw new ArgumentException($"ClipByGlobalNorm: useNorm must be a scalar, got shape {useNorm.Shape}.", nameof(useNorm));
        // TensorFlow's formula: (norm - norm) is 0 for a finite norm and NaN otherwise.
        var scale = Multiply(Minimum(Divide(1.0, norm), 1.0 / clipNorm), clipNorm) + (norm - norm);
        var clipped = new Tensor?[tList.Count];
        for (int i = 0; i < clipped.Length; i++)
        {
            var t = tList[i];
            if (t is null) continue;
            if (!t.DType.IsFloating())
                throw new ArgumentException($"ClipByGlobalNorm: tList[{i}] is {t.DType.Name()}; every tensor needs a float dtype.", nameof(tList));
            clipped[i] = Multiply(t, Cast(scale, t.DType));
        }
        return (clipped, norm);
    }

    private static void CheckClipNorm(string op, double clipNorm)
    {
        if (!(clipNorm > 0) || double.IsPositiveInfinity(clipNorm))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, $"{op}: clipNorm must be a positive finite number, got {clipNorm}.");
    }

    private static int IndexOf(IReadOnlyList<Tensor?> list, Tensor t)
    {
        for (int i = 0; i < list.Count; i++) if (ReferenceEquals(list[i], t)) return i;
        return -1;
    }
}
