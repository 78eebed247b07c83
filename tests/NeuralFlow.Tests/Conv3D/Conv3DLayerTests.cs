using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The volume layers (Conv3D, Conv3DTranspose, MaxPooling3D, AveragePooling3D,
/// GlobalAveragePooling3D, GlobalMaxPooling3D) on every backend: Keras' shapes, kernel layouts and
/// config keys (derived by hand from Keras 3's conv_output_length / deconv_output_length and its
/// get_config: "kernel_size": [kd, kh, kw], ...), the layer as its NF op plus bias and
/// activation, both data formats, argument errors, Summary and the functional API, a Fit that
/// learns, and model.Save / Model.Load round trips.
/// </summary>
public abstract class Conv3DLayerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Layers_give_keras_shapes_weights_and_configs()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        using var x = NF.Random.Uniform([2, 7, 6, 5, 3]);
        var conv = new Layers.Conv3D(4, 3);
        Assert.StartsWith("conv3d", conv.Name);
        Assert.Equal(new Shape(2, 5, 4, 3, 4), conv.Call(x).Shape);
        Assert.Equal(new Shape(3, 3, 3, 3, 4), conv.Kernel!.Shape);
        Assert.Equal(new Shape(4), conv.Bias!.Shape);
        // Keras' sizes: "same" ceil(size / stride) per axis; "valid" with dilation 2 spans 3 cells.
        Assert.Equal(new Shape(2, 4, 3, 3, 4), new Layers.Conv3D(4, [3, 2, 2], [2], padding: "same").Call(x).Shape);
        Assert.Equal(new Shape(2, 5, 4, 3, 4), new Layers.Conv3D(4, 2, dilationRate: 2).Call(x).Shape);
        var grouped = new Layers.Conv3D(6, 2, groups: 3);
        grouped.Call(x);
        Assert.Equal(new Shape(2, 2, 2, 1, 6), grouped.Kernel!.Shape);
        // deconv_output_length: "valid" size * 2 + max(3 - 2, 0); "same" size * 2; kernel [k, k, k, filters, channels].
        var transposed = new Layers.Conv3DTranspose(2, 3, strides: 2);
        Assert.Equal(new Shape(2, 15, 13, 11, 2), transposed.Call(x).Shape);
        Assert.Equal(new Shape(3, 3, 3, 2, 3), transposed.Kernel!.Shape);
        Assert.Equal(new Shape(2, 14, 12, 10, 2), new Layers.Conv3DTranspose(2, 2, strides: 2, padding: "same").Call(x).Shape);
        // With output padding: (size - 1) * stride + 3 - 2 * 1 + p.
        Assert.Equal(new Shape(2, 14, 11, 10, 2), new Layers.Conv3DTranspose(2, [3], [2], "same", outputPadding: [1, 0, 1]).Call(x).Shape);

        var c = new Layers.Conv3D(8, [3, 2, 1], [1, 2, 2], padding: "Same", dilationRate: [2, 1, 1], activation: "relu", groups: 2, name: "v").GetConfig();
        Assert.Equal("v", c["name"]!.GetValue<string>());
        Assert.Equal(8, c["filters"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(new JsonArray(3, 2, 1), c["kernel_size"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray(1, 2, 2), c["strides"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray(2, 1, 1), c["dilation_rate"]));
        Assert.Equal("same", c["padding"]!.GetValue<string>());
        Assert.Equal("channels_last", c["data_format"]!.GetValue<string>());
        Assert.Equal(2, c["groups"]!.GetValue<int>());
        Assert.Equal("relu", c["activation"]!.GetValue<string>());
        Assert.Equal("glorot_uniform", c["kernel_initializer"]!.GetValue<string>());
        var t = new Layers.Conv3DTranspose(4, 3, strides: 2, outputPadding: 1).GetConfig();
        Assert.True(JsonNode.DeepEquals(new JsonArray(1, 1, 1), t["output_padding"]));
        Assert.Null(new Layers.Conv3DTranspose(4, 3).GetConfig()["output_padding"]);

        Assert.Equal(new Shape(2, 3, 3, 2, 3), new Layers.MaxPooling3D().Call(x).Shape);
        Assert.Equal(new Shape(2, 7, 6, 5, 3), new Layers.AveragePooling3D(3, strides: 1, padding: "same").Call(x).Shape);
        Assert.Equal(new Shape(2, 4, 3, 2, 3), new Layers.MaxPooling3D([2, 3, 2], [2, 2, 3], "same").Call(x).Shape);
        var p = new Layers.AveragePooling3D([3, 2, 2]).GetConfig();
        Assert.True(JsonNode.DeepEquals(new JsonArray(3, 2, 2), p["pool_size"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray(3, 2, 2), p["strides"])); // strides default to the pool size, as Keras writes them
        Assert.Equal("valid", p["padding"]!.GetValue<string>());

        Assert.Equal(new Shape(2, 3), new Layers.GlobalAveragePooling3D().Call(x).Shape);
        Assert.Equal(new Shape(2, 1, 1, 1, 3), new Layers.GlobalMaxPooling3D(keepdims: true).Call(x).Shape);
        Assert.Equal(new Shape(2, 7, 1, 1, 1), new Layers.GlobalAveragePooling3D(dataFormat: "channels_first", keepdims: true).Call(x).Shape);
    }

    [SkippableFact]
    public void A_layer_is_its_op_plus_bias_then_activation_in_either_data_format()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        using var x = NF.Random.Uniform([2, 5, 4, 6, 4], -1, 1);
        using var xc = NF.Transpose(x, [0, 4, 1, 2, 3]);
        int[] toLast = [0, 2, 3, 4, 1];
        var last = new Layers.Conv3D(6, [3, 2, 3], [2, 1, 2], "same", [1, 2, 1], activation: "tanh", biasInitializer: "ones", groups: 2);
        var y = last.Call(x);
        Assert.Equal(NF.Tanh(NF.Conv3D(x, last.Kernel!, [2, 1, 2], "same", [1, 2, 1], 2) + 1f).ToArray<float>(), y.ToArray<float>());
        var first = new Layers.Conv3D(6, [3, 2, 3], [2, 1, 2], "same", [1, 2, 1], activation: "tanh", biasInitializer: "ones", groups: 2, dataFormat: "channels_first");
        first.EnsureBuilt(xc.Shape);
        Assert.Equal(last.Kernel!.Shape, first.Kernel!.Shape); // the kernel layout does not depend on the data format
        first.Kernel!.Assign(last.Kernel!);
        AssertClose(y, NF.Transpose(first.Call(xc), toLast));

        var up = new Layers.Conv3DTranspose(3, 2, strides: 2, activation: "relu", biasInitializer: "ones");
        var upY = up.Call(x);
        Assert.Equal(NF.Relu(NF.Conv3DTranspose(x, up.Kernel!, [2]) + 1f).ToArray<float>(), upY.ToArray<float>());
        var upFirst = new Layers.Conv3DTranspose(3, 2, strides: 2, activation: "relu", biasInitializer: "ones", dataFormat: "channels_first");
        upFirst.EnsureBuilt(xc.Shape);
        upFirst.Kernel!.Assign(up.Kernel!);
        AssertClose(upY, NF.Transpose(upFirst.Call(xc), toLast));

        (Layer Last, Layer First)[] pairs =
        [
            (new Layers.MaxPooling3D(2, padding: "same"), new Layers.MaxPooling3D(2, padding: "same", dataFormat: "channels_first")),
            (new Layers.AveragePooling3D([3, 2, 3], [2, 1, 2], "same"), new Layers.AveragePooling3D([3, 2, 3], [2, 1, 2], "same", dataFormat: "channels_first")),
        ];
        foreach (var (l, f) in pairs)
            Assert.Equal(l.Call(x).ToArray<float>(), NF.Transpose(f.Call(xc), toLast).ToArray<float>());
        Assert.Equal(NF.MaxPool3D(x, [2], null, "same").ToArray<float>(), pairs[0].Last.Call(x).ToArray<float>());
        AssertClose(NF.ReduceMean(x, [1, 2, 3]), new Layers.GlobalAveragePooling3D().Call(x));
        Assert.Equal(NF.ReduceMax(x, [1, 2, 3]).ToArray<float>(), new Layers.GlobalMaxPooling3D(dataFormat: "channels_first").Call(xc).ToArray<float>());
    }

    // The two data formats sum the same products in different orders (the channels_first input is packed first).
    private static void AssertClose(Tensor want, Tensor got)
    {
        Assert.Equal(want.Shape, got.Shape);
        Reference.AssertClose(want.ToArray<float>().Select(v => (double)v).ToArray(), got.ToArray<float>().Select(v => (double)v).ToArray(), 1e-6, 1e-6, "y");
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_naming_them()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, 3, name: "vol").Call(NF.Zeros([2, 8, 8, 3])));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("vol: Conv3D needs NDHWC volumes [N, D, H, W, C]", e.Message);
        Assert.Contains("(2, 8, 8, 3)", e.Message);
        Assert.Contains("NCDHW volumes", Assert.Throws<ArgumentException>(() => new Layers.Conv3DTranspose(4, 3, dataFormat: "channels_first").Call(NF.Zeros([2, 8, 8, 3]))).Message);
        // A built layer called on another rank fails naming it too, not as the op underneath.
        var built = new Layers.Conv3D(2, 1, name: "built");
        built.Call(NF.Zeros([1, 2, 2, 2, 3]));
        Assert.Contains("built: Conv3D", Assert.Throws<ArgumentException>(() => built.Call(NF.Zeros([1, 2, 2, 3]))).Message);

        Assert.Equal("kernelSize", Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, 0)).ParamName);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, [3, 3]));
        Assert.Equal("kernelSize", e.ParamName);
        Assert.Contains("one or three positive integers (depth, height, width)", e.Message);
        Assert.Equal("strides", Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, 3, strides: -2)).ParamName);
        Assert.Equal("dilationRate", Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, [3], dilationRate: [1, 0, 1])).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, 3, padding: "causal")).ParamName);
        Assert.Equal("filters", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Conv3D(0, 3)).ParamName);
        Assert.Equal("filters", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Conv3DTranspose(-1, 3)).ParamName);
        Assert.Contains("filters (6)", Assert.Throws<ArgumentException>(() => new Layers.Conv3D(6, 3, groups: 4)).Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, 1, groups: 2, name: "g").Call(NF.Zeros([1, 2, 2, 2, 3])));
        Assert.Contains("g:", e.Message);
        Assert.Contains("3 channels", e.Message);
        Assert.Equal("dataFormat", Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, 3, dataFormat: "NCDHW")).ParamName);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv3D(4, [2, 5, 2], name: "small").Call(NF.Zeros([1, 4, 3, 4, 2])));
        Assert.Contains("spans 5 along the height", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv3DTranspose(4, 3, strides: 2, outputPadding: 2));
        Assert.Equal("outputPadding", e.ParamName);
        Assert.Contains("smaller than the strides", e.Message);
        Assert.Equal("outputPadding", Assert.Throws<ArgumentException>(() => new Layers.Conv3DTranspose(4, [3], [2], outputPadding: [1, 1])).ParamName);

        Assert.Equal("poolSize", Assert.Throws<ArgumentException>(() => new Layers.MaxPooling3D(0)).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentException>(() => new Layers.AveragePooling3D([2], [2, 2])).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => new Layers.MaxPooling3D(padding: "causal")).ParamName);
        e = Assert.Throws<ArgumentException>(() => new Layers.AveragePooling3D(name: "ap").Call(NF.Zeros([2, 4, 4, 1])));
        Assert.Contains("ap: AveragePooling3D needs NDHWC volumes", e.Message);
        Assert.Contains("spans 3 along the depth", Assert.Throws<ArgumentException>(() => new Layers.MaxPooling3D(3).Call(NF.Zeros([1, 2, 4, 4, 1]))).Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.GlobalMaxPooling3D(name: "gm").Call(NF.Zeros([2, 4, 4, 4])));
        Assert.Contains("gm: needs NDHWC volumes [N, D, H, W, C]", e.Message);
        Assert.Equal("dataFormat", Assert.Throws<ArgumentException>(() => new Layers.GlobalAveragePooling3D(dataFormat: "x")).ParamName);
    }

    [SkippableFact]
    public void A_small_volume_cnn_learns_to_spot_a_bright_cube()
    {
        RequireBackend();
        // Class 1 volumes hold a bright 2x2x2 cube somewhere in their noise; class 0 do not. A
        // Conv3D filter can find it anywhere, MaxPooling3D and GlobalMaxPooling3D report where it fired.
        const int n = 64, side = 6, cells = side * side * side;
        var rng = new Random(11);
        var xs = new float[n * cells];
        var ys = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < cells; j++) xs[i * cells + j] = (float)(rng.NextDouble() - 0.5) * 0.6f;
            ys[i] = i % 2;
            if (ys[i] == 0) continue;
            int d = rng.Next(side - 1), h = rng.Next(side - 1), w = rng.Next(side - 1);
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    for (int e = 0; e < 2; e++)
                        xs[i * cells + ((d + a) * side + h + b) * side + w + e] += 1.5f;
        }
        NF.Random.SetSeed(11);
        using var x = NF.Constant(xs, [n, side, side, side, 1]);
        using var y = NF.Constant(ys, [n]);
        var model = new Sequential(
            new Layers.Conv3D(4, 2, activation: "relu"),
            new Layers.MaxPooling3D(2, strides: 1),
            new Layers.GlobalMaxPooling3D(),
            new Layers.Dense(2, activation: "softmax"));
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 16, epochs: 40, verbose: 0);
        var losses = history["loss"];
        Assert.True(losses[^1] < 0.5 * losses[0], $"loss {losses[0]:G3} -> {losses[^1]:G3}");
        var (_, accuracy) = model.Evaluate(x, y, verbose: 0);
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy:G3}");
    }

    [SkippableFact]
    public void Volume_models_save_load_and_summarize_as_keras()
    {
        RequireBackend();
        NF.Random.SetSeed(13);
        using var x = NF.Random.Uniform([6, 5, 6, 4, 2]);
        using var xc = NF.Transpose(x, [0, 4, 1, 2, 3]).Contiguous();
        using var y = NF.Random.Uniform([6], 0, 3, DType.Int32);
        var models = new (Sequential Model, Tensor X)[]
        {
            (new Sequential(
                new Layers.Conv3D(4, 3, padding: "same", activation: "relu", groups: 2, name: "vol"),
                new Layers.MaxPooling3D(2, name: "max"),
                new Layers.Conv3DTranspose(3, [2, 3, 2], [2, 1, 2], "same", outputPadding: [1, 0, 1], kernelInitializer: "he_normal"),
                new Layers.AveragePooling3D(2, strides: 1, padding: "same"),
                new Layers.Conv3D(4, [1, 2, 2], dilationRate: [1, 2, 1]),
                new Layers.GlobalAveragePooling3D(keepdims: true),
                new Layers.Flatten(),
                new Layers.Dense(3, activation: "softmax")), x),
            (new Sequential(
                new Layers.Conv3D(4, 2, useBias: false, groups: 2, dataFormat: "channels_first"),
                new Layers.AveragePooling3D(2, dataFormat: "channels_first"),
                new Layers.Conv3DTranspose(3, 2, strides: 2, dataFormat: "channels_first"),
                new Layers.MaxPooling3D(2, strides: 1, padding: "same", dataFormat: "channels_first"),
                new Layers.GlobalMaxPooling3D(dataFormat: "channels_first"),
                new Layers.Softmax()), xc),
        };
        for (int i = 0; i < models.Length; i++)
        {
            var (model, input) = models[i];
            TrainSaveLoad.Check(model, input, y, Temp.File($"volume{i}.nfmodel"));
        }
        var text = models[0].Model.SummaryText();
        Assert.Matches(@"(?m)^│ vol \(Conv3D\)\s+│ \(None, 5, 6, 4, 4\)\s+│\s+112 │$", text); // 3 * 3 * 3 * (2 / 2) * 4 + 4
        Assert.Matches(@"(?m)^│ max \(MaxPooling3D\)\s+│ \(None, 2, 3, 2, 4\)\s+│\s+0 │$", text);
    }

    [SkippableFact]
    public void The_functional_api_infers_volume_shapes()
    {
        RequireBackend();
        var input = Layers.Input([8, 9, 7, 2], name: "clip");
        var conv = new Layers.Conv3D(5, 3, strides: 2, padding: "same", name: "conv").Call(input);
        var up = new Layers.Conv3DTranspose(3, 2, strides: 2, name: "up").Call(conv);
        var pooled = new Layers.AveragePooling3D(3, name: "pool").Call(up);
        var features = new Layers.GlobalMaxPooling3D(name: "gmp").Call(pooled);
        Assert.Equal([null, 4, 5, 4, 5], conv.Shape);
        Assert.Equal([null, 8, 10, 8, 3], up.Shape);
        Assert.Equal([null, 2, 3, 2, 3], pooled.Shape);
        Assert.Equal([null, 3], features.Shape);
        var model = new Model(input, new Layers.Dense(1, name: "out").Call(features));
        var text = model.SummaryText();
        // A chain of layers: Keras 3 prints it as a Sequential, without "Connected to".
        Assert.Equal(["conv (Conv3D)", "(None, 4, 5, 4, 5)", "275"], SummaryCells.Row(text, "conv (Conv3D)")); // 27 * 2 * 5 + 5
        Assert.Equal(["up (Conv3DTranspose)", "(None, 8, 10, 8, 3)", "123"], SummaryCells.Row(text, "up (Conv3DTranspose)")); // 8 * 3 * 5 + 3
        using var x = NF.Random.Uniform([3, 8, 9, 7, 2]);
        Assert.Equal(new Shape(3, 1), model.Predict(x).Shape);
    }
}

public sealed class ManagedConv3DLayerTests() : Conv3DLayerTests("managed");

public sealed class NativeCpuConv3DLayerTests() : Conv3DLayerTests("cpu");

public sealed class CudaConv3DLayerTests() : Conv3DLayerTests("cuda");
