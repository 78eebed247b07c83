using NeuralFlow.Data;
using NeuralFlow.Tests.UserProbe24;
using static NeuralFlow.Tests.UserProbe26.TutorialPix2PixNetworks;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The CycleGAN tutorial's training loop: the @tf.function train_step, whose one persistent GradientTape gives
/// four gradients, traces and replays (no eager fallback) and equals the eager step, the tutorial's Dropout(0.5)
/// included (its masks drawn from the same seeded stream); and the epochs over Dataset.zip(horses, zebras) with
/// the CheckpointManager of the four models and four optimizers: a fresh set restoring the latest checkpoint
/// continues the training with the same numbers as the run that saved it.
/// </summary>
public abstract class TutorialCycleGanTrainingTests(string backend) : BackendFileTest(backend)
{
    private const int Size = 32;
    private bool Cpu => BackendName is "cpu" or "managed";

    // The CPU engines run the same kernels in the same order eagerly and in a replay: bit for bit. CUDA's
    // reductions may order their sums differently from run to run.
    private void AssertSame(float[] want, float[] got)
    {
        if (Cpu) Assert.Equal(want, got);
        else Assert.Equal(want, got, new Near(1e-4f));
    }

    private static List<Variable> Weights(TutorialCycleGan gan) =>
        new[] { gan.GeneratorG, gan.GeneratorF, gan.DiscriminatorX, gan.DiscriminatorY }.SelectMany(m => m.Variables).ToList();

    private (List<float> Losses, List<float[]> Weights) Steps(int steps, bool compiled, bool buildOptimizers = false)
    {
        NF.Random.SetSeed(281);
        var gan = new TutorialCycleGan(Size);
        gan.SetReferenceWeights();
        if (buildOptimizers)
        {
            // Keras 3's optimizer.build(var_list): the Adam slots exist before the first call.
            gan.GeneratorGOptimizer.Build(gan.GeneratorG.TrainableVariables);
            gan.GeneratorFOptimizer.Build(gan.GeneratorF.TrainableVariables);
            gan.DiscriminatorXOptimizer.Build(gan.DiscriminatorX.TrainableVariables);
            gan.DiscriminatorYOptimizer.Build(gan.DiscriminatorY.TrainableVariables);
        }
        var trainStep = compiled ? NF.Function((Func<Tensor, Tensor, Tensor[]>)gan.TrainStep) : gan.TrainStep;
        var realX = ReferenceImage(1, Size, [7, 3, 5, 11]);
        var realY = ReferenceImage(1, Size, [2, 9, 4, 6]);
        var losses = new List<float>();
        for (int step = 0; step < steps; step++)
        {
            losses.AddRange(trainStep(realX, realY).Select(l => l.Item<float>()));
            if (!compiled) continue;
            var traced = TracedFunction.Of(trainStep);
            if (!buildOptimizers && step == 0)
            {
                // The first Adam steps create their slots (variables) inside the call: that trace lifts them, and as
                // it also updates them the next call traces again (checking they are singletons) before replays.
                Assert.Null(traced.EagerReason);
                Assert.Equal(1, traced.TraceCount);
                Assert.False(traced.LastCallReplayed);
                continue;
            }
            // Then one trace and replays of its plan: the persistent tape's four gradients did not make it fall back.
            int traceCall = buildOptimizers ? 0 : 1;
            Assert.Null(traced.EagerReason);
            Assert.Equal(traceCall + 1, traced.TraceCount);   // counting the first trace, which made the slots
            Assert.Equal(step > traceCall, traced.LastCallReplayed);
        }
        if (compiled) Assert.True(TracedFunction.Of(trainStep).LastCallReplayed);
        return (losses, Weights(gan).Select(v => v.ToArray<float>()).ToList());
    }

    [SkippableFact]
    public void The_compiled_persistent_tape_step_traces_replays_and_equals_the_eager_one()
    {
        RequireBackend();
        try
        {
            var (eagerLosses, eagerWeights) = Steps(2, compiled: false);
            var (losses, weights) = Steps(2, compiled: true, buildOptimizers: true);
            Assert.Equal(12, losses.Count);
            Assert.All(eagerLosses, l => Assert.True(float.IsFinite(l)));
            AssertSame(eagerLosses.ToArray(), losses.ToArray());
            Assert.Equal(eagerWeights.Count, weights.Count);
            for (int i = 0; i < weights.Count; i++) AssertSame(eagerWeights[i], weights[i]);
            // The dropout masks were live: the first step's losses are not the dropout-free ones of cyclegan_references.py.
            Assert.NotEqual(15.0817956f, eagerLosses[0], new Near(1e-4f));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Without_building_the_optimizers_the_first_call_traces_making_the_slots_then_the_step_traces_again_and_replays()
    {
        RequireBackend();
        try
        {
            var (eagerLosses, eagerWeights) = Steps(3, compiled: false);
            var (losses, weights) = Steps(3, compiled: true);
            AssertSame(eagerLosses.ToArray(), losses.ToArray());
            for (int i = 0; i < weights.Count; i++) AssertSame(eagerWeights[i], weights[i]);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    private static List<(Tensor X, Tensor Y)> Batches(TutorialCycleGanData data, int steps)
    {
        var trainHorses = data.Train(TutorialCycleGanData.Domain(TutorialCycleGanData.Horse, 0, 3, Size, 0));
        var trainZebras = data.Train(TutorialCycleGanData.Domain(TutorialCycleGanData.Zebra, 0, 3, Size, 1));
        // Each epoch iterates Dataset.zip((train_horses, train_zebras)) anew (a new shuffle and jitter); drawn
        // once here so the saving run and the restored one see the same images.
        var batches = new List<(Tensor, Tensor)>();
        while (batches.Count < steps) batches.AddRange(Dataset.Zip(trainHorses, trainZebras));
        return batches;
    }

    [SkippableFact]
    public void The_checkpoint_manager_restores_the_latest_checkpoint_and_training_continues_identically()
    {
        RequireBackend();
        string checkpointPath = Path.Combine(Temp.File("checkpoints"), "train");
        try
        {
            NF.Random.SetSeed(282);
            var batches = Batches(new TutorialCycleGanData(Size), 9);
            Assert.All(batches, b => Assert.Equal(new Shape(1, Size, Size, 3), b.X.Shape));
            var sampleHorse = batches[0].X;

            // Three epochs of three steps; the first two end with ckpt_manager.save() (the tutorial's every fifth).
            var gan = new TutorialCycleGan(Size);
            var ckpt = gan.Checkpoint();
            var ckptManager = new Train.CheckpointManager(ckpt, checkpointPath, maxToKeep: 5);
            Assert.Null(ckptManager.LatestCheckpoint);   // nothing to restore on the first run
            var trainStep = NF.Function((Func<Tensor, Tensor, Tensor[]>)gan.TrainStep);
            var continued = new List<float>();
            for (int epoch = 0; epoch < 3; epoch++)
            {
                if (epoch == 2) NF.Random.SetSeed(283);   // the last epoch's dropout masks, for the restored copy to repeat
                for (int n = 0; n < 3; n++)
                {
                    var losses = trainStep(batches[epoch * 3 + n].X, batches[epoch * 3 + n].Y).Select(l => l.Item<float>()).ToArray();
                    Assert.All(losses, l => Assert.True(float.IsFinite(l)));
                    if (epoch == 2) continued.AddRange(losses);
                }
                var prediction = gan.GeneratorG.Call(sampleHorse);   // generate_images(generator_g, sample_horse)
                Assert.Equal(sampleHorse.Shape, prediction.Shape);
                Assert.InRange(NF.ReduceMax(NF.Abs(prediction)).Item<float>(), 0f, 1f);   // tanh
                if (epoch < 2) Assert.Equal(Path.Combine(checkpointPath, $"ckpt-{epoch + 1}"), ckptManager.Save());
            }
            Assert.True(TracedFunction.Of(trainStep).LastCallReplayed);

            // A new run: fresh models, optimizers and manager over the same folder restore the latest checkpoint
            // (ckpt-2, the state before the last epoch) and train the last epoch again.
            var restored = new TutorialCycleGan(Size);
            var restoredCkpt = restored.Checkpoint();
            var restoredManager = new Train.CheckpointManager(restoredCkpt, checkpointPath, maxToKeep: 5);
            Assert.Equal([Path.Combine(checkpointPath, "ckpt-1"), Path.Combine(checkpointPath, "ckpt-2")], restoredManager.Checkpoints);
            if (restoredManager.LatestCheckpoint is { } latest) restoredCkpt.Restore(latest).AssertConsumed();
            Assert.All(new[] { restored.GeneratorGOptimizer, restored.GeneratorFOptimizer, restored.DiscriminatorXOptimizer, restored.DiscriminatorYOptimizer },
                       o => Assert.Equal(6, o.Iterations));
            var restoredStep = NF.Function((Func<Tensor, Tensor, Tensor[]>)restored.TrainStep);
            NF.Random.SetSeed(283);
            var again = new List<float>();
            for (int n = 0; n < 3; n++)
                again.AddRange(restoredStep(batches[6 + n].X, batches[6 + n].Y).Select(l => l.Item<float>()));
            AssertSame(continued.ToArray(), again.ToArray());
            var want = Weights(gan);
            var got = Weights(restored);
            for (int i = 0; i < want.Count; i++) AssertSame(want[i].ToArray<float>(), got[i].ToArray<float>());
            // The restored save counter numbers the next save on: ckpt-3.
            Assert.Equal(Path.Combine(checkpointPath, "ckpt-3"), restoredManager.Save());
            // Run the trained model on the test dataset (the last cell): the same translations.
            foreach (var inp in TutorialCycleGanData.Test(TutorialCycleGanData.Domain(TutorialCycleGanData.Horse, 10, 2, Size, 0)).Take(5))
                AssertSame(gan.GeneratorG.Call(inp).ToArray<float>(), restored.GeneratorG.Call(inp).ToArray<float>());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>The CycleGAN tutorial's training loop on the managed backend.</summary>
public sealed class ManagedTutorialCycleGanTrainingTests() : TutorialCycleGanTrainingTests("managed");

/// <summary>The CycleGAN tutorial's training loop on the native CPU backend.</summary>
public sealed class NativeCpuTutorialCycleGanTrainingTests() : TutorialCycleGanTrainingTests("cpu");

/// <summary>The CycleGAN tutorial's training loop on CUDA.</summary>
public sealed class CudaTutorialCycleGanTrainingTests() : TutorialCycleGanTrainingTests("cuda");
