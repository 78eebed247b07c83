using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;
using NeuralFlow.Tests.Functional;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// A functional model whose outputs come from one layer called twice (a shared tower applied to
/// two inputs, both returned). tf.keras names such outputs "shared", "shared_1"; NeuralFlow named
/// both "shared", so Fit logged one "shared_loss" for the two (the second overwrote the first),
/// a loss dictionary could not address the second output, and ExportOnnx wrote two graph outputs
/// of one name (a file ONNX Runtime refuses).
/// </summary>
public abstract class RepeatedOutputNamesTests(string backend) : BackendFileTest(backend)
{
    private static (Model Model, Tensor X) SharedTower()
    {
        NF.Random.SetSeed(19);
        var a = Layers.Input([5], name: "left");
        var b = Layers.Input([5], name: "right");
        var shared = new Layers.Dense(3, activation: "tanh", name: "shared");
        // A third output from a layer that already carries the first repeat's name.
        var other = new Layers.Dense(2, name: "shared_1");
        var model = new Model([a, b], [shared.Call(a), shared.Call(b), other.Call(a)], name: "towers");
        return (model, NF.Random.Uniform([8, 5], -1, 1));
    }

    [SkippableFact]
    public void Outputs_of_one_layer_get_tf_keras_numbered_names()
    {
        RequireBackend();
        var (model, _) = SharedTower();
        Assert.Equal(["shared", "shared_1", "shared_1_1"], model.OutputNames);
    }

    [SkippableFact]
    public void Fit_logs_a_loss_per_output_and_a_dictionary_addresses_each()
    {
        RequireBackend();
        var (model, x) = SharedTower();
        model.Compile("sgd", new Dictionary<string, Losses.Loss> { ["shared"] = "mse", ["shared_1"] = "mae", ["shared_1_1"] = "mse" });
        var targets = new[] { NF.Zeros([8, 3]), NF.Ones([8, 3]), NF.Zeros([8, 2]) };
        var before = model.PredictOutputs(new[] { x, x });
        var history = model.Fit(new[] { x, x }, targets, epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        Assert.Equal(["loss", "shared_loss", "shared_1_loss", "shared_1_1_loss"], history.Keys);
        // One batch: the logged losses are those of the weights before the step.
        double mse0 = before[0].ToDoubleArray().Average(v => v * v);
        double mae1 = before[1].ToDoubleArray().Average(v => Math.Abs(v - 1));
        double mse2 = before[2].ToDoubleArray().Average(v => v * v);
        Assert.Equal(mse0, history["shared_loss"][0], 4);
        Assert.Equal(mae1, history["shared_1_loss"][0], 4);
        Assert.Equal(mse2, history["shared_1_1_loss"][0], 4);
        Assert.Equal(mse0 + mae1 + mse2, history["loss"][0], 4);
    }

    [SkippableFact]
    public void The_onnx_file_has_one_output_per_name_and_runs_as_predict()
    {
        RequireBackend();
        var (model, x) = SharedTower();
        string path = Temp.File("towers.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        Assert.Equal(model.OutputNames.Order(), session.OutputMetadata.Keys.Order());
        FunctionalOnnxTests.AssertSessionMatches(model, session, [x, NF.Random.Uniform([8, 5], -1, 1)]);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedRepeatedOutputNamesTests() : RepeatedOutputNamesTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuRepeatedOutputNamesTests() : RepeatedOutputNamesTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaRepeatedOutputNamesTests() : RepeatedOutputNamesTests("cuda");
