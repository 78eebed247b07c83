using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserProbe26.TutorialPix2PixNetworks;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The CycleGAN tutorial's models and training cells in C#: generator_g (X -> Y) and generator_f (Y -> X),
/// pix2pix's U-Net with norm_type='instancenorm'; discriminator_x and discriminator_y, the PatchGAN with
/// instance norm and target=False; the losses (BCE from logits, LAMBDA = 10 cycle loss, 0.5 * LAMBDA identity
/// loss), four Adam(2e-4, beta_1=0.5), the Train.Checkpoint of all eight, and train_step with one persistent
/// GradientTape giving four gradients. <c>imgSize</c> and <c>widthDivisor</c> shrink the tutorial's 256 x 256
/// images and 64..512 filters as in the pix2pix port (the U-Net has one down block per halving of the image).
/// </summary>
internal sealed class TutorialCycleGan
{
    public const int Lambda = 10;
    public const int OutputChannels = 3;

    public TutorialCycleGan(int imgSize, int widthDivisor = 16, double dropoutRate = 0.5)
    {
        GeneratorG = Generator(imgSize, widthDivisor, dropoutRate, normType: "instancenorm");
        GeneratorF = Generator(imgSize, widthDivisor, dropoutRate, normType: "instancenorm");
        DiscriminatorX = Discriminator(imgSize, widthDivisor, normType: "instancenorm", target: false);
        DiscriminatorY = Discriminator(imgSize, widthDivisor, normType: "instancenorm", target: false);
    }

    public Model GeneratorG { get; }
    public Model GeneratorF { get; }
    public Model DiscriminatorX { get; }
    public Model DiscriminatorY { get; }

    public readonly Optimizers.Adam GeneratorGOptimizer = new(2e-4, beta1: 0.5), GeneratorFOptimizer = new(2e-4, beta1: 0.5);
    public readonly Optimizers.Adam DiscriminatorXOptimizer = new(2e-4, beta1: 0.5), DiscriminatorYOptimizer = new(2e-4, beta1: 0.5);

    private static readonly Losses.BinaryCrossentropy LossObj = new(fromLogits: true);

    public static Tensor DiscriminatorLoss(Tensor real, Tensor generated)
    {
        var realLoss = LossObj.Call(NF.OnesLike(real), real);
        var generatedLoss = LossObj.Call(NF.ZerosLike(generated), generated);
        var totalDiscLoss = realLoss + generatedLoss;
        return totalDiscLoss * 0.5f;
    }

    public static Tensor GeneratorLoss(Tensor generated) => LossObj.Call(NF.OnesLike(generated), generated);

    public static Tensor CalcCycleLoss(Tensor realImage, Tensor cycledImage)
    {
        var loss1 = NF.ReduceMean(NF.Abs(realImage - cycledImage));
        return Lambda * loss1;
    }

    public static Tensor IdentityLoss(Tensor realImage, Tensor sameImage)
    {
        var loss = NF.ReduceMean(NF.Abs(realImage - sameImage));
        return Lambda * 0.5f * loss;
    }

    public Train.Checkpoint Checkpoint() => new(new Dictionary<string, object>
    {
        ["generator_g"] = GeneratorG,
        ["generator_f"] = GeneratorF,
        ["discriminator_x"] = DiscriminatorX,
        ["discriminator_y"] = DiscriminatorY,
        ["generator_g_optimizer"] = GeneratorGOptimizer,
        ["generator_f_optimizer"] = GeneratorFOptimizer,
        ["discriminator_x_optimizer"] = DiscriminatorXOptimizer,
        ["discriminator_y_optimizer"] = DiscriminatorYOptimizer,
    });

    /// <summary>
    /// train_step(real_x, real_y). The tutorial's returns nothing; this one returns its six losses
    /// (total_gen_g, total_gen_f, disc_x, disc_y, gen_g, total_cycle) for the tests to compare.
    /// </summary>
    public Tensor[] TrainStep(Tensor realX, Tensor realY)
    {
        // persistent is set to true because the tape is used more than once to calculate the gradients.
        using var tape = new GradientTape(persistent: true);
        // Generator G translates X -> Y, generator F translates Y -> X.
        var fakeY = GeneratorG.Call(realX, training: true);
        var cycledX = GeneratorF.Call(fakeY, training: true);

        var fakeX = GeneratorF.Call(realY, training: true);
        var cycledY = GeneratorG.Call(fakeX, training: true);

        // same_x and same_y are used for identity loss.
        var sameX = GeneratorF.Call(realX, training: true);
        var sameY = GeneratorG.Call(realY, training: true);

        var discRealX = DiscriminatorX.Call(realX, training: true);
        var discRealY = DiscriminatorY.Call(realY, training: true);

        var discFakeX = DiscriminatorX.Call(fakeX, training: true);
        var discFakeY = DiscriminatorY.Call(fakeY, training: true);

        // calculate the loss
        var genGLoss = GeneratorLoss(discFakeY);
        var genFLoss = GeneratorLoss(discFakeX);

        var totalCycleLoss = CalcCycleLoss(realX, cycledX) + CalcCycleLoss(realY, cycledY);

        // Total generator loss = adversarial loss + cycle loss
        var totalGenGLoss = genGLoss + totalCycleLoss + IdentityLoss(realY, sameY);
        var totalGenFLoss = genFLoss + totalCycleLoss + IdentityLoss(realX, sameX);

        var discXLoss = DiscriminatorLoss(discRealX, discFakeX);
        var discYLoss = DiscriminatorLoss(discRealY, discFakeY);

        // Calculate the gradients for generator and discriminator
        var generatorGGradients = tape.Gradient(totalGenGLoss, GeneratorG.TrainableVariables);
        var generatorFGradients = tape.Gradient(totalGenFLoss, GeneratorF.TrainableVariables);
        var discriminatorXGradients = tape.Gradient(discXLoss, DiscriminatorX.TrainableVariables);
        var discriminatorYGradients = tape.Gradient(discYLoss, DiscriminatorY.TrainableVariables);

        // Apply the gradients to the optimizer
        GeneratorGOptimizer.ApplyGradients(generatorGGradients, GeneratorG.TrainableVariables);
        GeneratorFOptimizer.ApplyGradients(generatorFGradients, GeneratorF.TrainableVariables);
        DiscriminatorXOptimizer.ApplyGradients(discriminatorXGradients, DiscriminatorX.TrainableVariables);
        DiscriminatorYOptimizer.ApplyGradients(discriminatorYGradients, DiscriminatorY.TrainableVariables);

        return [totalGenGLoss, totalGenFLoss, discXLoss, discYLoss, genGLoss, totalCycleLoss];
    }

    /// <summary>
    /// cyclegan_references.py's weights: every kernel is pix2pix_references.py's kernel(shape, k) numbered on
    /// across the four models (generator_g from 0, generator_f, discriminator_x, discriminator_y after it),
    /// every instance-norm scale scale(c, s) numbered the same way; offsets and the last biases stay zero.
    /// </summary>
    public void SetReferenceWeights()
    {
        int kernels = 0, scales = 0;
        foreach (var model in new[] { GeneratorG, GeneratorF, DiscriminatorX, DiscriminatorY })
        {
            kernels = SetReferenceKernels(model, kernels);
            foreach (var v in model.TrainableVariables.Where(v => v.Name?.EndsWith("/scale", StringComparison.Ordinal) == true))
            {
                int c = v.Shape[0], s = scales++;
                v.Assign(NF.Constant(Enumerable.Range(0, c).Select(j => 1 + ((j * 13 + s * 7) % 11 - 5) * 0.02f).ToArray()));
            }
        }
    }
}
