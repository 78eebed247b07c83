namespace NeuralFlow.Keras;

/// <summary>
/// The graph of a functional model (Keras' <c>Functional</c>): its inputs, outputs, the layer
/// calls between them in an order that runs each after its inputs, and its layers. Built once,
/// from the outputs back to the inputs, checking that they connect.
/// </summary>
internal sealed partial class FunctionalGraph
{
    private FunctionalGraph(KerasTensor[] inputs, KerasTensor[] outputs, Node[] nodes, Layer[] operations, Dictionary<KerasTensor, int> uses)
    {
        Inputs = inputs;
        Outputs = outputs;
        Nodes = nodes;
        Operations = operations;
        Layers = operations.Where(l => l is not Operation).ToArray();
        Uses = uses;
    }

    public KerasTensor[] Inputs { get; }
    public KerasTensor[] Outputs { get; }

    /// <summary>The layer calls, each after the calls that make its inputs (input layers excluded).</summary>
    public Node[] Nodes { get; }

    /// <summary>
    /// The input layers, then every other layer once, in the order of its first call; without the
    /// graph's <see cref="Operation"/>s, which Keras 3's <c>model.layers</c> leaves out too.
    /// </summary>
    public Layer[] Layers { get; }

    /// <summary>
    /// The layers and operations (<c>x * 2</c>, <c>NF.Sigmoid(x)</c>) in the order of their first call
    /// (Keras 3's <c>model.operations</c>): what config.json and Summary list.
    /// </summary>
    public Layer[] Operations { get; }

    /// <summary>How many layer calls read each tensor: a value is freed after its last reader.</summary>
    public Dictionary<KerasTensor, int> Uses { get; }

    public static FunctionalGraph Build(string model, IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count == 0) throw new ArgumentException($"Model {model}: needs at least one input (from Layers.Input).", nameof(inputs));
        if (outputs.Count == 0) throw new ArgumentException($"Model {model}: needs at least one output.", nameof(outputs));
        if (inputs.Any(t => t is null)) throw new ArgumentNullException(nameof(inputs), $"Model {model}: an input is null.");
        if (outputs.Any(t => t is null)) throw new ArgumentNullException(nameof(outputs), $"Model {model}: an output is null.");
        foreach (var t in inputs)
            if (t.Layer is not Keras.Layers.InputLayer)
                throw new ArgumentException(
                    $"Model {model}: input '{t.Name}' is the output of layer '{t.Layer.Name}' ({t.Layer.GetType().Name}); a model's inputs must come from Layers.Input.", nameof(inputs));
        var sameName = inputs.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (sameName is not null)
            throw new ArgumentException(
                $"Model {model}: {sameName.Count()} of its inputs are named '{sameName.Key}'; each input needs its own name (and its own Layers.Input).", nameof(inputs));

        var inputSet = new HashSet<KerasTensor>(inputs, ReferenceEqualityComparer.Instance);
        var used = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
        var done = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var onPath = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var order = new List<Node>();
        foreach (var output in outputs) Visit(output, output);

        var unused = inputs.FirstOrDefault(t => !used.Contains(t));
        if (unused is not null)
            throw new ArgumentException(
                $"Model {model}: input '{unused.Name}' is not connected to any output ({string.Join(", ", outputs.Select(o => $"'{o.Name}'"))}); remove it or call layers on it that lead to an output.", nameof(inputs));

        var layers = new List<Layer>(inputs.Select(t => t.Layer));
        var seen = new HashSet<Layer>(layers, ReferenceEqualityComparer.Instance);
        foreach (var node in order)
            if (seen.Add(node.Layer)) layers.Add(node.Layer);
        var clash = layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new ArgumentException(
                $"Model {model}: {clash.Count()} different layers are named '{clash.Key}' ({string.Join(", ", clash.Select(l => l.GetType().Name))}); layer names must be unique within a model, as in Keras.");

        var uses = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);
        foreach (var node in order)
            foreach (var t in node.Inputs) uses[t] = uses.GetValueOrDefault(t) + 1;
        return new FunctionalGraph(inputs.ToArray(), outputs.ToArray(), order.ToArray(), layers.ToArray(), uses);

        // Depth first from an output to the inputs; a node joins the order after its inputs' nodes.
        void Visit(KerasTensor t, KerasTensor output)
        {
            if (inputSet.Contains(t))
            {
                used.Add(t);
                return;
            }
            var node = t.Node;
            if (done.Contains(node)) return;
            if (node.Layer is Keras.Layers.InputLayer)
                throw new ArgumentException(
                    $"Model {model}: graph disconnected: output '{output.Name}' depends on input '{t.Name}', which is not among the model's inputs " +
                    $"({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}); pass it to the model's inputs.", nameof(outputs));
            if (!onPath.Add(node))
                throw new InvalidOperationException($"Model {model}: the graph has a cycle through layer '{node.Layer.Name}'.");
            foreach (var input in node.Inputs) Visit(input, output);
            onPath.Remove(node);
            done.Add(node);
            order.Add(node);
        }
    }
}
