namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>
    /// The symbolic output of this layer's first call on symbolic tensors (Keras' <c>layer.output</c>),
    /// for feature extraction: <c>new Model(model.Inputs, model.GetLayer("conv2").Output)</c>.
    /// A layer never called on a <see cref="KerasTensor"/> (a Sequential neither started from
    /// <c>Layers.Input</c> nor built with <c>Build</c>) has none; a shared layer's later calls are
    /// <see cref="GetOutputsAt(int)"/>.
    /// </summary>
    public virtual KerasTensor Output => One(GetOutputsAt(0), "Output", "GetOutputsAt(0)");

    /// <summary>
    /// The symbolic input of this layer's first call (Keras' <c>layer.input</c>); a layer called on
    /// several tensors has them in <see cref="GetInputsAt(int)"/>. An input layer's is its own tensor.
    /// </summary>
    public virtual KerasTensor Input => One(GetInputsAt(0), "Input", "GetInputsAt(0)");

    /// <summary>The symbolic outputs of call <paramref name="nodeIndex"/> of this layer (Keras' <c>get_output_at</c>; 0 is the first call).</summary>
    public IReadOnlyList<KerasTensor> GetOutputsAt(int nodeIndex) => NodeAt(nodeIndex, "output").Outputs;

    /// <summary>The symbolic tensors call <paramref name="nodeIndex"/> of this layer was called on (Keras' <c>get_input_at</c>).</summary>
    public IReadOnlyList<KerasTensor> GetInputsAt(int nodeIndex)
    {
        var node = NodeAt(nodeIndex, "input");
        // An input layer is called on nothing: its input is the tensor it stands for, as Keras' InputLayer.input.
        return node.Inputs.Count == 0 ? node.Outputs : node.Arguments;
    }

    private Node NodeAt(int nodeIndex, string what)
    {
        if (InboundNodes.Count == 0)
            throw new InvalidOperationException(
                $"{Name} ({GetType().Name}) has never been called on a symbolic tensor and thus has no defined {what} (Keras' message). " +
                "Call it on the tensors of Layers.Input, or start its Sequential from Layers.Input or Build(inputShape) it.");
        if (nodeIndex < 0 || nodeIndex >= InboundNodes.Count)
            throw new ArgumentOutOfRangeException(nameof(nodeIndex), nodeIndex,
                $"{Name} ({GetType().Name}) was called {InboundNodes.Count} time(s) on symbolic tensors; call indices are 0..{InboundNodes.Count - 1}.");
        return InboundNodes[nodeIndex];
    }

    private protected KerasTensor One(IReadOnlyList<KerasTensor> tensors, string property, string all) => tensors.Count == 1 ? tensors[0] :
        throw new InvalidOperationException($"{Name} ({GetType().Name}): {property} is one tensor, but this call has {tensors.Count}; use {all} for all of them.");
}
