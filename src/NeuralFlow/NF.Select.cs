namespace NeuralFlow;

// Selections whose result size depends on the values (tf.boolean_mask, tf.unique): the mask, or
// the order of the values, is read back to the host (one synchronisation on a GPU, as
// NF.Where(condition) does), and the result is gathered on the input's device. Inside
// NF.Function that host read makes the step run eagerly, with the reason in EagerReason.
// NF.TopK (NF.Sort.cs) is the other tf selection of this family.
public static partial class NF
{
    /// <summary>
    /// The slices of <paramref name="tensor"/> where <paramref name="mask"/> is true
    /// (<c>tf.boolean_mask</c>): mask's shape must equal tensor's shape at axes
    /// [axis, axis + mask.rank); those axes become one of length count(mask), in row-major order of
    /// the mask. With axis 0 and mask of tensor's shape, the true elements as a vector. Gradient:
    /// the upstream gradient back at the picked positions, 0 elsewhere. The mask is read on the host.
    /// </summary>
    /// <exception cref="ArgumentException">mask is not bool, is a scalar, or its shape does not match tensor's at axis.</exception>
    public static Tensor BooleanMask(Tensor tensor, Tensor mask, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(mask);
        const string op = nameof(BooleanMask);
        if (mask.DType != DType.Bool)
            throw new ArgumentException($"{op}: mask must be bool, got {mask.DType.Name()}; make one with a comparison or NF.Cast(m, DType.Bool).", nameof(mask));
        if (mask.Rank == 0)
            throw new ArgumentException($"{op}: mask is a scalar; it needs at least one axis (tf.boolean_mask refuses it too).", nameof(mask));
        int k = mask.Rank;
        int a = axis < 0 ? axis + tensor.Rank : axis;
        if (a < 0 || a + k > tensor.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis,
                $"{op}: axis {axis} with a mask of rank {k} does not fit tensor of shape {tensor.Shape} (rank {tensor.Rank}): it needs 0 <= axis <= {tensor.Rank - k}.");
        var dims = tensor.Shape.ToArray();
        if (!dims[a..(a + k)].SequenceEqual(mask.Shape.ToArray()))
            throw new ArgumentException(
                $"{op}: mask of shape {mask.Shape} does not match tensor of shape {tensor.Shape} at axes {a}..{a + k - 1} ([{string.Join(", ", dims[a..(a + k)])}]).",
                nameof(mask));
        var flags = mask.ToArray<bool>();
        var positions = new List<long>();
        for (long i = 0; i < flags.LongLength; i++) if (flags[i]) positions.Add(i);
        // Merge the masked axes into one, then pick its true positions.
        var merged = Reshape(tensor, [.. dims[..a], checked((int)mask.Count), .. dims[(a + k)..]]);
        var picked = Engine.FromHost<long>(positions.ToArray(), new Shape(positions.Count), tensor.Backend);
        return Gather(merged, picked, a);
    }

    /// <summary>
    /// The distinct values of the vector <paramref name="x"/> in order of first occurrence, and
    /// for every element the position of its value in that list (<c>tf.unique</c>: x == y[idx]).
    /// Values compare as == does: -0 equals +0 (the first one seen is kept) and every NaN is
    /// distinct. <paramref name="outIdx"/> is int32 (TensorFlow's default) or int64. The order is
    /// found with a stable sort on the device and read on the host. Gradient: y's to each value's
    /// first occurrence (TensorFlow defines none).
    /// </summary>
    /// <exception cref="ArgumentException">x is not a vector, or outIdx is neither int32 nor int64.</exception>
    public static (Tensor Y, Tensor Idx) Unique(Tensor x, DType outIdx = DType.Int32)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 1)
            throw new ArgumentException($"Unique: x must be a vector (rank 1), got shape {x.Shape}; flatten it with NF.Reshape(x, [-1]) first.", nameof(x));
        if (outIdx is not (DType.Int32 or DType.Int64))
            throw new ArgumentException($"Unique: outIdx must be int32 or int64, got {outIdx.Name()}.", nameof(outIdx));
        int n = x.Shape[0];
        int[] order;
        bool[] startsGroup;   // startsGroup[p]: sorted value p differs from sorted value p - 1
        using (var scope = TensorScope.Begin())
        {
            var sortedOrder = ArgSort(x);
            order = sortedOrder.ToArray<int>();
            startsGroup = new bool[n];
            if (n > 0)
            {
                var sorted = Gather(StopGradient(x), sortedOrder);
                NotEqual(sorted[1..], sorted[..^1]).ToArray<bool>().CopyTo(startsGroup, 1);
                startsGroup[0] = true;
            }
        }
        // The sort is stable, so each group's first element is its value's first occurrence;
        // number the groups in the order of those first occurrences.
        var firsts = new List<(int First, int Start)>();
        for (int p = 0; p < n; p++) if (startsGroup[p]) firsts.Add((order[p], p));
        firsts.Sort((u, v) => u.First.CompareTo(v.First));
        var groupOfStart = new Dictionary<int, int>(firsts.Count);
        for (int g = 0; g < firsts.Count; g++) groupOfStart[firsts[g].Start] = g;
        var idx = new long[n];
        int group = -1;
        for (int p = 0; p < n; p++)
        {
            if (startsGroup[p]) group = groupOfStart[p];
            idx[order[p]] = group;
        }
        var keep = Engine.FromHost<long>(firsts.Select(f => (long)f.First).ToArray(), new Shape(firsts.Count), x.Backend);
        var y = Gather(x, keep);
        var indices = outIdx == DType.Int64
            ? Engine.FromHost<long>(idx, new Shape(n), x.Backend)
            : Engine.FromHost<int>(idx.Select(i => (int)i).ToArray(), new Shape(n), x.Backend);
        return (y, indices);
    }
}
