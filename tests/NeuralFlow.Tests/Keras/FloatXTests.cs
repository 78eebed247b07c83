using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras' float policy: <c>keras.config.set_floatx("float64")</c> (Config.FloatX) makes new layers keep
/// their weights, compute and take inputs in float64, end to end through Fit, Predict and Save/Load;
/// one layer can differ (Layer.VariableDType, Keras' dtype argument). Before, every layer made float32
/// weights and cast float64 inputs down to them. The float64 model's Predict is checked against the same
/// arithmetic written with NF ops in float64.
/// </summary>
public abstract class FloatXTests(string backend) : BackendFileTest(backend)
{
    // The setting is process-wide: every test leaves Keras' default behind, pass or fail.
    private static void InFloat64(Action test)
    {
        Config.SetFloatX("float64");
        try { test(); }
        finally { Config.FloatX = "float32"; }
    }

    [SkippableFact]
    public void A_float64_model_computes_and_trains_in_float64()
    {
        RequireBackend();
        InFloat64(() =>
        {
        Assert.Equal("float64", Config.FloatX);
        NF.Random.SetSeed(5);
        var input = Layers.Input([4]);
        Assert.Equal(DType.Float64, input.DType);
        var hidden = new Layers.Dense(8, activation: "tanh");
        var head = new Layers.Dense(3);
        var model = new Model(input, head.Call(hidden.Call(input)));
        Assert.All(model.Variables, v => Assert.Equal(DType.Float64, v.DType));
        var x = NF.Random.Normal([10, 4], dtype: DType.Float64);
        var y = NF.Random.Uniform([10], 0, 3, DType.Int32);
        model.Compile(new Optimizers.Adam(0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var history = model.Fit(x, y, batchSize: 5, epochs: 5, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0]);
        Assert.All(model.Variables, v => Assert.Equal(DType.Float64, v.DType));

        // Predict is the float64 arithmetic of its weights: tanh(x W1 + b1) W2 + b2.
        var want = NF.MatMul(NF.Tanh(NF.MatMul(x, hidden.Kernel!) + hidden.Bias!), head.Kernel!) + head.Bias!;
        var got = model.Predict(x);
        Assert.Equal(DType.Float64, got.DType);
        Reference.AssertClose(want.ToArray<double>(), got.ToArray<double>(), 1e-12, 1e-12, "float64 predict");
        // float32 data is cast up, as Keras' autocast does.
        var x32 = NF.Cast(NF.Cast(x, DType.Float32), DType.Float64);
        var want32 = NF.MatMul(NF.Tanh(NF.MatMul(x32, hidden.Kernel!) + hidden.Bias!), head.Kernel!) + head.Bias!;
        Reference.AssertClose(want32.ToArray<double>(), model.Predict(NF.Cast(x, DType.Float32)).ToArray<double>(), 1e-12, 1e-12, "float32 input");
        });
    }

    [SkippableFact]
    public void Convolutional_recurrent_and_normalization_layers_run_in_float64()
    {
        RequireBackend();
        InFloat64(() =>
        {
        NF.Random.SetSeed(6);
        var cnn = new Sequential(Layers.Input([6, 6, 1]), new Layers.Rescaling(1 / 255.0), new Layers.Conv2D(4, 3, activation: "relu"),
            new Layers.BatchNormalization(), new Layers.GroupNormalization(2), new Layers.GlobalAveragePooling2D(), new Layers.Dropout(0.2), new Layers.Dense(2));
        var rnn = new Sequential(Layers.Input([5], DType.Int32), new Layers.Embedding(10, 4, maskZero: true),
            new Layers.LSTM(3, dropout: 0.2, recurrentDropout: 0.2, returnSequences: true), new Layers.GRU(3), new Layers.LayerNormalization(), new Layers.Dense(2));
        var images = NF.Random.Uniform([8, 6, 6, 1], 0, 255, DType.Float64);
        var tokens = NF.Random.Uniform([8, 5], 0, 10, DType.Int32);
        var labels = NF.Random.Uniform([8], 0, 2, DType.Int32);
        foreach (var (model, x) in new[] { (cnn, images), (rnn, tokens) })
        {
            model.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
            model.Fit(x, labels, batchSize: 4, epochs: 2, verbose: 0);
            Assert.All(model.Variables, v => Assert.Equal(DType.Float64, v.DType));
            Assert.Equal(DType.Float64, model.Predict(x).DType);
        }
        });
    }

    [SkippableFact]
    public void One_layer_can_keep_float64_weights_in_a_float32_model_and_both_save()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var wide = new Layers.Dense(4) { VariableDType = DType.Float64 };
        var model = new Sequential(Layers.Input([3]), wide, new Layers.Dense(2));
        Assert.Equal(DType.Float64, wide.Kernel!.DType);
        Assert.Equal(DType.Float32, model.Layers[^1].Variables[0].DType);
        var x = NF.Random.Normal([5, 3]);
        Assert.Equal(DType.Float64, wide.Call(x).DType);
        Assert.Equal(DType.Float32, model.Predict(x).DType);
        Assert.Equal("float64", wide.GetConfig()["dtype"]!.GetValue<string>());
        Assert.Null(model.Layers[^1].GetConfig()["dtype"]);

        string path = Temp.File("mixed.nfmodel");
        model.Save(path);
        var loaded = (Sequential)Model.Load(path);
        Assert.Equal(DType.Float64, loaded.Layers[0].Variables[0].DType);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());

        // Keras 3 writes a DTypePolicy object; its name is read.
        var config = new JsonObject { ["name"] = "d", ["units"] = 2, ["dtype"] = JsonNode.Parse("""{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float64"}}""") };
        var fromKeras = KerasSerialization.Deserialize(new JsonObject { ["class_name"] = "Dense", ["config"] = config }, "keras.json");
        fromKeras.EnsureBuilt(new Shape(1, 3));
        Assert.Equal(DType.Float64, fromKeras.Variables[0].DType);
    }

    [SkippableFact]
    public void Bad_settings_are_refused()
    {
        RequireBackend();
        Assert.Throws<ArgumentException>(() => Config.SetFloatX("float16"));
        Assert.Equal("float32", Config.FloatX);
        var dense = new Layers.Dense(2);
        Assert.Throws<ArgumentException>(() => dense.VariableDType = DType.Int32);
        dense.Call(NF.Zeros([1, 3]));
        var e = Assert.Throws<InvalidOperationException>(() => dense.VariableDType = DType.Float64);
        Assert.Contains("before the layer builds", e.Message);
    }
}

public sealed class ManagedFloatXTests() : FloatXTests("managed");

public sealed class NativeCpuFloatXTests() : FloatXTests("cpu");

public sealed class CudaFloatXTests() : FloatXTests("cuda");
