using System.Collections;
using Google.Protobuf;

namespace NeuralFlow.IO;

/// <summary>
/// The initializers (TensorProto bytes) of an ONNX graph, each name once. A shared layer's later
/// calls emit the constants of the first again under the same names (a Rescaling's scale, an
/// LSTM's gate matrices): the same bytes are kept once, since ONNX requires unique names (ONNX
/// Runtime warned "Duplicate initializer" and the checker refuses such a file). Two different
/// tensors of one name (a shared layer whose constants depend on its input's shape, called on two
/// shapes) cannot be written correctly, so they are refused by name rather than one silently used.
/// </summary>
internal sealed class OnnxInitializers : IEnumerable<byte[]>
{
    private readonly List<byte[]> _tensors = [];
    private readonly Dictionary<string, byte[]> _byName = [];

    /// <summary>The number of distinct initializers.</summary>
    public int Count => _tensors.Count;

    /// <summary>Adds <paramref name="tensor"/> unless the same bytes are there under its name.</summary>
    public void Add(byte[] tensor)
    {
        string name = NameOf(tensor);
        if (_byName.TryGetValue(name, out var known))
        {
            if (known.AsSpan().SequenceEqual(tensor)) return;
            throw new NotSupportedException(
                $"ExportOnnx: two different constants are named '{name}' (a shared layer whose constants depend on its input, called on inputs of different shapes?); " +
                "such a graph does not export to ONNX yet: use a separate layer per input shape.");
        }
        _byName[name] = tensor;
        _tensors.Add(tensor);
    }

    // TensorProto's name is field 8.
    private static string NameOf(byte[] tensor)
    {
        var input = new CodedInputStream(tensor);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 8) return input.ReadString();
            input.SkipLastField();
        }
        throw new ArgumentException("An ONNX initializer without a name.", nameof(tensor));
    }

    public IEnumerator<byte[]> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
