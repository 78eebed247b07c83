namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// A functional model called on symbolic tensors of which some are text (Keras' <c>x = preprocessor(inputs)</c>
    /// in the pandas tutorial, where <c>preprocessor</c> starts with StringLookup layers on tf.string Inputs).
    /// Text runs on the host in front of the tensor graph, which a model nested as one layer cannot do, so its
    /// layer calls are replayed on <paramref name="inputs"/> instead: each of its layers is called again (sharing
    /// its weights) on the tensors that now feed it, and the outer model holds those calls directly. The text
    /// layers then read the outer model's text Inputs as in a model built from them, and run on the host each
    /// batch. What the outer model computes is the nested call's; its layer list shows the nested layers
    /// rather than one nested model (Keras' <c>model.layers</c> would list the preprocessor as one entry).
    /// </summary>
    private IReadOnlyList<KerasTensor> ReplayOnText(FunctionalGraph graph, KerasTensor[] inputs)
    {
        if (inputs.Length != graph.Inputs.Length)
            throw new ArgumentException(
                $"{Name}: the model takes {graph.Inputs.Length} inputs ({string.Join(", ", graph.Inputs.Select(t => $"'{t.Name}'"))}), but was called on {inputs.Length}.", nameof(inputs));
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].DType != graph.Inputs[i].DType)
                throw new ArgumentException(
                    $"{Name}: input '{graph.Inputs[i].Name}' is {graph.Inputs[i].DType}, but it was called on '{inputs[i].Name}' of dtype {inputs[i].DType}.", nameof(inputs));
        var replayed = new Dictionary<KerasTensor, KerasTensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Length; i++) replayed[graph.Inputs[i]] = inputs[i];
        foreach (var node in graph.Nodes)
        {
            var outputs = node.Layer.CallSymbolic(node.Inputs.Select(t => replayed[t]).ToArray(), node.Args);
            for (int k = 0; k < outputs.Count; k++) replayed[node.Outputs[k]] = outputs[k];
        }
        return graph.Outputs.Select(o => replayed[o]).ToList();
    }

    // Whether a symbolic call is one ReplayOnText takes: a functional model on at least one text tensor.
    internal bool TryReplayOnText(KerasTensor[] inputs, out IReadOnlyList<KerasTensor> outputs)
    {
        outputs = null!;
        if (Graph is not { } graph || !inputs.Any(t => t.DType == DType.String)) return false;
        outputs = ReplayOnText(graph, inputs);
        return true;
    }
}
