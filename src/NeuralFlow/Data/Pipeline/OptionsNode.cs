namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>with_options</c>: the same elements; the options it holds apply to the whole pipeline
/// (<see cref="PipelineOptions.Of"/> gathers them when a pass starts).
/// </summary>
internal sealed class OptionsNode(Node upstream, DatasetOptions options) : Node
{
    public DatasetOptions Options => options;
    public override IReadOnlyList<Node> Inputs => [upstream];
    public override int Width => upstream.Width;
    public override long Cardinality => upstream.Cardinality;
    public override ConcreteSpec[]? Spec => upstream.Spec;
    public override Tensor[]? RowSources => upstream.RowSources;
    public override IEnumerator<int> OpenRows() => upstream.OpenRows();
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;
    public override IEnumerator<Part[]> Open() => upstream.Open();
}

/// <summary>The options a pass runs under: gathered from the pipeline's <see cref="OptionsNode"/>s, and flowing to every thread the pass starts.</summary>
internal static class PipelineOptions
{
    private static readonly AsyncLocal<DatasetOptions?> Scope = new();

    /// <summary>The running pass's options (empty outside a pass).</summary>
    public static DatasetOptions Current => Scope.Value ?? Empty;

    private static readonly DatasetOptions Empty = new();

    /// <summary>Every option given anywhere in <paramref name="root"/>'s pipeline; one nearer the output wins (the later WithOptions).</summary>
    public static DatasetOptions Of(Node root)
    {
        var result = new DatasetOptions();
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            if (node is OptionsNode o) result = result.Over(o.Options);   // the first found is the outermost, so what it set stays
            foreach (var input in node.Inputs) stack.Push(input);
        }
        return result;
    }

    /// <summary>Makes <paramref name="options"/> the current ones until disposed (the thread's and whatever it starts).</summary>
    public static Restore Use(DatasetOptions options)
    {
        var previous = Scope.Value;
        Scope.Value = options;
        return new Restore(previous);
    }

    public readonly struct Restore(DatasetOptions? previous) : IDisposable
    {
        public void Dispose() => Scope.Value = previous;
    }
}
