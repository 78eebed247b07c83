namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>unique</c>: each distinct element once, at its first occurrence, for a dataset of single
/// integer tensors or string tensors (tf.data allows int32, int64 and strings; here every integer dtype). Two
/// elements are the same when their shapes and values are. Repeats are disposed unseen. The
/// values seen are kept on the host for the pass, as tf.data keeps them.
/// </summary>
internal sealed class UniqueNode : Node
{
    private readonly Node _upstream;

    public UniqueNode(Node upstream)
    {
        if (upstream.Width != 1)
            throw new NotSupportedException($"Unique: the elements have {upstream.Width} components, but unique works on datasets of single tensors, as tf.data's does.");
        if (upstream.Spec is [var spec] && !Comparable(spec.DType))
            throw new NotSupportedException(Unsupported(spec.DType));
        _upstream = upstream;
    }

    public override int Width => 1;
    // How many values repeat is unknown before the pass; an infinite input may even repeat
    // finitely many values forever, so not Infinite either (tf.data's unique says unknown).
    public override long Cardinality => _upstream.Cardinality == 0 ? 0 : Dataset.Unknown;

    public override ConcreteSpec[]? Spec => _upstream.Spec;
    public override IReadOnlyList<Node> Inputs => [_upstream];
    protected override TensorSpec[] ComputeSignature() => _upstream.Signature;

    public override IEnumerator<Part[]> Open()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var source = _upstream.Open();
        while (source.MoveNext())
        {
            var element = source.Current;
            bool first;
            try { first = seen.Add(Key(element[0])); }
            catch { Element.Dispose(element); throw; }
            if (first) yield return element;
            else Element.Dispose(element);
        }
    }

    private static bool Comparable(DType dtype) => dtype.IsInteger() || dtype == DType.String;

    /// <summary>The element's shape and values, as one string (exact for every integer dtype, and for strings, each length-prefixed).</summary>
    private static string Key(Part part)
    {
        if (!Comparable(part.DType)) throw new NotSupportedException(Unsupported(part.DType));
        using var view = part.Tensor is { } t ? t.View(t.Layout) : part.Take();
        if (part.DType == DType.String)
            return $"{view.Shape}:{string.Concat(StringCarrier.Read(view).Values.Select(v => $"{v.Length}:{v}"))}";
        using var wide = NF.Cast(view, DType.Int64);
        return $"{view.Shape}:{string.Join(",", wide.ToArray<long>())}";
    }

    private static string Unsupported(DType dtype) =>
        $"Unique: the elements are {dtype}, but unique compares integer or string elements only (as tf.data's: int32, int64 and strings); map floats to integer ids first.";
}
