using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The sequence layers (Conv1D, MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D,
/// GlobalMaxPooling1D) on every backend: Keras' shapes, kernel layout and config keys (from the
/// Keras 3 docs: "kernel_size": [k], "strides": [s], the output lengths of its conv_output_length),
/// the layer as its NF op plus bias and activation, both data formats, argument errors, Summary
/// and the functional API, a Fit that learns, and model.Save / Model.Load round trips.
/// </summary>
public abstract class Conv1DLayerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Layers_give_keras_shapes_weights_and_configs()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        using var x = NF.Random.Uniform([2, 10, 6]);
        var conv = new Layers.Conv1D(4, 3);
        Assert.StartsWith("conv1d", conv.Name);
        Assert.Equal(new Shape(2, 8, 4), conv.Call(x).Shape);
        Assert.Equal(new Shape(3, 6, 4), conv.Kernel!.Shape);
        Assert.Equal(new Shape(4), conv.Bias!.Shape);
        // Keras' lengths: "same" ceil(10 / 2); "causal" keeps 10; "valid" with dilation 2 spans 5 steps.
        Assert.Equal(new Shape(2, 5, 4), new Layers.Conv1D(4, 3, strides: 2, padding: "same").Call(x).Shape);
        Assert.Equal(new Shape(2, 10, 4), new Layers.Conv1D(4, 3, padding: "causal", dilationRate: 2).Call(x).Shape);
        Assert.Equal(new Shape(2, 6, 4), new Layers.Conv1D(4, 3, dilationRate: 2).Call(x).Shape);
        var grouped = new Layers.Conv1D(4, 3, groups: 2);
        grouped.Call(x);
        Assert.Equal(new Shape(3, 3, 4), grouped.Kernel!.Shape);

        var c = new Layers.Conv1D(8, 5, strides: 2, padding: "Causal", dilationRate: 1, activation: "relu", groups: 2, name: "tcn").GetConfig();
        Assert.Equal("tcn", c["name"]!.GetValue<string>());
        Assert.Equal(8, c["filters"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(new JsonArray(5), c["kernel_size"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray(2), c["strides"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray(1), c["dilation_rate"]));
        Assert.Equal("causal", c["padding"]!.GetValue<string>());
        Assert.Equal("channels_last", c["data_format"]!.GetValue<string>());
        Assert.Equal(2, c["groups"]!.GetValue<int>());
        Assert.Equal("relu", c["activation"]!.GetValue<string>());
        Assert.Equal("glorot_uniform", c["kernel_initializer"]!.GetValue<string>());

        Assert.Equal(new Shape(2, 5, 6), new Layers.MaxPooling1D().Call(x).Shape);
        Assert.Equal(new Shape(2, 10, 6), new Layers.AveragePooling1D(3, strides: 1, padding: "same").Call(x).Shape);
        Assert.Equal(new Shape(2, 3, 6), new Layers.MaxPooling1D(3, strides: 3).Call(x).Shape);
        var p = new Layers.AveragePooling1D(3).GetConfig();
        Assert.True(JsonNode.DeepEquals(new JsonArray(3), p["pool_size"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray(3), p["strides"])); // strides default to the pool size, as Keras writes them
        Assert.Equal("valid", p["padding"]!.GetValue<string>());

        Assert.Equal(new Shape(2, 6), new Layers.GlobalAveragePooling1D().Call(x).Shape);
        Assert.Equal(new Shape(2, 1, 6), new Layers.GlobalMaxPooling1D(keepdims: true).Call(x).Shape);
        Assert.Equal(new Shape(2, 10, 1), new Layers.GlobalAveragePooling1D(dataFormat: "channels_first", keepdims: true).Call(x).Shape);
        Assert.True(new Layers.GlobalMaxPooling1D(keepdims: true).GetConfig()["keepdims"]!.GetValue<bool>());
    }

    [SkippableFact]
    public void A_layer_is_its_op_plus_bias_then_activation_in_either_data_format()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        using var x = NF.Random.Uniform([2, 9, 4], -1, 1);
        using var xc = NF.Transpose(x, [0, 2, 1]);
        var last = new Layers.Conv1D(6, 3, padding: "causal", dilationRate: 2, activation: "tanh", biasInitializer: "ones", groups: 2);
        var y = last.Call(x);
        Assert.Equal(NF.Tanh(NF.Conv1D(x, last.Kernel!, 1, "causal", 2, 2) + 1f).ToArray<float>(), y.ToArray<float>());
        var first = new Layers.Conv1D(6, 3, padding: "causal", dilationRate: 2, activation: "tanh", biasInitializer: "ones", groups: 2, dataFormat: "channels_first");
        first.EnsureBuilt(xc.Shape);
        Assert.Equal(last.Kernel!.Shape, first.Kernel!.Shape); // the kernel layout does not depend on the data format
        first.Kernel!.Assign(last.Kernel);
        Assert.Equal(NF.Transpose(y, [0, 2, 1]).ToArray<float>(), first.Call(xc).ToArray<float>());

        (Layer Last, Layer First)[] pairs =
        [
            (new Layers.MaxPooling1D(2, padding: "same"), new Layers.MaxPooling1D(2, padding: "same", dataFormat: "channels_first")),
            (new Layers.AveragePooling1D(3, strides: 2, padding: "same"), new Layers.AveragePooling1D(3, strides: 2, padding: "same", dataFormat: "channels_first")),
        ];
        foreach (var (l, f) in pairs)
            Assert.Equal(NF.Transpose(l.Call(x), [0, 2, 1]).ToArray<float>(), f.Call(xc).ToArray<float>());
        Assert.Equal(NF.MaxPool1D(x, 2, null, "same").ToArray<float>(), pairs[0].Last.Call(x).ToArray<float>());
        Assert.Equal(NF.ReduceMean(x, [1]).ToArray<float>(), new Layers.GlobalAveragePooling1D().Call(x).ToArray<float>());
        Assert.Equal(NF.ReduceMax(x, [1]).ToArray<float>(), new Layers.GlobalMaxPooling1D(dataFormat: "channels_first").Call(xc).ToArray<float>());
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_naming_them()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 3, name: "seq").Call(NF.Zeros([2, 8, 8, 3])));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("seq: Conv1D needs sequences [batch, steps, channels]", e.Message);
        Assert.Contains("(2, 8, 8, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 3, dataFormat: "channels_first").Call(NF.Zeros([2, 8])));
        Assert.Contains("[batch, channels, steps]", e.Message);
        // A built layer called on another rank fails naming it too, not as the 2-D op underneath.
        var built = new Layers.Conv1D(2, 1, name: "built");
        built.Call(NF.Zeros([1, 4, 3]));
        Assert.Contains("built: Conv1D", Assert.Throws<ArgumentException>(() => built.Call(NF.Zeros([1, 4, 3, 1]))).Message);

        Assert.Equal("kernelSize", Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 0)).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 3, strides: 0)).ParamName);
        Assert.Equal("dilationRate", Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 3, dilationRate: -1)).ParamName);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 3, padding: "full"));
        Assert.Equal("padding", e.ParamName);
        Assert.Contains("\"causal\"", e.Message);
        Assert.Equal("filters", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Conv1D(0, 3)).ParamName);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv1D(6, 3, groups: 4));
        Assert.Contains("filters (6)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 3, groups: 2, name: "g").Call(NF.Zeros([1, 5, 3])));
        Assert.Contains("g:", e.Message);
        Assert.Contains("3 channels", e.Message);
        Assert.Equal("dataFormat", Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 3, dataFormat: "NCW")).ParamName);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, 5, name: "short").Call(NF.Zeros([1, 3, 2])));
        Assert.Contains("spans 5 steps", e.Message);

        Assert.Equal("poolSize", Assert.Throws<ArgumentException>(() => new Layers.MaxPooling1D(0)).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentException>(() => new Layers.AveragePooling1D(2, strides: 0)).ParamName);
        // Only Conv1D pads causally (Keras' pooling layers take "valid" or "same").
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => new Layers.MaxPooling1D(padding: "causal")).ParamName);
        e = Assert.Throws<ArgumentException>(() => new Layers.AveragePooling1D(name: "ap").Call(NF.Zeros([2, 4, 4, 1])));
        Assert.Contains("ap: AveragePooling1D needs sequences", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.GlobalMaxPooling1D(name: "gm").Call(NF.Zeros([2, 4])));
        Assert.Contains("gm: needs sequences [batch, steps, channels]", e.Message);
        Assert.Equal("dataFormat", Assert.Throws<ArgumentException>(() => new Layers.GlobalAveragePooling1D(dataFormat: "x")).ParamName);
    }

    [SkippableFact]
    public void A_small_sequence_cnn_learns_to_spot_a_motif()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        // Class 1 sequences hold the motif (+2, -2) somewhere in their noise; class 0 do not. One
        // Conv1D filter pair can find it anywhere and GlobalMaxPooling1D reports where it fired.
        const int n = 96, steps = 16;
        var rng = new Random(11);
        var xs = new float[n * steps];
        var ys = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < steps; t++) xs[i * steps + t] = (float)(rng.NextDouble() - 0.5) * 0.6f;
            ys[i] = i % 2;
            if (ys[i] == 1)
            {
                int at = rng.Next(steps - 1);
                xs[i * steps + at] += 2;
                xs[i * steps + at + 1] -= 2;
            }
        }
        using var x = NF.Constant(xs, [n, steps, 1]);
        using var y = NF.Constant(ys, [n]);
        var model = new Sequential(
            new Layers.Conv1D(4, 2, activation: "relu"),
            new Layers.GlobalMaxPooling1D(),
            new Layers.Dense(2, activation: "softmax"));
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 16, epochs: 40, verbose: 0);
        var losses = history["loss"];
        Assert.True(losses[^1] < 0.5 * losses[0], $"loss {losses[0]:G3} -> {losses[^1]:G3}");
        var (_, accuracy) = model.Evaluate(x, y, verbose: 0);
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy:G3}");
    }

    [SkippableFact]
    public void Sequence_models_save_load_and_summarize_as_keras()
    {
        RequireBackend();
        NF.Random.SetSeed(13);
        using var x = NF.Random.Uniform([6, 12, 4]);
        using var xc = NF.Transpose(x, [0, 2, 1]).Contiguous();
        using var y = NF.Random.Uniform([6], 0, 3, DType.Int32);
        var models = new (Sequential Model, Tensor X)[]
        {
            (new Sequential(
                new Layers.Conv1D(6, 3, padding: "causal", dilationRate: 2, activation: "relu", groups: 2, name: "tcn"),
                new Layers.MaxPooling1D(2, name: "max"),
                new Layers.Conv1D(4, 2, strides: 2, padding: "same", kernelInitializer: "he_normal"),
                new Layers.AveragePooling1D(2, strides: 1, padding: "same"),
                new Layers.GlobalAveragePooling1D(keepdims: true),
                new Layers.Flatten(),
                new Layers.Dense(3, activation: "softmax")), x),
            (new Sequential(
                new Layers.Conv1D(4, 2, useBias: false, groups: 4, dataFormat: "channels_first"),
                new Layers.AveragePooling1D(3, dataFormat: "channels_first"),
                new Layers.MaxPooling1D(2, strides: 1, padding: "same", dataFormat: "channels_first"),
                new Layers.GlobalMaxPooling1D(dataFormat: "channels_first"),
                new Layers.Softmax()), xc),
        };
        for (int i = 0; i < models.Length; i++)
        {
            var (model, input) = models[i];
            TrainSaveLoad.Check(model, input, y, Temp.File($"sequence{i}.nfmodel"));
        }
        var text = models[0].Model.SummaryText();
        Assert.Matches(@"(?m)^│ tcn \(Conv1D\)\s+│ \(None, 12, 6\)\s+│\s+42 │$", text); // 3 * (4 / 2) * 6 + 6
        Assert.Matches(@"(?m)^│ max \(MaxPooling1D\)\s+│ \(None, 6, 6\)\s+│\s+0 │$", text);
    }

    [SkippableFact]
    public void The_functional_api_infers_sequence_shapes()
    {
        RequireBackend();
        var input = Layers.Input([20, 3], name: "series");
        var conv = new Layers.Conv1D(8, 4, padding: "causal", name: "causal").Call(input);
        var pooled = new Layers.MaxPooling1D(3, name: "pool").Call(conv);
        var features = new Layers.GlobalAveragePooling1D(name: "gap").Call(pooled);
        Assert.Equal([null, 20, 8], conv.Shape);
        Assert.Equal([null, 6, 8], pooled.Shape);
        Assert.Equal([null, 8], features.Shape);
        var model = new Model(input, new Layers.Dense(1, name: "out").Call(features));
        var text = model.SummaryText();
        Assert.Equal(["causal (Conv1D)", "(None, 20, 8)", "104"], SummaryCells.Row(text, "causal (Conv1D)"));
        Assert.Equal(["gap (GlobalAveragePooling1D)", "(None, 8)", "0"], SummaryCells.Row(text, "gap (GlobalAveragePooling1D)"));
        using var x = NF.Random.Uniform([5, 20, 3]);
        Assert.Equal(new Shape(5, 1), model.Predict(x).Shape);
    }
}

public sealed class ManagedConv1DLayerTests() : Conv1DLayerTests("managed");

public sealed class NativeCpuConv1DLayerTests() : Conv1DLayerTests("cpu");

public sealed class CudaConv1DLayerTests() : Conv1DLayerTests("cuda");
