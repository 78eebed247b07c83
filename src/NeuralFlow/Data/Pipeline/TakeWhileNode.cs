namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>take_while</c>: the elements up to (not including) the first one the predicate rejects;
/// that element is disposed and the upstream is not read any further.
/// </summary>
internal sealed class TakeWhileNode(Node upstream, Func<Tensor[], bool> predicate) : Node
{
    public override int Width => upstream.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;

    // tf.data's take_while cannot know where the predicate will stop, even on an infinite input.
    public override long Cardinality => upstream.Cardinality == 0 ? 0 : Dataset.Unknown;

    public override IEnumerator<Part[]> Open()
    {
        using var source = upstream.Open();
        while (source.MoveNext())
        {
            var element = source.Current;
            bool keep;
            try { keep = FilterNode.Test(predicate, element); }
            catch { Element.Dispose(element); throw; }
            if (!keep)
            {
                Element.Dispose(element);
                yield break;
            }
            yield return element;
        }
    }
}
