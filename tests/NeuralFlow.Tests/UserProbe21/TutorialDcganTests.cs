using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// TensorFlow's "Deep Convolutional Generative Adversarial Network" tutorial (site/en/tutorials/generative/dcgan.ipynb)
/// cell by cell at a small size (16 x 16 images, 8-dim noise): the generator of Dense, BatchNormalization, LeakyReLU and
/// Conv2DTranspose with its asserted output shapes, the discriminator, the two losses from BinaryCrossentropy(from_logits),
/// two Adam optimizers, the NF.Function train step with two gradient tapes, and tf.train.Checkpoint of generator,
/// discriminator and both optimizers saved every few epochs and restored with tf.train.latest_checkpoint.
/// </summary>
public abstract class TutorialDcganTests(string backend) : BackendFileTest(backend)
{
    private const int NoiseDim = 8, BatchSize = 8;

    private static Sequential MakeGeneratorModel()
    {
        var model = new Sequential();
        model.Add(Layers.Input([NoiseDim]));
        model.Add(new Layers.Dense(4 * 4 * 16, useBias: false));
        model.Add(new Layers.BatchNormalization());
        model.Add(new Layers.LeakyReLU());

        model.Add(new Layers.Reshape([4, 4, 16]));
        Assert.Equal(new int?[] { null, 4, 4, 16 }, model.Output.Shape);   // None is the batch size

        model.Add(new Layers.Conv2DTranspose(8, 5, strides: 1, padding: "same", useBias: false));
        Assert.Equal(new int?[] { null, 4, 4, 8 }, model.Output.Shape);
        model.Add(new Layers.BatchNormalization());
        model.Add(new Layers.LeakyReLU());

        model.Add(new Layers.Conv2DTranspose(4, 5, strides: 2, padding: "same", useBias: false));
        Assert.Equal(new int?[] { null, 8, 8, 4 }, model.Output.Shape);
        model.Add(new Layers.BatchNormalization());
        model.Add(new Layers.LeakyReLU());

        model.Add(new Layers.Conv2DTranspose(1, 5, strides: 2, padding: "same", useBias: false, activation: "tanh"));
        Assert.Equal(new int?[] { null, 16, 16, 1 }, model.Output.Shape);
        return model;
    }

    private static Sequential MakeDiscriminatorModel()
    {
        var model = new Sequential();
        model.Add(Layers.Input([16, 16, 1]));
        model.Add(new Layers.Conv2D(8, 5, strides: 2, padding: "same"));
        model.Add(new Layers.LeakyReLU());
        model.Add(new Layers.Dropout(0.3));
        model.Add(new Layers.Conv2D(16, 5, strides: 2, padding: "same"));
        model.Add(new Layers.LeakyReLU());
        model.Add(new Layers.Dropout(0.3));
        model.Add(new Layers.Flatten());
        model.Add(new Layers.Dense(1));
        return model;
    }

    // MNIST stand-in: 32 blurry strokes in [-1, 1] ((x - 127.5) / 127.5 of 0..255 pixels).
    private static Tensor TrainImages()
    {
        var pixels = new float[32, 16, 16, 1];
        var random = new Random(5);
        for (int n = 0; n < 32; n++)
        {
            int column = 4 + random.Next(8);
            for (int i = 0; i < 16; i++)
                for (int j = 0; j < 16; j++)
                    pixels[n, i, j, 0] = (float)((255 * Math.Exp(-(j - column) * (j - column) / 4.0) - 127.5) / 127.5);
        }
        return NF.Constant(pixels);
    }

    private static readonly Losses.BinaryCrossentropy CrossEntropy = new(fromLogits: true);

    private static Tensor DiscriminatorLoss(Tensor realOutput, Tensor fakeOutput) =>
        CrossEntropy.Call(NF.OnesLike(realOutput), realOutput) + CrossEntropy.Call(NF.ZerosLike(fakeOutput), fakeOutput);

    private static Tensor GeneratorLoss(Tensor fakeOutput) => CrossEntropy.Call(NF.OnesLike(fakeOutput), fakeOutput);

    private sealed class Gan
    {
        public readonly Sequential Generator = MakeGeneratorModel(), Discriminator = MakeDiscriminatorModel();
        public readonly Optimizers.Adam GeneratorOptimizer = new(1e-4), DiscriminatorOptimizer = new(1e-4);

        public Train.Checkpoint Checkpoint() => new(new Dictionary<string, object>
        {
            ["generator_optimizer"] = GeneratorOptimizer,
            ["discriminator_optimizer"] = DiscriminatorOptimizer,
            ["generator"] = Generator,
            ["discriminator"] = Discriminator,
        });

        // train_step(images): one tape per network over the same forward pass; returns (gen_loss, disc_loss).
        public (Tensor, Tensor) TrainStep(Tensor images)
        {
            var noise = NF.Random.Normal([BatchSize, NoiseDim]);
            using var genTape = new GradientTape();
            using var discTape = new GradientTape();
            var generatedImages = Generator.Call(noise, training: true);
            var realOutput = Discriminator.Call(images, training: true);
            var fakeOutput = Discriminator.Call(generatedImages, training: true);
            var genLoss = GeneratorLoss(fakeOutput);
            var discLoss = DiscriminatorLoss(realOutput, fakeOutput);
            var gradientsOfGenerator = genTape.Gradient(genLoss, Generator.TrainableVariables);
            var gradientsOfDiscriminator = discTape.Gradient(discLoss, Discriminator.TrainableVariables);
            GeneratorOptimizer.ApplyGradients(gradientsOfGenerator, Generator.TrainableVariables);
            DiscriminatorOptimizer.ApplyGradients(gradientsOfDiscriminator, Discriminator.TrainableVariables);
            return (genLoss, discLoss);
        }
    }

    [SkippableFact]
    public void The_untrained_generator_and_discriminator_give_an_image_and_a_logit()
    {
        RequireBackend();
        NF.Random.SetSeed(2111);
        var generator = MakeGeneratorModel();
        var noise = NF.Random.Normal([1, NoiseDim]);
        var generatedImage = generator.Call(noise, training: false);
        Assert.Equal(new[] { 1, 16, 16, 1 }, generatedImage.Shape.ToArray());
        Assert.All(generatedImage.ToArray<float>(), v => Assert.InRange(v, -1f, 1f));   // tanh
        var discriminator = MakeDiscriminatorModel();
        var decision = discriminator.Call(generatedImage);
        Assert.Equal(new[] { 1, 1 }, decision.Shape.ToArray());

        // The losses on fixed logits: BCE from logits of ones and zeros, log(1 + e^-z) and log(1 + e^z).
        var real = NF.Constant(new[,] { { 2f }, { -1f } });
        var fake = NF.Constant(new[,] { { 0.5f }, { -3f } });
        double Softplus(double z) => Math.Log(1 + Math.Exp(z));
        Assert.Equal((Softplus(-2) + Softplus(1)) / 2 + (Softplus(0.5) + Softplus(-3)) / 2, DiscriminatorLoss(real, fake).Item<float>(), 5);
        Assert.Equal((Softplus(-0.5) + Softplus(3)) / 2, GeneratorLoss(fake).Item<float>(), 5);
    }

    [SkippableFact]
    public void The_compiled_train_step_trains_both_networks_and_the_checkpoint_restores_them_and_their_optimizers()
    {
        RequireBackend();
        NF.Random.SetSeed(2112);
        var trainImages = TrainImages();
        var trainDataset = Dataset.FromTensorSlices(trainImages).Shuffle(32).Batch(BatchSize);
        var gan = new Gan();
        string checkpointDir = Temp.File("training_checkpoints");
        string checkpointPrefix = Path.Combine(checkpointDir, "ckpt");
        var checkpoint = gan.Checkpoint();
        var seed = NF.Random.Normal([4, NoiseDim]);   // reused to watch progress
        var trainStep = NF.Function((Func<Tensor, (Tensor, Tensor)>)gan.TrainStep);

        var genLosses = new List<float>();
        var discLosses = new List<float>();
        var saved = new List<string>();
        const int epochs = 4;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var imageBatch in trainDataset)
            {
                var (genLoss, discLoss) = trainStep(imageBatch);
                genLosses.Add(genLoss.Item<float>());
                discLosses.Add(discLoss.Item<float>());
            }
            if ((epoch + 1) % 2 == 0) saved.Add(checkpoint.Save(checkpointPrefix));   // "every 15 epochs"
        }
        Assert.Equal(epochs * 4, gan.GeneratorOptimizer.Iterations);
        Assert.Equal(epochs * 4, gan.DiscriminatorOptimizer.Iterations);
        Assert.All(genLosses.Concat(discLosses), l => Assert.True(float.IsFinite(l)));
        Assert.Equal(new[] { checkpointPrefix + "-1", checkpointPrefix + "-2" }, saved);
        Assert.Equal(2, checkpoint.SaveCounter);
        Assert.True(File.Exists(Path.Combine(checkpointDir, "checkpoint")));
        var predictions = gan.Generator.Call(seed, training: false).ToArray<float>();   // generate_and_save_images

        // checkpoint.restore(tf.train.latest_checkpoint(checkpoint_dir)) into new networks and optimizers.
        Assert.Equal(checkpointPrefix + "-2", Train.Checkpoint.LatestCheckpoint(checkpointDir));
        var fresh = new Gan();
        var restoredCheckpoint = fresh.Checkpoint();
        var status = restoredCheckpoint.Restore(Train.Checkpoint.LatestCheckpoint(checkpointDir));
        status.AssertConsumed();
        Assert.Equal(2, restoredCheckpoint.SaveCounter);
        Assert.Equal(predictions, fresh.Generator.Call(seed, training: false).ToArray<float>());
        Assert.Equal(epochs * 4, fresh.GeneratorOptimizer.Iterations);
        Assert.Equal(epochs * 4, fresh.DiscriminatorOptimizer.Iterations);
        // BatchNormalization's moving statistics come back with the weights.
        var movingOriginal = gan.Generator.NonTrainableVariables.Select(v => v.ToArray<float>()).ToArray();
        Assert.NotEmpty(movingOriginal);
        Assert.Equal(movingOriginal, fresh.Generator.NonTrainableVariables.Select(v => v.ToArray<float>()).ToArray());

        // Adam's moments came back too: the same gradient moves both copies the same way.
        var gradients = gan.Generator.TrainableVariables.Select(v => NF.OnesLike(v) * 0.01f).ToArray();
        gan.GeneratorOptimizer.ApplyGradients(gradients, gan.Generator.TrainableVariables);
        fresh.GeneratorOptimizer.ApplyGradients(gradients, fresh.Generator.TrainableVariables);
        for (int i = 0; i < gradients.Length; i++)
            Assert.Equal(gan.Generator.TrainableVariables[i].ToArray<float>(), fresh.Generator.TrainableVariables[i].ToArray<float>());

        // A later save continues the numbering; a checkpoint of the generator alone restores from it in part.
        Assert.Equal(checkpointPrefix + "-3", restoredCheckpoint.Save(checkpointPrefix));
        var generatorOnly = new Train.Checkpoint(new Dictionary<string, object> { ["generator"] = MakeGeneratorModel() });
        var partial = generatorOnly.Restore(Train.Checkpoint.LatestCheckpoint(checkpointDir));
        partial.AssertExistingObjectsMatched();
        Assert.Equal(new[] { "discriminator", "discriminator_optimizer", "generator_optimizer" }, partial.UnusedInFile.Order());
        Assert.Throws<InvalidOperationException>(() => partial.AssertConsumed());
    }

    [SkippableFact]
    public void Restoring_into_another_architecture_or_from_nowhere_fails_naming_what_differs()
    {
        RequireBackend();
        NF.Random.SetSeed(2113);
        string dir = Temp.File("ckpts");
        var gan = new Gan();
        string path = gan.Checkpoint().Save(Path.Combine(dir, "ckpt"));

        // No checkpoint yet: latest_checkpoint is None and restore(None) restores nothing.
        Assert.Null(Train.Checkpoint.LatestCheckpoint(Temp.File("empty")));
        var nothing = new Gan().Checkpoint().Restore(null);
        Assert.Throws<InvalidOperationException>(() => nothing.AssertExistingObjectsMatched());
        Assert.Throws<FileNotFoundException>(() => new Gan().Checkpoint().Restore(Path.Combine(dir, "ckpt-9")));

        // A discriminator of other widths: the shape mismatch names the weight; nothing was written.
        var other = new Sequential(Layers.Input([16, 16, 1]), new Layers.Conv2D(4, 5, strides: 2, padding: "same"), new Layers.LeakyReLU(),
                                   new Layers.Dropout(0.3), new Layers.Conv2D(16, 5, strides: 2, padding: "same"), new Layers.LeakyReLU(),
                                   new Layers.Dropout(0.3), new Layers.Flatten(), new Layers.Dense(1));
        var before = other.Variables.Select(v => v.ToArray<float>()).ToArray();
        var e = Assert.Throws<ArgumentException>(() => new Train.Checkpoint(new Dictionary<string, object> { ["discriminator"] = other }).Restore(path));
        Assert.Contains("shape", e.Message);
        Assert.Equal(before, other.Variables.Select(v => v.ToArray<float>()).ToArray());
        // A model with fewer layers, and an optimizer under a model's name.
        var small = new Sequential(Layers.Input([16, 16, 1]), new Layers.Flatten(), new Layers.Dense(1));
        Assert.Contains("has 2 variables", Assert.Throws<InvalidDataException>(() => new Train.Checkpoint(new Dictionary<string, object> { ["discriminator"] = small }).Restore(path)).Message);
        Assert.Contains("'generator' is an optimizer here", Assert.Throws<InvalidDataException>(
            () => new Train.Checkpoint(new Dictionary<string, object> { ["generator"] = new Optimizers.Adam() }).Restore(path)).Message);
        Assert.Throws<ArgumentException>(() => new Train.Checkpoint(new Dictionary<string, object> { ["model"] = "not trackable" }));
        Assert.Throws<ArgumentException>(() => new Train.Checkpoint(new Dictionary<string, object> { ["a/b"] = gan.Generator }));
    }
}

/// <summary>The DCGAN tutorial on the managed backend.</summary>
public sealed class ManagedTutorialDcganTests() : TutorialDcganTests("managed");

/// <summary>The DCGAN tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialDcganTests() : TutorialDcganTests("cpu");

/// <summary>The DCGAN tutorial on CUDA.</summary>
public sealed class CudaTutorialDcganTests() : TutorialDcganTests("cuda");
