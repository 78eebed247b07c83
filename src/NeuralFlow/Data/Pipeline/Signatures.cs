namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// How the steps of a pipeline derive their elements' <see cref="TensorSpec"/>s (tf.data's
/// <c>element_spec</c>, flat, one per component) from their inputs' without running the pipeline,
/// and the two ways left where a user function decides: tracing it on placeholder tensors (as
/// tf.data traces a <c>map</c> function once) and, where even that cannot be done, reading the
/// first element of a pass.
/// </summary>
internal static class Signatures
{
    /// <summary>Sizes that stand in for an unknown dimension in a trace; two, so that a dimension that follows it shows as unknown.</summary>
    private static readonly int[] TraceSizes = [2, 3];

    /// <summary>Each spec with a new first axis of <paramref name="rows"/> (null: not the same for every element), as Batch stacks.</summary>
    public static TensorSpec[] Batched(TensorSpec[] specs, int? rows) =>
        Array.ConvertAll(specs, s => s.RaggedRank is not null ? RaggedBatched(s, rows) : new TensorSpec(s.Shape is { } dims ? [rows, .. dims] : null, s.DType));

    /// <summary>
    /// A ragged batch of elements of <paramref name="spec"/> (Batch of ragged elements, RaggedBatch): a new first axis of
    /// <paramref name="rows"/>; the elements' own first axis, which may differ, is ragged: one more ragged rank.
    /// </summary>
    public static TensorSpec RaggedBatched(TensorSpec spec, int? rows) =>
        new TensorSpec(spec.Shape is { } dims ? [rows, null, .. dims.Skip(1)] : null, spec.DType).AsRagged((spec.RaggedRank ?? 0) + 1);

    /// <summary>Each spec without its first axis, as Unbatch splits; a scalar component is refused.</summary>
    public static TensorSpec[] Unbatched(TensorSpec[] specs) => Array.ConvertAll(specs, s => s.Shape switch
    {
        null => s,
        { Count: 0 } => throw new InvalidOperationException($"Unbatch: a component of the elements is a scalar ({s}); only tensors of rank 1 or more split into rows."),
        var dims => s.RaggedRank is { } rank
            ? new TensorSpec(dims.Skip(1).ToArray(), s.DType).AsRagged(rank - 1)   // rows of a ragged tensor: one ragged axis fewer
            : new TensorSpec(dims.Skip(1).ToArray(), s.DType),
    });

    /// <summary>The specs that elements of every one of <paramref name="inputs"/> fit (Concatenate, sampling): differing dimensions unknown.</summary>
    public static TensorSpec[] Common(IEnumerable<Node> inputs) => inputs.Select(n => n.Signature).Aggregate(Common);

    public static TensorSpec[] Common(TensorSpec[] a, TensorSpec[] b)
    {
        var result = new TensorSpec[a.Length];
        for (int c = 0; c < a.Length; c++) result[c] = a[c].MostSpecificCompatible(b[c]);
        return result;
    }

    /// <summary>The specs of what <paramref name="element"/> holds, exactly.</summary>
    public static TensorSpec[] Of(Part[] element) => Array.ConvertAll(element, RaggedCarrier.SpecOf);

    /// <summary>
    /// The specs of a step whose output a user function decides (Map, Scan, Interleave):
    /// <paramref name="run"/> turns placeholder inputs of <paramref name="inputs"/>' specs
    /// (zeros; an unknown dimension once 2 and once 3 long) into output specs, and the runs are
    /// joined so that a dimension that followed an unknown one is unknown. Random numbers the runs
    /// draw are given back. A function that reads values on the host (its shapes may follow them,
    /// as a file's decoded size follows its index) is run again on ones: a dimension that differs
    /// is unknown, and one a run on ones cannot even make leaves every dimension unknown. When the
    /// inputs' rank is unknown or the function fails on zeros, the first element of a pass of
    /// <paramref name="node"/> decides instead.
    /// </summary>
    public static TensorSpec[] Traced(Node node, TensorSpec[] inputs, Func<Tensor[], TensorSpec[]> run)
    {
        // Ragged inputs have no placeholder: their first element tells the function's output instead.
        if (inputs.Any(s => s.Shape is null || s.RaggedRank > 0)) return FromFirstElement(node);
        var backends = node is MapNode map ? map.Upstream.Spec : null;
        var sizes = inputs.Any(s => !s.IsFullyDefined) ? TraceSizes : TraceSizes[..1];
        long drawn = NF.Random.State.Offset;

        // One run on placeholders of `value`, recorded as NF.Function records (the ops still run) to see host reads.
        TensorSpec[] Once(int size, double value, out bool readValues)
        {
            var placeholders = new Tensor[inputs.Length];
            for (int c = 0; c < inputs.Length; c++)
            {
                var shape = Shape.Create(inputs[c].Shape!.Select(d => d ?? size).ToArray());
                placeholders[c] = inputs[c].DType == DType.String ? StringCarrier.Placeholder(shape)
                    : backends is { } b ? NF.Fill(shape, value, inputs[c].DType, b[c].Backend) : NF.Fill(shape, value, inputs[c].DType);
            }
            var trace = FunctionTrace.Current is null ? new FunctionTrace(placeholders) : null;
            TensorSpec[] specs;
            using (trace?.Begin()) specs = run(placeholders);
            readValues = trace?.ReadValues == true;
            return specs;
        }

        TensorSpec[]? joined = null;
        try
        {
            bool readValues = false;
            foreach (var size in sizes)
            {
                var specs = Once(size, 0, out bool read);
                readValues |= read;
                joined = joined is null ? specs : Common(joined, specs);
            }
            if (!readValues) return joined!;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return FromFirstElement(node);
        }
        finally
        {
            NF.Random.Rewind(NF.Random.State.Offset, drawn);
        }
        try
        {
            foreach (var size in sizes) joined = Common(joined!, Once(size, 1, out _));
            return joined!;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Array.ConvertAll(joined!, s => new TensorSpec(s.Shape is { } d ? new int?[d.Count] : null, s.DType));
        }
        finally
        {
            NF.Random.Rewind(NF.Random.State.Offset, drawn);
        }
    }

    /// <summary>
    /// The specs the first element of a pass of <paramref name="node"/> shows: its dtypes and
    /// ranks, every dimension unknown (one element cannot tell which ones stay the same).
    /// </summary>
    public static TensorSpec[] FromFirstElement(Node node)
    {
        using var pass = node.Open();
        if (!pass.MoveNext())
            throw new InvalidOperationException(
                "The elements' spec cannot be told: the steps' output is decided by running them, and a pass made no element to read it from.");
        var element = pass.Current;
        try
        {
            return Array.ConvertAll(element, p => RaggedCarrier.SpecOf(p) is { RaggedRank: { } rank } ragged
                ? new TensorSpec(new int?[ragged.Rank!.Value], ragged.DType).AsRagged(rank)
                : new TensorSpec(new int?[p.Shape.Rank], p.DType));
        }
        finally
        {
            Element.Dispose(element);
        }
    }
}
