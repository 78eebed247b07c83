using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>Fit's validationFreq and validationBatchSize (Keras' validation_freq, validation_batch_size), missing before.</summary>
/// <remarks>Keras 3's _should_eval validates after 1-based epoch e when e % validation_freq == 0; History lists val_ values for those epochs only.</remarks>
public abstract class ValidationFreqTests(string backend) : BackendTest(backend)
{
    private static (Sequential Model, Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(9);
        var m = new Sequential(Layers.Input([3]), new Layers.Dense(1));
        m.Compile(new Optimizers.SGD(0.05), "mse");
        return (m, NF.Random.Normal([12, 3]), NF.Random.Normal([12, 1]));
    }

    [SkippableFact]
    public void Tensors_validate_every_nth_epoch_only()
    {
        RequireBackend();
        var (m, x, y) = Data();
        var validated = new List<bool>();
        var cb = new Callbacks.LambdaCallback(onEpochEnd: (_, logs) => validated.Add(logs.ContainsKey("val_loss")));
        var h = m.Fit(x, y, batchSize: 4, epochs: 5, verbose: 0, validationSplit: 0.25, validationFreq: 2,
                      validationBatchSize: 2, callbacks: [cb]);
        Assert.Equal([false, true, false, true, false], validated);
        Assert.Equal(5, h["loss"].Count);
        Assert.Equal(2, h["val_loss"].Count);
        // The last validation is the model after epoch 4: one more epoch then moves it on.
        Assert.True(double.IsFinite(h["val_loss"][1]));

        // validationBatchSize: the 3 held-out examples reach the model as batches of 2 and 1, the
        // training ones as batches of 4 (a layer records the batch sizes it is traced or run with).
        NF.Random.SetSeed(9);
        var seen = new BatchSizes();
        var sized = new Sequential(Layers.Input([3]), seen, new Layers.Dense(1));
        sized.Compile(new Optimizers.SGD(0.05), "mse");
        sized.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, validationSplit: 0.25, validationBatchSize: 2);
        Assert.Contains(2, seen.Sizes);
        Assert.Contains(1, seen.Sizes);
        Assert.DoesNotContain(3, seen.Sizes);
    }

    // Passes its input through, recording each batch size a call sees (traced calls included).
    private sealed class BatchSizes : Layer
    {
        public readonly HashSet<int> Sizes = [];

        protected override Tensor Forward(Tensor x)
        {
            Sizes.Add(x.Shape[0]);
            return x;
        }
    }

    [SkippableFact]
    public void A_dataset_validates_every_nth_epoch_and_bad_values_fail()
    {
        RequireBackend();
        var (m, x, y) = Data();
        var train = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Batch(4);
        var h = m.Fit(train, epochs: 6, verbose: 0, validationData: train, validationFreq: 3);
        Assert.Equal(2, h["val_loss"].Count);
        // Validation after epoch 6 is the model as it ends: Evaluate gives the same loss.
        Assert.Equal(m.Evaluate(train).Loss, h["val_loss"][1], 5);
        Assert.Equal("validationFreq", Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(train, validationFreq: 0)).ParamName);
        Assert.Equal("validationBatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, validationSplit: 0.5, validationBatchSize: 0)).ParamName);
        Assert.Equal("validationFreq", Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, validationFreq: -1)).ParamName);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedValidationFreqTests() : ValidationFreqTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuValidationFreqTests() : ValidationFreqTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaValidationFreqTests() : ValidationFreqTests("cuda");
