namespace NeuralFlow.Data.Pipeline;

/// <summary>Keeps the elements a predicate accepts; rejected elements are disposed at once.</summary>
internal sealed class FilterNode(Node upstream, Func<Tensor[], bool> predicate) : Node
{
    public override int Width => upstream.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;
    public override long Cardinality => upstream.Cardinality == Dataset.Infinite ? Dataset.Infinite : Dataset.Unknown;

    public override IEnumerator<Part[]> Open()
    {
        using var source = upstream.Open();
        while (source.MoveNext())
        {
            var element = source.Current;
            bool keep;
            try { keep = Test(predicate, element); }
            catch { Element.Dispose(element); throw; }
            if (keep) yield return element;
            else Element.Dispose(element);
        }
    }

    /// <summary>Runs the predicate on views of the element; everything it creates is disposed.</summary>
    internal static bool Test(Func<Tensor[], bool> predicate, Part[] element) => Peek(predicate, element);

    /// <summary>
    /// Runs <paramref name="fn"/> on views of the element (which stays the caller's) and returns
    /// what it answers; every tensor it creates is disposed.
    /// </summary>
    internal static TResult Peek<TResult>(Func<Tensor[], TResult> fn, Part[] element)
    {
        var views = new Tensor[element.Length];
        for (int i = 0; i < element.Length; i++)
        {
            var p = element[i];
            views[i] = p.Tensor is { } t ? t.View(t.Layout) : p.Take();
        }
        try
        {
            using var scope = TensorScope.Begin();
            return fn(views);
        }
        finally
        {
            foreach (var v in views) v.Dispose();
        }
    }
}
