namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Groups consecutive elements and stacks each component along a new first axis. Rows of one
/// source tensor become a single view (consecutive rows) or a single gather (any rows), not one
/// op per element; other components are stacked with one copy each. The elements are disposed
/// once stacked. A Map before it may run once per batch instead (<see cref="FusedMapBatch"/>).
/// </summary>
internal sealed class BatchNode : Node
{
    private readonly Node _upstream;
    private readonly int _size;
    private readonly bool _dropRemainder;
    private readonly bool _fuseMap;
    private FusedMapBatch? _fused;

    public BatchNode(Node upstream, int size, bool dropRemainder, bool fuseMap = true)
    {
        if (size < 1) throw new ArgumentOutOfRangeException("batchSize", size, "Batch: batchSize must be at least 1.");
        _upstream = upstream;
        _size = size;
        _dropRemainder = dropRemainder;
        _fuseMap = fuseMap;
        if (!fuseMap)
        {
            Fusion.Reason = "turned off (Batch(..., fuseMap: false))";
            Fusion.Decided = true;
        }
    }

    /// <summary>Elements per batch; with <see cref="DropRemainder"/> every batch has exactly this many.</summary>
    public int Size => _size;

    public bool DropRemainder => _dropRemainder;

    /// <summary>Whether the Map before this batch runs once per batch, and why not.</summary>
    public MapBatchFusion Fusion { get; } = new();

    public override IEnumerator<Part[]> Open() => _fuseMap && Fused() is { } fused ? fused.Open() : Unfused();

    /// <summary>The fused plan, decided on the first pass (outside any NF.Function trace, which would record the decision's runs).</summary>
    private FusedMapBatch? Fused()
    {
        lock (Fusion)
        {
            if (!Fusion.Decided && FunctionTrace.Current is null)
            {
                _fused = FusedMapBatch.Plan(_upstream, _size, _dropRemainder, Fusion);
                Fusion.Decided = true;
            }
            return _fused;
        }
    }

    public override int Width => _upstream.Width;
    public override IReadOnlyList<Node> Inputs => [_upstream];

    // As tf.data: the batch axis is known only when every batch is full.
    protected override TensorSpec[] ComputeSignature() => Signatures.Batched(_upstream.Signature, _dropRemainder ? _size : null);

    public override long Cardinality => _upstream.Cardinality switch
    {
        < 0 and var special => special,
        var n => _dropRemainder ? n / _size : (n + _size - 1) / _size,
    };

    private IEnumerator<Part[]> Unfused() => _upstream.RowSources is { } sources
        ? Groups(_upstream.OpenRows, _size, _dropRemainder, rows => RowBatch(sources, rows), static _ => { })
        : Groups(_upstream.Open, _size, _dropRemainder, Flush, Element.Dispose);

    /// <summary>
    /// Groups of <paramref name="size"/> consecutive items of a pass of <paramref name="open"/>
    /// (the last one smaller unless dropped), each turned into one batch by <paramref name="make"/>,
    /// which consumes the group's items and clears it; <paramref name="drop"/> frees items left over.
    /// </summary>
    internal static IEnumerator<Part[]> Groups<T>(Func<IEnumerator<T>> open, int size, bool dropRemainder, Func<List<T>, Part[]> make, Action<T> drop)
    {
        var group = new List<T>(size);
        try
        {
            using var source = open();
            while (source.MoveNext())
            {
                group.Add(source.Current);
                if (group.Count == size) yield return make(group);
            }
            if (group.Count > 0 && !dropRemainder) yield return make(group);
        }
        finally
        {
            foreach (var item in group) drop(item);
        }
    }

    /// <summary>Rows <paramref name="rows"/> of each source, one gather (or view) per component; the list is cleared.</summary>
    internal static Part[] RowBatch(Tensor[] sources, List<int> rows)
    {
        var indices = rows.ToArray();
        rows.Clear();
        var result = new Part[sources.Length];
        try
        {
            for (int c = 0; c < result.Length; c++) result[c] = Part.Owned(Rows(sources[c], indices));
        }
        catch
        {
            Element.Dispose(result);
            throw;
        }
        return result;
    }

    /// <summary>The group's elements stacked per component; the elements are disposed and the group cleared.</summary>
    internal static Part[] Flush(List<Part[]> group) => Flush(group, Stack);

    /// <summary>One batch of the group, component by component with <paramref name="stack"/>; the elements are disposed and the group cleared.</summary>
    internal static Part[] Flush(List<Part[]> group, Func<List<Part[]>, int, Tensor> stack)
    {
        var result = new Part[group[0].Length];
        try
        {
            for (int c = 0; c < result.Length; c++) result[c] = Part.Owned(stack(group, c));
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
        // Rows of one tensor (the common case, and per element the pipeline's hottest loop): their
        // shapes agree by construction, so no shape is made or compared.
        if (first.Base is { } source)
        {
            var indices = new int[group.Count];
            int i = 0;
            for (; i < indices.Length && ReferenceEquals(group[i][c].Base, source); i++) indices[i] = group[i][c].Index;
            if (i == indices.Length) return Rows(source, indices);
        }
        // Ragged elements batch into one ragged tensor (tf.data's batch of RaggedTensors); mixed with dense ones, refused by name.
        for (int i = 0; i < group.Count; i++)
            if (group[i][c].Tensor is { } t && RaggedCarrier.Of(t) is not null) return RaggedCarrier.Batch("Batch", group, c);
        SameDTypes("Batch", group, c);
        for (int i = 1; i < group.Count; i++)
        {
            var shape = group[i][c].Shape;
            if (shape != first.Shape)
                throw new InvalidOperationException(
                    $"Batch: cannot stack component {c}: element 0 of the batch has shape {first.Shape} and element {i} has shape {shape}; " +
                    "make every element the same shape (e.g. with Map and NF.Reshape) before batching, or batch them as a RaggedTensor with RaggedBatch (or pad them with PaddedBatch).");
        }
        var tensors = new Tensor[group.Count];
        try
        {
            for (int i = 0; i < tensors.Length; i++)
                tensors[i] = group[i][c].Tensor is { } t ? t.View(t.Layout) : group[i][c].Take();
            return first.DType == DType.String ? StringCarrier.Stack(tensors) : NF.Stack(tensors);
        }
        finally
        {
            foreach (var t in tensors) t?.Dispose();
        }
    }

    /// <summary>
    /// Refuses a group whose component <paramref name="c"/> mixes dtypes (a generator or a
    /// Concatenate of differently typed datasets): tf.data fixes one dtype per component, and
    /// the stack below would otherwise fail as a "Concat" the user never called.
    /// </summary>
    internal static void SameDTypes(string op, List<Part[]> group, int c)
    {
        var first = group[0][c].DType;
        for (int i = 1; i < group.Count; i++)
            if (group[i][c].DType != first)
                throw new InvalidOperationException(
                    $"{op}: cannot stack component {c}: element 0 of the batch is {first} and element {i} is {group[i][c].DType}; " +
                    "every element's component needs the same dtype (convert with Map and NF.Cast before batching).");
    }

    /// <summary>Rows <paramref name="indices"/> of <paramref name="source"/>: a view when consecutive, else one gather.</summary>
    internal static Tensor Rows(Tensor source, int[] indices)
    {
        bool consecutive = true;
        for (int i = 1; i < indices.Length && consecutive; i++) consecutive = indices[i] == indices[0] + i;
        if (consecutive) return source.View(source.Layout.Slice(0, indices[0], indices.Length));
        if (StringCarrier.DTypeOf(source) == DType.String) return StringCarrier.Gather(source, indices);
        using var _ = NF.UseBackend(source.Backend);
        using var index = NF.Constant(indices);
        return NF.Gather(source, index);
    }
}
