using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The TF2 half of TensorFlow's "Migrate the fault tolerance mechanism" guide (guide/migrate/fault_tolerance.ipynb)
/// in C#: BackupAndRestore in Fit, a run interrupted by a callback that throws at the end of epoch 3 (InterruptAtEpoch)
/// or at the 14th step (InterruptAtStep, with saveFreq 3 in steps) and rerun with a fresh model compiled with
/// stepsPerExecution, as the guide reruns it; and the custom loop that saves a Train.Checkpoint each step with a
/// CheckpointManager (maxToKeep 2) and restores the latest. The guide's MNIST model (Flatten, Dense(512, relu),
/// Dropout(0.2), Dense(10)) is scaled down to synthetic data, Dense(16)/Dropout/Dense(3), so that the resumed run
/// can be compared, weight for weight, with the same run uninterrupted: the dropout masks and the shuffled orders
/// must come back with the checkpoint for those to agree.
/// </summary>
public abstract class MigrateFaultToleranceTests(string backend) : BackendFileTest(backend)
{
    private const int Epochs = 6, StepsPerEpoch = 5, BatchSize = 16;

    // 160 examples: 10 batches a pass, so stepsPerEpoch 5 cuts each pass in two epochs (the guide: 1875 and 100).
    private static Tensor XTrain => NF.Sin(NF.Reshape(NF.Range(0f, 160 * 8), [160, 8]) * 0.37f);
    private static Tensor YTrain => NF.Constant(Enumerable.Range(0, 160).Select(i => i % 3).ToArray());

    private static Sequential CreateModel(int stepsPerExecution = 1)
    {
        var model = new Sequential(Layers.Input([8]), new Layers.Dense(16, activation: "relu"), new Layers.Dropout(0.2), new Layers.Dense(3));
        model.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], stepsPerExecution: stepsPerExecution);
        return model;
    }

    /// <summary>The guide's InterruptAtEpoch: raises at the end of epoch 3.</summary>
    private sealed class InterruptAtEpoch(int interruptingEpoch = 3) : Callbacks.Callback
    {
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            if (epoch == interruptingEpoch) throw new InvalidOperationException("Interruption");
        }
    }

    /// <summary>The guide's InterruptAtStep: counts steps in on_batch_begin, raises in on_batch_end at the given count.</summary>
    private sealed class InterruptAtStep(int interruptingStep) : Callbacks.Callback
    {
        public int TotalStepCount { get; private set; }
        public override void OnBatchBegin(int batch) => TotalStepCount++;
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (TotalStepCount == interruptingStep) throw new InvalidOperationException("Interruption");
        }
    }

    /// <summary>Counts the batches a run trains on.</summary>
    private sealed class StepCounter : Callbacks.Callback
    {
        public int Steps { get; private set; }
        public override void OnBatchBegin(int batch) => Steps++;
    }

    // One seeded run from its first epoch, uninterrupted: what the interrupted and resumed run must end with.
    private static (float[][] Weights, History History) Uninterrupted(int seed)
    {
        NF.Random.SetSeed(seed);
        var model = CreateModel();
        var history = model.Fit(XTrain, YTrain, batchSize: BatchSize, epochs: Epochs, stepsPerEpoch: StepsPerEpoch, verbose: 0,
                                validationData: (XTrain, YTrain));
        return (model.GetWeights().Select(w => w.ToArray<float>()).ToArray(), history);
    }

    [SkippableFact]
    public void A_run_interrupted_at_an_epoch_end_resumes_at_the_next_epoch_with_the_uninterrupted_weights()
    {
        RequireBackend();
        try
        {
            var (expected, full) = Uninterrupted(5);

            NF.Random.SetSeed(5);
            var backupDir = Temp.File("backup");
            var backupRestoreCallback = new Callbacks.BackupAndRestore(backupDir);
            var model = CreateModel();
            var e = Assert.Throws<InvalidOperationException>(() =>
                model.Fit(XTrain, YTrain, batchSize: BatchSize, epochs: Epochs, stepsPerEpoch: StepsPerEpoch, verbose: 0,
                          validationData: (XTrain, YTrain), callbacks: [backupRestoreCallback, new InterruptAtEpoch()]));
            Assert.Equal("Interruption", e.Message);
            Assert.True(Directory.EnumerateFiles(backupDir).Any());

            // The guide's rerun: a fresh model (other initial weights, another random state), stepsPerExecution 10.
            NF.Random.SetSeed(12345);
            model = CreateModel(stepsPerExecution: 10);
            var steps = new StepCounter();
            var history = model.Fit(XTrain, YTrain, batchSize: BatchSize, epochs: Epochs, stepsPerEpoch: StepsPerEpoch, verbose: 0,
                                    validationData: (XTrain, YTrain), callbacks: [backupRestoreCallback, steps]);
            Assert.Equal([4, 5], history.Epoch);
            // Two epochs left; with stepsPerExecution 10 the batch hooks run once per execution, which an
            // epoch of 5 steps cuts to one block (Keras calls on_train_batch_* per train_function call).
            Assert.Equal(2, steps.Steps);
            AssertWeights(expected, model);
            Assert.Equal(full["loss"].Skip(4).ToArray(), history["loss"].ToArray(), new CloseFloats(1e-5f));
            Assert.Equal(full["val_accuracy"].Skip(4).ToArray(), history["val_accuracy"].ToArray(), new CloseFloats(1e-5f));
            // A finished run deletes its backup (Keras: the next Fit starts afresh).
            Assert.False(Directory.Exists(backupDir) && Directory.EnumerateFiles(backupDir).Any());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void A_run_interrupted_mid_epoch_resumes_at_the_step_after_its_last_saveFreq_backup()
    {
        RequireBackend();
        try
        {
            var (expected, full) = Uninterrupted(7);

            NF.Random.SetSeed(7);
            var backupDir = Temp.File("backup_2");
            // BackupAndRestore(backup_dir=log_dir_2, save_freq=30) and InterruptAtStep(140), scaled: every 3 steps, at 14.
            var backupRestoreCallback = new Callbacks.BackupAndRestore(backupDir, saveFreq: 3);
            var interrupt = new InterruptAtStep(14);
            var model = CreateModel();
            Assert.Throws<InvalidOperationException>(() =>
                model.Fit(XTrain, YTrain, batchSize: BatchSize, epochs: Epochs, stepsPerEpoch: StepsPerEpoch, verbose: 0,
                          validationData: (XTrain, YTrain), callbacks: [backupRestoreCallback, interrupt]));
            Assert.Equal(14, interrupt.TotalStepCount);

            // The last backup was after step 12 (epoch 2, its second batch): the rerun trains the 30 - 12 steps left.
            NF.Random.SetSeed(999);
            model = CreateModel();
            var steps = new StepCounter();
            var history = model.Fit(XTrain, YTrain, batchSize: BatchSize, epochs: Epochs, stepsPerEpoch: StepsPerEpoch, verbose: 0,
                                    validationData: (XTrain, YTrain), callbacks: [backupRestoreCallback, steps]);
            Assert.Equal(Epochs * StepsPerEpoch - 12, steps.Steps);
            Assert.Equal([2, 3, 4, 5], history.Epoch);
            AssertWeights(expected, model);
            // Epoch 2's loss is the whole epoch's mean, the two steps before the backup included.
            Assert.Equal(full["loss"].Skip(2).ToArray(), history["loss"].ToArray(), new CloseFloats(1e-5f));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void A_custom_loop_saves_with_a_CheckpointManager_and_restores_the_latest()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(3);
            var model = CreateModel();
            var optimizer = new Optimizers.SGD(0.001);
            var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
            var logDir = Temp.File("manual");
            const int epochs = 5, stepsPerEpoch = 5;
            var checkpoint = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = model, ["optimizer"] = optimizer });
            var checkpointManager = new Train.CheckpointManager(checkpoint, logDir, maxToKeep: 2);

            string? savePath = null;
            var saved = new List<string>();
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                if (epoch > 0) checkpoint.Restore(savePath);
                for (int step = 0; step < stepsPerEpoch; step++)
                {
                    using (var tape = new GradientTape())
                    {
                        var logits = model.Call(XTrain, training: true);
                        var lossValue = lossFn.Call(YTrain, logits);
                        var grads = tape.Gradient(lossValue, model.TrainableVariables);
                        optimizer.ApplyGradients(grads, model.TrainableVariables);
                    }
                    savePath = checkpointManager.Save();
                    saved.Add(savePath);
                }
            }

            // ckpt-1 .. ckpt-25, of which the manager keeps the last two; the latest is the last saved.
            Assert.Equal(25, saved.Count);
            Assert.EndsWith("ckpt-25", saved[^1]);
            Assert.Equal(saved[^2..], checkpointManager.Checkpoints);
            Assert.Equal(saved[^1], Train.Checkpoint.LatestCheckpoint(logDir));
            Assert.Equal(25, optimizer.Iterations);

            // A fresh process's view: a new model and optimizer restored from the latest take its weights and step.
            var weights = model.GetWeights().Select(w => w.ToArray<float>()).ToArray();
            NF.Random.SetSeed(4);
            var restored = CreateModel();
            var restoredOptimizer = new Optimizers.SGD(0.001);
            var restoredCheckpoint = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = restored, ["optimizer"] = restoredOptimizer });
            var manager = new Train.CheckpointManager(restoredCheckpoint, logDir, maxToKeep: 2);
            Assert.Equal(saved[^1], manager.RestoreOrInitialize());
            AssertWeights(weights, restored);
            Assert.Equal(25, restoredOptimizer.Iterations);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    private static void AssertWeights(float[][] expected, Model model)
    {
        var actual = model.GetWeights().Select(w => w.ToArray<float>()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], new CloseFloats(1e-5f));
    }
}

/// <summary>The fault-tolerance migration guide on the managed backend.</summary>
public sealed class ManagedMigrateFaultToleranceTests() : MigrateFaultToleranceTests("managed");

/// <summary>The fault-tolerance migration guide on the native CPU backend.</summary>
public sealed class NativeCpuMigrateFaultToleranceTests() : MigrateFaultToleranceTests("cpu");

/// <summary>The fault-tolerance migration guide on CUDA.</summary>
public sealed class CudaMigrateFaultToleranceTests() : MigrateFaultToleranceTests("cuda");
