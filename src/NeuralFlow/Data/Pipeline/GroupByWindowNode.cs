namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>group_by_window</c>: each element goes to the group of its key; when a group holds its
/// window size of elements, the reduce function turns that window (a dataset of the group's
/// elements, in arrival order) into a dataset whose elements are passed on before more input is
/// read. When the input ends, the groups still open are flushed the same way, smallest key first
/// (tf.data keeps its groups in an ordered map and flushes the first until none is left).
/// </summary>
internal sealed class GroupByWindowNode : Node
{
    private readonly Node _upstream;
    private readonly Func<Tensor[], long> _key;
    private readonly Func<long, long> _windowSize;
    private readonly Func<long, Node, Node> _reduce;
    private readonly int _width;
    private readonly string _op;

    public GroupByWindowNode(Node upstream, Func<Tensor[], long> key, Func<long, long> windowSize, Func<long, Node, Node> reduce, int width, string op)
    {
        (_upstream, _key, _windowSize, _reduce, _width, _op) = (upstream, key, windowSize, reduce, width, op);
    }

    public override int Width => _width;
    public override IReadOnlyList<Node> Inputs => [_upstream];

    // As tf.data: how many windows each key fills, and what the reduce function makes of them, is
    // only known by running the pipeline.
    public override long Cardinality => _upstream.Cardinality == 0 ? 0 : Dataset.Unknown;

    public override IEnumerator<Part[]> Open()
    {
        var groups = new SortedDictionary<long, List<Part[]>>();
        try
        {
            using var source = _upstream.Open();
            while (true)
            {
                long full = 0;
                bool found = false;
                while (!found && source.MoveNext())
                {
                    var element = source.Current;
                    long key, size;
                    try
                    {
                        key = FilterNode.Peek(_key, element);
                        size = _windowSize(key);
                        if (size < 1)
                            throw new InvalidOperationException($"{_op}: the window size for key {key} is {size}; a window must hold at least 1 element.");
                    }
                    catch { Element.Dispose(element); throw; }
                    if (!groups.TryGetValue(key, out var group)) groups[key] = group = [];
                    group.Add(element);
                    if (group.Count >= size) (full, found) = (key, true);
                }
                if (!found)
                {
                    if (groups.Count == 0) yield break;
                    full = groups.Keys.First();
                }
                var window = groups[full];
                groups.Remove(full);
                try
                {
                    var reduced = _reduce(full, new WindowOfGroup(window, _upstream.Width))
                        ?? throw new InvalidOperationException($"{_op}: the reduce function returned null instead of a dataset.");
                    if (reduced.Width != _width)
                        throw new InvalidOperationException($"{_op}: the reduce function's dataset has {reduced.Width} components per element, expected {_width}.");
                    using var outputs = reduced.Open();
                    while (outputs.MoveNext()) yield return outputs.Current;
                }
                finally
                {
                    Element.DisposeAll(window);
                }
            }
        }
        finally
        {
            foreach (var group in groups.Values) Element.DisposeAll(group);
        }
    }

    /// <summary>
    /// One full group, as the dataset the reduce function receives: every pass hands out its own
    /// handles on the buffered elements, which stay the group's until it has been reduced.
    /// </summary>
    private sealed class WindowOfGroup(List<Part[]> elements, int width) : Node
    {
        public override int Width => width;
        public override long Cardinality => elements.Count;

        public override IEnumerator<Part[]> Open()
        {
            foreach (var element in elements) yield return Array.ConvertAll(element, p => p.Share());
        }
    }
}
