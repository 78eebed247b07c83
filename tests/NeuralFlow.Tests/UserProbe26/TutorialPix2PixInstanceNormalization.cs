using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// tensorflow_examples' pix2pix.InstanceNormalization, the custom layer the CycleGAN tutorial's
/// norm_type='instancenorm' networks use: per sample and channel, normalize over height and width
/// (tf.nn.moments(x, axes=[1, 2], keepdims=True)), then a learned per-channel scale (random_normal(1, 0.02))
/// and offset (zeros). Written as a TF user writes it, a Layer subclass with AddWeight and NF.Moments.
/// </summary>
internal sealed class TutorialPix2PixInstanceNormalization(double epsilon = 1e-5) : Layer
{
    public double Epsilon { get; } = epsilon;
    public Variable? Scale { get; private set; }
    public Variable? Offset { get; private set; }

    protected override void Build(Shape inputShape)
    {
        Scale = AddWeight("scale", [inputShape[-1]], Initializer.RandomNormal(1.0, 0.02));
        Offset = AddWeight("offset", [inputShape[-1]], Initializer.Zeros);
    }

    protected override Tensor Forward(Tensor x)
    {
        var (mean, variance) = NF.Moments(x, [1, 2], keepDims: true);
        var inv = NF.Rsqrt(variance + (float)Epsilon);
        var normalized = (x - mean) * inv;
        return Scale! * normalized + Offset!;
    }
}
