using NeuralFlow.Keras;

namespace NeuralFlow.Tests.CallbackTests;

/// <summary>
/// A monitored log the epoch does not have (the default "val_loss" in a Fit without validation
/// data): Keras 3 warns and carries on (keras/src/callbacks/early_stopping.py get_monitor_value,
/// model_checkpoint.py _should_save_model, reduce_lr_on_plateau.py on_epoch_end) instead of ending
/// the run; ModelCheckpoint then saves, as Keras 3.10 and later. The texts are Keras'.
/// </summary>
public sealed class MissingMonitorTests
{
    private static Sequential Compiled(double rate)
    {
        NF.Random.SetSeed(41);
        var model = new Sequential(new Keras.Layers.Dense(3));
        model.Compile(new Optimizers.SGD(rate), new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        return model;
    }

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(42);
        return (NF.Random.Normal([16, 3]), NF.Random.Uniform([16], 0, 3, DType.Int32));
    }

    // Fits 4 epochs without validation data; returns the epochs run and what was warned.
    private static (int Epochs, string Warnings) FitWithout(Model model, Callbacks.Callback callback)
    {
        var (x, y) = Data();
        using var log = new WarningLogCapture();
        var history = model.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, shuffle: false, callbacks: [callback]);
        return (history.Epochs, log.Text);
    }

    [Fact]
    public void Early_stopping_on_a_missing_log_warns_and_neither_stops_nor_counts()
    {
        var stop = new Callbacks.EarlyStopping(patience: 0);  // monitor "val_loss"; patience 0 would stop at epoch 1
        var (epochs, warnings) = FitWithout(Compiled(0), stop);
        Assert.Equal(4, epochs);
        Assert.Equal(-1, stop.StoppedEpoch);
        Assert.Equal(-1, stop.BestEpoch);
        Assert.Equal("Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: loss,accuracy"
                     + Environment.NewLine, warnings);   // once per run, not once per epoch
    }

    [Fact]
    public void Model_checkpoint_with_save_best_only_on_a_missing_log_warns_once_and_saves_as_keras_3_10()
    {
        using var temp = new TempDirectory();
        var checkpoint = new Callbacks.ModelCheckpoint(temp.File("best-{epoch}.nfmodel"), saveBestOnly: true);
        var (epochs, warnings) = FitWithout(Compiled(0.1), checkpoint);
        Assert.Equal(4, epochs);
        // Keras 3.10+ warns once and saves every epoch (earlier Keras skipped: nothing was left behind).
        Assert.Equal(["best-1.nfmodel", "best-2.nfmodel", "best-3.nfmodel", "best-4.nfmodel"],
                     Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order());
        Assert.True(double.IsNaN(checkpoint.Best));
        Assert.Equal("Can save best model only with val_loss available." + Environment.NewLine, warnings);
    }

    [Fact]
    public void Reduce_lr_on_plateau_on_a_missing_log_warns_and_keeps_the_rate()
    {
        var model = Compiled(0.1);
        var reduce = new Callbacks.ReduceLROnPlateau(factor: 0.5, patience: 1, minDelta: 1e9);  // would halve the rate from epoch 1
        var (epochs, warnings) = FitWithout(model, reduce);
        Assert.Equal(4, epochs);
        Assert.Equal(0.1, model.Optimizer!.CurrentLearningRate, 7);
        // Keras 3 logs "learning_rate" before it looks for the monitor, so the list names it too.
        Assert.Equal("Learning rate reduction is conditioned on metric `val_loss` which is not available. Available metrics are: loss,accuracy,learning_rate."
                     + Environment.NewLine, warnings);
    }

    [Fact]
    public void A_reused_callback_warns_again_in_its_next_run()
    {
        var stop = new Callbacks.EarlyStopping();
        var model = Compiled(0);
        Assert.NotEmpty(FitWithout(model, stop).Warnings);
        Assert.NotEmpty(FitWithout(model, stop).Warnings);
    }

    // The same callbacks with val_loss there behave as before, and warn nothing. A learning rate of 0
    // keeps every epoch's val_loss equal to the first (the best); minDelta 1e9 makes every epoch after
    // the first a non-improvement for ReduceLROnPlateau (patience 1: the rate halves at epochs 1, 2, 3).
    [Fact]
    public void A_present_monitor_works_as_before_without_a_warning()
    {
        var (x, y) = Data();
        using var log = new WarningLogCapture();
        using var temp = new TempDirectory();

        var stop = new Callbacks.EarlyStopping(patience: 0);
        var checkpoint = new Callbacks.ModelCheckpoint(temp.File("best-{epoch}.nfmodel"), saveBestOnly: true);
        var history = Compiled(0).Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, shuffle: false,
                                      validationData: (x, y), callbacks: [stop, checkpoint]);
        Assert.Equal(2, history.Epochs);
        Assert.Equal(1, stop.StoppedEpoch);
        Assert.Equal(["best-1.nfmodel"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
        Assert.Equal(history["val_loss"][0], checkpoint.Best, 6);

        var model = Compiled(0.1);
        var reduce = new Callbacks.ReduceLROnPlateau(factor: 0.5, patience: 1, minDelta: 1e9);
        model.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, shuffle: false, validationData: (x, y), callbacks: [reduce]);
        Assert.Equal(0.0125, model.Optimizer!.CurrentLearningRate, 7);
        Assert.Equal("", log.Text);
    }

    [Fact]
    public void The_function_log_and_the_warning_log_are_one_setting()
    {
        var previous = NF.WarningLog;
        try
        {
            using var writer = new StringWriter();
            TracedFunction.Log = writer;
            Assert.Same(writer, NF.WarningLog);
        }
        finally { NF.WarningLog = previous; }
    }

    [Fact]
    public void A_misspelt_mode_is_still_an_argument_error()
    {
        var e = Assert.Throws<ArgumentException>(() => new Callbacks.EarlyStopping(mode: "minimum"));
        Assert.Contains("\"minimum\"", e.Message);
    }
}
