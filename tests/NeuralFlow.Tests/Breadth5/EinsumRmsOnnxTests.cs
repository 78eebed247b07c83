using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// EinsumDense (ONNX Einsum, all three equation forms, biases and activations) and
/// RMSNormalization (one axis and two) exported to ONNX: ONNX Runtime runs the file on batches
/// of two sizes and agrees with Predict to 1e-5, as the other exporters' tests require.
/// </summary>
public abstract class EinsumRmsOnnxTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Einsum_dense_and_rms_normalization_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        var model = new Sequential(
            new Layers.EinsumDense("abc,cde->abde", [null, 2, 3], activation: "tanh", biasAxes: "de"),   // [N, 4, 2, 3]
            new Layers.RMSNormalization([2, 3]),
            new Layers.EinsumDense("...de,def->...f", 5, biasAxes: "f"),                                 // [N, 4, 5]
            new Layers.EinsumDense("ab...,bc->ac...", 3, activation: "relu", biasAxes: "c"),              // [N, 3, 5]
            new Layers.RMSNormalization(),
            new Layers.EinsumDense("abc,bcd->ad", 2));                                                   // [N, 2]
        var x = NF.Random.Uniform([32, 4, 6], -2, 2);
        model.Compile("adam", "mse");
        model.Fit(x, NF.Random.Normal([32, 2]), batchSize: 8, epochs: 2, verbose: 0);   // scales away from ones
        string path = Temp.File("einsum.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        foreach (int n in new[] { 1, 13 })
        {
            var input = NF.Random.Uniform([n, 4, 6], -2, 2);
            var want = model.Predict(input).ToArray<float>();
            using var value = OrtValue.CreateTensorValueFromMemory(input.ToArray<float>(), [n, 4, 6]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input"], [value], ["output"]);
            Assert.Equal([n, 2L], outputs[0].GetTensorTypeAndShape().Shape);
            var got = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            Assert.True(want.Zip(got, (a, b) => Math.Abs(a - b)).Max() <= 1e-5, "ONNX Runtime and Predict differ");
        }
    }
}

public sealed class ManagedEinsumRmsOnnxTests() : EinsumRmsOnnxTests("managed");

public sealed class NativeCpuEinsumRmsOnnxTests() : EinsumRmsOnnxTests("cpu");

public sealed class CudaEinsumRmsOnnxTests() : EinsumRmsOnnxTests("cuda");
