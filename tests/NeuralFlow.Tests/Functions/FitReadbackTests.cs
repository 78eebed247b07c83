using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17: Fit reads the loss and metrics from the device only when the progress bar or a
/// callback needs them, not after every step (Keras' steps_per_execution idea). Counted on a
/// device double, whose memory the library can reach only through downloads.
/// </summary>
public sealed class FitReadbackTests
{
    private const int Steps = 12;

    private sealed class EveryBatch : Callbacks.Callback
    {
        public readonly List<float> Losses = [];
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => Losses.Add(logs["loss"]);
    }

    private sealed class EpochsOnly : Callbacks.Callback
    {
        public int Epochs;
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) => Epochs++;
    }

    // Downloads of one Fit epoch of Steps batches, after a first epoch that traced the steps.
    private static int DownloadsOfAnEpoch(string metric, int verbose, Callbacks.Callback? callback, TextWriter? progress = null)
    {
        var gpu = new DeviceDouble(4);
        using var placement = NF.UseBackend(gpu);
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([Steps * 8, 5]);
        var y = NF.Random.Uniform([Steps * 8], minval: 0, maxval: 3, dtype: DType.Int32);
        var model = new Sequential(new Layers.Dense(8, activation: "relu"), new Layers.Dense(3));
        model.Compile(new Optimizers.Adam(0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true), metric == "" ? null : [metric]);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        Assert.True(model.LastStepFunction!.ReplayCount > 0, model.LastStepFunction.EagerReason);
        var callbacks = new List<Callbacks.Callback>();
        if (callback is not null) callbacks.Add(callback);
        if (progress is not null) callbacks.Add(new Callbacks.ProgbarLogger(progress));
        int before = gpu.Downloads;
        model.Fit(x, y, batchSize: 8, epochs: 2, initialEpoch: 1, verbose: verbose, shuffle: false, callbacks: callbacks);
        Assert.True(model.LastStepFunction!.LastCallReplayed, model.LastStepFunction.EagerReason);
        return gpu.Downloads - before;
    }

    [Theory]
    [InlineData("")]
    [InlineData("accuracy")]
    public void A_silent_fit_reads_the_device_once_per_epoch_not_per_step(string metric)
    {
        var epochs = new EpochsOnly();
        int downloads = DownloadsOfAnEpoch(metric, verbose: 0, epochs);
        Assert.Equal(1, epochs.Epochs);
        // The epoch's logs: the loss (and metric) means, a few values; never one per step.
        Assert.True(downloads < Steps, $"{downloads} downloads for {Steps} steps (metric '{metric}')");
    }

    [Fact]
    public void A_progress_bar_reads_only_when_it_draws()
    {
        var output = new StringWriter();
        int downloads = DownloadsOfAnEpoch("accuracy", verbose: 2, null, output);
        Assert.Contains("loss:", output.ToString());
        Assert.True(downloads < Steps, $"{downloads} downloads for {Steps} steps");
    }

    [Fact]
    public void A_callback_that_wants_every_batch_gets_every_batch()
    {
        var every = new EveryBatch();
        int downloads = DownloadsOfAnEpoch("", verbose: 0, every);
        Assert.Equal(Steps, every.Losses.Count);
        Assert.True(downloads >= Steps, $"{downloads} downloads for {Steps} batch-end logs");
        Assert.Equal(Steps, every.Losses.Distinct().Count());
    }
}
