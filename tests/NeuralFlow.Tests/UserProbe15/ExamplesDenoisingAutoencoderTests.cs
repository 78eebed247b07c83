using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe13;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Convolutional Autoencoder For Image Denoising" (Keras 3 version) in C#: two
/// Conv2D + MaxPooling2D("same") down, two strided Conv2DTranspose up, a sigmoid Conv2D; the
/// example's 28,353 parameters and output shapes; fit to reproduce clean digits, then to map
/// noisy ones (clip(x + 0.4 N(0, 1), 0, 1)) to clean ones, with binary cross-entropy; the model
/// saves to .keras and loads with the same predictions.
/// </summary>
public abstract class ExamplesDenoisingAutoencoderTests(string backend) : BackendFileTest(backend)
{
    private static Model Autoencoder()
    {
        var input = Layers.Input([28, 28, 1]);
        // Encoder
        var x = new Layers.Conv2D(32, [3, 3], activation: "relu", padding: "same").Call(input);
        x = new Layers.MaxPooling2D([2, 2], padding: "same").Call(x);
        x = new Layers.Conv2D(32, [3, 3], activation: "relu", padding: "same").Call(x);
        x = new Layers.MaxPooling2D([2, 2], padding: "same").Call(x);
        // Decoder
        x = new Layers.Conv2DTranspose(32, 3, strides: 2, activation: "relu", padding: "same").Call(x);
        x = new Layers.Conv2DTranspose(32, 3, strides: 2, activation: "relu", padding: "same").Call(x);
        x = new Layers.Conv2D(1, [3, 3], activation: "sigmoid", padding: "same").Call(x);
        return new Model(input, x);
    }

    // The example's noise(): Gaussian noise of factor 0.4, clipped back to [0, 1].
    private static Tensor Noise(Tensor dataset) =>
        NF.Clip(dataset + 0.4f * NF.Random.Normal(dataset.Shape.ToArray()), 0f, 1f);

    [SkippableFact]
    public void Autoencoder_has_the_examples_summary()
    {
        RequireBackend();
        var autoencoder = Autoencoder();
        Assert.Equal(28_353, autoencoder.CountParams());
        var summary = autoencoder.SummaryText();
        foreach (var shape in new[] { "(None, 28, 28, 32)", "(None, 14, 14, 32)", "(None, 7, 7, 32)", "(None, 28, 28, 1)" })
            Assert.Contains(shape, summary);
        Assert.Equal(new[] { 28, 28, 32 }, autoencoder.Layers[6].OutputShape!.ToArray()[1..]);
    }

    [SkippableFact]
    public void Learns_to_reproduce_then_to_denoise_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(161);
        var (images, _) = ExampleData.Digits(BackendName == "cuda" ? 16 : 48, seed: 12);
        var (testImages, _) = ExampleData.Digits(16, seed: 13);
        var trainDataset = NF.Reshape(images, [-1, 28, 28, 1]);
        var testDataset = NF.Reshape(testImages, [-1, 28, 28, 1]);
        var noisyTrainDataset = Noise(trainDataset);
        var noisyTestDataset = Noise(testDataset);
        Assert.InRange(NF.ReduceMin(noisyTrainDataset).Item<float>(), 0f, 0f);
        Assert.InRange(NF.ReduceMax(noisyTrainDataset).Item<float>(), 1f, 1f);

        var autoencoder = Autoencoder();
        autoencoder.Compile(optimizer: "adam", loss: "binary_crossentropy");
        var clean = autoencoder.Fit(trainDataset, trainDataset, epochs: 2, batchSize: 16, shuffle: true,
            validationData: (testDataset, testDataset), verbose: 0);
        Assert.True(clean["loss"][^1] < clean["loss"][0], string.Join(", ", clean["loss"]));
        var denoising = autoencoder.Fit(noisyTrainDataset, trainDataset, epochs: 2, batchSize: 16, shuffle: true,
            validationData: (noisyTestDataset, testDataset), verbose: 0);
        Assert.True(denoising["loss"][^1] < clean["loss"][0], string.Join(", ", denoising["loss"]));
        var predictions = autoencoder.Predict(noisyTestDataset, verbose: 0);
        Assert.Equal(testDataset.Shape.ToArray(), predictions.Shape.ToArray());

        var loaded = Model.Load(SaveTo(autoencoder, "autoencoder.keras"));
        var again = loaded.Predict(noisyTestDataset, verbose: 0).ToArray<float>();
        var expected = predictions.ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], again[i], 5);
    }
}

/// <summary>The denoising autoencoder example on the managed backend.</summary>
public sealed class ManagedExamplesDenoisingAutoencoderTests() : ExamplesDenoisingAutoencoderTests("managed");

/// <summary>The denoising autoencoder example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesDenoisingAutoencoderTests() : ExamplesDenoisingAutoencoderTests("cpu");

/// <summary>The denoising autoencoder example on CUDA.</summary>
public sealed class CudaExamplesDenoisingAutoencoderTests() : ExamplesDenoisingAutoencoderTests("cuda");
