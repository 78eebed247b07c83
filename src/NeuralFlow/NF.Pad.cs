namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Pads <paramref name="x"/> (<c>tf.pad</c>): <paramref name="paddings"/> has one row
    /// (before, after) per axis. <paramref name="mode"/> is "constant" (filled with
    /// <paramref name="constantValues"/>), "reflect" (mirrored without the edge: [1, 2, 3] padded
    /// by 2 gives 3, 2, 1, 2, 3, 2, 1; each pad at most size - 1) or "symmetric" (mirrored with
    /// the edge: 2, 1, 1, 2, 3, 3, 2; each pad at most size).
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor Pad(Tensor x, int[,] paddings, string mode = "constant", double constantValues = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(paddings);
        if (paddings.GetLength(0) != x.Rank || paddings.GetLength(1) != 2)
            throw new ArgumentException(
                $"Pad: paddings must have shape ({x.Rank}, 2), one (before, after) row per axis of the tensor of shape {x.Shape}, got ({paddings.GetLength(0)}, {paddings.GetLength(1)}).", nameof(paddings));
        var dims = x.Shape.ToArray();
        for (int i = 0; i < x.Rank; i++)
        {
            if (paddings[i, 0] < 0 || paddings[i, 1] < 0)
                throw new ArgumentException($"Pad: paddings must not be negative, got ({paddings[i, 0]}, {paddings[i, 1]}) for axis {i}.", nameof(paddings));
            long size = (long)dims[i] + paddings[i, 0] + paddings[i, 1];
            if (size > int.MaxValue)
                throw new OverflowException($"Pad: axis {i} of shape {x.Shape} padded by ({paddings[i, 0]}, {paddings[i, 1]}) would have {size} elements, more than a dimension holds ({int.MaxValue}).");
            dims[i] = (int)size;
        }
        return mode?.ToLowerInvariant() switch
        {
            "constant" => PadConstant(x, paddings, new Shape(dims), constantValues),
            "reflect" => PadMirrored(x, paddings, edge: false),
            "symmetric" => PadMirrored(x, paddings, edge: true),
            _ => throw new ArgumentException($"Pad: mode must be \"constant\", \"reflect\" or \"symmetric\", got \"{mode}\".", nameof(mode)),
        };
    }

    // x copied into the middle of a filled tensor; the gradient is that middle of g (a view).
    private static Tensor PadConstant(Tensor x, int[,] paddings, Shape shape, double value)
    {
        var result = Fill(shape, value, x.DType, x.Backend);
        Engine.Copy(x, x.Layout, result, Inner(result.Layout, paddings, x.Shape));
        // The gradient's view is recorded, so a gradient of the gradient flows through it.
        return Tape.Record(result, x, static (g, n) => [g.PickView(InnerPicks((int[,])n.State!, n.X.Shape), nameof(Pad))], paddings.Clone(), nameof(Pad));
    }

    // The part of a padded tensor that holds the unpadded one.
    private static AxisPick[] InnerPicks(int[,] paddings, Shape inner) =>
        Enumerable.Range(0, inner.Rank).Select(i => AxisPick.Span(paddings[i, 0], inner[i])).ToArray();

    // The part of a padded layout that holds the unpadded tensor.
    private static Layout Inner(Layout padded, int[,] paddings, Shape inner)
    {
        for (int i = 0; i < inner.Rank; i++) padded = padded.Slice(i, paddings[i, 0], inner[i]);
        return padded;
    }

    // Mirrored padding is a gather of source positions along each padded axis, so the gradient
    // is Gather's scatter-add: an edge element read several times receives each contribution.
    private static Tensor PadMirrored(Tensor x, int[,] paddings, bool edge)
    {
        var y = x;
        for (int axis = 0; axis < x.Rank; axis++)
        {
            int before = paddings[axis, 0], after = paddings[axis, 1], n = x.Shape[axis];
            if (before == 0 && after == 0) continue;
            int limit = edge ? n : n - 1;
            if (before > limit || after > limit)
                throw new ArgumentException(
                    $"Pad: {(edge ? "symmetric" : "reflect")} padding of axis {axis} (size {n}) by ({before}, {after}) needs each pad at most {limit} (the axis mirrored {(edge ? "with" : "without")} its edge).", nameof(paddings));
            var positions = new int[before + n + after];
            for (int i = 0; i < positions.Length; i++)
            {
                int p = i - before;                                         // position in x, maybe outside
                positions[i] = p < 0 ? (edge ? -p - 1 : -p) : p >= n ? (edge ? 2 * n - p - 1 : 2 * n - p - 2) : p;
            }
            // Not disposed: the tape keeps y and the indices for the backward pass.
            using var host = Constant(positions);
            var indices = host.To(x.Backend);
            y = Gather(y, indices, axis);
        }
        return ReferenceEquals(y, x) ? Tape.Record(x.View(x.Layout), x, static (g, _) => [g], op: nameof(Pad)) : y;
    }
}
