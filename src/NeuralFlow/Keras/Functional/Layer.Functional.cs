namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>This layer's calls on symbolic tensors, in order (Keras' <c>_inbound_nodes</c>).</summary>
    internal List<Node> InboundNodes { get; } = [];

    /// <summary>
    /// Calls the layer on a symbolic tensor (Keras' functional API): records the call and returns
    /// the symbolic output, whose shape comes from running the layer once, in inference mode and
    /// unrecorded by any tape, on zeros of batch 1 (which also builds its weights). Calling the
    /// same layer again shares its weights.
    /// </summary>
    public KerasTensor Call(KerasTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CallSymbolic([input], listCall: false);
    }

    /// <summary>
    /// Calls a layer of several inputs (<c>Layers.Add</c>, <c>Layers.Concatenate</c>, a model of
    /// several inputs) on symbolic tensors: <c>new Layers.Add().Call([a, b])</c>.
    /// </summary>
    public KerasTensor Call(IReadOnlyList<KerasTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new ArgumentException($"{Name} ({GetType().Name}): called on an empty list of tensors.", nameof(inputs));
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{Name} ({GetType().Name}): input {i} of the list is null.");
        return CallSymbolic(inputs.ToArray(), listCall: true);
    }

    private KerasTensor CallSymbolic(KerasTensor[] inputs, bool listCall)
    {
        var (shape, dtype) = InferOutput(inputs, listCall);
        var node = new Node(this, inputs, listCall);
        // Keras names a layer's output after the layer, numbered by call for a shared layer.
        var name = node.Index == 0 ? Name : $"{Name}_{node.Index}";
        node.Output = new KerasTensor(shape, dtype, name, node);
        return node.Output;
    }

    /// <summary>
    /// The output's shape and dtype: the layer run once on zeros of batch 1 (or the inputs' fixed
    /// batch); see <see cref="Probe"/>.
    /// </summary>
    private (int?[] Shape, DType DType) InferOutput(KerasTensor[] inputs, bool listCall)
    {
        int? batch = inputs[0].Shape[0];
        var (dims, dtype) = Probe(inputs.Select(t => new Shape([t.Shape[0] ?? 1, .. t.TrailingDims])).ToArray(), inputs.Select(t => t.DType).ToArray(), listCall);
        var shape = new int?[dims.Length];
        for (int i = 0; i < dims.Length; i++) shape[i] = dims[i];
        // The batch axis stays unknown unless every input fixed it.
        if (shape.Length > 0 && inputs.Any(t => t.Shape[0] is null)) shape[0] = null;
        else if (shape.Length > 0) shape[0] = batch;
        return (shape, dtype);
    }

    /// <summary>
    /// Runs the layer once on zeros of <paramref name="shapes"/> (which also builds its weights) and
    /// returns the output's shape and dtype: in inference mode, with every tape paused and every
    /// temporary freed, so an enclosing training step or eager code sees nothing of it.
    /// </summary>
    private protected (int[] Shape, DType DType) Probe(Shape[] shapes, DType[] dtypes, bool listCall)
    {
        using var paused = Tape.Pause();
        using var inference = TrainingMode(false);
        using var scope = TensorScope.Begin();
        var zeros = shapes.Select((s, i) => NF.Zeros(s, dtypes[i])).ToArray();
        Tensor y = listCall ? Call(zeros) : Call(zeros[0]);
        return (y.Shape.ToArray(), y.DType);
    }
}
