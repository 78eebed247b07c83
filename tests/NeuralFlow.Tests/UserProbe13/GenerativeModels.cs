using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's VAE Sampling layer: z = mean + exp(log_var / 2) * epsilon, epsilon ~ N(0, 1), from
/// <c>[z_mean, z_log_var]</c>.
/// </summary>
internal sealed class Sampling : Layer
{
    public override Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        var (zMean, zLogVar) = (inputs[0], inputs[1]);
        int batch = zMean.Shape[0], dim = zMean.Shape[1];
        var epsilon = NF.Random.Normal([batch, dim]);
        return zMean + NF.Exp(0.5f * zLogVar) * epsilon;
    }
}

/// <summary>
/// keras.io's VAE model: a subclassed Model whose TrainStep computes the reconstruction and KL
/// losses under a GradientTape and reports three Mean trackers.
/// </summary>
internal sealed class VAE(Model encoder, Model decoder) : Model
{
    private readonly Model _encoder = encoder, _decoder = decoder;
    private readonly Metrics.Mean _totalLossTracker = new("total_loss");
    private readonly Metrics.Mean _reconstructionLossTracker = new("reconstruction_loss");
    private readonly Metrics.Mean _klLossTracker = new("kl_loss");

    public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [_totalLossTracker, _reconstructionLossTracker, _klLossTracker];

    /// <summary>The example's losses: mean over the batch of the summed pixel cross-entropies, and of the summed KL terms.</summary>
    public static (Tensor Reconstruction, Tensor Kl) LossTerms(Tensor data, Tensor reconstruction, Tensor zMean, Tensor zLogVar)
    {
        var reconstructionLoss = NF.ReduceMean(NF.ReduceSum(Losses.BinaryCrossentropy.PerExample(data, reconstruction), [1, 2]));
        var klLoss = -0.5f * (1 + zLogVar - NF.Square(zMean) - NF.Exp(zLogVar));
        return (reconstructionLoss, NF.ReduceMean(NF.ReduceSum(klLoss, [1])));
    }

    protected override StepLogs TrainStep(StepData data)
    {
        var images = data.X;
        using var tape = new GradientTape();
        var encoded = _encoder.CallOutputs([images]);   // z_mean, z_log_var, z = self.encoder(data)
        var reconstruction = _decoder.Call(encoded[2]);
        var (reconstructionLoss, klLoss) = LossTerms(images, reconstruction, encoded[0], encoded[1]);
        var totalLoss = reconstructionLoss + klLoss;
        var grads = tape.Gradient(totalLoss, TrainableVariables);
        Optimizer!.ApplyGradients(grads, TrainableVariables);
        _totalLossTracker.UpdateState(totalLoss);
        _reconstructionLossTracker.UpdateState(reconstructionLoss);
        _klLossTracker.UpdateState(klLoss);
        return new StepLogs { { "loss", _totalLossTracker }, { "reconstruction_loss", _reconstructionLossTracker }, { "kl_loss", _klLossTracker } };
    }
}

/// <summary>
/// keras.io's DCGAN (examples/generative/dcgan_overriding_train_step.py): two optimizers, noisy
/// labels, the discriminator then the generator stepped in one TrainStep.
/// </summary>
internal sealed class GAN(Model discriminator, Model generator, int latentDim) : Model
{
    private readonly Model _discriminator = discriminator, _generator = generator;
    private Optimizers.Optimizer? _dOptimizer, _gOptimizer;
    private Losses.Loss? _lossFn;
    private readonly Metrics.Mean _dLossMetric = new("d_loss"), _gLossMetric = new("g_loss");

    /// <summary>The example's compile(d_optimizer, g_optimizer, loss_fn), which calls super().compile().</summary>
    public void Compile(Optimizers.Optimizer dOptimizer, Optimizers.Optimizer gOptimizer, Losses.Loss lossFn)
    {
        Compile();
        (_dOptimizer, _gOptimizer, _lossFn) = (dOptimizer, gOptimizer, lossFn);
    }

    public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [_dLossMetric, _gLossMetric];

    protected override StepLogs TrainStep(StepData data)
    {
        var realImages = data.X;
        int batchSize = realImages.Shape[0];
        var randomLatentVectors = NF.Random.Normal([batchSize, latentDim]);
        var generatedImages = _generator.Call(randomLatentVectors);
        var combinedImages = NF.Concat([generatedImages, realImages], axis: 0);
        var labels = NF.Concat([NF.Ones([batchSize, 1]), NF.Zeros([batchSize, 1])], axis: 0);
        labels += 0.05f * NF.Random.Uniform(labels.Shape);
        Tensor dLoss;
        using (var tape = new GradientTape())
        {
            var predictions = _discriminator.Call(combinedImages);
            dLoss = _lossFn!.Call(labels, predictions);
            var grads = tape.Gradient(dLoss, _discriminator.TrainableVariables);
            _dOptimizer!.ApplyGradients(grads, _discriminator.TrainableVariables);
        }
        randomLatentVectors = NF.Random.Normal([batchSize, latentDim]);
        var misleadingLabels = NF.Zeros([batchSize, 1]);
        Tensor gLoss;
        using (var tape = new GradientTape())
        {
            var predictions = _discriminator.Call(_generator.Call(randomLatentVectors));
            gLoss = _lossFn!.Call(misleadingLabels, predictions);
            var grads = tape.Gradient(gLoss, _generator.TrainableVariables);
            _gOptimizer!.ApplyGradients(grads, _generator.TrainableVariables);
        }
        _dLossMetric.UpdateState(dLoss);
        _gLossMetric.UpdateState(gLoss);
        return new StepLogs { { "d_loss", _dLossMetric }, { "g_loss", _gLossMetric } };
    }
}
