using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// model.ExportOnnx (issue 14) on every backend: ONNX Runtime, an independent engine, runs the
/// exported file on random batches of two sizes and agrees with model.Predict to 1e-5.
/// </summary>
public abstract class OnnxExportTests(string backend) : BackendFileTest(backend)
{
    private const double Tolerance = 1e-5;

    [SkippableFact]
    public void A_trained_classifier_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Random.Uniform([96, 4, 3]);
        var y = NF.Random.Uniform([96], 0, 4, DType.Int32);
        var model = new Sequential(
            new Layers.Flatten(), new Layers.Dense(24, activation: "relu"), new Layers.Dropout(0.25),
            new Layers.Dense(4), new Layers.Softmax());
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0);

        string path = Temp.File("classifier.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        var input = session.InputMetadata["input"];
        Assert.Equal(["batch", "", ""], input.SymbolicDimensions);
        Assert.Equal([-1, 4, 3], input.Dimensions);
        Assert.Equal(["output"], session.OutputMetadata.Keys);
        AssertSameAsPredict(model, session, [4, 3], batches: [1, 37]);
    }

    [SkippableFact]
    public void Every_activation_on_features_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var model = new Sequential(
            new Layers.Dense(8, activation: "sigmoid"), new Layers.ReLU(), new Layers.Dense(6, activation: "tanh"),
            new Layers.Activation("exponential"), new Layers.Dense(5, activation: "linear", useBias: false),
            new Layers.Activation("linear"), new Layers.Dense(3, activation: "softmax"));
        Fit(model, NF.Random.Uniform([64, 5]), 3);

        string path = Temp.File("features.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        AssertSameAsPredict(model, session, [5], batches: [3, 64]);
    }

    // float32 only: ONNX Runtime's CPU provider has no float64 kernels for Elu, Selu, Softplus and
    // the like ("Could not find an implementation for Elu(6)"), so a float64 graph of these names
    // exports but does not run there.
    [SkippableTheory]
    [InlineData(DType.Float32)]
    public void Keras_activations_of_issue_16_run_in_onnx_runtime_as_in_predict(DType dtype)
    {
        RequireBackend();
        NF.Random.SetSeed(16);
        var init = new Initializer("uniform_pm1", (s, _, _) => NF.Cast(NF.Random.Uniform(s, -1, 1), dtype));
        Layer D(int units, string activation) => new Layers.Dense(units, activation: activation, kernelInitializer: init, biasInitializer: init);
        // Every name once, as a Dense activation and as an Activation layer; 3x widening keeps values in the interesting range.
        string[] names = ["relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "softplus", "softsign", "hard_sigmoid", "hard_swish", "mish"];
        var layers = new List<Layer>();
        foreach (var n in names) { layers.Add(D(6, n)); layers.Add(new Layers.Activation(n)); }
        layers.AddRange([D(6, "linear"), new Layers.LeakyReLU(0.25), D(6, "linear"), new Layers.ELU(0.7), D(6, "linear"), new Layers.ReLU(maxValue: 0.8)]);
        var model = new Sequential(layers);
        model.Call(NF.Cast(NF.Random.Uniform([2, 5]), dtype));

        string path = Temp.File($"activations16_{dtype}.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        foreach (int n in new[] { 3, 41 })
        {
            var x = NF.Cast(NF.Random.Uniform([n, 5], -3, 3), dtype);
            var want = model.Predict(x);
            using var value = dtype == DType.Float64
                ? OrtValue.CreateTensorValueFromMemory(x.ToArray<double>(), [n, 5])
                : OrtValue.CreateTensorValueFromMemory(x.ToArray<float>(), [n, 5]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input"], [value], ["output"]);
            var got = dtype == DType.Float64
                ? outputs[0].GetTensorDataAsSpan<double>().ToArray()
                : outputs[0].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray();
            AssertClose(NF.Cast(want, DType.Float64).ToArray<double>(), got);
        }
    }

    [SkippableFact]
    public void A_relu_with_slope_and_threshold_is_refused_by_name()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Dense(3), new Layers.ReLU(negativeSlope: 0.1, threshold: 0.5, name: "odd_relu"));
        model.Call(NF.Random.Uniform([2, 4]));
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Temp.File("odd.onnx")));
        Assert.Contains("odd_relu", e.Message);
    }

    [SkippableFact]
    public void Dense_on_a_3d_input_uses_matmul_over_the_leading_axes()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var model = new Sequential(
            new Layers.Dense(5, activation: "relu"), new Layers.Flatten(), new Layers.Dense(2), new Layers.Softmax(axis: 1));
        Fit(model, NF.Random.Uniform([40, 4, 3]), 2);

        string path = Temp.File("matmul.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        AssertSameAsPredict(model, session, [4, 3], batches: [2, 33]);
    }

    [SkippableFact]
    public void A_float64_model_exports_as_double()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var init = new Initializer("uniform64", (s, _, _) => NF.Cast(NF.Random.Uniform(s) - 0.5f, DType.Float64));
        var model = new Sequential(
            new Layers.Dense(6, activation: "tanh", kernelInitializer: init, biasInitializer: init),
            new Layers.Dense(3, activation: "softmax", kernelInitializer: init, biasInitializer: init));
        model.Call(NF.Cast(NF.Random.Uniform([2, 4]), DType.Float64));

        string path = Temp.File("double.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        Assert.Equal(typeof(double), session.InputMetadata["input"].ElementType);
        foreach (int n in new[] { 5, 19 })
        {
            var x = NF.Cast(NF.Random.Uniform([n, 4], -2, 2), DType.Float64);
            var want = model.Predict(x).ToArray<double>();
            using var value = OrtValue.CreateTensorValueFromMemory(x.ToArray<double>(), [n, 4]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input"], [value], ["output"]);
            AssertClose(want, outputs[0].GetTensorDataAsSpan<double>().ToArray());
        }
    }

    [SkippableFact]
    public void Cnns_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(15);
        // Conv2D and the pools go through NHWC <-> NCHW Transposes; the TensorFlow "same" pads
        // (odd one at the bottom/right) become explicit ONNX pads.
        var model = new Sequential(
            new Layers.Conv2D(4, 3, strides: 2, padding: "same", activation: "relu"),
            new Layers.MaxPooling2D(3, strides: 2, padding: "same"),
            new Layers.AveragePooling2D([2, 1], padding: "same"),
            new Layers.Conv2D(3, [2, 2], dilationRate: [1, 2], padding: "same"),
            new Layers.Reshape([-1, 3]),
            new Layers.Flatten(),
            new Layers.Dense(4, activation: "softmax"));
        Fit(model, NF.Random.Uniform([32, 11, 10, 2]), 4);
        ExportAndCompare(model, "cnn.onnx", [11, 10, 2], [1, 5]);

        var pooled = new Sequential(
            new Layers.Conv2D(5, 2, activation: "tanh"), new Layers.GlobalMaxPooling2D(), new Layers.Reshape([5, 1]),
            new Layers.Dense(2), new Layers.Flatten(), new Layers.Dense(3, activation: "softmax"));
        Fit(pooled, NF.Random.Uniform([32, 6, 7, 3]), 3);
        ExportAndCompare(pooled, "pooled.onnx", [6, 7, 3], [3]);

        var averaged = new Sequential(new Layers.Conv2D(3, 1, useBias: false), new Layers.GlobalAveragePooling2D());
        Fit(averaged, NF.Random.Uniform([32, 4, 5, 2]), 3);
        ExportAndCompare(averaged, "averaged.onnx", [4, 5, 2], [2]);
    }

    [SkippableFact]
    public void Sequence_cnns_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(35);
        // 1-D Conv and pools on [N, C, steps] between Transposes; "causal" and TensorFlow's
        // "same" (the odd pad at the end) as explicit [begin, end] pads.
        var model = new Sequential(
            new Layers.Conv1D(6, 3, padding: "causal", dilationRate: 2, activation: "relu", groups: 2),
            new Layers.MaxPooling1D(2, padding: "same"),
            new Layers.Conv1D(4, 4, strides: 2, padding: "same", activation: "tanh"),
            new Layers.AveragePooling1D(3, strides: 1, padding: "same"),
            new Layers.Conv1D(3, 2, dilationRate: 2),
            new Layers.Flatten(),
            new Layers.Dense(3, activation: "softmax"));
        Fit(model, NF.Random.Uniform([32, 15, 2]), 3);
        ExportAndCompare(model, "sequence.onnx", [15, 2], [1, 5]);

        // channels_first layers are [N, C, steps] on both sides; the global pools with and without keepdims.
        var first = new Sequential(
            new Layers.Conv1D(4, 3, padding: "causal", dataFormat: "channels_first", biasInitializer: "ones"),
            new Layers.AveragePooling1D(2, padding: "same", dataFormat: "channels_first"),
            new Layers.GlobalMaxPooling1D(dataFormat: "channels_first", keepdims: true),
            new Layers.Flatten(),
            new Layers.Dense(2));
        Fit(first, NF.Random.Uniform([32, 3, 9]), 2);
        ExportAndCompare(first, "sequence_ncl.onnx", [3, 9], [2]);

        var averaged = new Sequential(new Layers.Conv1D(3, 2, useBias: false), new Layers.GlobalAveragePooling1D());
        Fit(averaged, NF.Random.Uniform([32, 7, 2]), 3);
        ExportAndCompare(averaged, "sequence_gap.onnx", [7, 2], [3]);
    }

    [SkippableFact]
    public void Volume_cnns_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(45);
        // Conv, ConvTranspose and the pools on NCDHW between Transposes; TensorFlow's "same" (the
        // odd pad at the back/bottom/right) and the transposed placement as explicit pads, an
        // output padding as ONNX's output_padding.
        var model = new Sequential(
            new Layers.Conv3D(4, [3, 2, 3], [2, 1, 2], "same", [1, 2, 1], activation: "relu", groups: 2),
            new Layers.MaxPooling3D([2, 3, 2], [1, 2, 1], "same"),
            new Layers.Conv3DTranspose(3, 3, strides: 2, padding: "same", outputPadding: 1, activation: "tanh"),
            new Layers.AveragePooling3D(3, strides: 2, padding: "same"),
            new Layers.Conv3DTranspose(2, [2, 3, 2], [1, 3, 2], outputPadding: [0, 2, 1], dilationRate: [2, 1, 1]), // cells past the full length
            new Layers.Flatten(),
            new Layers.Dense(3, activation: "softmax"));
        Fit(model, NF.Random.Uniform([32, 5, 7, 6, 2]), 3);
        ExportAndCompare(model, "volume.onnx", [5, 7, 6, 2], [1, 5]);

        // channels_first layers are NCDHW on both sides; the global pools with and without keepdims.
        var first = new Sequential(
            new Layers.Conv3D(4, 2, padding: "same", dataFormat: "channels_first", biasInitializer: "ones"),
            new Layers.AveragePooling3D(2, padding: "same", dataFormat: "channels_first"),
            new Layers.Conv3DTranspose(3, 2, strides: 2, dataFormat: "channels_first"),
            new Layers.GlobalMaxPooling3D(dataFormat: "channels_first", keepdims: true),
            new Layers.Flatten(),
            new Layers.Dense(2));
        Fit(first, NF.Random.Uniform([32, 3, 5, 4, 5]), 2);
        ExportAndCompare(first, "volume_ncdhw.onnx", [3, 5, 4, 5], [2]);

        var averaged = new Sequential(new Layers.Conv3D(3, 2, useBias: false), new Layers.MaxPooling3D(2), new Layers.GlobalAveragePooling3D());
        Fit(averaged, NF.Random.Uniform([32, 5, 5, 5, 2]), 3);
        ExportAndCompare(averaged, "volume_gap.onnx", [5, 5, 5, 2], [3]);
    }

    [SkippableFact]
    public void Conv_variants_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(25);
        // Conv with a group attribute (grouped, depthwise), ConvTranspose with explicit pads and
        // output_padding, "same" windows whose odd pad is at the bottom/right.
        var model = new Sequential(
            new Layers.Conv2D(6, 3, strides: 2, padding: "same", activation: "relu", groups: 3),
            new Layers.DepthwiseConv2D([2, 3], padding: "same", depthMultiplier: 2, dilationRate: [2, 1]),
            new Layers.Conv2DTranspose(4, 3, strides: 2, padding: "same", activation: "tanh"),
            new Layers.Conv2DTranspose(3, [2, 3], strides: [2, 3], outputPadding: [1, 2]),
            new Layers.Conv2DTranspose(2, [3, 3], strides: [2, 2], padding: "same", outputPadding: [1, 0], dilationRate: [1, 1]),
            new Layers.Conv2DTranspose(2, [2, 3], padding: "same", dilationRate: [2, 2], useBias: false),
            new Layers.GlobalAveragePooling2D(),
            new Layers.Dense(3, activation: "softmax"));
        Fit(model, NF.Random.Uniform([32, 7, 6, 3]), 3);
        ExportAndCompare(model, "variants.onnx", [7, 6, 3], [1, 4]);

        // channels_first layers are NCHW on both sides: no Transposes, Flatten sees NCHW order.
        var nchw = new Sequential(
            new Layers.Conv2D(4, 3, padding: "same", groups: 2, dataFormat: "channels_first", activation: "relu"),
            new Layers.MaxPooling2D(3, strides: 2, padding: "same", dataFormat: "channels_first"),
            new Layers.DepthwiseConv2D(2, dataFormat: "channels_first"),
            new Layers.Conv2DTranspose(3, 3, strides: 2, padding: "same", outputPadding: 1, dataFormat: "channels_first"),
            new Layers.AveragePooling2D([2, 1], padding: "same", dataFormat: "channels_first"),
            new Layers.Flatten(),
            new Layers.Dense(3, activation: "softmax"));
        Fit(nchw, NF.Random.Uniform([32, 2, 9, 8]), 3);
        ExportAndCompare(nchw, "nchw.onnx", [2, 9, 8], [3]);

        // The transposed convolutions' raw outputs, pixel for pixel (pads and output_padding).
        var raw = new Sequential(
            new Layers.Conv2DTranspose(3, [2, 3], strides: [2, 3], outputPadding: [1, 2], biasInitializer: "ones"),
            new Layers.Conv2DTranspose(2, 3, strides: 2, padding: "same", outputPadding: 1, biasInitializer: "ones"),
            new Layers.Conv2DTranspose(2, [4, 3], strides: [2, 1], padding: "same", dilationRate: [1, 2]));
        raw.Predict(NF.Random.Uniform([1, 3, 4, 2]));
        ExportAndCompare(raw, "raw.onnx", [3, 4, 2], [2]);

        var pooled = new Sequential(
            new Layers.Conv2D(3, 2, dataFormat: "channels_first"),
            new Layers.GlobalMaxPooling2D(dataFormat: "channels_first"));
        Fit(pooled, NF.Random.Uniform([32, 3, 5, 4]), 3);
        ExportAndCompare(pooled, "pooled_nchw.onnx", [3, 5, 4], [2]);
    }

    /// <summary>Exports <paramref name="model"/> to <paramref name="file"/> and checks ONNX Runtime against Predict.</summary>
    private void ExportAndCompare(Sequential model, string file, int[] features, int[] batches)
    {
        string path = Temp.File(file);
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        AssertSameAsPredict(model, session, features, batches);
    }

    [SkippableFact]
    public void Normalization_layers_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(17);
        // BatchNormalization exports its inference form (Mul and Add by per-feature constants
        // shaped to broadcast along its axis, NHWC or not); LayerNormalization is opset 17's op.
        var model = new Sequential(
            new Layers.Conv2D(4, 3, padding: "same", useBias: false),
            new Layers.BatchNormalization(momentum: 0.5),
            new Layers.ReLU(),
            new Layers.BatchNormalization(axis: 1, center: false),
            new Layers.LayerNormalization([2, 3], epsilon: 1e-5),
            new Layers.Reshape([-1, 4]),
            new Layers.LayerNormalization(scale: false),
            new Layers.Flatten(),
            new Layers.Dense(3, activation: "softmax"));
        // Fit moves the statistics away from 0 and 1, so the export is checked with real values.
        Fit(model, NF.Random.Uniform([32, 5, 6, 2]), 3);
        string path = Temp.File("norm.onnx");
        model.ExportOnnx(path);
        using (var session = new InferenceSession(path))
            AssertSameAsPredict(model, session, [5, 6, 2], batches: [1, 6]);

        var middle = new Sequential(new Layers.Dense(4), new Layers.Reshape([2, 2]), new Layers.LayerNormalization(axis: 1, name: "ln_middle"));
        middle.Call(NF.Ones([2, 3]));
        var e = Assert.Throws<NotSupportedException>(() => middle.ExportOnnx(Temp.File("middle.onnx")));
        Assert.Contains("ln_middle", e.Message);
        Assert.Contains("trailing axes", e.Message);
    }

    [SkippableFact]
    public void Padding_cropping_upsampling_permute_and_repeat_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(16);
        // Pad, Slice, Reshape + Expand and Transpose work on the NHWC tensors directly.
        var model = new Sequential(
            new Layers.ZeroPadding2D(((1, 2), (0, 1))),
            new Layers.Conv2D(3, 3, activation: "relu"),
            new Layers.UpSampling2D([2, 3]),
            new Layers.Cropping2D(((1, 0), (2, 1))),
            new Layers.MaxPooling2D(2),
            new Layers.Permute([3, 1, 2]),
            new Layers.Reshape([-1]),
            new Layers.RepeatVector(2),
            new Layers.Flatten(),
            new Layers.Dense(4, activation: "softmax"));
        Fit(model, NF.Random.Uniform([32, 5, 6, 2]), 4);
        string path = Temp.File("rearranging.onnx");
        model.ExportOnnx(path);
        using (var session = new InferenceSession(path))
            AssertSameAsPredict(model, session, [5, 6, 2], batches: [1, 7]);
    }

    [SkippableFact]
    public void Padding_and_cropping_of_sequences_volumes_and_channels_first_images_export()
    {
        RequireBackend();
        NF.Random.SetSeed(17);
        // Pad and Slice on the spatial axes of each layout, as NeuralFlow computes them.
        var sequence = new Sequential(new Layers.ZeroPadding1D((2, 1)), new Layers.Conv1D(3, 3), new Layers.Cropping1D((1, 2)),
                                      new Layers.Flatten(), new Layers.Dense(2, activation: "softmax"));
        Fit(sequence, NF.Random.Uniform([16, 7, 2]), 2);
        var volume = new Sequential(new Layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1))), new Layers.Cropping3D(((0, 1), (1, 0), (2, 1))),
                                    new Layers.Reshape([3, 4, 3]), new Layers.ZeroPadding2D(((1, 0), (2, 1)), dataFormat: "channels_first"),
                                    new Layers.Reshape([-1]), new Layers.Dense(2, activation: "softmax"));
        Fit(volume, NF.Random.Uniform([16, 3, 3, 4, 1]), 2);
        foreach (var (model, shape) in new[] { (sequence, new[] { 7, 2 }), (volume, new[] { 3, 3, 4, 1 }) })
        {
            string path = Temp.File("sides.onnx");
            model.ExportOnnx(path);
            using var session = new InferenceSession(path);
            AssertSameAsPredict(model, session, shape, batches: [1, 5]);
        }
    }

    [SkippableFact]
    public void An_embedding_model_runs_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(17);
        var model = new Sequential(
            new Layers.Embedding(12, 4), new Layers.Permute([2, 1]), new Layers.Flatten(), new Layers.Dense(3, activation: "softmax"));
        var words = NF.Cast(NF.Random.Uniform([32, 5], 0, 12, DType.Int32), DType.Float32);
        Fit(model, words, 3);
        string path = Temp.File("embedding.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        // Indices as floats (the graph's input type); ONNX's Cast truncates as the layer does.
        AssertSameAsPredict(model, session, [5], batches: [1, 9], input: shape => NF.Random.Uniform(shape, 0, 11.99f));
    }

    [SkippableFact]
    public void Recurrent_layers_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(14);
        // Every gate layout and bias form: LSTM's i, f, c, o reordered to ONNX's i, o, f, c; GRU both
        // ways (linear_before_reset) and without bias; go_backwards as a reversed input; relu and sigmoid.
        var model = new Sequential(
            new Layers.LSTM(6, returnSequences: true, recurrentDropout: 0.2),
            new Layers.GRU(5, returnSequences: true, goBackwards: true),
            new Layers.GRU(4, returnSequences: true, resetAfter: false, useBias: false, recurrentActivation: "tanh"),
            new Layers.SimpleRNN(3, activation: "relu", goBackwards: true),
            new Layers.Dense(2, activation: "softmax"));
        Fit(model, NF.Random.Uniform([48, 7, 3]), 2);
        string path = Temp.File("recurrent.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        AssertSameAsPredict(model, session, [7, 3], batches: [1, 20]);

        var last = new Sequential(new Layers.GRU(3, activation: "sigmoid"));
        last.Build([4, 2]);
        last.ExportOnnx(Temp.File("last.onnx"));
        using var lastSession = new InferenceSession(Temp.File("last.onnx"));
        AssertSameAsPredict(last, lastSession, [4, 2], batches: [5]);
        var odd = new Sequential(new Layers.SimpleRNN(3, activation: "gelu", name: "odd_rnn"));
        odd.Build([4, 2]);
        var e = Assert.Throws<NotSupportedException>(() => odd.ExportOnnx(Temp.File("odd_rnn.onnx")));
        Assert.Contains("odd_rnn", e.Message);
        Assert.Contains("gelu", e.Message);
    }

    internal static void Fit(Sequential model, Tensor x, int classes)
    {
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(x, NF.Random.Uniform([x.Shape[0]], 0, classes, DType.Int32), batchSize: 16, epochs: 2, verbose: 0);
    }

    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/> and checks ONNX Runtime against Predict on batches of 1 and 6.</summary>
    internal static void AssertExportRuns(Sequential model, string path, int[] features, Func<int[], Tensor>? input = null)
    {
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        AssertSameAsPredict(model, session, features, batches: [1, 6], input);
    }

    /// <summary>Random inputs (uniform in ±2 unless <paramref name="input"/> makes them) of each batch size through both engines: the same shape, values within the tolerance.</summary>
    internal static void AssertSameAsPredict(Sequential model, InferenceSession session, int[] features, int[] batches, Func<int[], Tensor>? input = null)
    {
        foreach (int n in batches)
        {
            int[] shape = [n, .. features];
            var x = input is null ? NF.Random.Uniform(shape, -2, 2) : input(shape);
            var want = model.Predict(x, batchSize: 16);
            using var value = OrtValue.CreateTensorValueFromMemory(x.ToArray<float>(), shape.Select(d => (long)d).ToArray());
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input"], [value], ["output"]);
            Assert.Equal(want.Shape.ToArray().Select(d => (long)d), outputs[0].GetTensorTypeAndShape().Shape);
            AssertClose(want.ToArray<float>().Select(v => (double)v).ToArray(),
                        outputs[0].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray());
        }
    }

    private static void AssertClose(double[] want, double[] got)
    {
        Assert.Equal(want.Length, got.Length);
        double max = want.Zip(got, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max();
        Assert.True(max <= Tolerance, $"ONNX Runtime and Predict differ by up to {max:G3} (tolerance {Tolerance:G3}).");
    }
}

public sealed class ManagedOnnxExportTests() : OnnxExportTests("managed");
public sealed class NativeCpuOnnxExportTests() : OnnxExportTests("cpu");
public sealed class CudaOnnxExportTests() : OnnxExportTests("cuda");

/// <summary>The file's versions, models ONNX cannot hold, and atomic writes.</summary>
public sealed class OnnxExportLimitsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed class Subclassed : Model
    {
        private readonly Layers.Dense _dense = new(2);
        public override Tensor Call(Tensor x) => _dense.Call(x);
    }

    private sealed class Scale(string? name = null) : Layer(name)
    {
        protected override Tensor Forward(Tensor x) => x * 2;
    }

    private static Sequential Built(params Layer[] layers)
    {
        var model = new Sequential(layers);
        model.Call(NF.Ones([2, 3]));
        return model;
    }

    [Fact]
    public void The_file_declares_opset_17_and_ir_version_8()
    {
        string path = _temp.File("m.onnx");
        Built(new Layers.Dense(2)).ExportOnnx(path);
        var input = new CodedInputStream(File.ReadAllBytes(path));
        long ir = 0;
        var opsets = new List<(string Domain, long Version)>();
        string producer = "";
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ir = input.ReadInt64(); break;
                case 2: producer = input.ReadString(); break;
                case 8:
                    var opset = new CodedInputStream(input.ReadBytes().ToByteArray());
                    string domain = "";
                    long version = 0;
                    for (uint t; (t = opset.ReadTag()) != 0;)
                    {
                        if (WireFormat.GetTagFieldNumber(t) == 1) domain = opset.ReadString();
                        else if (WireFormat.GetTagFieldNumber(t) == 2) version = opset.ReadInt64();
                        else opset.SkipLastField();
                    }
                    opsets.Add((domain, version));
                    break;
                default: input.SkipLastField(); break;
            }
        }
        Assert.Equal(8, ir);
        Assert.Equal([("", 17L)], opsets);
        Assert.Equal("NeuralFlow", producer);
        using var session = new InferenceSession(path);
        Assert.Equal("NeuralFlow", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void What_onnx_cannot_hold_is_named_and_nothing_is_written()
    {
        string path = _temp.File("m.onnx");
        File.WriteAllText(path, "previous export");

        var sub = new Subclassed();
        sub.Call(NF.Ones([1, 3]));
        var e = Assert.Throws<NotSupportedException>(() => sub.ExportOnnx(path));
        Assert.Contains("subclassed model", e.Message);
        Assert.Contains("Sequential", e.Message);

        var custom = Built(new Layers.Dense(2, activation: (Func<Tensor, Tensor>)(t => t * 2), name: "doubling"));
        e = Assert.Throws<NotSupportedException>(() => custom.ExportOnnx(path));
        Assert.Contains("doubling", e.Message);
        Assert.Contains("custom C# activation", e.Message);

        var unknown = Built(new Layers.Dense(3), new Scale("scale"));
        e = Assert.Throws<NotSupportedException>(() => unknown.ExportOnnx(path));
        Assert.Contains("scale is a Scale", e.Message);
        Assert.Contains("the layers that export are Dense, Conv2D, ", e.Message); // the list grows with every exportable layer
        Assert.Contains("merge layers Add, Average, ", e.Message);

        Assert.Contains("no weights yet", Assert.Throws<InvalidOperationException>(() => new Sequential(new Layers.Dense(2)).ExportOnnx(path)).Message);

        // Every failure left the previous file whole and no temporary file beside it.
        Assert.Equal("previous export", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void The_layers_named_as_exportable_are_exactly_those_with_an_exporter()
    {
        // What the registered exporters cover today; a lost exporter fails here.
        string[] layers = ["Dense", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "AveragePooling2D", "MaxPooling2D",
            "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Reshape", "SeparableConv2D", "Conv1D", "DepthwiseConv1D", "SeparableConv1D", "Conv1DTranspose", "AveragePooling1D", "MaxPooling1D",
            "GlobalAveragePooling1D", "GlobalMaxPooling1D", "Conv3D", "Conv3DTranspose", "AveragePooling3D", "MaxPooling3D",
            "GlobalAveragePooling3D", "GlobalMaxPooling3D", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
            "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "GRU", "LSTM", "SimpleRNN", "BatchNormalization", "LayerNormalization",
            "ZeroPadding2D", "Cropping2D", "ZeroPadding1D", "Cropping1D", "ZeroPadding3D", "Cropping3D", "UpSampling2D", "Permute", "RepeatVector", "Embedding", "Activation",
            "Dropout", "Flatten", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "MultiHeadAttention", "GroupedQueryAttention", "Attention", "AdditiveAttention", "EinsumDense", "RMSNormalization",
            "GaussianDropout", "GaussianNoise", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation",
            "RandomTranslation", "RandomZoom", "Solarization", "RandomGrayscale", "RandomHue", "RandomSaturation", "RandomSharpness", "RandomColorJitter", "RandomErasing", "RandomInvert", "RandomPosterization", "RandomShear", "Identity", "ActivityRegularization", "Resizing", "CenterCrop", "Rescaling",
            "Normalization", "GroupNormalization", "UnitNormalization", "Bidirectional", "TimeDistributed",
            // Random augmentations are the identity at inference, as the ones above.
            "RandomGaussianBlur", "RandomPerspective", "RandomColorDegeneration", "RandomElasticTransform", "RandAugment", "AugMix", "MixUp", "CutMix",
            // Subclasses exported by their base's exporter, named since; then the forms added in UserProbe18.
            "AlphaDropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "ReversibleEmbedding",
            "UpSampling1D", "UpSampling3D", "Discretization", "CategoryEncoding", "SpectralNormalization", "Pipeline", "RNN", "IntegerLookup", "AutoContrast",
            // A Sequential nested in a model, exported as its layers in turn (UserProbe20's image tutorial).
            "Sequential"];
        string[] merges = ["Add", "Average", "Maximum", "Minimum", "Subtract", "Concatenate", "Multiply", "Dot"];
        Assert.Equal(layers.Order(), Model.OnnxExportableLayers.Order());
        Assert.Equal(merges.Order(), Model.OnnxExportableMergeLayers.Order());

        // The refusal names every exportable layer and no other built-in layer: it is derived
        // from the same exporters that run, so it cannot go stale when one is added.
        var unknown = Built(new Layers.Dense(3), new Scale("scale"));
        var message = Assert.Throws<NotSupportedException>(() => unknown.ExportOnnx(_temp.File("m.onnx"))).Message;
        var listed = message[message.IndexOf("the layers that export are ", StringComparison.Ordinal)..];
        var builtIn = typeof(Layer).Assembly.GetTypes()
            .Where(t => t.IsNestedPublic && !t.IsAbstract && typeof(Layer).IsAssignableFrom(t)).Select(t => t.Name).ToList();
        Assert.Contains("InputLayer", builtIn); // a layer with no ONNX form of its own, so the check below has something to refuse
        foreach (var name in builtIn)
        {
            bool named = System.Text.RegularExpressions.Regex.IsMatch(listed, $@"\b{name}\b");
            Assert.True(named == (layers.Contains(name) || merges.Contains(name)), $"{name}: named {named} in \"{listed}\"");
        }
    }

    [Fact]
    public void An_export_replaces_the_previous_file_whole()
    {
        string path = _temp.File("m.onnx");
        Built(new Layers.Dense(7)).ExportOnnx(path);
        Built(new Layers.Dense(2, activation: "relu")).ExportOnnx(path);
        using (var session = new InferenceSession(path))
            Assert.Equal([-1, 2], session.OutputMetadata["output"].Dimensions);
        Assert.Equal([path], Directory.GetFiles(_temp.Path));
        Assert.Throws<DirectoryNotFoundException>(() => Built(new Layers.Dense(2)).ExportOnnx(_temp.File("missing/m.onnx")));
    }
}
