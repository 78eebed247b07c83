using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe14;

/// <summary>
/// TensorFlow's tutorials in C# on small synthetic data: "Basic regression" (Normalization adapted
/// on a feature matrix, mean_absolute_error, validation_split 0.2 taking the last fifth, History),
/// "Overfit and underfit" (InverseTimeDecay, l2 penalties in the loss but not the metric, Dropout,
/// BinaryCrossentropy(from_logits) as loss and metric, EarlyStopping on val_binary_crossentropy) and
/// "Time series forecasting" (windows from timeseries_dataset_from_array split into inputs and labels,
/// a last-value baseline, a Dense/LSTM model with the MeanAbsoluteError metric).
/// </summary>
public abstract class TensorFlowTutorialTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Basic_regression_validates_on_the_last_fifth_with_mean_absolute_error()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([20, 9], mean: 10, stddev: 3);
        var y = NF.MatMul(x, NF.Random.Normal([9, 1])) + 2f;
        var normalizer = new Layers.Normalization(axis: -1);
        normalizer.Adapt(x);
        var linear = new Sequential(Layers.Input([9]), normalizer, new Layers.Dense(1));
        Assert.Equal(10, linear.TrainableVariables.Sum(v => v.Count));
        linear.Compile(new Optimizers.Adam(0.1f), "mean_absolute_error");
        var h = linear.Fit(x, y, epochs: 3, verbose: 0, validationSplit: 0.2);
        Assert.Equal(new[] { "loss", "val_loss" }, h.Keys);
        Assert.Equal(new[] { 0, 1, 2 }, h.Epoch);
        // Keras' validation_split holds out the last 20% unshuffled: val_loss is their MAE after the last epoch.
        var xv = NF.Slice(x, [16, 0], [4, 9]);
        var yv = NF.Slice(y, [16, 0], [4, 1]);
        var mae = NF.ReduceMean(NF.Abs(linear.Predict(xv) - yv)).Item<float>();
        Assert.Equal(mae, h["val_loss"][^1], 3);
        Assert.Equal(mae, linear.Evaluate(xv, yv, verbose: 0).Loss, 3);
    }

    [SkippableFact]
    public void Overfit_tutorial_adds_l2_to_the_loss_not_the_metric_and_stops_early()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        var schedule = new InverseTimeDecay(0.001, decaySteps: 20 * 1000, decayRate: 1, staircase: false);
        // lr = 0.001 / (1 + step / decay_steps): halved after 1000 epochs of 20 steps.
        Assert.Equal(0.0005, schedule.At(20000), 12);
        Assert.Equal(0.001 / 3, schedule.At(40000), 12);
        var x = NF.Random.Normal([32, 6]);
        var y = NF.Cast(NF.Random.Uniform([32, 1]) > 0.5f, DType.Float32);
        var model = new Sequential(Layers.Input([6]),
            new Layers.Dense(8, activation: "elu", kernelRegularizer: new Regularizers.L2(0.001)), new Layers.Dropout(0.5),
            new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(schedule), new Losses.BinaryCrossentropy(fromLogits: true),
            metrics: [new Metrics.BinaryCrossentropy(fromLogits: true, name: "binary_crossentropy"), "accuracy"]);
        var h = model.Fit(x, y, epochs: 40, batchSize: 8, validationSplit: 0.25, verbose: 0,
            callbacks: [new Callbacks.EarlyStopping(monitor: "val_binary_crossentropy", patience: 1)]);
        Assert.Equal(new[] { "loss", "binary_crossentropy", "accuracy", "val_loss", "val_binary_crossentropy", "val_accuracy" }, h.Keys);
        var val = h["val_binary_crossentropy"];
        if (val.Count < 40) Assert.True(val[^1] >= val[^2], "stopped while val_binary_crossentropy still fell");
        // In evaluation (no dropout) the loss is the metric plus 0.001 * sum(kernel^2).
        var result = model.Evaluate(x, y, verbose: 0);
        var penalty = 0.001 * model.Layers[0].Variables[0].ToArray<float>().Sum(v => (double)v * v);
        Assert.Equal(result["binary_crossentropy"] + penalty, result.Loss, 4);
    }

    [SkippableFact]
    public void Time_series_windows_split_into_inputs_and_labels_with_a_baseline_and_an_lstm()
    {
        RequireBackend();
        NF.Random.SetSeed(13);
        // Two features, 40 steps; windows of 6 inputs and the next step's second feature as the label.
        var series = NF.Reshape(NF.Cast(NF.Range(0, 80), DType.Float32), [40, 2]) / 80f;
        var windows = Utils.TimeseriesDatasetFromArray(series, sequenceLength: 7, batchSize: 8);
        var split = windows.Map(w => (NF.Slice(w, [0, 0, 0], [-1, 6, -1]), NF.Slice(w, [0, 6, 1], [-1, 1, 1])));
        int count = 0;
        foreach (var (inputs, labels) in split)
        {
            Assert.Equal(new[] { 6, 2 }, inputs.Shape.ToArray()[1..]);
            Assert.Equal(new[] { 1, 1 }, labels.Shape.ToArray()[1..]);
            count += inputs.Shape[0];
        }
        Assert.Equal(34, count);   // 40 - 7 + 1 windows

        // The last-value baseline: the label is feature 1 of the last input step plus one step (2 / 80).
        var baseline = new Sequential(Layers.Input([6, 2]), new Layers.Lambda(x => NF.Slice(x, [0, 5, 1], [-1, 1, 1])));
        baseline.Compile("adam", new Losses.MeanSquaredError(), metrics: [new Metrics.MeanAbsoluteError()]);
        Assert.Equal(2f / 80, baseline.Evaluate(split, verbose: 0)["mean_absolute_error"], 5);

        var lstm = new Sequential(Layers.Input([6, 2]), new Layers.LSTM(4), new Layers.Dense(1), new Layers.Reshape([1, 1]));
        lstm.Compile(new Optimizers.Adam(), new Losses.MeanSquaredError(), metrics: [new Metrics.MeanAbsoluteError()]);
        var h = lstm.Fit(split, epochs: 2, validationData: split, verbose: 0);
        Assert.Equal(new[] { "loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error" }, h.Keys);
        Assert.Equal(new[] { 2, 1, 1 }, new Sequential(Layers.Input([6, 2]), new Layers.Conv1D(4, 6, activation: "relu"), new Layers.Dense(1))
            .Predict(NF.Zeros([2, 6, 2])).Shape.ToArray());
    }
}

/// <summary>The TensorFlow tutorials on the managed backend.</summary>
public sealed class ManagedTensorFlowTutorialTests() : TensorFlowTutorialTests("managed");

/// <summary>The TensorFlow tutorials on the native CPU backend.</summary>
public sealed class NativeCpuTensorFlowTutorialTests() : TensorFlowTutorialTests("cpu");

/// <summary>The TensorFlow tutorials on CUDA.</summary>
public sealed class CudaTensorFlowTutorialTests() : TensorFlowTutorialTests("cuda");
