using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// TensorFlow's "Convolutional Variational Autoencoder" tutorial (site/en/tutorials/generative/cvae.ipynb) cell by cell
/// at 12 x 12 with a 2-dim latent space: preprocess_images with np.where, the CVAE class (encoder and decoder Sequentials,
/// a tf.function sample, encode with tf.split, reparameterize), log_normal_pdf, compute_loss from
/// sigmoid_cross_entropy_with_logits, the tf.function train_step with GradientTape and Adam, the test-set ELBO with
/// keras.metrics.Mean, and plot_latent_images' grid of normal quantiles. compute_loss and one train step with the
/// reparameterization's epsilon fixed are checked against PyTorch (cvae_references.py).
/// </summary>
public abstract class TutorialCvaeTests(string backend) : BackendTest(backend)
{
    private const int Size = 12;

    /// <summary>Convolutional variational autoencoder.</summary>
    private sealed class CVAE : Model
    {
        public readonly int LatentDim;
        public readonly Sequential Encoder, Decoder;
        private readonly Func<Tensor, Tensor> _sample;

        public CVAE(int latentDim)
        {
            LatentDim = latentDim;
            Encoder = new Sequential(
                Layers.Input([Size, Size, 1]),
                new Layers.Conv2D(filters: 4, kernelSize: 3, strides: 2, activation: "relu"),
                new Layers.Conv2D(filters: 8, kernelSize: 3, strides: 2, activation: "relu"),
                new Layers.Flatten(),
                new Layers.Dense(latentDim + latentDim));   // No activation
            Decoder = new Sequential(
                Layers.Input([latentDim]),
                new Layers.Dense(3 * 3 * 4, activation: "relu"),
                new Layers.Reshape([3, 3, 4]),
                new Layers.Conv2DTranspose(filters: 8, kernelSize: 3, strides: 2, padding: "same", activation: "relu"),
                new Layers.Conv2DTranspose(filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "relu"),
                new Layers.Conv2DTranspose(filters: 1, kernelSize: 3, strides: 1, padding: "same"));   // No activation
            _sample = NF.Function((Tensor eps) => Decode(eps, applySigmoid: true));   // @tf.function
        }

        public Tensor Sample(Tensor? eps = null) => _sample(eps ?? NF.Random.Normal([100, LatentDim]));

        public (Tensor Mean, Tensor Logvar) Encode(Tensor x)
        {
            var halves = NF.Split(Encoder.Call(x), 2, axis: 1);
            return (halves[0], halves[1]);
        }

        // eps: tf.random.normal(shape=mean.shape) unless the test fixes it.
        public Tensor Reparameterize(Tensor mean, Tensor logvar, Tensor? eps = null) =>
            (eps ?? NF.Random.Normal(mean.Shape)) * NF.Exp(logvar * .5f) + mean;

        public Tensor Decode(Tensor z, bool applySigmoid = false)
        {
            var logits = Decoder.Call(z);
            return applySigmoid ? NF.Sigmoid(logits) : logits;
        }
    }

    private static Tensor LogNormalPdf(Tensor sample, Tensor mean, Tensor logvar, int raxis = 1)
    {
        var log2pi = NF.Log(2.0 * Math.PI);
        return NF.ReduceSum(-.5f * (NF.Pow(sample - mean, 2.0) * NF.Exp(-logvar) + logvar + log2pi), axis: raxis);
    }

    private static Tensor ComputeLoss(CVAE model, Tensor x, Tensor? eps = null)
    {
        var (mean, logvar) = model.Encode(x);
        var z = model.Reparameterize(mean, logvar, eps);
        var xLogit = model.Decode(z);
        var crossEnt = NF.SigmoidCrossEntropyWithLogits(labels: x, logits: xLogit);
        var logpxZ = -NF.ReduceSum(crossEnt, [1, 2, 3]);
        var logpz = LogNormalPdf(z, 0.0, 0.0);
        var logqzX = LogNormalPdf(z, mean, logvar);
        return -NF.ReduceMean(logpxZ + logpz - logqzX);
    }

    // Executes one training step and returns the loss.
    private static Tensor TrainStep(CVAE model, Tensor x, Optimizers.Optimizer optimizer, Tensor? eps = null)
    {
        using var tape = new GradientTape();
        var loss = ComputeLoss(model, x, eps);
        var gradients = tape.Gradient(loss, model.TrainableVariables);
        optimizer.ApplyGradients(gradients, model.TrainableVariables);
        return loss;
    }

    // images.reshape((n, 12, 12, 1)) / 255., then np.where(images > .5, 1.0, 0.0).astype('float32').
    private static Tensor PreprocessImages(Tensor images)
    {
        images = NF.Reshape(images, [images.Shape[0], Size, Size, 1]) / 255f;
        return NF.Cast(NF.Where(NF.Greater(images, .5f), 1.0, 0.0), DType.Float32);
    }

    private static Tensor RawImages(int count, int phase)
    {
        var pixels = new float[count, Size, Size];
        for (int n = 0; n < count; n++)
            for (int i = 0; i < Size; i++)
                for (int j = 0; j < Size; j++)
                    pixels[n, i, j] = (float)(127.5 + 127.5 * Math.Sin(0.8 * i + 0.5 * (n + phase)) * Math.Cos(0.6 * j - 0.7 * (n + phase)));
        return NF.Constant(pixels);
    }

    // MNIST-like: mostly background, a bright disc at a place that varies.
    private static Tensor BlobImages(int count, int phase)
    {
        var pixels = new float[count, Size, Size];
        for (int n = 0; n < count; n++)
        {
            double ci = 3 + (n + phase) * 7 % 6, cj = 3 + (n + phase) * 5 % 6;
            for (int i = 0; i < Size; i++)
                for (int j = 0; j < Size; j++)
                    pixels[n, i, j] = (float)(255 * Math.Exp(-((i - ci) * (i - ci) + (j - cj) * (j - cj)) / 6.0));
        }
        return NF.Constant(pixels);
    }

    [SkippableFact]
    public void Compute_loss_and_one_compiled_train_step_match_pytorch_with_epsilon_fixed()
    {
        RequireBackend();
        var x = PreprocessImages(RawImages(4, 0));
        Assert.Equal(DType.Float32, x.DType);
        Assert.Equal(new[] { 4, Size, Size, 1 }, x.Shape.ToArray());
        Assert.All(x.ToArray<float>(), v => Assert.True(v is 0f or 1f));
        var model = new CVAE(latentDim: 2);
        SineWeights.Write([.. model.Encoder.Layers, .. model.Decoder.Layers]);
        var eps = NF.Constant(new[,] { { 0.3f, -1.2f }, { 0.8f, 0.1f }, { -0.5f, 0.6f }, { 1.5f, -0.4f } });

        // cvae_references.py
        var loss = ComputeLoss(model, x, eps);
        Assert.Equal(DType.Float32, loss.DType);
        Assert.Equal(0, loss.Rank);
        Assert.Equal(100.19844312861969, loss.Item<float>(), 3);
        var optimizer = new Optimizers.Adam(1e-4);
        var trainStep = NF.Function((Tensor images, Tensor epsilon) => TrainStep(model, images, optimizer, epsilon));
        Assert.Equal(100.19844312861969, trainStep(x, eps).Item<float>(), 3);
        Assert.Equal(100.19211759043876, ComputeLoss(model, x, eps).Item<float>(), 3);
        double[] sampled = [0.517972283328657, 0.5160269673572624, 0.5160269673572624, 0.5172494292197324, 0.5171233341730327, 0.5154617096136338];
        var pixels = model.Sample(eps).ToArray<float>();
        for (int k = 0; k < sampled.Length; k++) Assert.Equal(sampled[k], pixels[k], 5);
    }

    [SkippableFact]
    public void Log_normal_pdf_is_the_summed_gaussian_log_density()
    {
        RequireBackend();
        var sample = NF.Constant(new[,] { { 0.5f, -1f }, { 2f, 0f } });
        var mean = NF.Constant(new[,] { { 0f, 1f }, { 1f, -1f } });
        var logvar = NF.Constant(new[,] { { 0f, 0.5f }, { -1f, 1f } });
        static double Log(double s, double m, double lv) => -0.5 * ((s - m) * (s - m) * Math.Exp(-lv) + lv + Math.Log(2 * Math.PI));
        var got = LogNormalPdf(sample, mean, logvar).ToArray<float>();
        Assert.Equal(Log(0.5, 0, 0) + Log(-1, 1, 0.5), got[0], 5);
        Assert.Equal(Log(2, 1, -1) + Log(0, -1, 1), got[1], 5);
        // log_normal_pdf(z, 0., 0.): the standard normal's.
        Assert.Equal(Log(0.5, 0, 0) + Log(-1, 0, 0), LogNormalPdf(sample, 0.0, 0.0).ToArray<float>()[0], 5);
    }

    [SkippableFact]
    public void The_training_loop_raises_the_test_elbo_and_the_latent_grid_decodes_to_images()
    {
        RequireBackend();
        NF.Random.SetSeed(2131);
        const int trainSize = 48, batchSize = 16, testSize = 16, numExamplesToGenerate = 4;
        var trainImages = PreprocessImages(BlobImages(trainSize, 0));
        var testImages = PreprocessImages(BlobImages(testSize, 100));
        var trainDataset = Dataset.FromTensorSlices(trainImages).Shuffle(trainSize).Batch(batchSize);
        var testDataset = Dataset.FromTensorSlices(testImages).Shuffle(testSize).Batch(batchSize);
        var optimizer = new Optimizers.Adam(1e-2);   // the tutorial's 1e-4 needs its 60000 images
        var model = new CVAE(latentDim: 2);
        var trainStep = NF.Function((Tensor x) => TrainStep(model, x, optimizer));

        float Elbo()
        {
            var loss = new Metrics.Mean();
            foreach (var testX in testDataset) loss.UpdateState(ComputeLoss(model, testX));
            return -loss.Result();
        }

        var testSample = testDataset.Take(1).First()[0..numExamplesToGenerate, .., .., ..];
        Assert.Equal(new[] { numExamplesToGenerate, Size, Size, 1 }, testSample.Shape.ToArray());
        var elbos = new List<float> { Elbo() };
        for (int epoch = 1; epoch <= 8; epoch++)
        {
            foreach (var trainX in trainDataset) trainStep(trainX);
            elbos.Add(Elbo());
            // generate_and_save_images(model, epoch, test_sample)
            var (mean, logvar) = model.Encode(testSample);
            var predictions = model.Sample(model.Reparameterize(mean, logvar));
            Assert.Equal(new[] { numExamplesToGenerate, Size, Size, 1 }, predictions.Shape.ToArray());
        }
        Assert.Equal(8 * 3, optimizer.Iterations);
        Assert.True(elbos[^1] > elbos[0] + 5, string.Join(", ", elbos));
        var hundred = model.Sample();   // eps of tf.random.normal(shape=(100, latent_dim))
        Assert.Equal(new[] { 100, Size, Size, 1 }, hundred.Shape.ToArray());
        Assert.All(hundred.ToArray<float>(), v => Assert.InRange(v, 0f, 1f));

        // plot_latent_images: the standard normal's quantiles of linspace(0.05, 0.95, n), sqrt(2) erfinv(2p - 1).
        const int n = 3;
        var grid = NF.Sqrt(2.0) * NF.Erfinv(2.0 * NF.Linspace(0.05, 0.95, n) - 1.0);
        var quantiles = grid.ToArray<float>();
        Assert.Equal(-1.6448536269514729, quantiles[0], 4);   // scipy.stats.norm.ppf(0.05)
        Assert.Equal(0, quantiles[1], 6);
        Assert.Equal(1.6448536269514729, quantiles[2], 4);
        var image = new float[Size * n, Size * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                var z = NF.Constant(new[,] { { quantiles[j], quantiles[i] } });
                var digit = NF.Reshape(model.Sample(z)[0], [Size, Size]).ToArray<float>();
                for (int k = 0; k < digit.Length; k++) image[i * Size + k / Size, j * Size + k % Size] = digit[k];
            }
        Assert.All(image.Cast<float>(), v => Assert.InRange(v, 0f, 1f));
    }
}

/// <summary>The CVAE tutorial on the managed backend.</summary>
public sealed class ManagedTutorialCvaeTests() : TutorialCvaeTests("managed");

/// <summary>The CVAE tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialCvaeTests() : TutorialCvaeTests("cpu");

/// <summary>The CVAE tutorial on CUDA.</summary>
public sealed class CudaTutorialCvaeTests() : TutorialCvaeTests("cuda");
