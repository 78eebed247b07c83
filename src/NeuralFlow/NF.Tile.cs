namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Repeats <paramref name="x"/> <paramref name="multiples"/>[i] times along each axis i
    /// (<c>tf.tile</c>): the result has shape x.shape[i] * multiples[i]. multiples needs one
    /// entry per axis, each at least 0. Built from a broadcast view and a reshape, so the
    /// gradient is theirs: the upstream gradient summed over the tiles.
    /// </summary>
    /// <exception cref="ArgumentException">multiples has the wrong length, a negative entry, or a tiled size past int.MaxValue.</exception>
    public static Tensor Tile(Tensor x, params int[] multiples)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(multiples);
        int rank = x.Rank;
        if (multiples.Length != rank)
            throw new ArgumentException(
                $"Tile: multiples [{string.Join(", ", multiples)}] has {multiples.Length} entries but x of shape {x.Shape} has rank {rank}; give one per axis.",
                nameof(multiples));
        var outDims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            if (multiples[i] < 0)
                throw new ArgumentException($"Tile: multiples[{i}] = {multiples[i]} is negative (multiples [{string.Join(", ", multiples)}], x of shape {x.Shape}).", nameof(multiples));
            long size = (long)x.Shape[i] * multiples[i];
            if (size > int.MaxValue)
                throw new ArgumentException($"Tile: axis {i} would have {size} elements ({x.Shape[i]} x {multiples[i]}), more than a dimension holds ({int.MaxValue}).", nameof(multiples));
            outDims[i] = (int)size;
        }
        // x [d0, d1] tiled [m0, m1]: view x as [1, d0, 1, d1], broadcast to [m0, d0, m1, d1] and
        // reshape to [m0*d0, m1*d1]. Axes with multiple 1 get no extra axis, so the rank stays
        // within Shape.MaxRank unless many axes repeat; those go in two passes.
        int repeated = multiples.Count(m => m != 1);
        if (repeated == 0) return Reshape(x, x.Shape.ToArray());
        if (rank + repeated > NeuralFlow.Shape.MaxRank)
        {
            int half = rank / 2;
            var first = multiples.Select((m, i) => i < half ? m : 1).ToArray();
            var second = multiples.Select((m, i) => i < half ? 1 : m).ToArray();
            using var partial = Tile(x, first);
            return Tile(partial, second);
        }
        var split = new List<int>();
        var broadcast = new List<int>();
        for (int i = 0; i < rank; i++)
        {
            if (multiples[i] != 1)
            {
                split.Add(1);
                broadcast.Add(multiples[i]);
            }
            split.Add(x.Shape[i]);
            broadcast.Add(x.Shape[i]);
        }
        using var expanded = Reshape(x, split.ToArray());
        using var repeatedView = BroadcastTo(expanded, new Shape(broadcast.ToArray()));
        return Reshape(repeatedView, outDims);
    }
}
