using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe8;

/// <summary>
/// What a workshop reader does next, checked end to end: a CNN (dilated same convolution, same
/// average and max pooling with strides on an odd image, BatchNormalization, Dropout) in both data
/// formats saved, loaded and trained on exactly as the uninterrupted run, also through
/// SaveWeights/LoadWeights; Fit after Load continuing each optimizer's state (momentum, centered
/// RMSprop, EMA, schedules, clipping, amsgrad); a custom layer counting its training calls; a traced
/// function retracing per shape and dtype; a nested, shared, two-input functional model round trip;
/// a weights-only checkpoint loading into a fresh model.
/// </summary>
public abstract class DayAfterProbeTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Images(int n, int c, int h, int w, bool first, int seed)
    {
        NF.Random.SetSeed(seed);
        return first ? NF.Random.Normal([n, c, h, w]) : NF.Random.Normal([n, h, w, c]);
    }

    private static Sequential Cnn(bool first)
    {
        string df = first ? "channels_first" : "channels_last";
        int axis = first ? 1 : -1;
        return new Sequential(
            Layers.Input(first ? new[] { 2, 9, 7 } : new[] { 9, 7, 2 }),
            new Layers.Conv2D(4, 3, padding: "same", dilationRate: 2, dataFormat: df, activation: "relu"),
            new Layers.BatchNormalization(axis: axis),
            new Layers.AveragePooling2D(3, strides: 2, padding: "same", dataFormat: df),
            new Layers.Conv2D(5, 2, strides: 2, padding: "same", dataFormat: df),
            new Layers.MaxPooling2D(2, padding: "same", dataFormat: df),
            new Layers.Dropout(0.3),
            new Layers.GlobalAveragePooling2D(dataFormat: df),
            new Layers.Dense(3, activation: "softmax"));
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_cnn_saved_loaded_and_resumed_matches_the_uninterrupted_run(bool first)
    {
        RequireBackend();
        var x = Images(12, 2, 9, 7, first, 3);
        NF.Random.SetSeed(4);
        var y = NF.Random.Uniform([12], 0, 3, DType.Int32);
        NF.Random.SetSeed(11);
        var m = Cnn(first);
        m.Compile(new Optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"]);
        m.Fit(x, y, batchSize: 5, epochs: 2, verbose: 0);
        string path = Temp.File("cnn.keras");
        m.Save(path);
        var p0 = m.Predict(x).ToArray<float>();
        var one = m.Predict(NF.Slice(x, [0, 0, 0, 0], [1, -1, -1, -1])).ToArray<float>();
        Assert.Equal(p0.Take(3).ToArray(), one);
        NF.Random.SetSeed(8);
        var a = m.Fit(x, y, batchSize: 5, epochs: 4, initialEpoch: 2, verbose: 0);
        var l = Model.Load(path);
        Assert.Equal(p0, l.Predict(x).ToArray<float>());
        NF.Random.SetSeed(8);
        var b = l.Fit(x, y, batchSize: 5, epochs: 4, initialEpoch: 2, verbose: 0);
        Assert.Equal(a["loss"], b["loss"]);
        string wpath = Temp.File("cnn.weights.h5");
        m.SaveWeights(wpath);
        var fresh = Cnn(first);
        fresh.LoadWeights(wpath);
        Assert.Equal(m.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());
    }

    private sealed class Noisy(string? name = null) : Layer(name)
    {
        public Variable? W;
        public Variable? Counter;
        protected override void Build(Shape inputShape)
        {
            W = AddWeight("w", [inputShape[-1], 2], Initializer.Get("glorot_uniform"));
            Counter = AddWeight("count", [], Initializer.Get("zeros"), trainable: false);
        }
        protected override Tensor Forward(Tensor x)
        {
            var y = NF.MatMul(x, W!);
            if (IsTraining) { Counter!.Assign(NF.Add(Counter!, 1f)); y = NF.Add(y, 0f); }
            return y;
        }
    }

    [SkippableFact]
    public void A_custom_layer_sees_the_training_flag_only_in_fit()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var x = NF.Random.Normal([10, 3]);
        var y = NF.Random.Normal([10, 2]);
        var layer = new Noisy();
        var m = new Sequential(Layers.Input([3]), layer);
        m.Compile(new Optimizers.SGD(0.1), "mse");
        m.Fit(x, y, batchSize: 5, epochs: 2, verbose: 0);
        Assert.Equal(4f, layer.Counter!.ToArray<float>()[0]);
        m.Predict(x);
        m.Evaluate(x, y);
        Assert.Equal(4f, layer.Counter!.ToArray<float>()[0]);
        Assert.Single(m.TrainableVariables);
        Assert.Equal(7, m.CountParams());
    }

    [SkippableFact]
    public void A_traced_function_retraces_per_shape_and_dtype_and_runs_host_branches()
    {
        RequireBackend();
        int traces = 0;
        var f = NF.Function((Tensor t) => { traces++; return NF.ReduceSum(NF.Multiply(t, t)); });
        Assert.Equal(14f, f(NF.Constant(new float[] { 1, 2, 3 }, [3])).ToArray<float>()[0]);
        Assert.Equal(5f, f(NF.Constant(new float[] { 1, 2, 0 }, [3])).ToArray<float>()[0]);
        Assert.Equal(30f, f(NF.Constant(new float[] { 1, 2, 3, 4 }, [4])).ToArray<float>()[0]);
        Assert.Equal(5.0, f(NF.Constant(new double[] { 1, 2 }, [2])).ToArray<double>()[0]);
        Assert.Equal(3, traces);
        var g = NF.Function((Tensor t) => NF.ReduceSum(t).ToArray<float>()[0] > 0 ? NF.Multiply(t, 2f) : NF.Negative(t));
        Assert.Equal(new float[] { 2, 4 }, g(NF.Constant(new float[] { 1, 2 }, [2])).ToArray<float>());
        Assert.Equal(new float[] { 1, 2 }, g(NF.Constant(new float[] { -1, -2 }, [2])).ToArray<float>());
    }

    [SkippableFact]
    public void A_nested_shared_two_input_model_round_trips()
    {
        RequireBackend();
        var inner_in = Layers.Input([4]);
        var inner = new Model(inner_in, new Layers.Dense(3, activation: "relu").Call(inner_in), name: "enc");
        var a = Layers.Input([4], name: "a");
        var b = Layers.Input([4], name: "b");
        var ea = inner.Call(a); var eb = inner.Call(b);
        var s = new Layers.Add().Call([ea, eb]);
        var c = new Layers.Concatenate().Call([ea, eb, s]);
        var o1 = new Layers.Dense(1, name: "o1").Call(c);
        var o2 = new Layers.Dense(2, activation: "softmax", name: "o2").Call(s);
        var m = new Model([a, b], [o1, o2]);
        string summary = m.SummaryText();
        NF.Random.SetSeed(2);
        var xa = NF.Random.Normal([6, 4]); var xb = NF.Random.Normal([6, 4]);
        var outs = m.PredictOutputs(new Dictionary<string, Tensor> { ["a"] = xa, ["b"] = xb });
        string path = Temp.File("f.keras");
        m.Save(path);
        var l = Model.Load(path);
        var outs2 = l.PredictOutputs(new Dictionary<string, Tensor> { ["a"] = xa, ["b"] = xb });
        for (int i = 0; i < 2; i++) Assert.Equal(outs[i].ToArray<float>(), outs2[i].ToArray<float>());
        Assert.Equal(m.CountParams(), l.CountParams());
        Assert.Equal(summary.Replace(m.Name, ""), l.SummaryText().Replace(l.Name, ""));
        Assert.IsAssignableFrom<Model>(l.GetLayer("enc"));
    }

    public static TheoryData<string> Opts => new() { "sgdm", "sgdn", "rms", "rmsc", "adamw", "adagrad", "adadelta", "nadam", "adamax", "lion", "ftrl", "adafactor", "lamb", "ema", "sched", "clip", "amsgrad" };

    private static Optimizers.Optimizer MakeOpt(string k) => k switch
    {
        "sgdm" => new Optimizers.SGD(0.05, momentum: 0.9),
        "sgdn" => new Optimizers.SGD(0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01),
        "rms" => new Optimizers.RMSprop(0.01, momentum: 0.5),
        "rmsc" => new Optimizers.RMSprop(0.01, centered: true),
        "adamw" => new Optimizers.AdamW(0.01),
        "adagrad" => new Optimizers.Adagrad(0.05),
        "adadelta" => new Optimizers.Adadelta(1.0),
        "nadam" => new Optimizers.Nadam(0.01),
        "adamax" => new Optimizers.Adamax(0.01),
        "lion" => new Optimizers.Lion(0.001),
        "ftrl" => new Optimizers.Ftrl(0.05),
        "adafactor" => new Optimizers.Adafactor(0.01),
        "lamb" => new Optimizers.Lamb(0.01),
        "ema" => new Optimizers.Adam(0.01, useEma: true, emaOverwriteFrequency: 3),
        "sched" => new Optimizers.Adam(new ExponentialDecay(0.05, 2, 0.5, staircase: true)),
        "clip" => new Optimizers.SGD(0.05, momentum: 0.9, globalClipNorm: 0.1),
        "amsgrad" => new Optimizers.Adam(0.01, amsgrad: true),
        _ => throw new ArgumentException(k),
    };

    [SkippableTheory]
    [MemberData(nameof(Opts))]
    public void Fit_after_load_continues_each_optimizers_state(string k)
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var x = NF.Random.Normal([20, 4]);
        var y = NF.Random.Normal([20, 2]);
        NF.Random.SetSeed(22);
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(5, activation: "tanh"), new Layers.BatchNormalization(), new Layers.Dense(2));
        m.Compile(MakeOpt(k), "mse");
        m.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        string path = Temp.File("o.keras");
        m.Save(path);
        NF.Random.SetSeed(9);
        var a = m.Fit(x, y, batchSize: 8, epochs: 5, initialEpoch: 2, verbose: 0);
        var l = Model.Load(path);
        NF.Random.SetSeed(9);
        var b = l.Fit(x, y, batchSize: 8, epochs: 5, initialEpoch: 2, verbose: 0);
        Assert.Equal(a["loss"], b["loss"]);
    }

    [SkippableFact]
    public void An_unregistered_custom_layer_is_named_when_saved_or_loaded()
    {
        RequireBackend();
        var m = new Sequential(Layers.Input([3]), new Noisy());
        string path = Temp.File("c.keras");
        var e = Record.Exception(() => { m.Save(path); Model.Load(path); });
        Assert.NotNull(e);
        Assert.Contains("Noisy", e!.Message);
    }

    [SkippableFact]
    public void A_weights_only_checkpoint_loads_into_a_fresh_model()
    {
        RequireBackend();
        NF.Random.SetSeed(31);
        var x = NF.Random.Normal([20, 4]);
        var y = NF.Random.Normal([20, 1]);
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(3, activation: "relu"), new Layers.Dense(1));
        m.Compile(new Optimizers.Adam(0.01), "mse");
        string path = Temp.File("ck/e{epoch:02d}.weights.h5");
        m.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, validationSplit: 0.2, callbacks: [new Callbacks.ModelCheckpoint(path, saveWeightsOnly: true)]);
        var fresh = new Sequential(Layers.Input([4]), new Layers.Dense(3, activation: "relu"), new Layers.Dense(1));
        fresh.LoadWeights(Temp.File("ck/e03.weights.h5"));
        Assert.Equal(m.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());
    }
}

/// <summary>The probes on the managed backend.</summary>
public sealed class ManagedDayAfterProbeTests() : DayAfterProbeTests("managed");

/// <summary>The probes on the native CPU backend.</summary>
public sealed class NativeCpuDayAfterProbeTests() : DayAfterProbeTests("cpu");

/// <summary>The probes on CUDA.</summary>
public sealed class CudaDayAfterProbeTests() : DayAfterProbeTests("cuda");
