using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// ExportOnnx of functional graphs on every backend: ONNX Runtime runs a residual CNN, a model of
/// two inputs and two outputs with a shared layer, every merge layer and a nested model, and
/// agrees with PredictOutputs to 1e-5.
/// </summary>
public abstract class FunctionalOnnxTests(string backend) : BackendFileTest(backend)
{
    private const double Tolerance = 1e-5;

    [SkippableFact]
    public void A_residual_cnn_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(41);
        var inputs = Layers.Input([8, 8, 1], name: "image");
        var stem = new Layers.Conv2D(4, 3, padding: "same", activation: "relu").Call(inputs);
        var branch = new Layers.Conv2D(4, 3, padding: "same").Call(new Layers.Conv2D(4, 3, padding: "same", activation: "relu").Call(stem));
        var joined = new Layers.ReLU().Call(new Layers.Add().Call([stem, branch]));
        var pooled = new Layers.GlobalAveragePooling2D().Call(new Layers.MaxPooling2D().Call(joined));
        var model = new Model(inputs, new Layers.Dense(3, activation: "softmax", name: "probs").Call(pooled));
        AssertSameAsPredict(model, "resnet.onnx", [[8, 8, 1]], [2, 5]);
    }

    [SkippableFact]
    public void Two_inputs_two_outputs_a_shared_layer_and_every_merge()
    {
        RequireBackend();
        NF.Random.SetSeed(42);
        var a = Layers.Input([5], name: "a");
        var b = Layers.Input([5], name: "b");
        var shared = new Layers.Dense(6, activation: "tanh", name: "shared");
        var (sa, sb) = (shared.Call(a), shared.Call(b));
        var merged = new Layers.Concatenate().Call([
            new Layers.Add().Call([sa, sb]), new Layers.Add().Call([sa, sb, sa]), new Layers.Subtract().Call([sa, sb]),
            new Layers.Multiply().Call([sa, sb, sb]), new Layers.Average().Call([sa, sb]),
            new Layers.Maximum().Call([sa, sb]), new Layers.Minimum().Call([sa, sb, shared.Call(a)])]);
        var innerIn = Layers.Input([42]);
        var inner = new Model(innerIn, new Layers.Dense(4, activation: "relu", name: "inner_dense").Call(innerIn), name: "inner");
        var first = new Layers.Dense(2, name: "first").Call(inner.Call(merged));
        var second = new Layers.Dense(3, activation: "softmax", name: "second").Call(merged);
        var rows = new Layers.Concatenate(axis: 1).Call([new Layers.Reshape([1, 5]).Call(a), new Layers.Reshape([1, 5]).Call(b)]);
        var third = new Layers.Flatten(name: "third").Call(rows);
        var model = new Model([a, b], [first, second, third], name: "many");
        AssertSameAsPredict(model, "many.onnx", [[5], [5]], [1, 7]);
    }

    private void AssertSameAsPredict(Model model, string file, int[][] features, int[] batches)
    {
        string path = Temp.File(file);
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        Assert.Equal(model.InputNames.Order(), session.InputMetadata.Keys.Order());
        Assert.Equal(model.OutputNames.Order(), session.OutputMetadata.Keys.Order());
        foreach (int n in batches)
            AssertSessionMatches(model, session, features.Select(f => NF.Random.Uniform([n, .. f], -2, 2)).ToArray());
    }

    /// <summary>
    /// ONNX Runtime's outputs for inputs <paramref name="xs"/> (each fed in its dtype: float32, int32,
    /// int64 or bool) are PredictOutputs': of the same ONNX element type, float ones equal to 1e-5,
    /// int and bool ones exactly.
    /// </summary>
    internal static void AssertSessionMatches(Model model, InferenceSession session, Tensor[] xs)
    {
        var want = model.PredictOutputs(xs, batchSize: 16);
        var values = xs.Select(OrtValueOf).ToArray();
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, model.InputNames.ToArray(), values, model.OutputNames.ToArray());
        for (int i = 0; i < want.Count; i++)
        {
            var info = outputs[i].GetTensorTypeAndShape();
            Assert.Equal(want[i].Shape.ToArray().Select(d => (long)d), info.Shape);
            Assert.Equal(want[i].DType switch
            {
                DType.Int32 => TensorElementType.Int32,
                DType.Int64 => TensorElementType.Int64,
                DType.Bool => TensorElementType.Bool,
                _ => TensorElementType.Float,
            }, info.ElementDataType);
            var expected = want[i].ToDoubleArray();
            double[] got = info.ElementDataType switch
            {
                TensorElementType.Int32 => outputs[i].GetTensorDataAsSpan<int>().ToArray().Select(v => (double)v).ToArray(),
                TensorElementType.Int64 => outputs[i].GetTensorDataAsSpan<long>().ToArray().Select(v => (double)v).ToArray(),
                TensorElementType.Bool => outputs[i].GetTensorDataAsSpan<bool>().ToArray().Select(v => v ? 1.0 : 0.0).ToArray(),
                _ => outputs[i].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(),
            };
            double max = expected.Zip(got, (p, q) => Math.Abs(p - q)).DefaultIfEmpty(0).Max();
            Assert.True(max <= (want[i].DType.IsFloating() ? Tolerance : 0), $"output {model.OutputNames[i]}: ONNX Runtime and Predict differ by up to {max:G3}.");
        }
        foreach (var v in values) v.Dispose();
    }

    private static OrtValue OrtValueOf(Tensor x)
    {
        long[] shape = x.Shape.ToArray().Select(d => (long)d).ToArray();
        return x.DType switch
        {
            DType.Int32 => OrtValue.CreateTensorValueFromMemory(x.ToArray<int>(), shape),
            DType.Int64 => OrtValue.CreateTensorValueFromMemory(x.ToArray<long>(), shape),
            DType.Bool => OrtValue.CreateTensorValueFromMemory(x.ToArray<bool>(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(x.ToArray<float>(), shape),
        };
    }
}

public sealed class ManagedFunctionalOnnxTests() : FunctionalOnnxTests("managed");

public sealed class NativeCpuFunctionalOnnxTests() : FunctionalOnnxTests("cpu");

public sealed class CudaFunctionalOnnxTests() : FunctionalOnnxTests("cuda");
