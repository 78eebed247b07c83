namespace NeuralFlow.Keras;

/// <summary>
/// A symbolic tensor of the functional API (Keras' <c>KerasTensor</c>): no values, only the shape
/// (with an unknown batch dimension, null, unless the input fixed it), the dtype and the node of
/// the layer call that produced it. <c>Layers.Input</c> makes the first ones; calling a layer on
/// them makes the next, and <c>new Model(inputs, outputs)</c> turns the recorded calls into a model.
/// </summary>
public sealed partial class KerasTensor
{
    internal KerasTensor(int?[] shape, DType dtype, string name, Node node, int index = 0)
    {
        _shape = shape;
        DType = dtype;
        Name = name;
        Node = node;
        Index = index;
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

    /// <summary>Its position among the call's outputs (Keras' tensor index, the last 0 in <c>lstm[0][0]</c>).</summary>
    internal int Index { get; }

    /// <summary>
    /// The rank of the mask the values will carry (Keras' symbolic <c>_keras_mask</c>: 2 for the
    /// [batch, timesteps] mask after an <c>Embedding(maskZero: true)</c>); 0 when they carry none.
    /// </summary>
    internal int MaskRank { get; set; }

    /// <summary>The layer that produced this tensor (an <c>InputLayer</c> for <c>Layers.Input</c>).</summary>
    public Layer Layer => Node.Layer;

    /// <summary>The trailing dimensions (all but the batch axis); known for every tensor made by a layer call.</summary>
    internal int[] TrailingDims => _shape.Skip(1).Select(d => d ?? -1).ToArray();

    /// <summary>Keras' text of the shape: (None, 28, 28, 1).</summary>
    public static string Format(IEnumerable<int?> shape) => "(" + string.Join(", ", shape.Select(d => d?.ToString() ?? "None")) + ")";

    /// <inheritdoc/>
    public override string ToString() => $"<KerasTensor {Name} shape={Format(_shape)} dtype={DType.Name()} (created by {(Layer is Operation ? "operation" : "layer")} '{Layer.Name}')>";
}

/// <summary>
/// One call of a layer in a functional graph (Keras' <c>Node</c>): the layer, the symbolic tensors
/// it was called on and those it returned (several for an RNN with return_state or a model of
/// several outputs). A layer called twice (shared) has two nodes and one set of weights.
/// </summary>
internal sealed class Node
{
    internal Node(Layer layer, IReadOnlyList<KerasTensor> inputs, CallArgs args)
    {
        Layer = layer;
        Inputs = inputs;
        Args = args;
        Index = layer.InboundNodes.Count;
        layer.InboundNodes.Add(this);
    }

    public Layer Layer { get; }

    /// <summary>The tensors the layer was called on (none for an input layer), its keyword tensors (initial states, masks) last.</summary>
    public IReadOnlyList<KerasTensor> Inputs { get; }

    /// <summary>How the layer was called: on a list or not, the keywords of the last inputs, options.</summary>
    public CallArgs Args { get; }

    /// <summary>The positional inputs, without the keyword tensors.</summary>
    public KerasTensor[] Arguments => Args.Positional(Inputs);


    /// <summary>This call's position among the layer's calls (Keras' node index, the 0 in <c>dense[0][0]</c>).</summary>
    public int Index { get; }

    /// <summary>The tensors the call returned, in order (set right after construction).</summary>
    public KerasTensor[] Outputs { get; internal set; } = null!;

    /// <summary>The call's first (for most layers, only) output.</summary>
    public KerasTensor Output => Outputs[0];

    /// <summary>Runs the call on concrete values of <see cref="Inputs"/>; one tensor per output.</summary>
    public IReadOnlyList<Tensor> Run(Tensor[] inputs) => Layer.RunNode(inputs, Args);
}
