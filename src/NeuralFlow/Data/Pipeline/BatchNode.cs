namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Groups consecutive elements and stacks each component along a new first axis. Rows of one
/// source tensor become a single view (consecutive rows) or a single gather (any rows), not one
/// op per element; other components are stacked with one copy each. The elements are disposed
/// once stacked.
/// </summary>
internal sealed class BatchNode : Node
{
    private readonly Node _upstream;
    private readonly int _size;
    private readonly bool _dropRemainder;

    public BatchNode(Node upstream, int size, bool dropRemainder)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "Batch: batchSize must be at least 1.");
        _upstream = upstream;
        _size = size;
        _dropRemainder = dropRemainder;
    }

    public override int Width => _upstream.Width;

    public override long Cardinality => _upstream.Cardinality switch
    {
        < 0 and var special => special,
        var n => _dropRemainder ? n / _size : (n + _size - 1) / _size,
    };

    public override IEnumerator<Part[]> Open()
    {
        var group = new List<Part[]>(_size);
        try
        {
            using var source = _upstream.Open();
            while (source.MoveNext())
            {
                group.Add(source.Current);
                if (group.Count == _size) yield return Flush(group);
            }
            if (group.Count > 0 && !_dropRemainder) yield return Flush(group);
        }
        finally
        {
            Element.DisposeAll(group);
        }
    }

    private static Part[] Flush(List<Part[]> group)
    {
        var result = new Part[group[0].Length];
        try
        {
            for (int c = 0; c < result.Length; c++) result[c] = Part.Owned(Stack(group, c));
        }
        catch
        {
            Element.Dispose(result);
            throw;
        }
        Element.DisposeAll(group);
        group.Clear();
        return result;
    }

    /// <summary>Component <paramref name="c"/> of every element of the group, stacked.</summary>
    internal static Tensor Stack(List<Part[]> group, int c)
    {
        var first = group[0][c];
        for (int i = 1; i < group.Count; i++)
        {
            var shape = group[i][c].Shape;
            if (shape != first.Shape)
                throw new InvalidOperationException(
                    $"Batch: cannot stack component {c}: element 0 of the batch has shape {first.Shape} and element {i} has shape {shape}; " +
                    "make every element the same shape (e.g. with Map and NF.Reshape) before batching.");
        }
        if (first.Base is { } source && group.All(e => ReferenceEquals(e[c].Base, source)))
            return Rows(source, group.Select(e => e[c].Index).ToArray());
        var tensors = new Tensor[group.Count];
        try
        {
            for (int i = 0; i < tensors.Length; i++)
                tensors[i] = group[i][c].Tensor is { } t ? t.View(t.Layout) : group[i][c].Take();
            return NF.Stack(tensors);
        }
        finally
        {
            foreach (var t in tensors) t?.Dispose();
        }
    }

    /// <summary>Rows <paramref name="indices"/> of <paramref name="source"/>: a view when consecutive, else one gather.</summary>
    private static Tensor Rows(Tensor source, int[] indices)
    {
        bool consecutive = true;
        for (int i = 1; i < indices.Length && consecutive; i++) consecutive = indices[i] == indices[0] + i;
        if (consecutive) return source.View(source.Layout.Slice(0, indices[0], indices.Length));
        using var _ = NF.UseBackend(source.Backend);
        using var index = NF.Constant(indices);
        return NF.Gather(source, index);
    }
}
