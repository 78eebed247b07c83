using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// ExportOnnx of Bidirectional (every merge mode, sequences and last steps, GRU/LSTM/SimpleRNN) and
/// TimeDistributed (of Dense and of Conv2D): ONNX Runtime runs the file as Predict runs the model.
/// </summary>
public abstract class OnnxWrapperExportTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Bidirectional_layers_export_in_every_merge_mode()
    {
        RequireBackend();
        NF.Random.SetSeed(41);
        // The text classifier of the Keras guides: stacked Bidirectional LSTMs, then the other modes.
        var model = new Sequential(
            new Layers.Bidirectional(new Layers.LSTM(5, returnSequences: true)),
            new Layers.Bidirectional(new Layers.GRU(4, returnSequences: true), mergeMode: "sum"),
            new Layers.Bidirectional(new Layers.SimpleRNN(3, returnSequences: true), mergeMode: "mul"),
            new Layers.Bidirectional(new Layers.LSTM(3), mergeMode: "ave"),
            new Layers.Dense(2, activation: "softmax"));
        OnnxExportTests.Fit(model, NF.Random.Uniform([32, 6, 3]), 2);
        OnnxExportTests.AssertExportRuns(model, Temp.File("wrapper.onnx"), [6, 3]);

        var last = new Sequential(new Layers.Bidirectional(new Layers.GRU(3, resetAfter: false)));
        last.Build([5, 2]);
        OnnxExportTests.AssertExportRuns(last, Temp.File("wrapper.onnx"), [5, 2]);
    }

    [SkippableFact]
    public void TimeDistributed_exports_the_wrapped_layer_per_step()
    {
        RequireBackend();
        NF.Random.SetSeed(42);
        var model = new Sequential(
            new Layers.TimeDistributed(new Layers.Conv2D(3, 2, activation: "relu")),
            new Layers.TimeDistributed(new Layers.Flatten()),
            new Layers.TimeDistributed(new Layers.Dense(4, activation: "tanh")),
            new Layers.LSTM(3), new Layers.Dense(2, activation: "softmax"));
        OnnxExportTests.Fit(model, NF.Random.Uniform([16, 4, 5, 5, 2]), 2);
        OnnxExportTests.AssertExportRuns(model, Temp.File("wrapper.onnx"), [4, 5, 5, 2]);
    }
}

public sealed class ManagedOnnxWrapperExportTests() : OnnxWrapperExportTests("managed");
public sealed class NativeCpuOnnxWrapperExportTests() : OnnxWrapperExportTests("cpu");
public sealed class CudaOnnxWrapperExportTests() : OnnxWrapperExportTests("cuda");
