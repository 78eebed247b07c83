using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Checkpoints2;

/// <summary>ModelCheckpoint's saveFreq, initialValueThreshold and verbose arguments, and its {batch} placeholder, without a Fit.</summary>
public sealed class CheckpointArgumentTests
{
    [Theory]
    [InlineData("batch", "unrecognized saveFreq \"batch\"")]
    [InlineData("Epoch", "unrecognized saveFreq \"Epoch\"")]
    [InlineData(2.5, "unrecognized saveFreq 2.5 (Double)")]
    [InlineData(3L, "unrecognized saveFreq 3 (Int64)")]
    public void An_unrecognized_save_freq_is_refused_as_keras_does(object saveFreq, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new Callbacks.ModelCheckpoint("m.nfmodel", saveFreq: saveFreq));
        Assert.StartsWith("ModelCheckpoint: " + message + "; expected \"epoch\" or a positive number of batches", e.Message);
        Assert.Equal("saveFreq", e.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void A_save_freq_below_one_batch_is_refused(int saveFreq)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Callbacks.ModelCheckpoint("m.nfmodel", saveFreq: saveFreq));
        Assert.Contains($"ModelCheckpoint: saveFreq must be \"epoch\" or a positive number of batches, got {saveFreq}.", e.Message);
    }

    [Fact]
    public void Epoch_and_null_save_at_epoch_ends_and_a_number_every_that_many_batches()
    {
        Assert.Equal(0, new Callbacks.ModelCheckpoint("m.nfmodel").SaveEvery);
        Assert.Equal(0, new Callbacks.ModelCheckpoint("m.nfmodel", saveFreq: "epoch").SaveEvery);
        Assert.Equal(7, new Callbacks.ModelCheckpoint("m.nfmodel", saveFreq: 7).SaveEvery);
    }

    [Fact]
    public void A_nan_threshold_and_a_negative_verbose_are_refused()
    {
        var nan = Assert.Throws<ArgumentException>(() => new Callbacks.ModelCheckpoint("m.nfmodel", initialValueThreshold: double.NaN));
        Assert.StartsWith("ModelCheckpoint: initialValueThreshold is NaN", nan.Message);
        var verbose = Assert.Throws<ArgumentOutOfRangeException>(() => new Callbacks.ModelCheckpoint("m.nfmodel", verbose: -1));
        Assert.Contains("ModelCheckpoint: verbose must be 0", verbose.Message);
    }

    [Fact]
    public void The_threshold_is_the_best_before_training()
    {
        var checkpoint = new Callbacks.ModelCheckpoint("m.nfmodel", monitor: "loss", saveBestOnly: true, initialValueThreshold: 0.25);
        checkpoint.OnTrainBegin();
        Assert.Equal(0.25, checkpoint.Best);
        var none = new Callbacks.ModelCheckpoint("m.nfmodel", monitor: "loss", saveBestOnly: true);
        none.OnTrainBegin();
        Assert.True(double.IsNaN(none.Best));
    }

    [Fact]
    public void Batch_placeholders_count_from_one_and_a_batch_log_wins()
    {
        var logs = new Dictionary<string, float> { ["loss"] = 0.5f };
        Assert.Equal("m-02-007-0.50.nfmodel", Callbacks.ModelCheckpoint.FormatPath("m-{epoch:02d}-{batch:03d}-{loss:.2f}.nfmodel", 2, logs, batch: 7));
        Assert.Equal("m-9.nfmodel", Callbacks.ModelCheckpoint.FormatPath("m-{batch}.nfmodel", 1, new Dictionary<string, float> { ["batch"] = 9 }, batch: 3));
        // An epoch-level save has no batch: the path cannot name one.
        var e = Assert.Throws<InvalidOperationException>(() => Callbacks.ModelCheckpoint.FormatPath("m-{batch}.nfmodel", 1, logs));
        Assert.Contains("names 'batch'", e.Message);
        Assert.Contains("batch only when saveFreq is a number of batches", e.Message);
    }
}
