namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Splits <paramref name="x"/> into <paramref name="numSplits"/> equal pieces along
    /// <paramref name="axis"/> (<c>tf.split(x, num, axis)</c>); the axis must divide evenly.
    /// The pieces are views.
    /// </summary>
    public static Tensor[] Split(Tensor x, int numSplits, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = x.Shape.NormalizeAxis(axis);
        int size = x.Shape[a];
        if (numSplits < 1 || size % numSplits != 0)
            throw new ArgumentException($"Split: axis {axis} of shape {x.Shape} (size {size}) cannot be split into {numSplits} equal pieces.", nameof(numSplits));
        return Split(x, Enumerable.Repeat(size / numSplits, numSplits).ToArray(), axis);
    }

    /// <summary>
    /// Splits <paramref name="x"/> into pieces of <paramref name="sizes"/> along
    /// <paramref name="axis"/> (<c>tf.split(x, [2, 3, -1], axis)</c>): the sizes add up to the
    /// axis, one of them may be -1 for the rest. The pieces are views.
    /// </summary>
    public static Tensor[] Split(Tensor x, int[] sizes, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(sizes);
        int a = x.Shape.NormalizeAxis(axis);
        int total = x.Shape[a];
        var resolved = (int[])sizes.Clone();
        int infer = Array.IndexOf(resolved, -1);
        long known = resolved.Where(s => s != -1).Sum(s => (long)s);
        if (resolved.Length == 0 || resolved.Any(s => s < -1) || resolved.Count(s => s == -1) > 1
            || (infer < 0 ? known != total : known > total))
            throw new ArgumentException(
                $"Split: sizes [{string.Join(", ", sizes)}] must be non-negative (one may be -1) and add up to axis {axis} of shape {x.Shape} (size {total}).", nameof(sizes));
        if (infer >= 0) resolved[infer] = (int)(total - known);
        var pieces = new Tensor[resolved.Length];
        int start = 0;
        for (int i = 0; i < pieces.Length; i++)
        {
            pieces[i] = x.PickView(AxisPick.SpanOn(x.Shape, a, start, resolved[i]), nameof(Split));
            start += resolved[i];
        }
        return pieces;
    }
}
