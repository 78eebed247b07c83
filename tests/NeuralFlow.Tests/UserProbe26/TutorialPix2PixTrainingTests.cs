using NeuralFlow.Tests.UserProbe24;
using static NeuralFlow.Tests.UserProbe26.TutorialPix2PixData;
using static NeuralFlow.Tests.UserProbe26.TutorialPix2PixNetworks;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The pix2pix tutorial's training loop: train_step as an NF.Function equals the eager step (bit for bit on
/// the CPU engines, the tutorial's Dropout(0.5) included, its masks drawn from the same seeded stream), and
/// fit() on the synthetic facades with generate_images, TensorBoard scalars and a checkpoint saved mid-training: a fresh
/// generator, discriminator and pair of optimizers restored from it continue the training identically.
/// </summary>
public abstract class TutorialPix2PixTrainingTests(string backend) : BackendFileTest(backend)
{
    private const int Size = 32;
    private bool Cpu => BackendName is "cpu" or "managed";

    private void AssertSame(float[] want, float[] got)
    {
        if (Cpu) Assert.Equal(want, got);
        else Assert.Equal(want, got, new Near(1e-4f));   // CUDA's reductions may order sums differently run to run
    }

    private (List<float> Losses, List<float[]> Weights) ThreeSteps(bool compiled)
    {
        NF.Random.SetSeed(263);
        var gan = new TutorialPix2PixGan(Size);
        SetReferenceKernels(gan.Generator);
        SetReferenceKernels(gan.Discriminator);
        var trainStep = compiled ? NF.Function((Func<Tensor, Tensor, Tensor, Tensor[]>)gan.TrainStep) : gan.TrainStep;
        var inp = ReferenceImage(1, Size, [7, 3, 5, 11]);
        var tar = ReferenceImage(1, Size, [2, 9, 4, 6]);
        var losses = new List<float>();
        for (int step = 0; step < 3; step++)
            losses.AddRange(trainStep(inp, tar, NF.Constant((long)step)).Select(l => l.Item<float>()));
        var weights = gan.Generator.Variables.Concat(gan.Discriminator.Variables).Select(v => v.ToArray<float>()).ToList();
        // The compiled step replays its recorded plan (it does not fall back to running eagerly).
        if (compiled) Assert.True(TracedFunction.Of(trainStep).LastCallReplayed);
        return (losses, weights);
    }

    [SkippableFact]
    public void The_compiled_train_step_equals_the_eager_one()
    {
        RequireBackend();
        try
        {
            var (eagerLosses, eagerWeights) = ThreeSteps(compiled: false);
            var (losses, weights) = ThreeSteps(compiled: true);
            Assert.All(eagerLosses, l => Assert.True(float.IsFinite(l)));
            AssertSame(eagerLosses.ToArray(), losses.ToArray());
            Assert.Equal(eagerWeights.Count, weights.Count);
            for (int i = 0; i < weights.Count; i++) AssertSame(eagerWeights[i], weights[i]);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Fit_saves_a_checkpoint_mid_training_and_a_restored_copy_continues_identically()
    {
        RequireBackend();
        string path = Write(Temp.File("facades"), Size);
        string checkpointPrefix = Path.Combine(Temp.File("training_checkpoints"), "ckpt");
        try
        {
            NF.Random.SetSeed(264);
            var data = new TutorialPix2PixData(Size);
            var (exampleInput, exampleTarget) = data.TestDataset(path).Take(1).First();
            // The batches of train_ds.repeat().take(steps), drawn once so both runs see the same ones.
            var batches = data.TrainDataset(path).Repeat().Take(4).ToList();

            string logDir = Temp.File("logs");
            using var summaryWriter = IO.SummaryWriter.Create(Path.Combine(logDir, "fit", DateTime.Now.ToString("yyyyMMdd-HHmmss")));
            var gan = new TutorialPix2PixGan(Size) { SummaryWriter = summaryWriter };
            var checkpoint = gan.Checkpoint();
            var trainStep = NF.Function((Func<Tensor, Tensor, Tensor, Tensor[]>)gan.TrainStep);
            var prediction = gan.Generator.Call(exampleInput, training: true);   // generate_images at step 0
            Assert.Equal(exampleTarget.Shape, prediction.Shape);
            string? saved = null;
            var after = new List<float>();
            var written = new List<float>();
            for (int step = 0; step < 4; step++)
            {
                if (step == 2) NF.Random.SetSeed(265);   // the continuation's dropout masks, for the restored copy to repeat
                var losses = trainStep(batches[step].Item1, batches[step].Item2, NF.Constant((long)step)).Select(l => l.Item<float>()).ToArray();
                Assert.All(losses, l => Assert.True(float.IsFinite(l)));
                if (step >= 2) after.AddRange(losses);
                written.AddRange(losses);
                // Save (checkpoint) the model every 2 steps (the tutorial's 5k): ckpt-1 after the second step.
                if ((step + 1) % 2 == 0 && saved is null) saved = checkpoint.Save(checkpointPrefix);
            }
            Assert.Equal(checkpointPrefix + "-1", saved);
            Assert.True(TracedFunction.Of(trainStep).LastCallReplayed);   // the summary writes did not stop the replay

            // The compiled step wrote every call's four losses at step // 1000 = 0, not the traced call's alone.
            summaryWriter.Dispose();
            string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            var scalars = CallbackTests.TensorBoardTests.Read(python, summaryWriter.EventFile)
                .Where(e => e.TryGetProperty("values", out _))
                .SelectMany(e => e.GetProperty("values").EnumerateArray().Select(v =>
                    (Step: e.GetProperty("step").GetInt64(), Tag: v.GetProperty("tag").GetString(), Value: v.GetProperty("simple_value").GetSingle())))
                .ToList();
            Assert.Equal(Enumerable.Repeat(new[] { "gen_total_loss", "gen_gan_loss", "gen_l1_loss", "disc_loss" }, 4).SelectMany(t => t), scalars.Select(s => s.Tag));
            Assert.All(scalars, s => Assert.Equal(0, s.Step));
            Assert.Equal(written, scalars.Select(s => s.Value));

            // checkpoint.restore(...) into new networks and optimizers, then the same two steps.
            var restored = new TutorialPix2PixGan(Size);
            restored.Checkpoint().Restore(saved).AssertConsumed();
            Assert.Equal(2, restored.GeneratorOptimizer.Iterations);
            var restoredStep = NF.Function((Func<Tensor, Tensor, Tensor, Tensor[]>)restored.TrainStep);
            NF.Random.SetSeed(265);
            var again = new List<float>();
            for (int step = 2; step < 4; step++)
                again.AddRange(restoredStep(batches[step].Item1, batches[step].Item2, NF.Constant((long)step)).Select(l => l.Item<float>()));
            AssertSame(after.ToArray(), again.ToArray());
            var want = gan.Generator.Variables.Concat(gan.Discriminator.Variables).ToList();
            var got = restored.Generator.Variables.Concat(restored.Discriminator.Variables).ToList();
            for (int i = 0; i < want.Count; i++) AssertSame(want[i].ToArray<float>(), got[i].ToArray<float>());
            // Run the trained model on the test set (the last cell): inference is repeatable.
            AssertSame(gan.Generator.Call(exampleInput, training: false).ToArray<float>(),
                       restored.Generator.Call(exampleInput, training: false).ToArray<float>());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>The pix2pix tutorial's training loop on the managed backend.</summary>
public sealed class ManagedTutorialPix2PixTrainingTests() : TutorialPix2PixTrainingTests("managed");

/// <summary>The pix2pix tutorial's training loop on the native CPU backend.</summary>
public sealed class NativeCpuTutorialPix2PixTrainingTests() : TutorialPix2PixTrainingTests("cpu");

/// <summary>The pix2pix tutorial's training loop on CUDA.</summary>
public sealed class CudaTutorialPix2PixTrainingTests() : TutorialPix2PixTrainingTests("cuda");
