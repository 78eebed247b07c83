using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// The same elements with another shape (<c>tf.reshape</c>); one dimension may be -1 and is
    /// then inferred. A view when the tensor is contiguous, else a copy.
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor Reshape(Tensor x, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        // In a fused Map's run on a batch of n elements, a shape is the element's: the batch axis stays in front.
        if (Data.Pipeline.FusedMapBatch.BatchRows is var n && n > 0 && x.Rank > 0 && x.Shape[0] == n && shape.Length < NeuralFlow.Shape.MaxRank)
            shape = [n, .. shape];
        var dims = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: only one dimension may be -1, got {NeuralFlow.Shape.Format(dims)}.", nameof(shape));
                infer = i;
            }
            else if (dims[i] < 0) throw new ArgumentException($"Reshape: dimension {dims[i]} in {NeuralFlow.Shape.Format(dims)} is invalid.", nameof(shape));
            // Past the largest element count, the product can only be wrong: say so, never wrap.
            else if (!TryMultiply(known, dims[i], out known))
                throw new ArgumentException($"Reshape: cannot reshape a tensor of shape {x.Shape} ({x.Count} elements) into {NeuralFlow.Shape.Format(dims)} (more elements than a tensor can hold).", nameof(shape));
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Count % known != 0)
                throw new ArgumentException($"Reshape: cannot reshape a tensor of shape {x.Shape} ({x.Count} elements) into {NeuralFlow.Shape.Format(dims)}.", nameof(shape));
            long inferred = x.Count / known;
            if (inferred > int.MaxValue)
                throw new ArgumentException($"Reshape: the -1 in {NeuralFlow.Shape.Format(dims)} would be {inferred} for a tensor of shape {x.Shape}, more than a dimension holds ({int.MaxValue}).", nameof(shape));
            dims[infer] = (int)inferred;
        }
        else if (known != x.Count)
            throw new ArgumentException($"Reshape: cannot reshape a tensor of shape {x.Shape} ({x.Count} elements) into {NeuralFlow.Shape.Format(dims)} ({known} elements).", nameof(shape));
        var target = new Shape(dims);
        using var packed = x.Contiguous();
        return Tape.Record(packed.View(packed.Layout.WithShape(target)), x, ShapeBack);
    }

    // Reshape, Squeeze, ExpandDims and friends only move dimensions: the gradient takes the input's shape back.
    private static readonly GradientRule ShapeBack = static (g, n) => [Reshape(g, n.X.Shape)];

    /// <summary>Permutes the axes (<c>tf.transpose</c>); reverses them when <paramref name="perm"/> is null. A view.</summary>
    public static Tensor Transpose(Tensor x, int[]? perm = null)
    {
        int rank = x.Rank;
        perm ??= Enumerable.Range(0, rank).Reverse().ToArray();
        if (perm.Length != rank)
            throw new ArgumentException($"Transpose: perm has {perm.Length} entries but the tensor of shape {x.Shape} has rank {rank}.", nameof(perm));
        var normalized = new int[rank];
        var seen = new bool[rank];
        for (int i = 0; i < rank; i++)
        {
            int a = x.Shape.NormalizeAxis(perm[i], nameof(perm));
            if (seen[a]) throw new ArgumentException($"Transpose: perm [{string.Join(", ", perm)}] is not a permutation of 0..{rank - 1}.", nameof(perm));
            seen[a] = true;
            normalized[i] = a;
        }
        return Tape.Record(x.View(x.Layout.Permute(normalized)), x, static (g, n) =>
        {
            var perm = (int[])n.State!;
            var inverse = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
            return [Transpose(g, inverse)];
        }, normalized);
    }

    /// <summary>Removes size-1 dimensions: all of them, or just <paramref name="axis"/> (<c>tf.squeeze</c>). A view.</summary>
    public static Tensor Squeeze(Tensor x, int? axis = null)
    {
        var layout = x.Layout;
        if (axis is { } a)
        {
            int n = x.Shape.NormalizeAxis(a);
            if (x.Shape[n] != 1)
                throw new ArgumentException($"Squeeze: axis {a} of shape {x.Shape} has size {x.Shape[n]}, not 1.", nameof(axis));
            return Tape.Record(x.View(layout.Select(n, 0)), x, ShapeBack);
        }
        for (int i = layout.Rank - 1; i >= 0; i--)
            if (layout.Shape.Dims[i] == 1) layout = layout.Select(i, 0);
        return Tape.Record(x.View(layout), x, ShapeBack);
    }

    /// <summary>Removes the size-1 dimensions <paramref name="axes"/> (<c>tf.squeeze(t, [2, 4])</c>). A view.</summary>
    public static Tensor Squeeze(Tensor x, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var normalized = axes.Select(a => x.Shape.NormalizeAxis(a)).Distinct().OrderDescending().ToArray();
        var layout = x.Layout;
        foreach (int n in normalized)
        {
            if (x.Shape[n] != 1)
                throw new ArgumentException($"Squeeze: axis {n} of shape {x.Shape} has size {x.Shape[n]}, not 1.", nameof(axes));
            layout = layout.Select(n, 0);
        }
        return Tape.Record(x.View(layout), x, ShapeBack);
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="axis"/> (<c>tf.expand_dims</c>); -1 appends. A view.</summary>
    [MethodImpl(Hot)]
    public static Tensor ExpandDims(Tensor x, int axis)
    {
        int rank = x.Rank;
        int a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"ExpandDims: axis {axis} is out of range for shape {x.Shape}; valid axes are {-rank - 1}..{rank}.");
        return Tape.Record(x.View(x.Layout.InsertAxis(a)), x, ShapeBack);
    }

    /// <summary>Joins tensors along an existing axis (<c>tf.concat</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Concat: needs at least one tensor.", nameof(tensors));
        var first = tensors[0];
        if (first.Rank == 0)   // the axis check would say "valid axes are 0..-1"
            throw new ArgumentException("Concat: the tensors are scalars, which have no axis to join along; NF.Stack makes a vector of them (tf.concat refuses scalars the same way).", nameof(tensors));
        int a = first.Shape.NormalizeAxis(axis);
        int total = 0;
        foreach (var t in tensors)
        {
            if (t.DType != first.DType)
                throw new ArgumentException($"Concat: dtypes must match, got {first.DType.Name()} and {t.DType.Name()}; convert with NF.Cast.", nameof(tensors));
            Engine.BackendOf(nameof(Concat), first, t);
            bool fits = t.Rank == first.Rank;
            for (int i = 0; fits && i < t.Rank; i++) fits = i == a || t.Shape[i] == first.Shape[i];
            if (!fits)
                throw new ArgumentException($"Concat: shapes {first.Shape} and {t.Shape} differ outside axis {axis}.", nameof(tensors));
            total = SumOfDims(nameof(Concat), total, t.Shape[a], a, tensors);
        }
        var dims = first.Shape.ToArray();
        dims[a] = total;
        var result = Tensor.Empty(new Shape(dims), first.DType, first.Backend);
        int start = 0;
        foreach (var t in tensors)
        {
            int size = t.Shape[a];
            Engine.Copy(t, t.Layout, result, result.Layout.Slice(a, start, size));
            start += size;
        }
        return Tape.Record(result, tensors.ToArray(), static (g, n) =>
        {
            int axis = (int)n.State!, begin = 0;
            var grads = new Tensor?[n.Inputs.Length];
            for (int i = 0; i < grads.Length; i++)
            {
                int size = n.Inputs[i].Shape[axis];
                grads[i] = g.PickView(AxisPick.SpanOn(g.Shape, axis, begin, size), nameof(Concat)); // recorded: second derivatives flow
                begin += size;
            }
            return grads;
        }, a);
    }

    [MethodImpl(Hot)]
    private static bool TryMultiply(long a, long b, out long product)
    {
        try { product = checked(a * b); return true; }
        catch (OverflowException) { product = 0; return false; }
    }

    // A dimension that is the sum of the operands' dimensions (concat, stack) must fit int32.
    [MethodImpl(Hot)]
    private static int SumOfDims(string op, int total, int size, int axis, IReadOnlyList<Tensor> tensors)
    {
        long sum = (long)total + size;
        if (sum > int.MaxValue)
            throw new OverflowException(
                $"{op}: the result's axis {axis} would have {tensors.Sum(t => (long)t.Shape[axis])} elements " +
                $"(from shapes {string.Join(", ", tensors.Select(t => t.Shape))}), more than a dimension holds ({int.MaxValue}).");
        return (int)sum;
    }

    /// <summary>A view of <paramref name="x"/> broadcast to <paramref name="shape"/> by NumPy's rules (<c>tf.broadcast_to</c>); no copy.</summary>
    [MethodImpl(Hot)]
    public static Tensor BroadcastTo(Tensor x, Shape shape)
    {
        var target = Engine.BroadcastShapes(nameof(BroadcastTo), x.Shape, shape);
        if (target != shape)
            throw new ArgumentException($"BroadcastTo: shape {x.Shape} cannot be broadcast to {shape}.", nameof(shape));
        return Tape.Record(x.View(x.Layout.BroadcastTo(shape)), x, static (g, n) => [ReduceTo(g, n.X.Shape)]);
    }

    /// <summary>Stacks tensors of one shape along a new axis (<c>tf.stack</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Stack: needs at least one tensor.", nameof(tensors));
        foreach (var t in tensors)
            if (t.Shape != tensors[0].Shape)
                throw new ArgumentException($"Stack: all tensors need one shape, got {tensors[0].Shape} and {t.Shape}.", nameof(tensors));
        var expanded = tensors.Select(t => ExpandDims(t, axis)).ToArray();
        try { return Concat(expanded, axis); }
        finally { foreach (var e in expanded) e.Dispose(); }
    }
}
