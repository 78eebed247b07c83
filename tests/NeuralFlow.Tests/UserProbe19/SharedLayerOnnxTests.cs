using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;
using NeuralFlow.Tests.Functional;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// ExportOnnx of functional models that call one layer on two inputs (a siamese tower, a shared
/// preprocessing layer). The later call's constants were written again under the first call's
/// names (rescaling/scale, lstm/W, batch_normalization/scale, ...): a file with duplicate
/// initializers, which ONNX Runtime warned about and the ONNX checker refuses. Now each name is
/// written once, ONNX Runtime runs the file as Predict, and constants that differ between the
/// calls (a shared Resizing on two image sizes) are refused by name instead of one set silently used.
/// </summary>
public abstract class SharedLayerOnnxTests(string backend) : BackendFileTest(backend)
{
    public static TheoryData<string> SharedLayers => ["rescaling", "normalization", "batch_normalization", "lstm", "multi_head_attention", "resizing", "dense"];

    private static Layer Make(string kind) => kind switch
    {
        "rescaling" => new Layers.Rescaling(0.5f, 1f),
        "normalization" => new Layers.Normalization(mean: [1f, 2f, 3f, 4f], variance: [1f, 4f, 9f, 16f]),
        "batch_normalization" => new Layers.BatchNormalization(),
        "lstm" => new Layers.LSTM(5),
        "multi_head_attention" => new Layers.MultiHeadAttention(2, 2),
        "resizing" => new Layers.Resizing(3, 3),
        _ => new Layers.Dense(3, activation: "tanh"),
    };

    private static int[] Features(string kind) => kind switch
    {
        "lstm" or "multi_head_attention" => [3, 4],
        "resizing" => [5, 5, 2],
        _ => [4],
    };

    [SkippableTheory]
    [MemberData(nameof(SharedLayers))]
    public void A_layer_called_on_two_inputs_exports_each_constant_once(string kind)
    {
        RequireBackend();
        NF.Random.SetSeed(23);
        int[] features = Features(kind);
        var a = Layers.Input(features, name: "left");
        var b = Layers.Input(features, name: "right");
        var layer = Make(kind);
        KerasTensor Apply(KerasTensor t) => layer is Layers.MultiHeadAttention mha ? mha.Call(t, t) : layer.Call(t);
        var model = new Model([a, b], new Layers.Add(name: "joined").Call([Apply(a), Apply(b)]), name: $"siamese_{kind}");
        string path = Temp.File($"{kind}.onnx");
        model.ExportOnnx(path);
        var names = InitializerNames(path);
        Assert.Equal(names.Count, names.Distinct().Count());
        using var session = new InferenceSession(path);
        FunctionalOnnxTests.AssertSessionMatches(model, session, [NF.Random.Uniform([3, .. features], -1, 1), NF.Random.Uniform([3, .. features], -1, 1)]);
    }

    [SkippableFact]
    public void A_shared_layer_whose_constants_differ_per_call_is_refused_by_name()
    {
        RequireBackend();
        var a = Layers.Input([6, 6, 2], name: "small");
        var b = Layers.Input([8, 8, 2], name: "large");
        var resize = new Layers.Resizing(4, 4, name: "shared_resize");
        var model = new Model([a, b], new Layers.Add().Call([resize.Call(a), resize.Call(b)]));
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Temp.File("resize.onnx")));
        Assert.Contains("shared_resize", e.Message);
    }

    // ModelProto.graph (7) -> GraphProto.initializer (5) -> TensorProto.name (8).
    private static List<string> InitializerNames(string path)
    {
        var names = new List<string>();
        foreach (var graph in Fields(File.ReadAllBytes(path), 7))
            foreach (var tensor in Fields(graph, 5))
                names.AddRange(Fields(tensor, 8).Select(System.Text.Encoding.UTF8.GetString));
        return names;
    }

    private static IEnumerable<byte[]> Fields(byte[] message, int number)
    {
        var input = new CodedInputStream(message);
        var found = new List<byte[]>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                found.Add(input.ReadBytes().ToByteArray());
            else input.SkipLastField();
        }
        return found;
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedSharedLayerOnnxTests() : SharedLayerOnnxTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuSharedLayerOnnxTests() : SharedLayerOnnxTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaSharedLayerOnnxTests() : SharedLayerOnnxTests("cuda");
