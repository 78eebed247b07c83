using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasSmall;

/// <summary>
/// ONNX export of the layers and activations added last, each checked in ONNX Runtime against
/// Predict (OnnxExportTests.AssertExportRuns): DepthwiseConv1D as a grouped Conv, the adaptive
/// poolings as Slices + ReduceMean/ReduceMax + Concat, and the Keras 3 activations as Elu, Shrink,
/// Clip or short formulas. Before, each of these refused to export ("has no ONNX form here").
/// </summary>
public abstract class OnnxNewestLayersExportTests(string backend) : BackendFileTest(backend)
{
    private void Runs(string file, int[] features, params Layer[] layers)
    {
        var model = new Sequential(layers);
        model.Call(NF.Random.Uniform([2, .. features]));
        OnnxExportTests.AssertExportRuns(model, Temp.File(file), features);
    }

    [SkippableFact]
    public void The_keras_3_activations_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(17);
        string[] names = ["celu", "hard_shrink", "soft_shrink", "hard_tanh", "tanh_shrink", "log_sigmoid", "squareplus", "sparse_sigmoid", "sparse_plus", "log_softmax"];
        // Each name as a Dense activation and as an Activation layer, with a widening Dense between so values span ±3.
        var layers = names.SelectMany(n => new Layer[] { new Layers.Dense(6, activation: n), new Layers.Activation(n), new Layers.Dense(6) }).ToArray();
        Runs("activations.onnx", [5], layers);
        // glu halves the feature axis, which this exporter's activation hook does not track: refused by name.
        var glu = new Sequential(new Layers.Dense(4), new Layers.Activation("glu", name: "gated"));
        glu.Call(NF.Random.Uniform([2, 3]));
        var e = Assert.Throws<NotSupportedException>(() => glu.ExportOnnx(Temp.File("glu.onnx")));
        Assert.Contains("glu", e.Message);
    }

    [SkippableFact]
    public void DepthwiseConv1D_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(18);
        Runs("dw_same.onnx", [9, 3], new Layers.DepthwiseConv1D(3, strides: 2, padding: "same", depthMultiplier: 2, activation: "relu"), new Layers.Flatten());
        Runs("dw_valid.onnx", [10, 2], new Layers.DepthwiseConv1D(2, dilationRate: 2), new Layers.Conv1D(3, 1));
    }

    [SkippableFact]
    public void Adaptive_poolings_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(19);
        // Lengths the output sizes do not divide: overlapping windows of two sizes.
        Runs("adaptive1d.onnx", [7, 3], new Layers.AdaptiveAveragePooling1D(3), new Layers.AdaptiveMaxPooling1D(2));
        Runs("adaptive2d.onnx", [5, 7, 2], new Layers.AdaptiveMaxPooling2D([2, 3]), new Layers.AdaptiveAveragePooling2D([1, 2]));
        Runs("adaptive2d_first.onnx", [2, 5, 7], new Layers.AdaptiveAveragePooling2D([3, 4], "channels_first"), new Layers.Flatten());
        Runs("adaptive3d.onnx", [4, 5, 3, 2], new Layers.AdaptiveAveragePooling3D([3, 2, 2]), new Layers.AdaptiveMaxPooling3D(1));
    }
}

public sealed class ManagedOnnxNewestLayersExportTests() : OnnxNewestLayersExportTests("managed");

public sealed class NativeCpuOnnxNewestLayersExportTests() : OnnxNewestLayersExportTests("cpu");

public sealed class CudaOnnxNewestLayersExportTests() : OnnxNewestLayersExportTests("cuda");
