namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// tf.data's map-and-batch fusion for one Batch: the Map before it (possibly behind order-only
/// steps such as Shuffle) moves after those steps and runs once on each stacked batch of raw
/// rows instead of once per element. Rows cost nothing until stacked, and a batch of rows of
/// one tensor is a single gather (BatchNode.Stack), so a pass makes a few kernels per batch
/// instead of a few per element. <see cref="Plan"/> fuses only what <see cref="RowwiseProof"/>
/// proves equal to the unfused pipeline; see <see cref="MapBatchFusion"/> for the user's view.
/// </summary>
internal sealed class FusedMapBatch
{
    private readonly Node _rows;
    private readonly MapNode _map;
    private readonly int _size;
    private readonly bool _dropRemainder;
    private readonly MapBatchFusion _info;
    private readonly FunctionTrace _oneTrace;
    private readonly RowwiseProof.Output[] _oneOutputs;   // every batch is checked against the element run

    [ThreadStatic] private static int _batchRows;

    /// <summary>
    /// While a fused function runs on a batch on this thread, the batch's size (else 0): NF.Reshape
    /// then reads a shape as the element's and keeps the batch axis in front (what vmap does), so
    /// that the workshop's <c>NF.Reshape(img, [784])</c> runs on a whole batch. Whatever the batch
    /// run does, <see cref="RowwiseProof"/> decides from its kernels whether it is the element run.
    /// </summary>
    internal static int BatchRows
    {
        [MethodImpl(Hot)] get => _batchRows;
    }

    private FusedMapBatch(Node rows, MapNode map, int size, bool dropRemainder, MapBatchFusion info, FunctionTrace oneTrace, RowwiseProof.Output[] oneOutputs)
    {
        (_rows, _map, _size, _dropRemainder, _info, _oneTrace, _oneOutputs) = (rows, map, size, dropRemainder, info, oneTrace, oneOutputs);
    }

    /// <summary>The fused form of <c>upstream.Batch(size)</c>, or null with <paramref name="info"/>'s reason set.</summary>
    public static FusedMapBatch? Plan(Node upstream, int size, bool dropRemainder, MapBatchFusion info)
    {
        var steps = new List<IOrderOnly>();
        var node = upstream;
        while (node is IOrderOnly step)
        {
            steps.Add(step);
            node = step.Upstream;
        }
        if (node is not MapNode map)
            return Refuse(info, "no Map comes right before Batch (only Shuffle, Take, Skip, Repeat or Shard may stand between them)");
        if (map.Upstream.Spec is not { } spec)
            return Refuse(info, "the Map's input is not rows of tensors (FromTensorSlices, possibly shuffled, taken, skipped, repeated or sharded), so its element shapes are not known before the pass");
        // A function of strings reads them on the host, element by element: nothing to run once per batch.
        if (map.Output.HasRagged)
            return Refuse(info, "the Map makes RaggedTensors, which Batch stacks as ragged tensors, not as one op over rows");
        if (map.Output.HasStrings || spec.Any(s => s.DType == DType.String))
            return Refuse(info, "the Map reads or makes strings (StringTensor), which are host values, not tensor ops");

        // The proof runs the function on zeros: its kernels cannot depend on values (a host read
        // fails the trace). Random numbers those trial runs draw are given back, so that a
        // pipeline that is not fused for drawing them still draws what it drew before.
        long drawn = NF.Random.State.Offset;
        var (oneTrace, oneOut, oneError) = Run(map, Zeros(spec, null), 0);
        var (batchTrace, batchOut, batchError) = oneError is null ? Run(map, Zeros(spec, size), size) : default;
        NF.Random.Rewind(NF.Random.State.Offset, drawn);
        if (oneError is not null) return Refuse(info, $"the function failed on an element of zeros ({oneError})");
        // Only the outputs' layouts are kept: the tensors go now, as a consumer's scope (Fit's step) would free them anyway.
        var one = RowwiseProof.Describe(oneTrace, oneOut!);
        foreach (var t in oneOut!) t.Dispose();
        string? reason = oneTrace.Failure is { } failure ? $"it cannot be traced ({failure})"
            : batchError is not null ? $"the function failed on a batch of {size} ({batchError})"
            : RowwiseProof.Check(oneTrace, one, batchTrace, batchOut!, size);
        foreach (var t in batchOut ?? []) t.Dispose();
        if (reason is not null) return Refuse(info, reason);
        Node rows = map.Upstream;
        for (int i = steps.Count - 1; i >= 0; i--) rows = steps[i].Over(rows);
        info.IsFused = true;
        return new FusedMapBatch(rows, map, size, dropRemainder, info, oneTrace, one);
    }

    private static FusedMapBatch? Refuse(MapBatchFusion info, string reason)
    {
        info.Reason = reason;
        return null;
    }

    private static Tensor[] Zeros(ConcreteSpec[] spec, int? batch) => Array.ConvertAll(spec, s =>
        NF.Fill(batch is { } n ? Shape.Create([n, .. s.Shape.Dims]) : s.Shape, 0, s.DType, s.Backend));

    /// <summary>The Map's function on <paramref name="inputs"/> (consumed) under a trace of its own.</summary>
    private static (FunctionTrace Trace, Tensor[]? Outputs, string? Error) Run(MapNode map, Tensor[] inputs, int batchRows)
    {
        var trace = new FunctionTrace(inputs);
        int outer = _batchRows;
        _batchRows = batchRows;
        try
        {
            Part[] outputs;
            using (trace.Begin()) outputs = map.Apply(Element.Own(inputs));
            return (trace, Array.ConvertAll(outputs, p => p.Tensor!), null);
        }
        catch (Exception e)
        {
            return (trace, null, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _batchRows = outer;
        }
    }

    public IEnumerator<Part[]> Open() => _rows.RowSources is { } sources
        ? BatchNode.Groups(_rows.OpenRows, _size, _dropRemainder, rows => MapRows(sources, rows), static _ => { })
        : BatchNode.Groups(_rows.Open, _size, _dropRemainder, MapGroup, Element.Dispose);

    /// <summary>One batch from a group of raw elements (consumed and cleared).</summary>
    private Part[] MapGroup(List<Part[]> group)
    {
        // Mapped element by element, the elements move out of the group (which is then empty).
        var result = MapBatch(group.Count, c => BatchNode.Stack(group, c), () =>
        {
            var moved = new List<Part[]>(group);
            group.Clear();
            return moved;
        });
        Element.DisposeAll(group);
        group.Clear();
        return result;
    }

    /// <summary>One batch from row numbers of the sources (cleared): each component is one gather.</summary>
    private Part[] MapRows(Tensor[] sources, List<int> rows)
    {
        var indices = rows.ToArray();
        rows.Clear();
        return MapBatch(indices.Length, c => BatchNode.Rows(sources[c], indices),
            () => Array.ConvertAll(indices, i => Array.ConvertAll(sources, s => Part.Row(s, i))).ToList());
    }

    /// <summary>
    /// One batch of <paramref name="count"/> elements: the function once on the stacked rows
    /// (<paramref name="stack"/> makes component c), checked; if the check fails, the function on
    /// each element of <paramref name="elements"/> (a list the caller no longer needs, consumed).
    /// </summary>
    private Part[] MapBatch(int count, Func<int, Tensor> stack, Func<List<Part[]>> elements)
    {
        string reason;
        if (FunctionTrace.Current is not null)
            reason = "the pipeline ran inside an NF.Function trace, where a batch cannot be checked";
        else
        {
            var inputs = new Tensor[_map.Upstream.Width];
            try
            {
                for (int c = 0; c < inputs.Length; c++) inputs[c] = Packed(stack(c));
            }
            catch
            {
                foreach (var t in inputs) t?.Dispose();
                throw;
            }
            var (trace, outputs, error) = Run(_map, inputs, count);
            reason = error is not null ? $"the function failed on a batch of {count} ({error})"
                : RowwiseProof.Check(_oneTrace, _oneOutputs, trace, outputs!, count) ?? "";
            if (reason.Length == 0)
            {
                _info.CountFused();
                return Element.Own(outputs!);
            }
            foreach (var t in outputs ?? []) t.Dispose();
        }
        // As the unfused pipeline does it: the function on each element (which raises any error it
        // has with the element's own message), then one stack per component.
        _info.CountPerElement(reason);
        var group = elements();
        var mapped = new List<Part[]>(group.Count);
        try
        {
            for (int i = 0; i < group.Count; i++)
            {
                var element = group[i];
                group[i] = null!;
                mapped.Add(_map.Apply(element));
            }
            return BatchNode.Flush(mapped);
        }
        finally
        {
            Element.DisposeAll(group);
            Element.DisposeAll(mapped);
        }
    }

    /// <summary>The batch in a packed buffer of its own, as the proof's inputs were (a view of consecutive rows is copied).</summary>
    private static Tensor Packed(Tensor t)
    {
        if (t.Layout.Offset == 0 && t.Layout.IsContiguous && t.Storage.Bytes == t.Shape.Count * t.DType.SizeInBytes()) return t;
        try
        {
            return Aliasing.FreshCopy(t, t.DType);
        }
        finally
        {
            t.Dispose();
        }
    }
}
