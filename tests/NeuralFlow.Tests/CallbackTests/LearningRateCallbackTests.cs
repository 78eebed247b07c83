using NeuralFlow.Keras;

namespace NeuralFlow.Tests.CallbackTests;

/// <summary>
/// LearningRateScheduler, ReduceLROnPlateau and CSVLogger (issue 16), against the rules of Keras 3's
/// keras/src/callbacks/reduce_lr_on_plateau.py, learning_rate_scheduler.py and csv_logger.py.
/// </summary>
public sealed class LearningRateCallbackTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    public void Dispose() => _temp.Dispose();

    private static Sequential Compiled(double rate)
    {
        var model = new Sequential(new Keras.Layers.Dense(1));
        model.Compile(new Optimizers.SGD((float)rate), new Losses.MeanSquaredError());
        return model;
    }

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([16, 2]);
        return (x, NF.ReduceSum(x, 1, keepDims: true));
    }

    // Walked through Keras' on_epoch_end by hand: patience 2, factor 0.5, cooldown 1.
    // epoch 0 improves (best = 1.0); 1: wait 1; 2: wait 2 -> lr 0.5, cooldown 1; 3: cooldown ends
    // (counter 0) and 0.5 improves; 4: wait 1; 5: wait 2 -> lr 0.25.
    [Fact]
    public void ReduceLROnPlateau_follows_keras_wait_and_cooldown()
    {
        var model = Compiled(1.0);
        var callback = new Callbacks.ReduceLROnPlateau(factor: 0.5, patience: 2, cooldown: 1) { Model = model };
        callback.OnTrainBegin();
        float[] valLoss = [1.0f, 1.0f, 1.0f, 0.5f, 0.5f, 0.5f];
        var rates = new List<double>();
        for (int epoch = 0; epoch < valLoss.Length; epoch++)
        {
            callback.OnEpochEnd(epoch, new Dictionary<string, float> { ["loss"] = 9, ["val_loss"] = valLoss[epoch] });
            rates.Add(model.Optimizer!.CurrentLearningRate);
        }
        Assert.Equal([1.0, 1.0, 0.5, 0.5, 0.5, 0.25], rates);
    }

    [Fact]
    public void ReduceLROnPlateau_stops_at_minLr_and_watches_accuracy_upwards()
    {
        var model = Compiled(0.1);
        var callback = new Callbacks.ReduceLROnPlateau(monitor: "val_accuracy", factor: 0.1, patience: 1, minLr: 0.005) { Model = model };
        callback.OnTrainBegin();
        float[] accuracy = [0.5f, 0.6f, 0.6f, 0.59f, 0.4f];   // auto mode: "acc" means higher is better
        var rates = new List<double>();
        for (int epoch = 0; epoch < accuracy.Length; epoch++)
        {
            callback.OnEpochEnd(epoch, new Dictionary<string, float> { ["val_accuracy"] = accuracy[epoch] });
            rates.Add(model.Optimizer!.CurrentLearningRate);
        }
        Assert.Equal(0.1, rates[1], 7);   // SGD holds its rate as given: 0.1f
        Assert.Equal(0.01, rates[2], 8);
        Assert.Equal(0.005, rates[3], 12);   // max(0.001, minLr)
        Assert.Equal(0.005, rates[4], 12);   // at minLr: no further change
    }

    [Fact]
    public void ReduceLROnPlateau_rejects_a_factor_of_one_or_more()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Callbacks.ReduceLROnPlateau(factor: 1.0));
        Assert.Contains("factor", e.Message);
    }

    [Fact]
    public void LearningRateScheduler_sets_each_epochs_rate_before_it_trains()
    {
        var model = Compiled(1.0);
        var (x, y) = Data();
        var seen = new List<double>();
        var history = model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, callbacks:
        [
            new Callbacks.LearningRateScheduler((epoch, rate) => epoch == 0 ? 0.05 : rate * 0.5),
            new Callbacks.LambdaCallback(onEpochBegin: _ => seen.Add(model.Optimizer!.CurrentLearningRate)),
        ]);
        Assert.Equal([0.05, 0.025, 0.0125], seen);
        var bad = new Callbacks.LearningRateScheduler(epoch => double.NaN) { Model = model };
        Assert.Contains("epoch 4", Assert.Throws<InvalidOperationException>(() => bad.OnEpochBegin(4)).Message);
    }

    [Fact]
    public void CSVLogger_writes_a_header_and_a_row_per_epoch_and_appends_on_resume()
    {
        var model = Compiled(0.01);
        var (x, y) = Data();
        string path = _temp.File("log.csv");
        model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, validationData: (x, y), callbacks: [new Callbacks.CSVLogger(path)]);
        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,loss,val_loss", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("0,", lines[1]);
        Assert.StartsWith("1,", lines[2]);
        var loss = float.Parse(lines[2].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(float.IsFinite(loss) && loss > 0);

        model.Fit(x, y, batchSize: 8, epochs: 3, initialEpoch: 2, verbose: 0, validationData: (x, y), callbacks: [new Callbacks.CSVLogger(path, append: true)]);
        lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        Assert.Equal(1, lines.Count(l => l.StartsWith("epoch")));
        Assert.StartsWith("2,", lines[3]);

        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks: [new Callbacks.CSVLogger(path, separator: ";")]);
        lines = File.ReadAllLines(path);
        // Keras' csv_logger.py: a first epoch without val_ logs still gets their columns ("NA").
        Assert.Equal(["epoch;loss;val_loss", "0;" + lines[1].Split(';')[1] + ";NA"], lines);
    }
}
