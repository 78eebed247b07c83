namespace NeuralFlow;

// tf.gather with batch_dims: each batch of indices picks from its own batch of params. The
// gathered axis is moved next to the batch axes, so that the batched GatherNd (index tuples of
// length 1) does the picking, its kernel, range check and gradient included; a transpose then puts
// the axes between the batch axes and the gathered one back in front of the index axes.
public static partial class NF
{
    private static Tensor GatherBatched(Tensor x, Tensor indices, int? axis, int batchDims)
    {
        const string op = nameof(Gather);
        int b = batchDims < 0 ? batchDims + indices.Rank : batchDims;
        if (b < 0 || b > indices.Rank)
            throw new ArgumentOutOfRangeException(nameof(batchDims), batchDims,
                $"{op}: batchDims {batchDims} is outside [-{indices.Rank}, {indices.Rank}] for indices of shape {indices.Shape}.");
        int a = axis is { } given ? given < 0 ? given + x.Rank : given : b;
        if (a < b || a >= x.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis,
                $"{op}: axis {axis?.ToString() ?? "(default: batchDims)"} must be in [batchDims = {b}, {x.Rank}) for params of shape {x.Shape}.");
        var xdims = x.Shape.ToArray();
        var idims = indices.Shape.ToArray();
        if (!xdims[..b].SequenceEqual(idims[..b]))
            throw new ArgumentException(
                $"{op}: with batchDims {b}, the first {b} axes of params (shape {x.Shape}) and indices (shape {indices.Shape}) must match.", nameof(indices));
        if (b == indices.Rank)
        {
            // One index per batch: a GatherNd tuple needs an axis of its own, which is added and dropped.
            return Squeeze(GatherBatched(x, Reshape(indices, [.. idims, 1]), a, b), [a]);
        }
        // params with the gathered axis right after the batch axes: [batch, n, middle..., rest...].
        var moved = a == b ? x : Moveaxis(x, a, b);
        Tensor picked;
        try
        {
            picked = GatherNd(moved, Reshape(indices, [.. idims, 1]), b);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"{op}: with batchDims {b}, an index of indices (shape {indices.Shape}) is outside [0, {xdims[a]}) for axis {a} of params of shape {x.Shape} ({e.Message})",
                nameof(indices), e);
        }
        // picked: batch + indices[b:] + params[b:a] + params[a+1:]; TF's order puts params[b:a] first.
        int indexAxes = idims.Length - b, middle = a - b;
        if (middle == 0) return picked;
        var perm = new List<int>(Enumerable.Range(0, b));
        perm.AddRange(Enumerable.Range(b + indexAxes, middle));
        perm.AddRange(Enumerable.Range(b, indexAxes));
        perm.AddRange(Enumerable.Range(b + indexAxes + middle, picked.Rank - b - indexAxes - middle));
        return Transpose(picked, perm.ToArray());
    }
}
