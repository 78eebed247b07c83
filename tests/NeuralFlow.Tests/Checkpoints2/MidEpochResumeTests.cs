using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe12;

namespace NeuralFlow.Tests.Checkpoints2;

/// <summary>
/// BackupAndRestore(saveFreq: N batches): a Fit killed mid-epoch and run again continues at the
/// batch after the last checkpoint (tf.keras 2's resume; Keras 3 restarts the epoch), in the same
/// shuffled order, with the epoch's running loss and metrics, and ends on the uninterrupted run's
/// weights and History bit for bit: shuffled in-memory examples with dropout, a seeded
/// shuffled dataset pipeline, and stepsPerEpoch cutting a pass so that epochs share passes.
/// </summary>
public abstract class MidEpochResumeTests(string backend) : BackendFileTest(backend)
{
    private static (Tensor X, Tensor Y) Data(int rows) => ProbeData.SignOfSum(rows);

    private static Sequential Classifier()
    {
        NF.Random.SetSeed(7);
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(6, activation: "relu"), new Layers.Dropout(0.25), new Layers.Dense(1, activation: "sigmoid"));
        m.Compile(new Optimizers.Adam(0.02), "binary_crossentropy", ["accuracy", new Metrics.AUC()]);
        return m;
    }

    // Throws from the batch end after `global` training batches in all (the checkpoint callback before it has saved).
    private static Callbacks.LambdaCallback KillAfterBatches(int global)
    {
        int seen = 0;
        return new Callbacks.LambdaCallback(onBatchEnd: (_, _) => { if (++seen == global) throw new TimeoutException("killed"); });
    }

    private static void AssertSame(Model straight, History full, Model resumed, History rest, int firstResumedEpoch)
    {
        Assert.Equal(full.Epoch.Skip(firstResumedEpoch), rest.Epoch);
        foreach (var key in full.Keys) Assert.Equal(full[key].Skip(firstResumedEpoch), rest[key]);
        Assert.Equal(straight.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        for (int i = 0; i < straight.Variables.Count; i++)
            Assert.Equal(straight.Variables[i].ToArray<float>(), resumed.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void Shuffled_examples_with_dropout_resume_at_the_batch_after_the_checkpoint()
    {
        RequireBackend();
        var (x, y) = Data(40);
        var straight = Classifier();
        var full = straight.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, validationData: (x, y));
        string dir = Temp.File("backup");
        // 5 batches an epoch, a checkpoint every 3: the last before the kill after batch 8 is after batch 6 (epoch 1, its first batch).
        Assert.Throws<TimeoutException>(() => Classifier().Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, validationData: (x, y),
                                                               callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 3), KillAfterBatches(8)]));
        var resumed = Classifier();
        var seen = new List<(int Epoch, int Batch)>();
        int epochNow = -1;
        var rest = resumed.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, validationData: (x, y),
                               callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 3),
                                           new Callbacks.LambdaCallback(onEpochBegin: e => epochNow = e, onBatchBegin: b => seen.Add((epochNow, b)))]);
        // The resumed epoch runs its remaining batches only, numbered as in the uninterrupted run.
        Assert.Equal([(1, 1), (1, 2), (1, 3), (1, 4)], seen.Take(4));
        Assert.Equal(4 + 5, seen.Count);
        AssertSame(straight, full, resumed, rest, firstResumedEpoch: 1);
        Assert.False(Directory.Exists(dir));
    }

    [SkippableFact]
    public void A_seeded_shuffled_pipeline_resumes_mid_epoch_in_the_same_order()
    {
        RequireBackend();
        var (x, y) = Data(36);
        Dataset Pipeline() => Dataset.FromTensorSlices(x, y).Shuffle(36, seed: 5).Map((a, b) => (a * 2f, b)).Batch(6);
        var straight = Classifier();
        var full = straight.Fit(Pipeline(), epochs: 3, verbose: 0);
        string dir = Temp.File("backup");
        Assert.Throws<TimeoutException>(() => Classifier().Fit(Pipeline(), epochs: 3, verbose: 0,
                                                               callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 4), KillAfterBatches(15)]));
        var resumed = Classifier();
        var rest = resumed.Fit(Pipeline(), epochs: 3, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 4)]);
        // 6 batches an epoch; the checkpoint after batch 12 was taken after epoch 1's last batch but
        // before its end (validation, epoch-end callbacks), so the resumed Fit ends epoch 1, then runs epoch 2.
        AssertSame(straight, full, resumed, rest, firstResumedEpoch: 1);
    }

    [SkippableFact]
    public void Epochs_that_share_a_pass_resume_where_the_pass_was()
    {
        RequireBackend();
        var (x, y) = Data(48);
        // 6 batches a pass, 4 an epoch: epoch 1 takes the pass's last 2 and ends short (Keras'
        // EpochIterator), epoch 2 starts the next pass. Killed after batch 4 (epoch 0 saved, not
        // ended), 6 (epoch 1's last) and 9 (mid epoch 2, in the second pass).
        var straight = Classifier();
        var full = straight.Fit(x, y, batchSize: 8, epochs: 4, stepsPerEpoch: 4, verbose: 0);
        foreach (var (killAt, resumesAt) in new[] { (4, 0), (6, 1), (9, 2) })
        {
            string dir = Temp.File($"backup{killAt}");
            Assert.Throws<TimeoutException>(() => Classifier().Fit(x, y, batchSize: 8, epochs: 4, stepsPerEpoch: 4, verbose: 0,
                                                                   callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 2), KillAfterBatches(killAt)]));
            var resumed = Classifier();
            var rest = resumed.Fit(x, y, batchSize: 8, epochs: 4, stepsPerEpoch: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 2)]);
            AssertSame(straight, full, resumed, rest, firstResumedEpoch: resumesAt);
        }
    }

    [SkippableFact]
    public void An_epoch_checkpoint_of_a_cut_pass_continues_the_pass()
    {
        RequireBackend();
        var (x, y) = Data(48);
        var straight = Classifier();
        var full = straight.Fit(x, y, batchSize: 8, epochs: 4, stepsPerEpoch: 4, verbose: 0);
        string dir = Temp.File("backup");
        // Killed in epoch 1, whose 2 batches are the last of the pass epoch 0 began: the resumed
        // Fit reads them from that pass (reopened in its shuffled order), not from a new one.
        Assert.Throws<TimeoutException>(() => Classifier().Fit(x, y, batchSize: 8, epochs: 4, stepsPerEpoch: 4, verbose: 0,
                                                               callbacks: [new Callbacks.BackupAndRestore(dir), KillAfterBatches(5)]));
        var resumed = Classifier();
        var rest = resumed.Fit(x, y, batchSize: 8, epochs: 4, stepsPerEpoch: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]);
        AssertSame(straight, full, resumed, rest, firstResumedEpoch: 1);
    }

    [SkippableFact]
    public void Double_checkpoint_restores_the_previous_one_when_the_latest_is_damaged()
    {
        RequireBackend();
        var (x, y) = Data(40);
        var straight = Classifier();
        var full = straight.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0);
        string dir = Temp.File("backup");
        Assert.Throws<TimeoutException>(() => Classifier().Fit(x, y, batchSize: 8, epochs: 3, verbose: 0,
                                                               callbacks: [new Callbacks.BackupAndRestore(dir, doubleCheckpoint: true), KillAfterBatches(11)]));
        string latest = Path.Combine(dir, "checkpoint.nfmodel");
        Assert.True(File.Exists(latest + ".bkp"));
        File.WriteAllBytes(latest, File.ReadAllBytes(latest)[..100]); // a torn copy
        var resumed = Classifier();
        using var warnings = new WarningLogCapture();
        var rest = resumed.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir, doubleCheckpoint: true)]);
        Assert.Contains("restoring the previous one", warnings.Text);
        // The previous checkpoint is epoch 0's end: epochs 1 and 2 run again.
        AssertSame(straight, full, resumed, rest, firstResumedEpoch: 1);
    }

    // A TrainStep override with its own trackers (Keras' "customizing fit" guide's lower-level model):
    // their running state is what the resumed epoch's logs continue from.
    private static Model OwnTrackersModel()
    {
        NF.Random.SetSeed(7);
        var input = Layers.Input([4]);
        var m = new CustomSteps.CustomTrainStepTests.LowLevelModel(input, new Layers.Dense(1).Call(new Layers.Dense(5, activation: "tanh").Call(input)));
        m.Compile(new Optimizers.SGD(0.05));
        return m;
    }

    [SkippableFact]
    public void A_custom_train_step_resumes_with_its_own_trackers_running_values()
    {
        RequireBackend();
        var (x, y) = Data(40);
        var straight = OwnTrackersModel();
        var full = straight.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        string dir = Temp.File("backup");
        Assert.Throws<TimeoutException>(() => OwnTrackersModel().Fit(x, y, batchSize: 8, epochs: 2, verbose: 0,
                                                                     callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 2), KillAfterBatches(7)]));
        var resumed = OwnTrackersModel();
        var rest = resumed.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 2)]);
        // Saved after batch 6 (epoch 1's first): epoch 1's mae and loss still average all 5 of its batches.
        AssertSame(straight, full, resumed, rest, firstResumedEpoch: 1);
    }

    // Rewrites one number of the position in a checkpoint's training state (damage, as a bad disk or a hand edit makes it).
    private static void SetPosition(string checkpoint, string key, long value)
    {
        using var zip = System.IO.Compression.ZipFile.Open(checkpoint, System.IO.Compression.ZipArchiveMode.Update);
        var entry = zip.GetEntry("training_state.json")!;
        System.Text.Json.Nodes.JsonObject state;
        using (var reader = new StreamReader(entry.Open())) state = System.Text.Json.Nodes.JsonNode.Parse(reader.ReadToEnd())!.AsObject();
        state["position"]![key] = value;
        entry.Delete();
        using var writer = new StreamWriter(zip.CreateEntry("training_state.json").Open());
        writer.Write(state.ToJsonString());
    }

    [SkippableFact]
    public void A_repeated_dataset_resumes_mid_epoch_and_a_damaged_count_of_its_batches_is_refused()
    {
        RequireBackend();
        var (x, y) = Data(36);
        Dataset Pipeline() => Dataset.FromTensorSlices(x, y).Shuffle(36, seed: 5).Batch(6).Repeat();
        var straight = Classifier();
        var full = straight.Fit(Pipeline(), epochs: 3, stepsPerEpoch: 4, verbose: 0);
        string dir = Temp.File("backup");
        Assert.Throws<TimeoutException>(() => Classifier().Fit(Pipeline(), epochs: 3, stepsPerEpoch: 4, verbose: 0,
                                                               callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 3), KillAfterBatches(7)]));
        string path = Path.Combine(dir, "checkpoint.nfmodel");
        byte[] saved = File.ReadAllBytes(path);
        var resumed = Classifier();
        var rest = resumed.Fit(Pipeline(), epochs: 3, stepsPerEpoch: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 3)]);
        // Saved after batch 6, epoch 1's second: the one endless pass goes on from its 7th batch.
        AssertSame(straight, full, resumed, rest, firstResumedEpoch: 1);
        Directory.CreateDirectory(dir); // the finished run removed it
        File.WriteAllBytes(path, saved);
        SetPosition(path, "seen_in_pass", 2_000_000_000);
        var e = Assert.Throws<InvalidDataException>(() => Classifier().Fit(Pipeline(), epochs: 3, stepsPerEpoch: 4, verbose: 0,
                                                                           callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 3)]));
        Assert.Contains("damaged", e.Message);
    }

    [SkippableFact]
    public void A_damaged_position_is_refused_by_name_instead_of_skipping_a_billion_passes()
    {
        RequireBackend();
        var (x, y) = Data(40);
        string dir = Temp.File("backup");
        Assert.Throws<TimeoutException>(() => Classifier().Fit(x, y, batchSize: 8, epochs: 3, verbose: 0,
                                                               callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 3), KillAfterBatches(8)]));
        string path = Path.Combine(dir, "checkpoint.nfmodel");
        SetPosition(path, "pass", 1_000_000_000);
        var e = Assert.Throws<InvalidDataException>(() => Classifier().Fit(x, y, batchSize: 8, epochs: 3, verbose: 0,
                                                                           callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 3)]));
        Assert.Contains(path, e.Message);
        Assert.Contains("pass 1000000000", e.Message);
    }

    [SkippableFact]
    public void A_bad_save_freq_is_refused_by_name()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Callbacks.BackupAndRestore(Temp.File("b"), saveFreq: "batch"));
        Assert.Contains("BackupAndRestore", e.Message);
        Assert.Contains("saveFreq", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Callbacks.BackupAndRestore(Temp.File("b"), saveFreq: 0));
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedMidEpochResumeTests() : MidEpochResumeTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuMidEpochResumeTests() : MidEpochResumeTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaMidEpochResumeTests() : MidEpochResumeTests("cuda");
