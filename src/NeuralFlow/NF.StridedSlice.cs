namespace NeuralFlow;

// Slices with a step (tf.strided_slice, Python's x[::2, ::-1], x[1:-1:2], x[:, None]), which C#
// ranges cannot say (they have no step). Both the indexer helpers and StridedSlice resolve to
// AxisPick entries and share Tensor.Pick: a strided view plus a reverse for negative steps, so
// every engine runs them with its existing kernels and the gradient scatters into zeros.
public static partial class NF
{
    /// <summary>
    /// An index entry that takes every <paramref name="step"/>-th position of
    /// <paramref name="range"/>: <c>x[NF.Step(.., 2)]</c> is Python's <c>x[::2]</c>,
    /// <c>x[NF.Step(.., -1)]</c> is <c>x[::-1]</c>, <c>x[NF.Step(1..^1, 2)]</c> is <c>x[1:-1:2]</c>.
    /// The range is read as C# reads it (the positions start..end-1, clamped to the axis); a
    /// negative step walks those positions from the last one down (NumPy's <c>x[a:b][::step]</c>),
    /// so Python's <c>x[5:1:-1]</c> is <c>x[NF.Step(2..6, -1)]</c>. For Python's exact begin/end
    /// rules use <see cref="StridedSlice"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">step is 0.</exception>
    public static TensorIndex Step(Range range, int step) => TensorIndex.Stepped(range, step);

    /// <summary>
    /// An index entry that inserts a size-1 axis (<c>tf.newaxis</c>, NumPy's <c>None</c>):
    /// <c>x[.., NF.NewAxis]</c> on shape [3, 4] gives [3, 1, 4]. It reads no axis of the tensor.
    /// </summary>
    public static TensorIndex NewAxis => TensorIndex.NewAxis;

    /// <summary>
    /// An index entry that stands for every axis the other entries leave unread (Python's
    /// <c>...</c>): <c>x[NF.Ellipsis, 0]</c> on shape [2, 3, 4] gives [2, 3], the first element of
    /// the last axis. At most one per index.
    /// </summary>
    public static TensorIndex Ellipsis => TensorIndex.Ellipsis;

    /// <summary>
    /// <c>tf.strided_slice</c>: along axis i the positions begin[i], begin[i] + strides[i], ...
    /// up to but excluding end[i], with Python's slice rules: negative begin/end count from the
    /// end, out-of-range bounds clamp to the axis, a negative stride walks backwards. Bit i of
    /// <paramref name="beginMask"/> / <paramref name="endMask"/> ignores begin[i] / end[i] (the
    /// whole axis in the stride's direction); of <paramref name="shrinkAxisMask"/> takes the one
    /// position begin[i] and drops the axis; of <paramref name="newAxisMask"/> inserts a size-1
    /// axis instead; of <paramref name="ellipsisMask"/> (at most one bit) stands for as many whole
    /// axes as the other entries leave. Axes past the entries are kept whole. strides defaults to
    /// ones. Gradient: the upstream scattered into zeros at the taken positions.
    /// </summary>
    /// <exception cref="ArgumentException">begin, end and strides differ in length, more axes are named than x has, a stride is 0, or the ellipsis mask has more than one bit.</exception>
    /// <exception cref="IndexOutOfRangeException">A shrunk axis's begin is outside the axis.</exception>
    public static Tensor StridedSlice(Tensor x, int[] begin, int[] end, int[]? strides = null,
        int beginMask = 0, int endMask = 0, int ellipsisMask = 0, int newAxisMask = 0, int shrinkAxisMask = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(begin);
        ArgumentNullException.ThrowIfNull(end);
        const string op = nameof(StridedSlice);
        strides ??= Enumerable.Repeat(1, begin.Length).ToArray();
        int n = begin.Length;
        if (end.Length != n || strides.Length != n)
            throw new ArgumentException($"{op}: begin ({n}), end ({end.Length}) and strides ({strides.Length}) must have the same length.", nameof(end));
        if (n > 31)
            throw new ArgumentException($"{op}: {n} entries; the masks are 32-bit, so at most 31 entries.", nameof(begin));
        if ((ellipsisMask & (ellipsisMask - 1)) != 0)
            throw new ArgumentException($"{op}: ellipsisMask {ellipsisMask} has more than one bit set; only one ellipsis is allowed.", nameof(ellipsisMask));
        bool Bit(int mask, int i) => (mask >> i & 1) != 0;
        // Entries that read an axis of x (not new axes, not the ellipsis), to size the ellipsis.
        int reading = Enumerable.Range(0, n).Count(i => !Bit(newAxisMask, i) && !Bit(ellipsisMask, i));
        if (reading > x.Rank)
            throw new ArgumentException($"{op}: {reading} entries read axes of x, which has shape {x.Shape} (rank {x.Rank}).", nameof(begin));
        var picks = new List<AxisPick>();
        int axis = 0; // axis of x the next entry reads
        for (int i = 0; i < n; i++)
        {
            if (Bit(ellipsisMask, i))
            {
                for (int k = 0; k < x.Rank - reading; k++, axis++) picks.Add(new AxisPick(0, x.Shape[axis], 1, AxisPick.Kinds.Range));
                continue;
            }
            if (Bit(newAxisMask, i)) { picks.Add(AxisPick.NewAxis); continue; }
            int size = x.Shape[axis];
            if (Bit(shrinkAxisMask, i))
            {
                picks.Add(AxisPick.Select(((TensorIndex)begin[i]).Pick(size, axis, x.Shape).First));
            }
            else
            {
                if (strides[i] == 0)
                    throw new ArgumentException($"{op}: strides[{i}] is 0; a stride must be nonzero (negative strides go backwards).", nameof(strides));
                picks.Add(PythonSlice(size, Bit(beginMask, i) ? null : begin[i], Bit(endMask, i) ? null : end[i], strides[i]));
            }
            axis++;
        }
        return x.Pick([.. picks], op);
    }

    // Python's slice(begin, end, step).indices(size) (CPython's PySlice_AdjustIndices): a missing
    // bound is the axis end in the step's direction; a negative one counts from the end; then
    // both clamp to [0, size] going forwards or [-1, size - 1] going backwards.
    private static AxisPick PythonSlice(int size, int? begin, int? end, int step)
    {
        long Bound(int? value, bool isBegin)
        {
            if (value is not { } v) return isBegin ? (step > 0 ? 0 : size - 1) : (step > 0 ? size : -1);
            long b = v < 0 ? (long)v + size : v;
            return step > 0 ? Math.Clamp(b, 0, size) : Math.Clamp(b, -1, size - 1);
        }
        long first = Bound(begin, true), stop = Bound(end, false);
        long magnitude = Math.Abs((long)step);
        long count = step > 0
            ? (first < stop ? (stop - first - 1) / magnitude + 1 : 0)
            : (stop < first ? (first - stop - 1) / magnitude + 1 : 0);
        return new AxisPick(count == 0 ? 0 : (int)first, (int)count, step, AxisPick.Kinds.Range);
    }
}
