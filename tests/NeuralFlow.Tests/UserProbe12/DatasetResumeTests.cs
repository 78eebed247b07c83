using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe12;

/// <summary>
/// BackupAndRestore over a Dataset pipeline: a seeded Shuffle reshuffles by pass number, and the
/// rerun's fresh pipeline started again at pass 0, so the resumed epochs trained on the first
/// epochs' orders and ended on other weights than the uninterrupted run (arrays and unshuffled
/// datasets were exact). The resumed Fit now opens the passes the killed run had opened.
/// </summary>
public abstract class DatasetResumeTests(string backend) : BackendFileTest(backend)
{
    private static Dataset Pipeline(bool prefetch)
    {
        var (x, y) = ProbeData.SignOfSum(24);
        var batched = Dataset.FromTensorSlices(x, y).Shuffle(24, seed: 3).Batch(8);
        return prefetch ? batched.Prefetch(2) : batched;
    }

    private static Sequential Compiled()
    {
        NF.Random.SetSeed(7);
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(6, activation: "relu"), new Layers.Dropout(0.2), new Layers.Dense(1, activation: "sigmoid"));
        m.Compile(new Optimizers.Adam(0.02), "binary_crossentropy", ["accuracy"]);
        return m;
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_killed_fit_over_a_seeded_shuffle_resumes_to_the_uninterrupted_weights(bool prefetch)
    {
        RequireBackend();
        var straight = Compiled();
        var full = straight.Fit(Pipeline(prefetch), epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(Temp.File("a"))]);

        string dir = Temp.File("b");
        var kill = new Callbacks.LambdaCallback(onEpochBegin: e => { if (e == 2) throw new TimeoutException("killed"); });
        Assert.Throws<TimeoutException>(() => Compiled().Fit(Pipeline(prefetch), epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir), kill]));
        // The rerun, as a new process would: the same seeds, a new pipeline and model.
        var resumed = Compiled();
        var rest = resumed.Fit(Pipeline(prefetch), epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]);

        Assert.Equal(new[] { 2, 3 }, rest.Epoch);
        Assert.Equal(full["loss"].Skip(2), rest["loss"]);
        for (int i = 0; i < straight.Variables.Count; i++)
            Assert.Equal(straight.Variables[i].ToArray<float>(), resumed.Variables[i].ToArray<float>());
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedDatasetResumeTests() : DatasetResumeTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuDatasetResumeTests() : DatasetResumeTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaDatasetResumeTests() : DatasetResumeTests("cuda");
