using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.OnnxConv2;

/// <summary>
/// ExportOnnx of SeparableConv2D, SeparableConv1D (a grouped depthwise Conv then a pointwise Conv)
/// and Conv1DTranspose (ConvTranspose with explicit pads and output_padding) on every backend:
/// ONNX Runtime, an independent engine, runs one exported file on random batches of two sizes
/// (the batch is symbolic) and agrees with Predict to 1e-5, element for element, over strides 1,
/// 2 and 3, "valid" and "same", dilation, depth multipliers 1 and 2, bias on (random) and off,
/// activations, and channels_last and channels_first. Lengths left unknown are refused by name.
/// </summary>
public abstract class SeparableAndTransposedConvOnnxTests(string backend) : BackendFileTest(backend)
{
    // Biases away from zero, so a bias dropped or added twice shows.
    private static Initializer RandomBias => new("uniform_bias", (s, _, _) => NF.Random.Uniform(s, -0.5, 0.5));

    [SkippableFact]
    public void SeparableConv2D_channels_last_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(81);
        var model = new Sequential(
            new Layers.SeparableConv2D(4, 3, strides: 2, padding: "same", depthMultiplier: 2, activation: "relu", biasInitializer: RandomBias),
            new Layers.SeparableConv2D(3, [2, 3], padding: "same", dilationRate: [2, 1], useBias: false),
            new Layers.SeparableConv2D(5, [3, 2], strides: [1, 2], depthMultiplier: 2, activation: "tanh", biasInitializer: RandomBias),
            new Layers.SeparableConv2D(2, 2, padding: "valid", dilationRate: 2, biasInitializer: RandomBias));
        AssertExportMatches(model, "sep2d.onnx", [13, 14, 3], [1, 5]);
    }

    [SkippableFact]
    public void SeparableConv2D_channels_first_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(82);
        var model = new Sequential(
            new Layers.SeparableConv2D(4, 3, strides: 2, padding: "same", depthMultiplier: 2, dataFormat: "channels_first", biasInitializer: RandomBias),
            new Layers.SeparableConv2D(3, 2, dilationRate: 2, useBias: false, activation: "relu", dataFormat: "channels_first"),
            // A channels_last layer after a channels_first one: the Transposes of one layer do not leak into the next.
            new Layers.SeparableConv2D(2, [1, 2], padding: "same", biasInitializer: RandomBias));
        AssertExportMatches(model, "sep2d_nchw.onnx", [3, 11, 10], [2, 3]);
    }

    [SkippableFact]
    public void SeparableConv1D_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(83);
        var model = new Sequential(
            new Layers.SeparableConv1D(5, 3, strides: 2, padding: "same", depthMultiplier: 2, activation: "relu", biasInitializer: RandomBias),
            new Layers.SeparableConv1D(4, 2, padding: "same", dilationRate: 2, useBias: false),
            new Layers.SeparableConv1D(3, 3, depthMultiplier: 2, activation: "tanh", biasInitializer: RandomBias),
            new Layers.SeparableConv1D(2, 2, strides: 3, biasInitializer: RandomBias));
        AssertExportMatches(model, "sep1d.onnx", [23, 3], [1, 6]);

        var ncl = new Sequential(
            new Layers.SeparableConv1D(4, 3, strides: 2, padding: "same", depthMultiplier: 2, dataFormat: "channels_first", biasInitializer: RandomBias),
            new Layers.SeparableConv1D(3, 2, dilationRate: 2, dataFormat: "channels_first", useBias: false));
        AssertExportMatches(ncl, "sep1d_ncl.onnx", [3, 12], [2, 4]);
    }

    [SkippableFact]
    public void Conv1DTranspose_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(84);
        // "same" windows (odd pads at the end), output padding (steps past the full length), dilation.
        var model = new Sequential(
            new Layers.Conv1DTranspose(4, 3, strides: 2, padding: "same", activation: "relu", biasInitializer: RandomBias),
            new Layers.Conv1DTranspose(3, 2, strides: 3, outputPadding: 2, biasInitializer: RandomBias),
            new Layers.Conv1DTranspose(3, 3, strides: 2, padding: "same", outputPadding: 1, useBias: false),
            new Layers.Conv1DTranspose(2, 3, padding: "same", dilationRate: 2, activation: "tanh", biasInitializer: RandomBias),
            new Layers.Conv1DTranspose(2, 4, strides: 2, biasInitializer: RandomBias));
        AssertExportMatches(model, "conv1dt.onnx", [5, 3], [1, 4]);

        var ncl = new Sequential(
            new Layers.Conv1DTranspose(3, 3, strides: 2, padding: "same", outputPadding: 1, dataFormat: "channels_first", biasInitializer: RandomBias),
            new Layers.Conv1DTranspose(2, 2, dilationRate: 2, dataFormat: "channels_first", useBias: false));
        AssertExportMatches(ncl, "conv1dt_ncl.onnx", [2, 6], [3, 2]);
    }

    [SkippableFact]
    public void DepthwiseConv1D_still_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(85);
        // It shares the depthwise weight layout with the separable layers.
        var model = new Sequential(
            new Layers.DepthwiseConv1D(3, strides: 2, padding: "same", depthMultiplier: 2, biasInitializer: RandomBias),
            new Layers.DepthwiseConv1D(2, dilationRate: 2, useBias: false, activation: "relu"));
        AssertExportMatches(model, "dw1d.onnx", [11, 3], [1, 3]);
    }

    [SkippableFact]
    public void Unknown_lengths_are_refused_naming_the_layer_and_what_it_needs()
    {
        RequireBackend();
        foreach (Layer layer in new Layer[] { new Layers.SeparableConv1D(2, 2, name: "sep"), new Layers.Conv1DTranspose(2, 2, name: "up") })
        {
            var model = new Sequential(Layers.Input([null, 3]), layer);
            model.Predict(NF.Random.Uniform([1, 6, 3]));
            var message = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Temp.File("open.onnx"))).Message;
            Assert.Contains($"{layer.Name} ({layer.GetType().Name}) needs known lengths", message);
        }
    }

    /// <summary>Builds <paramref name="model"/> on <paramref name="features"/>, exports it once and compares each batch size.</summary>
    private void AssertExportMatches(Sequential model, string file, int[] features, int[] batches)
    {
        model.Predict(NF.Random.Uniform([1, .. features]));
        string path = Temp.File(file);
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        OnnxExportTests.AssertSameAsPredict(model, session, features, batches);
    }
}

public sealed class ManagedSeparableAndTransposedConvOnnxTests() : SeparableAndTransposedConvOnnxTests("managed");
public sealed class NativeCpuSeparableAndTransposedConvOnnxTests() : SeparableAndTransposedConvOnnxTests("cpu");
public sealed class CudaSeparableAndTransposedConvOnnxTests() : SeparableAndTransposedConvOnnxTests("cuda");
