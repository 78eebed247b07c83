using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Callbacks with the counts a Keras user expects (keras/src/callbacks/early_stopping.py):
/// EarlyStopping(patience: p) after a best first epoch runs max(p, 1) + 1 epochs (its docstring:
/// patience 3, "Only 4 epochs are run"), and restoreBestWeights puts the best epoch's weights
/// back when training ends, whether it stopped early or ran all its epochs.
/// </summary>
public abstract class CallbackTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(31);
        return (NF.Random.Normal(new Shape(16, 3)), NF.Random.Uniform(new Shape(16), 0, 3, DType.Int32));
    }

    private static Sequential Model(double learningRate)
    {
        NF.Random.SetSeed(32);
        var model = new Sequential(new Layers.Dense(3));
        model.Compile(new Optimizers.SGD(learningRate), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        return model;
    }

    [SkippableTheory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    public void Early_stopping_counts_patience_as_keras(int patience, int epochsRun)
    {
        RequireBackend();
        var (x, y) = Data();
        var model = Model(0); // a learning rate of 0: every epoch's loss equals the first, which is the best
        var stop = new Callbacks.EarlyStopping(monitor: "loss", patience: patience);
        var history = model.Fit(x, y, batchSize: 16, epochs: 10, verbose: 0, shuffle: false, callbacks: [stop]);
        Assert.Equal(epochsRun, history.Epochs);
        Assert.Equal(epochsRun - 1, stop.StoppedEpoch);
        // Reused: the count starts again.
        Assert.Equal(epochsRun, model.Fit(x, y, batchSize: 16, epochs: 10, verbose: 0, shuffle: false, callbacks: [stop]).Epochs);
    }

    // startFromEpoch 1: the warm-up epoch 0 is not looked at, so epoch 1 is the best (Keras 3's start_from_epoch).
    [SkippableTheory]
    [InlineData(0)]
    [InlineData(1)]
    public void Restoring_best_weights_happens_at_the_end_of_training_even_without_a_stop(int startFromEpoch)
    {
        RequireBackend();
        var (x, y) = Data();
        var model = Model(0.1);
        float[]? firstLookedAt = null;
        var keep = new Callbacks.LambdaCallback(onEpochEnd: (epoch, _) => { if (epoch == startFromEpoch) firstLookedAt = model.Variables[0].ToArray<float>(); });
        // Full-batch gradient descent lowers the loss every epoch, so in "max" mode the first epoch looked at stays the best.
        var stop = new Callbacks.EarlyStopping(monitor: "loss", mode: "max", patience: 10, restoreBestWeights: true, startFromEpoch: startFromEpoch);
        var history = model.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, shuffle: false, callbacks: [keep, stop]);
        Assert.Equal(4, history.Epochs);
        Assert.True(history["loss"][3] < history["loss"][0]);
        Assert.Equal(-1, stop.StoppedEpoch);
        Assert.Equal(startFromEpoch, stop.BestEpoch);
        Assert.Equal(firstLookedAt, model.Variables[0].ToArray<float>());
    }

    [SkippableTheory]
    [InlineData("val_precision", true)]
    [InlineData("recall", true)]
    [InlineData("val_f1_score", true)]
    [InlineData("val_auc", true)]
    [InlineData("val_sparse_categorical_accuracy", true)]
    [InlineData("val_mean_io_u", true)]
    [InlineData("val_loss", false)]
    [InlineData("val_mean_absolute_error", false)]
    public void Auto_mode_follows_the_metric_direction_as_keras_3(string monitor, bool rising)
    {
        RequireBackend();
        var stop = new Callbacks.EarlyStopping(monitor: monitor, patience: 1) { Model = Model(0.1) };
        stop.OnTrainBegin();
        double[] values = rising ? [0.5, 0.6, 0.7, 0.8] : [0.8, 0.7, 0.6, 0.5]; // improving every epoch
        for (int epoch = 0; epoch < values.Length; epoch++)
            stop.OnEpochEnd(epoch, new Dictionary<string, float> { [monitor] = (float)values[epoch] });
        Assert.Equal(-1, stop.StoppedEpoch);
    }

    // Feeds monitored "loss" values to a callback as Fit would; returns the epoch it stopped at (-1: never).
    private static int StopEpoch(Callbacks.EarlyStopping stop, params double[] losses)
    {
        stop.OnTrainBegin();
        for (int epoch = 0; epoch < losses.Length && stop.StoppedEpoch < 0; epoch++)
            stop.OnEpochEnd(epoch, new Dictionary<string, float> { ["loss"] = (float)losses[epoch] });
        return stop.StoppedEpoch;
    }

    // Keras 3 (early_stopping.py): an improvement restarts the patience count only if it also beats the
    // baseline, and an improving epoch never stops training; the first epoch that does not improve, with
    // the count at the patience, does.
    [SkippableFact]
    public void Baseline_counts_improvements_that_do_not_reach_it_as_keras()
    {
        RequireBackend();
        double[] losses = [1.0, 0.9, 0.95, 0.85, 0.96, 0.8];
        Assert.Equal(-1, StopEpoch(new Callbacks.EarlyStopping(monitor: "loss", patience: 2) { Model = Model(0.1) }, losses));
        Assert.Equal(2, StopEpoch(new Callbacks.EarlyStopping(monitor: "loss", patience: 2, baseline: 0.5) { Model = Model(0.1) }, losses));
        double[] reaching = [1.0, 0.95, 0.9, 0.93, 0.94];
        Assert.Equal(3, StopEpoch(new Callbacks.EarlyStopping(monitor: "loss", patience: 2, baseline: 0.5) { Model = Model(0.1) }, reaching));
        var reached = new Callbacks.EarlyStopping(monitor: "loss", patience: 2, baseline: 0.92) { Model = Model(0.1) };
        Assert.Equal(4, StopEpoch(reached, reaching)); // 0.9 beats the baseline: the count restarts there
        Assert.Equal(2, reached.BestEpoch);
    }

    // Keras 3's start_from_epoch: the warm-up epochs are neither counted nor kept as the best.
    [SkippableFact]
    public void Start_from_epoch_ignores_the_warm_up_epochs_as_keras()
    {
        RequireBackend();
        double[] losses = [0.1, 0.2, 0.5, 0.6, 0.7];
        Assert.Equal(1, StopEpoch(new Callbacks.EarlyStopping(monitor: "loss", patience: 1) { Model = Model(0.1) }, losses));
        var late = new Callbacks.EarlyStopping(monitor: "loss", patience: 1, startFromEpoch: 2) { Model = Model(0.1) };
        Assert.Equal(3, StopEpoch(late, losses));
        Assert.Equal(2, late.BestEpoch);
    }

    [SkippableFact]
    public void A_negative_min_delta_counts_by_its_size_as_keras()
    {
        RequireBackend();
        // |minDelta| 0.05: 0.97 after 1.0 is not an improvement, so patience 1 stops at epoch 1 either way.
        Assert.Equal(1, StopEpoch(new Callbacks.EarlyStopping(monitor: "loss", patience: 1, minDelta: -0.05) { Model = Model(0.1) }, 1.0, 0.97, 0.5));
        Assert.Equal(1, StopEpoch(new Callbacks.EarlyStopping(monitor: "loss", patience: 1, minDelta: 0.05) { Model = Model(0.1) }, 1.0, 0.97, 0.5));
    }
}

public sealed class ManagedCallbackTests() : CallbackTests("managed");

public sealed class NativeCpuCallbackTests() : CallbackTests("cpu");

public sealed class CudaCallbackTests() : CallbackTests("cuda");
