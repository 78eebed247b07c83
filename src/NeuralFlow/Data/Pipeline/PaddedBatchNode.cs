namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>padded_batch</c>: groups consecutive elements like <see cref="BatchNode"/>, but pads each
/// component at the end of every axis to a common shape before stacking, so elements of varying
/// length (sequences) batch. The common shape is, per axis, the given length or (-1, or no shapes
/// given) the longest element of the batch, as TensorFlow does; the pad value is the
/// component's padding value (one for all, or one per component as tf.data's tuple of
/// <c>padding_values</c>) in the component's dtype; a string component is padded with
/// <c>paddingString</c> (b"" by default, as TensorFlow pads strings).
/// </summary>
internal sealed class PaddedBatchNode : Node
{
    private readonly Node _upstream;
    private readonly int _size;
    private readonly int[]?[]? _shapes;
    private readonly double[] _values;
    private readonly bool _dropRemainder;
    private readonly string _paddingString;

    public PaddedBatchNode(Node upstream, int size, int[]?[]? paddedShapes, double[] paddingValues, bool dropRemainder, string paddingString = "")
    {
        ArgumentNullException.ThrowIfNull(paddingValues);
        ArgumentNullException.ThrowIfNull(paddingString);
        _paddingString = paddingString;
        // Width is asked only for values per component (as for paddedShapes): a Map's dictionary has none before its first element.
        if (paddingValues.Length != 1 && paddingValues.Length != upstream.Width)
            throw new ArgumentException($"PaddedBatch: paddingValues has {paddingValues.Length} values but an element has {upstream.Width} components; give one per component (or one value for all).", nameof(paddingValues));
        if (size < 1) throw new ArgumentOutOfRangeException("batchSize", size, "PaddedBatch: batchSize must be at least 1.");
        if (paddedShapes is not null)
        {
            if (paddedShapes.Length != upstream.Width)
                throw new ArgumentException($"PaddedBatch: paddedShapes has {paddedShapes.Length} shapes but an element has {upstream.Width} components; give one per component (null: pad to the longest).", nameof(paddedShapes));
            foreach (var s in paddedShapes)
                if (s is not null && s.Any(d => d < -1))
                    throw new ArgumentException($"PaddedBatch: a padded shape [{string.Join(", ", s)}] has a negative length; use -1 for 'the longest in the batch'.", nameof(paddedShapes));
        }
        _upstream = upstream;
        _size = size;
        _shapes = paddedShapes;
        _values = paddingValues;
        _dropRemainder = dropRemainder;
    }

    public override int Width => _upstream.Width;
    public override IReadOnlyList<Node> Inputs => [_upstream];

    public override long Cardinality => _upstream.Cardinality switch
    {
        < 0 and var special => special,
        var n => _dropRemainder ? n / _size : (n + _size - 1) / _size,
    };

    // As tf.data: a given padded shape is the spec (-1 unknown); without one each component keeps its own.
    protected override TensorSpec[] ComputeSignature()
    {
        var specs = _upstream.Signature;
        var padded = new TensorSpec[specs.Length];
        for (int c = 0; c < specs.Length; c++)
        {
            if (_shapes?[c] is not { } given)
            {
                padded[c] = specs[c];
                continue;
            }
            if (specs[c].Rank is { } rank && rank != given.Length)
                throw new InvalidOperationException($"PaddedBatch: component {c} is {specs[c]} but its padded shape [{string.Join(", ", given)}] has {given.Length} axes.");
            padded[c] = new TensorSpec(Array.ConvertAll(given, d => d == -1 ? null : (int?)d), specs[c].DType);
        }
        return Signatures.Batched(padded, _dropRemainder ? _size : null);
    }

    public override IEnumerator<Part[]> Open() => BatchNode.Groups(_upstream.Open, _size, _dropRemainder, group => BatchNode.Flush(group, PadAndStack), Element.Dispose);

    private Tensor PadAndStack(List<Part[]> group, int c)
    {
        if (group[0][c].Tensor is { } first && RaggedCarrier.Of(first) is { } ragged)
            throw new InvalidOperationException(
                $"PaddedBatch: component {c} is a RaggedTensor ({ragged.Shape}); pad it with ToTensor() in a Map, or batch it with Batch (a ragged batch).");
        var target = Target(group, c);
        if (group[0][c].DType == DType.String) return PadStrings(group, c, target);
        var tensors = new Tensor[group.Count];
        try
        {
            for (int i = 0; i < tensors.Length; i++)
            {
                using var element = group[i][c].Tensor is { } t ? t.View(t.Layout) : group[i][c].Take();
                var paddings = new int[target.Length, 2];
                bool pad = false;
                for (int d = 0; d < target.Length; d++)
                {
                    paddings[d, 1] = target[d] - element.Shape[d];
                    pad |= paddings[d, 1] != 0;
                }
                using var _ = NF.UseBackend(element.Backend);
                tensors[i] = pad ? NF.Pad(element, paddings, "constant", _values.Length == 1 ? _values[0] : _values[c]) : element.View(element.Layout);
            }
            return NF.Stack(tensors);
        }
        finally
        {
            foreach (var t in tensors) t?.Dispose();
        }
    }

    /// <summary>Component <paramref name="c"/>'s padded shape for this batch, checked against every element.</summary>
    private int[] Target(List<Part[]> group, int c)
    {
        BatchNode.SameDTypes("PaddedBatch", group, c);
        var first = group[0][c].Shape;
        var given = _shapes?[c];
        if (given is not null && given.Length != first.Rank)
            throw new InvalidOperationException($"PaddedBatch: component {c} has rank {first.Rank} (shape {first}) but its padded shape [{string.Join(", ", given)}] has {given.Length} axes.");
        var target = new int[first.Rank];
        for (int i = 0; i < group.Count; i++)
        {
            var shape = group[i][c].Shape;
            if (shape.Rank != first.Rank)
                throw new InvalidOperationException($"PaddedBatch: cannot pad component {c} to one shape: element 0 of the batch has shape {first} and element {i} has shape {shape} (a different rank).");
            for (int d = 0; d < target.Length; d++) target[d] = Math.Max(target[d], shape[d]);
        }
        if (given is null) return target;
        for (int d = 0; d < target.Length; d++)
        {
            if (given[d] == -1) continue;
            if (target[d] > given[d])
                throw new InvalidOperationException($"PaddedBatch: component {c} has an element of length {target[d]} on axis {d}, longer than its padded shape [{string.Join(", ", given)}] allows.");
            target[d] = given[d];
        }
        return target;
    }

    // Strings pad on the host: the carriers' strings copied into a grid filled with the padding string.
    private Tensor PadStrings(List<Part[]> group, int c, int[] target)
    {
        var carriers = new Tensor[group.Count];
        try
        {
            for (int i = 0; i < carriers.Length; i++) carriers[i] = group[i][c].Tensor is { } t ? t.View(t.Layout) : group[i][c].Take();
            return StringCarrier.PadAndStack(carriers, target, _paddingString);
        }
        finally
        {
            foreach (var t in carriers) t?.Dispose();
        }
    }
}
