using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's "Variational AutoEncoder" and "DCGAN overriding train_step" in C#: the encoder and
/// decoder have Keras' published counts (69,076 = 269.83 KB; 65,089 = 254.25 KB), the discriminator
/// and generator theirs (404,801; 3,979,651); the VAE trains with <c>Fit(images)</c> alone and logs
/// Keras' three keys; its losses on fixed inputs equal the example's formulas computed in double;
/// the GAN steps two optimizers and logs d_loss and g_loss.
/// </summary>
public abstract class GenerativeExampleTests(string backend) : BackendTest(backend)
{
    private static (Model Encoder, Model Decoder) VaeParts(int latentDim = 2)
    {
        var encoderInputs = Layers.Input([28, 28, 1]);
        var x = new Layers.Conv2D(32, 3, activation: "relu", strides: 2, padding: "same").Call(encoderInputs);
        x = new Layers.Conv2D(64, 3, activation: "relu", strides: 2, padding: "same").Call(x);
        x = new Layers.Flatten().Call(x);
        x = new Layers.Dense(16, activation: "relu").Call(x);
        var zMean = new Layers.Dense(latentDim, name: "z_mean").Call(x);
        var zLogVar = new Layers.Dense(latentDim, name: "z_log_var").Call(x);
        var z = new Sampling().Call([zMean, zLogVar]);
        var encoder = new Model(encoderInputs, [zMean, zLogVar, z], name: "encoder");
        var latentInputs = Layers.Input([latentDim]);
        x = new Layers.Dense(7 * 7 * 64, activation: "relu").Call(latentInputs);
        x = new Layers.Reshape([7, 7, 64]).Call(x);
        x = new Layers.Conv2DTranspose(64, 3, activation: "relu", strides: 2, padding: "same").Call(x);
        x = new Layers.Conv2DTranspose(32, 3, activation: "relu", strides: 2, padding: "same").Call(x);
        var decoderOutputs = new Layers.Conv2DTranspose(1, 3, activation: "sigmoid", padding: "same").Call(x);
        return (encoder, new Model(latentInputs, decoderOutputs, name: "decoder"));
    }

    [SkippableFact]
    public void Vae_has_keras_counts_and_fits_on_images_alone()
    {
        RequireBackend();
        NF.Random.SetSeed(51);
        var (encoder, decoder) = VaeParts();
        Assert.Contains(" Total params: 69,076 (269.83 KB)", encoder.SummaryText());
        Assert.Contains(" Total params: 65,089 (254.25 KB)", decoder.SummaryText());
        Assert.Equal(new[] { "z_mean", "z_log_var" }, encoder.OutputNames.Take(2).ToArray());
        Assert.IsType<Sampling>(encoder.Outputs[2].Layer);
        // Digits in [0, 1], as mnist_digits / 255.
        var (images, _) = ExampleData.Digits(BackendName == "cuda" ? 8 : 32, seed: 2);
        var mnistDigits = NF.ExpandDims(images, -1);
        var vae = new VAE(encoder, decoder);
        vae.Compile(optimizer: new Optimizers.Adam(0.003f));
        var history = vae.Fit(mnistDigits, epochs: BackendName == "cuda" ? 2 : 4, batchSize: 8, verbose: 0);
        Assert.Equal(new[] { "loss", "reconstruction_loss", "kl_loss" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        // The decoder maps a latent grid point to an image, as the example's plot_latent_space does.
        Assert.Equal(new[] { 1, 28, 28, 1 }, decoder.Predict(NF.Constant(new float[,] { { 0.5f, -1f } })).Shape.ToArray());
    }

    [SkippableFact]
    public void Vae_losses_are_the_example_formulas()
    {
        RequireBackend();
        // Two 1 x 2 "images" and their reconstructions, two latent dimensions.
        double[] y = [0, 1, 0.25, 0.5], p = [0.2, 0.7, 0.4, 0.9];
        double[] mean = [0.5, -1, 0, 2], logVar = [0.1, -0.3, 0.2, 0];
        var data = NF.Constant(y.Select(v => (float)v).ToArray(), [2, 1, 2, 1]);
        var recon = NF.Constant(p.Select(v => (float)v).ToArray(), [2, 1, 2, 1]);
        var (reconstruction, kl) = VAE.LossTerms(data, recon, NF.Constant(mean.Select(v => (float)v).ToArray(), [2, 2]), NF.Constant(logVar.Select(v => (float)v).ToArray(), [2, 2]));
        // binary_crossentropy averages the last axis (of 1 here); the example sums rows and columns, then means the batch.
        double bce = 0, klSum = 0;
        for (int i = 0; i < 4; i++)
        {
            bce += -(y[i] * Math.Log(p[i]) + (1 - y[i]) * Math.Log(1 - p[i]));
            klSum += -0.5 * (1 + logVar[i] - mean[i] * mean[i] - Math.Exp(logVar[i]));
        }
        Assert.Equal(bce / 2, reconstruction.Item<float>(), 5);
        Assert.Equal(klSum / 2, kl.Item<float>(), 5);
    }

    private static (Model Discriminator, Model Generator) GanParts(int size, int latentDim, int width)
    {
        var discriminator = new Sequential(Layers.Input([size, size, 3]), [
            new Layers.Conv2D(width, 4, strides: 2, padding: "same"),
            new Layers.LeakyReLU(negativeSlope: 0.2),
            new Layers.Conv2D(2 * width, 4, strides: 2, padding: "same"),
            new Layers.LeakyReLU(negativeSlope: 0.2),
            new Layers.Conv2D(2 * width, 4, strides: 2, padding: "same"),
            new Layers.LeakyReLU(negativeSlope: 0.2),
            new Layers.Flatten(),
            new Layers.Dropout(0.2),
            new Layers.Dense(1, activation: "sigmoid")], name: "discriminator");
        int s = size / 8;
        var generator = new Sequential(Layers.Input([latentDim]), [
            new Layers.Dense(s * s * 2 * width),
            new Layers.Reshape([s, s, 2 * width]),
            new Layers.Conv2DTranspose(2 * width, 4, strides: 2, padding: "same"),
            new Layers.LeakyReLU(negativeSlope: 0.2),
            new Layers.Conv2DTranspose(4 * width, 4, strides: 2, padding: "same"),
            new Layers.LeakyReLU(negativeSlope: 0.2),
            new Layers.Conv2DTranspose(8 * width, 4, strides: 2, padding: "same"),
            new Layers.LeakyReLU(negativeSlope: 0.2),
            new Layers.Conv2D(3, 5, padding: "same", activation: "sigmoid")], name: "generator");
        return (discriminator, generator);
    }

    [SkippableFact]
    public void Dcgan_has_keras_counts_and_steps_both_players()
    {
        RequireBackend();
        var (fullD, fullG) = GanParts(64, 128, 64);
        Assert.Equal(404_801, fullD.CountParams());
        Assert.Equal(3_979_651, fullG.CountParams());
        NF.Random.SetSeed(52);
        int latentDim = 4;
        var (discriminator, generator) = GanParts(8, latentDim, 2);
        var gan = new GAN(discriminator, generator, latentDim);
        gan.Compile(new Optimizers.Adam(learningRate: 0.0001), new Optimizers.Adam(learningRate: 0.0001), new Losses.BinaryCrossentropy());
        Assert.IsType<Optimizers.RMSprop>(gan.Optimizer); // super().compile(): Keras' defaults
        var before = generator.TrainableVariables[0].ToArray<float>();
        var dBefore = discriminator.TrainableVariables[0].ToArray<float>();
        var images = NF.Random.Uniform([8, 8, 8, 3]);
        var history = gan.Fit(images, epochs: 2, batchSize: 4, verbose: 0);
        Assert.Equal(new[] { "d_loss", "g_loss" }, history.Keys.ToArray());
        Assert.All(history["d_loss"].Concat(history["g_loss"]), v => Assert.True(float.IsFinite(v) && v > 0));
        Assert.NotEqual(before, generator.TrainableVariables[0].ToArray<float>());
        Assert.NotEqual(dBefore, discriminator.TrainableVariables[0].ToArray<float>());
    }
}

/// <summary>The generative examples on the managed backend.</summary>
public sealed class ManagedGenerativeExampleTests() : GenerativeExampleTests("managed");

/// <summary>The generative examples on the native CPU backend.</summary>
public sealed class NativeCpuGenerativeExampleTests() : GenerativeExampleTests("cpu");

/// <summary>The generative examples on CUDA.</summary>
public sealed class CudaGenerativeExampleTests() : GenerativeExampleTests("cuda");
