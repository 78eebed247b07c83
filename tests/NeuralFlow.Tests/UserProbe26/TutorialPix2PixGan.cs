using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserProbe26.TutorialPix2PixNetworks;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The pix2pix tutorial's training cells in C#: generator_loss (BCE from logits + LAMBDA * L1) and
/// discriminator_loss, two Adam(2e-4, beta_1=0.5), train_step with two gradient tapes over one forward
/// pass writing its losses to a SummaryWriter, and the Train.Checkpoint of both networks and both optimizers.
/// </summary>
internal sealed class TutorialPix2PixGan
{
    public const int Lambda = 100;

    public TutorialPix2PixGan(int imgSize, int widthDivisor = 16, double dropoutRate = 0.5)
    {
        Generator = Generator(imgSize, widthDivisor, dropoutRate);
        Discriminator = Discriminator(imgSize, widthDivisor);
    }

    public Model Generator { get; }
    public Model Discriminator { get; }
    public readonly Optimizers.Adam GeneratorOptimizer = new(2e-4, beta1: 0.5), DiscriminatorOptimizer = new(2e-4, beta1: 0.5);
    private static readonly Losses.BinaryCrossentropy LossObject = new(fromLogits: true);

    public static (Tensor Total, Tensor Gan, Tensor L1) GeneratorLoss(Tensor discGeneratedOutput, Tensor genOutput, Tensor target)
    {
        var ganLoss = LossObject.Call(NF.OnesLike(discGeneratedOutput), discGeneratedOutput);
        // Mean absolute error
        var l1Loss = NF.ReduceMean(NF.Abs(target - genOutput));
        var totalGenLoss = ganLoss + Lambda * l1Loss;
        return (totalGenLoss, ganLoss, l1Loss);
    }

    public static Tensor DiscriminatorLoss(Tensor discRealOutput, Tensor discGeneratedOutput)
    {
        var realLoss = LossObject.Call(NF.OnesLike(discRealOutput), discRealOutput);
        var generatedLoss = LossObject.Call(NF.ZerosLike(discGeneratedOutput), discGeneratedOutput);
        return realLoss + generatedLoss;
    }

    /// <summary>summary_writer: where train_step writes its four losses for TensorBoard; null writes nothing.</summary>
    public IO.SummaryWriter? SummaryWriter { get; init; }

    public Train.Checkpoint Checkpoint() => new(new Dictionary<string, object>
    {
        ["generator_optimizer"] = GeneratorOptimizer,
        ["discriminator_optimizer"] = DiscriminatorOptimizer,
        ["generator"] = Generator,
        ["discriminator"] = Discriminator,
    });

    /// <summary>train_step(input_image, target, step): the four losses the tutorial writes to TensorBoard.</summary>
    public Tensor[] TrainStep(Tensor inputImage, Tensor target, Tensor step)
    {
        using var genTape = new GradientTape();
        using var discTape = new GradientTape();
        var genOutput = Generator.Call(inputImage, training: true);
        var discRealOutput = Discriminator.Call([inputImage, target], training: true);
        var discGeneratedOutput = Discriminator.Call([inputImage, genOutput], training: true);
        var (genTotalLoss, genGanLoss, genL1Loss) = GeneratorLoss(discGeneratedOutput, genOutput, target);
        var discLoss = DiscriminatorLoss(discRealOutput, discGeneratedOutput);

        var generatorGradients = genTape.Gradient(genTotalLoss, Generator.TrainableVariables);
        var discriminatorGradients = discTape.Gradient(discLoss, Discriminator.TrainableVariables);
        GeneratorOptimizer.ApplyGradients(generatorGradients, Generator.TrainableVariables);
        DiscriminatorOptimizer.ApplyGradients(discriminatorGradients, Discriminator.TrainableVariables);

        if (SummaryWriter is { } summaryWriter)
        {
            var summaryStep = NF.FloorDiv(step, 1000);   // step // 1000
            summaryWriter.Scalar("gen_total_loss", genTotalLoss, summaryStep);
            summaryWriter.Scalar("gen_gan_loss", genGanLoss, summaryStep);
            summaryWriter.Scalar("gen_l1_loss", genL1Loss, summaryStep);
            summaryWriter.Scalar("disc_loss", discLoss, summaryStep);
        }
        return [genTotalLoss, genGanLoss, genL1Loss, discLoss];
    }
}
