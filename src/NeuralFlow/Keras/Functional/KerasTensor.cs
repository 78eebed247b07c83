namespace NeuralFlow.Keras;

/// <summary>
/// A symbolic tensor of the functional API (Keras' <c>KerasTensor</c>): no values, only the shape
/// (with an unknown batch dimension, null, unless the input fixed it), the dtype and the node of
/// the layer call that produced it. <c>Layers.Input</c> makes the first ones; calling a layer on
/// them makes the next, and <c>new Model(inputs, outputs)</c> turns the recorded calls into a model.
/// </summary>
public sealed class KerasTensor
{
    internal KerasTensor(int?[] shape, DType dtype, string name, Node node)
    {
        _shape = shape;
        DType = dtype;
        Name = name;
        Node = node;
    }

    private readonly int?[] _shape;

    /// <summary>The shape, batch axis first; null where a dimension is unknown (the batch).</summary>
    public IReadOnlyList<int?> Shape => _shape;

    /// <summary>The element type of the values this tensor stands for.</summary>
    public DType DType { get; }

    /// <summary>The name: the layer that produced it, as Keras ("dense_1").</summary>
    public string Name { get; }

    /// <summary>The layer call that produced this tensor.</summary>
    internal Node Node { get; }

    /// <summary>The layer that produced this tensor (an <c>InputLayer</c> for <c>Layers.Input</c>).</summary>
    public Layer Layer => Node.Layer;

    /// <summary>The trailing dimensions (all but the batch axis); known for every tensor made by a layer call.</summary>
    internal int[] TrailingDims => _shape.Skip(1).Select(d => d ?? -1).ToArray();

    /// <summary>Keras' text of the shape: (None, 28, 28, 1).</summary>
    public static string Format(IEnumerable<int?> shape) => "(" + string.Join(", ", shape.Select(d => d?.ToString() ?? "None")) + ")";

    /// <inheritdoc/>
    public override string ToString() => $"<KerasTensor {Name} shape={Format(_shape)} dtype={DType.Name()} (created by layer '{Layer.Name}')>";
}

/// <summary>
/// One call of a layer in a functional graph (Keras' <c>Node</c>): the layer, the symbolic tensors
/// it was called on and the one it returned. A layer called twice (shared) has two nodes and
/// one set of weights.
/// </summary>
internal sealed class Node
{
    internal Node(Layer layer, IReadOnlyList<KerasTensor> inputs, bool listCall)
    {
        Layer = layer;
        Inputs = inputs;
        ListCall = listCall;
        Index = layer.InboundNodes.Count;
        layer.InboundNodes.Add(this);
    }

    public Layer Layer { get; }

    /// <summary>The tensors the layer was called on (none for an input layer).</summary>
    public IReadOnlyList<KerasTensor> Inputs { get; }

    /// <summary>True when the layer was called on a list (merge layers): it runs with <c>Call(IReadOnlyList)</c> again.</summary>
    public bool ListCall { get; }

    /// <summary>This call's position among the layer's calls (Keras' node index, the 0 in <c>dense[0][0]</c>).</summary>
    public int Index { get; }

    /// <summary>The tensor the call returned (set right after construction).</summary>
    public KerasTensor Output { get; internal set; } = null!;
}
