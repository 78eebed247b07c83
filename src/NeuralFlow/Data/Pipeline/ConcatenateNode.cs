namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// One pipeline's elements, then another's (<c>concatenate</c>). As in tf.data, whose
/// <c>concatenate</c> refuses datasets of other types, both must have the same dtype in every
/// component (shapes may differ): checked when the dataset is made where both halves' specs are
/// known, else against the first element of the pass as each element of the second half comes.
/// </summary>
internal sealed class ConcatenateNode : Node
{
    private readonly Node _first, _second;

    public ConcatenateNode(Node first, Node second)
    {
        (_first, _second) = (first, second);
        if (first.Spec is { } a && second.Spec is { } b)
            ElementTypes.Check("Concatenate", Array.ConvertAll(a, s => s.DType), Array.ConvertAll(b, s => s.DType), ArgumentError);
    }

    public override int Width => _first.Width;
    public override IReadOnlyList<Node> Inputs => [_first, _second];
    protected override TensorSpec[] ComputeSignature() => Signatures.Common([_first, _second]);

    public override long Cardinality => (_first.Cardinality, _second.Cardinality) switch
    {
        (Dataset.Infinite, _) or (_, Dataset.Infinite) => Dataset.Infinite,
        (Dataset.Unknown, _) or (_, Dataset.Unknown) => Dataset.Unknown,
        var (a, b) => a + b,
    };

    /// <summary>Known only where both halves agree on every component.</summary>
    public override ConcreteSpec[]? Spec =>
        _first.Spec is { } a && _second.Spec is { } b && a.SequenceEqual(b) ? a : null;

    public override IEnumerator<Part[]> Open()
    {
        DType[]? types = null;
        using (var source = _first.Open())
            while (source.MoveNext())
            {
                types ??= ElementTypes.Of(source.Current);
                yield return source.Current;
            }
        using (var source = _second.Open())
            while (source.MoveNext())
            {
                var element = source.Current;
                if (types is null) types = ElementTypes.Of(element);
                else
                {
                    try { ElementTypes.Check("Concatenate", types, ElementTypes.Of(element), ElementTypes.RunError); }
                    catch { Element.Dispose(element); throw; }
                }
                yield return element;
            }
    }

    private static Exception ArgumentError(string message) => new ArgumentException(message, "other");
}
