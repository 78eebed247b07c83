using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Checkpoints2;

/// <summary>
/// ModelCheckpoint's saveFreq (Keras' save_freq as a number of batches) and initialValueThreshold
/// in a real Fit, replayed (the default) and run eagerly. Expected names: keras_checkpoint_names.py.
/// </summary>
public abstract class SaveFreqTests(string backend) : BackendFileTest(backend)
{
    // 20 examples in batches of 4: 5 batches per epoch.
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(7);
        return (NF.Random.Normal([20, 3]), NF.Random.Uniform([20], 0, 3, DType.Int32));
    }

    private static Sequential Compiled(bool runEagerly)
    {
        NF.Random.SetSeed(11);
        var model = new Sequential(new Layers.Dense(5, activation: "tanh"), new Layers.Dense(3));
        model.Compile(new Optimizers.Adam(learningRate: 0.05f), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], runEagerly: runEagerly);
        return model;
    }

    // Stops the Fit after its n-th training batch (counted across epochs).
    private sealed class StopAfterBatches(int n) : Callbacks.Callback
    {
        private int _seen;

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (++_seen == n) Model!.StopTraining = true;
        }
    }

    private string[] Files(string pattern) => Directory.GetFiles(Temp.Path, pattern).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    private void EveryThreeBatchesNamesAndWeights(bool runEagerly)
    {
        var (x, y) = Data();
        var checkpoint = new Callbacks.ModelCheckpoint(Temp.File("ckpt-e{epoch}-b{batch:02d}.nfmodel"), monitor: "loss", saveFreq: 3);
        var model = Compiled(runEagerly);
        NF.Random.SetSeed(5);
        var history = model.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, callbacks: [checkpoint]);
        Assert.Equal(3, history.Epochs);
        Assert.Equal(3, checkpoint.SaveEvery);
        // Global batches 3, 6, 9, 12, 15: the count goes on across epochs; {batch} counts from 1 in its epoch.
        Assert.Equal(["ckpt-e1-b03.nfmodel", "ckpt-e2-b01.nfmodel", "ckpt-e2-b04.nfmodel", "ckpt-e3-b02.nfmodel", "ckpt-e3-b05.nfmodel"], Files("ckpt-*"));

        // The file of global batch 6 holds the weights of the same run stopped after its 6th batch.
        var stopped = Compiled(runEagerly);
        NF.Random.SetSeed(5);
        stopped.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, callbacks: [new StopAfterBatches(6)]);
        var loaded = Model.Load(Temp.File("ckpt-e2-b01.nfmodel"));
        Assert.Equal(stopped.Variables.Count, loaded.Variables.Count);
        for (int i = 0; i < stopped.Variables.Count; i++)
            Assert.Equal(stopped.Variables[i].ToArray<float>(), loaded.Variables[i].ToArray<float>());
        Assert.NotEqual(model.Variables[0].ToArray<float>(), loaded.Variables[0].ToArray<float>()); // not the end of training
        // The last save point is the last batch of the run: that file holds the final weights.
        var last = Model.Load(Temp.File("ckpt-e3-b05.nfmodel"));
        Assert.Equal(model.Predict(x, verbose: 0).ToArray<float>(), last.Predict(x, verbose: 0).ToArray<float>());
    }

    [SkippableFact]
    public void Save_freq_three_names_keras_files_and_holds_that_batchs_weights()
    {
        RequireBackend();
        EveryThreeBatchesNamesAndWeights(runEagerly: false);
    }

    [SkippableFact]
    public void Save_freq_three_run_eagerly_is_the_same()
    {
        RequireBackend();
        EveryThreeBatchesNamesAndWeights(runEagerly: true);
    }

    [SkippableFact]
    public void Save_best_only_at_batch_level_monitors_the_batch_logs_from_the_threshold()
    {
        RequireBackend();
        var (x, y) = Data();
        // Each batch's running loss, as the checkpoint sees it (Fit passes every callback the same logs).
        var seen = new List<(int Epoch, int Batch, float Loss)>();
        int epochNow = 0;
        var recorder = new Callbacks.LambdaCallback(onEpochBegin: e => epochNow = e, onBatchEnd: (b, logs) => seen.Add((epochNow, b, logs["loss"])));
        const double threshold = 1.0;
        var best = new Callbacks.ModelCheckpoint(Temp.File("best-{epoch}-{batch}-{loss:.4f}.nfmodel"), monitor: "loss", saveBestOnly: true,
                                                 saveFreq: 2, initialValueThreshold: threshold);
        NF.Random.SetSeed(5);
        Compiled(runEagerly: false).Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [recorder, best]);
        Assert.Equal(10, seen.Count);

        var expected = new List<string>();
        double bestSoFar = threshold;
        for (int i = 1; i < seen.Count; i += 2) // every second batch across the run: global batches 2, 4, 6, 8, 10
        {
            var (e, b, loss) = seen[i];
            if (loss >= bestSoFar) continue;
            bestSoFar = loss;
            expected.Add($"best-{e + 1}-{b + 1}-{loss.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}.nfmodel");
        }
        Assert.NotEmpty(expected);  // the data make at least one save point beat the threshold
        Assert.Equal(expected.Order(StringComparer.Ordinal), Files("best-*"));
        Assert.Equal(bestSoFar, best.Best, 6);
    }

    [SkippableFact]
    public void Initial_value_threshold_suppresses_epoch_saves_that_do_not_beat_it()
    {
        RequireBackend();
        var (x, y) = Data();
        NF.Random.SetSeed(5);
        var losses = Compiled(runEagerly: false).Fit(x, y, batchSize: 4, epochs: 4, verbose: 0)["loss"];

        // Same run, with a threshold of epoch 2's loss: only epochs below it (and below each other) save.
        double threshold = losses[1];
        var checkpoint = new Callbacks.ModelCheckpoint(Temp.File("t-{epoch}.nfmodel"), monitor: "loss", saveBestOnly: true, initialValueThreshold: threshold);
        Assert.Equal(0, checkpoint.SaveEvery);
        NF.Random.SetSeed(5);
        Compiled(runEagerly: false).Fit(x, y, batchSize: 4, epochs: 4, verbose: 0, callbacks: [checkpoint]);
        var expected = new List<string>();
        double best = threshold;
        for (int e = 0; e < losses.Count; e++)
            if (losses[e] < best)
            {
                best = losses[e];
                expected.Add($"t-{e + 1}.nfmodel");
            }
        Assert.DoesNotContain("t-1.nfmodel", expected);  // epoch 1 did not beat epoch 2's loss (training lowers it)
        Assert.DoesNotContain("t-2.nfmodel", expected);  // equal is not better
        Assert.Equal(expected.Order(StringComparer.Ordinal), Files("t-*"));
        Assert.Equal(best, checkpoint.Best, 6);

        // A threshold no epoch reaches saves nothing and stays the best; "max" works the other way round.
        var unreachable = new Callbacks.ModelCheckpoint(Temp.File("never-{epoch}.nfmodel"), monitor: "loss", saveBestOnly: true, initialValueThreshold: 0.0);
        var perfect = new Callbacks.ModelCheckpoint(Temp.File("acc-{epoch}.nfmodel"), monitor: "accuracy", mode: "max", saveBestOnly: true, initialValueThreshold: 1.0);
        Compiled(runEagerly: false).Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [unreachable, perfect]);
        Assert.Empty(Files("never-*"));
        Assert.Empty(Files("acc-*"));
        Assert.Equal(0.0, unreachable.Best);
        Assert.Equal(1.0, perfect.Best);
    }

    [SkippableFact]
    public void Verbose_one_says_what_it_saved_and_what_it_did_not()
    {
        RequireBackend();
        var (x, y) = Data();
        string path = Temp.File("v-{epoch}.nfmodel");
        var checkpoint = new Callbacks.ModelCheckpoint(path, monitor: "loss", saveBestOnly: true, verbose: 1, initialValueThreshold: 0.0);
        var every = new Callbacks.ModelCheckpoint(Temp.File("w-{epoch}-{batch}.safetensors"), saveWeightsOnly: true, verbose: 1, saveFreq: 5);
        var before = Console.Out;
        var output = new StringWriter();
        try
        {
            Console.SetOut(TextWriter.Synchronized(output));  // other tests may write meanwhile
            Compiled(runEagerly: false).Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, callbacks: [checkpoint, every]);
        }
        finally
        {
            Console.SetOut(before);
        }
        string text = output.ToString();
        Assert.Contains("Epoch 1: loss did not improve from 0.00000", text);
        Assert.Contains($"Epoch 1: saving model to {Temp.File("w-1-5.safetensors")}", text);
        Assert.Contains($"Epoch 1: finished saving model to {Temp.File("w-1-5.safetensors")}", text);
        Assert.Equal(["w-1-5.safetensors"], Files("w-*"));
    }
}

public sealed class ManagedSaveFreqTests() : SaveFreqTests("managed");
public sealed class NativeCpuSaveFreqTests() : SaveFreqTests("cpu");
public sealed class CudaSaveFreqTests() : SaveFreqTests("cuda");
