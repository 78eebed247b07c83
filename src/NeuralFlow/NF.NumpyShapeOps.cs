namespace NeuralFlow;

// NumPy's ptp, diff and rot90 (keras.ops.ptp, diff, rot90), composed of reductions, slices,
// reversals and transposes, so every engine runs them and the tape differentiates them.
public static partial class NF
{
    /// <summary>
    /// Peak to peak, max - min, over <paramref name="axis"/> or everything (<c>np.ptp</c>); the
    /// dtype is x's. Gradient: that of the max minus that of the min.
    /// </summary>
    /// <exception cref="ArgumentException">An axis is empty (a max of nothing has no value).</exception>
    public static Tensor Ptp(Tensor x, int? axis = null, bool keepDims = false) => Ptp(x, AxesOf(x, axis), keepDims);

    /// <summary>Peak to peak over several axes.</summary>
    public static Tensor Ptp(Tensor x, int[] axes, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ReduceMax(x, axes, keepDims) - ReduceMin(x, axes, keepDims);
    }

    /// <summary>
    /// The n-th discrete difference along <paramref name="axis"/> (<c>np.diff(a, n, axis)</c>):
    /// out[i] = a[i + 1] - a[i], applied n times, so the axis shrinks by n (to 0 at most); n = 0
    /// gives x. Bool x gives a != of neighbours, as NumPy does. The dtype is x's.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n is negative, or axis is out of range.</exception>
    /// <exception cref="ArgumentException">x is a scalar.</exception>
    public static Tensor Diff(Tensor x, int n = 1, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (n < 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"Diff: the order n must be non-negative, got {n}.");
        if (x.Rank == 0)
            throw new ArgumentException("Diff: x is a scalar; it needs at least one axis to take differences along.", nameof(x));
        int a = x.Shape.NormalizeAxis(axis, nameof(axis));
        var result = x;
        for (int i = 0; i < n && result.Shape[a] > 0; i++)
        {
            var upper = SliceAxis(result, a, 1, result.Shape[a] - 1);
            var lower = SliceAxis(result, a, 0, result.Shape[a] - 1);
            result = result.DType == DType.Bool ? NotEqual(upper, lower) : upper - lower;
        }
        return result;
    }

    /// <summary>
    /// x rotated by 90° k times in the plane of <paramref name="axes"/>, from the first axis toward
    /// the second (<c>np.rot90(m, k, axes)</c>); negative k turns the other way.
    /// </summary>
    /// <exception cref="ArgumentException">x has fewer than 2 axes, axes does not name two different axes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor Rot90(Tensor x, int k = 1, (int, int)? axes = null)
    {
        var (first, second) = axes ?? (0, 1);
        var (a0, a1) = PlaneAxes(nameof(Rot90), x, first, second, nameof(axes));
        k = ((k % 4) + 4) % 4;
        if (k == 0) return Identity(x);
        if (k == 2) return Reverse(x, a0, a1);
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[a0], perm[a1]) = (perm[a1], perm[a0]);
        // k = 1: reverse the second axis, then swap; k = 3: swap, then reverse the second.
        return k == 1 ? Transpose(Reverse(x, a1), perm) : Reverse(Transpose(x, perm), a1);
    }

    // Two different axes of x (rank 2 or more) spanning a plane, normalised, or the op's exception.
    private static (int, int) PlaneAxes(string op, Tensor x, int axis1, int axis2, string paramName)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2)
            throw new ArgumentException($"{op}: x has shape {x.Shape} (rank {x.Rank}); it needs at least 2 axes, the plane of two.", nameof(x));
        int a1 = x.Shape.NormalizeAxis(axis1, paramName);
        int a2 = x.Shape.NormalizeAxis(axis2, paramName);
        if (a1 == a2)
            throw new ArgumentException($"{op}: axes {axis1} and {axis2} are the same axis of x with shape {x.Shape}; the plane needs two different axes.", paramName);
        return (a1, a2);
    }
}
