using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe6;

/// <summary>
/// Fit options as a Keras user combines them: class_weight with sample_weight (Keras divides the
/// weighted sum by the batch size), validation_split carrying the held-out rows' sample weights
/// but no class weights, initial_epoch numbering, uint8 images through Rescaling, and a custom
/// metric logged under its name.
/// </summary>
public abstract class FitOptionsProbeTests(string backend) : BackendTest(backend)
{
    private const int N = 12;

    private static Sequential Logits()
    {
        var model = new Sequential(new Layers.Dense(3));
        model.Compile(new Optimizers.SGD(0.1), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        return model;
    }

    private static (Tensor X, long[] Labels, float[] SampleWeights) Data()
    {
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([N, 4]);
        long[] labels = [0, 1, 2, 0, 1, 2, 2, 2, 1, 0, 0, 1];
        float[] sw = [1, 2, 0.5f, 1, 0, 3, 1, 1, 2, 1, 0.25f, 1];
        return (x, labels, sw);
    }

    // Per-example cross-entropy of the logits the model gives now.
    private static double[] CrossEntropies(Model model, Tensor x, long[] labels)
    {
        var logits = model.Predict(x, verbose: 0).ToArray<float>();
        return Enumerable.Range(0, labels.Length).Select(i =>
        {
            var row = logits[(i * 3)..(i * 3 + 3)].Select(v => (double)v).ToArray();
            double max = row.Max(), lse = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            return lse - row[labels[i]];
        }).ToArray();
    }

    [SkippableFact]
    public void Class_and_sample_weights_multiply_and_divide_by_the_batch_size()
    {
        RequireBackend();
        var (x, labels, sw) = Data();
        NF.Random.SetSeed(3);
        var model = Logits();
        model.Build([4]);
        var ce = CrossEntropies(model, x, labels);
        var classWeight = new Dictionary<int, double> { [0] = 1.0, [1] = 3.0, [2] = 0.5 };
        double expected = Enumerable.Range(0, N).Sum(i => classWeight[(int)labels[i]] * sw[i] * ce[i]) / N;
        var history = model.Fit(x, NF.Constant(labels), batchSize: N, epochs: 1, verbose: 0, shuffle: false,
            sampleWeight: NF.Constant(sw), classWeight: classWeight);
        Assert.Equal(expected, history["loss"][0], 4);
    }

    [SkippableFact]
    public void Validation_split_weighs_the_held_out_rows_by_their_sample_weights_only()
    {
        RequireBackend();
        var (x, labels, sw) = Data();
        NF.Random.SetSeed(3);
        var model = Logits();
        var classWeight = new Dictionary<int, double> { [0] = 1.0, [1] = 3.0, [2] = 0.5 };
        // 0.25 of 12: the last 3 rows validate.
        var history = model.Fit(x, NF.Constant(labels), batchSize: 4, epochs: 1, verbose: 0, validationSplit: 0.25,
            sampleWeight: NF.Constant(sw), classWeight: classWeight);
        var ce = CrossEntropies(model, x, labels);
        double expected = Enumerable.Range(9, 3).Sum(i => sw[i] * ce[i]) / 3;
        Assert.Equal(expected, history["val_loss"][0], 4);
    }

    [SkippableFact]
    public void Initial_epoch_numbers_the_epochs_and_the_schedule_as_keras()
    {
        RequireBackend();
        var (x, labels, _) = Data();
        var model = Logits();
        var begun = new List<int>();
        var scheduled = new List<int>();
        var history = model.Fit(x, NF.Constant(labels), batchSize: 4, epochs: 5, initialEpoch: 3, verbose: 0, callbacks:
        [
            new Callbacks.LambdaCallback(onEpochBegin: begun.Add),
            new Callbacks.LearningRateScheduler(epoch => { scheduled.Add(epoch); return 0.1 / (epoch + 1); }),
        ]);
        Assert.Equal([3, 4], begun);
        Assert.Equal([3, 4], scheduled);
        Assert.Equal(2, history.Epochs);
        Assert.Equal(0.1 / 5, model.Optimizer!.CurrentLearningRate, 6);
    }

    [SkippableFact]
    public void Uint8_images_through_rescaling_train_as_their_float_values()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var pixels = NF.Cast(NF.Random.Uniform([6, 7, 5, 1], 0, 256, DType.Int32), DType.UInt8);
        var labels = NF.Constant(new long[] { 0, 1, 1, 0, 1, 0 });
        Sequential Make()
        {
            NF.Random.SetSeed(9);
            var m = new Sequential(new Layers.Rescaling(1.0 / 255), new Layers.Conv2D(2, 3, strides: 2, padding: "same", activation: "relu"),
                new Layers.GlobalAveragePooling2D(), new Layers.Dense(2));
            m.Compile(new Optimizers.SGD(0.5), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
            return m;
        }
        var fromBytes = Make();
        var a = fromBytes.Fit(pixels, labels, batchSize: 3, epochs: 2, verbose: 0, shuffle: false);
        var fromFloats = Make();
        var b = fromFloats.Fit(NF.Cast(pixels, DType.Float32), labels, batchSize: 3, epochs: 2, verbose: 0, shuffle: false);
        Assert.Equal(b["loss"], a["loss"]);
        Assert.Equal(fromFloats.Predict(NF.Cast(pixels, DType.Float32), verbose: 0).ToArray<float>(), fromBytes.Predict(pixels, verbose: 0).ToArray<float>());
    }

    // A user's metric: the mean of |y - p| cubed.
    private sealed class CubedError() : Metrics.MeanMetricWrapper("cubed_error")
    {
        protected override Tensor Matches(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Pow(NF.Abs(NF.Subtract(yTrue, yPred)), 3.0), axis: -1);
    }

    [SkippableFact]
    public void A_custom_metric_and_string_metrics_log_under_keras_names()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var x = NF.Random.Normal([10, 3]);
        var y = NF.Random.Normal([10, 1]);
        var model = new Sequential(new Layers.Dense(1));
        model.Compile(new Optimizers.SGD(0.0), "mse", [new CubedError(), "mae"]);
        var result = model.Evaluate(x, y, batchSize: 10);
        Assert.Equal(["loss", "cubed_error", "mae"], result.Values.Select(kv => kv.Key));
        var p = model.Predict(x, verbose: 0).ToArray<float>();
        var t = y.ToArray<float>();
        double cubed = p.Zip(t).Average(z => Math.Pow(Math.Abs(z.First - z.Second), 3));
        double mae = p.Zip(t).Average(z => Math.Abs(z.First - z.Second));
        Assert.Equal(cubed, result["cubed_error"], 4);
        Assert.Equal(mae, result["mae"], 4);
    }
}

public sealed class ManagedFitOptionsProbeTests() : FitOptionsProbeTests("managed");

public sealed class NativeCpuFitOptionsProbeTests() : FitOptionsProbeTests("cpu");

public sealed class CudaFitOptionsProbeTests() : FitOptionsProbeTests("cuda");
