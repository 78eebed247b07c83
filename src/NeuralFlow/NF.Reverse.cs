namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// <paramref name="x"/> with the order of its elements along each of <paramref name="axes"/>
    /// reversed (<c>tf.reverse</c>, NumPy's <c>x[::-1]</c> and <c>np.flip</c>, <c>torch.flip</c>),
    /// which C# ranges cannot say (they have no step). Negative axes count from the end; no axes
    /// gives a copy. A gather along each axis, so its gradient is the reverse of the gradient.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is listed twice.</exception>
    public static Tensor Reverse(Tensor x, params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        var seen = new HashSet<int>();
        foreach (int axis in axes)
        {
            if (axis < -x.Rank || axis >= x.Rank)
                throw new ArgumentOutOfRangeException(nameof(axes), axis, $"Reverse: axis {axis} is out of range for x of shape {x.Shape} (rank {x.Rank}); valid axes are {-x.Rank}..{x.Rank - 1}.");
            if (!seen.Add(axis < 0 ? axis + x.Rank : axis))
                throw new ArgumentException($"Reverse: axis {axis} is listed twice in [{string.Join(", ", axes)}] for x of shape {x.Shape}.", nameof(axes));
        }
        // Intermediates and indices are not disposed: a gradient tape may have saved them.
        var result = Identity(x);
        foreach (int a in seen)
        {
            Tensor backwards;
            using (UseBackend(x.Backend)) backwards = Range(x.Shape[a] - 1, -1, -1);
            result = Gather(result, backwards, a);
        }
        return result;
    }
}
