namespace NeuralFlow.Keras;

/// <summary>
/// What an operation's ONNX form (beside its row in <see cref="OperationDefinitions"/>) writes
/// with: nodes of the standard opset-17 ops, int64 vectors (axes, shapes), scalars of the op's
/// dtype, casts, and the symbolic shapes of the call's tensors (batch axis first, null where unknown).
/// </summary>
internal interface IOperationOnnx
{
    /// <summary>A node of ONNX op <paramref name="op"/> on the named values; returns its output's name.</summary>
    string Node(string op, string[] inputs, params byte[][] attributes);

    /// <summary>An int64 vector initializer (Unsqueeze's and ReduceSum's axes, Reshape's shape).</summary>
    string Ints(params long[] values);

    /// <summary>A scalar initializer of the op's output dtype (the graph's float type when that is bool).</summary>
    string Scalar(double value);

    /// <summary><paramref name="x"/> as <paramref name="dtype"/> (float32 and float64 as the graph's float type): itself or a Cast.</summary>
    string Cast(string x, DType dtype);

    /// <summary>The dtype value <paramref name="value"/> has in the exported graph (an argument's, after its cast).</summary>
    DType TypeOf(string value);

    /// <summary>Keras' activation <paramref name="name"/> of <paramref name="x"/>, written as the layers write it.</summary>
    string Activation(string name, string x);

    /// <summary>The symbolic shape of positional argument <paramref name="argument"/> (a tensor).</summary>
    IReadOnlyList<int?> Shape(int argument);

    /// <summary><paramref name="axes"/> of a rank-<paramref name="rank"/> tensor (negative from the end), from 0, the batch axis included.</summary>
    long[] Axes(IEnumerable<int> axes, int rank);
}
