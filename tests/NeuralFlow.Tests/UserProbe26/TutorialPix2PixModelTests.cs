using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe24;
using static NeuralFlow.Tests.UserProbe26.TutorialPix2PixNetworks;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The pix2pix tutorial's networks and losses against pix2pix_references.py (the same 32 x 32 U-Net and
/// PatchGAN in PyTorch with TF's padding, Keras' BatchNormalization and Adam, and identical fixed kernels):
/// the block and model shapes of the tutorial's cells, the generator and discriminator outputs in inference
/// and with training=True (generate_images), both losses, and three train steps' losses and weights.
/// </summary>
public abstract class TutorialPix2PixModelTests(string backend) : BackendTest(backend)
{
    private const int Size = 32, Batch = 2;
    private static Tensor Inp => ReferenceImage(Batch, Size, [7, 3, 5, 11]);
    private static Tensor Tar => ReferenceImage(Batch, Size, [2, 9, 4, 6]);

    private static (Model Generator, Model Discriminator) ReferenceNetworks(double dropoutRate = 0)
    {
        var generator = Generator(Size, dropoutRate: dropoutRate);
        var discriminator = Discriminator(Size);
        SetReferenceKernels(generator);
        SetReferenceKernels(discriminator);
        return (generator, discriminator);
    }

    [SkippableFact]
    public void The_blocks_and_networks_have_the_tutorials_shapes()
    {
        RequireBackend();
        var inp = NF.Zeros([64, 64, 3]);
        var downModel = Downsample(3, 4);
        var downResult = downModel.Call(NF.ExpandDims(inp, 0));
        Assert.Equal(new Shape(1, 32, 32, 3), downResult.Shape);
        var upModel = Upsample(3, 4);
        Assert.Equal(new Shape(1, 64, 64, 3), upModel.Call(downResult).Shape);
        // use_bias=False and the initializer reached the convolution.
        Assert.Single(downModel.Layers[0].TrainableVariables);

        var generator = Generator(Size);
        Assert.Equal(new int?[] { null, Size, Size, 3 }, generator.Output.Shape);
        Assert.Equal(27, generator.TrainableVariables.Count);   // pix2pix_references.py
        var discriminator = Discriminator(Size);
        Assert.Equal(12, discriminator.TrainableVariables.Count);
        Assert.Equal(new int?[] { null, 2, 2, 1 }, discriminator.Output.Shape);
        Assert.Equal(["input_image", "target_image"], discriminator.InputNames);
        // At the tutorial's size and widths the PatchGAN is 30 x 30 and has Keras' 2,770,433 parameters.
        var full = Discriminator(256, widthDivisor: 1);
        Assert.Equal(new int?[] { null, 30, 30, 1 }, full.Output.Shape);
        Assert.Equal(2770433, full.CountParams());
        // And the U-Net at the tutorial's size: (None, 256, 256, 3) from 54,425,859 parameters, as its summary says.
        var fullGenerator = Generator(256, widthDivisor: 1);
        Assert.Equal(new int?[] { null, 256, 256, 3 }, fullGenerator.Output.Shape);
        Assert.Equal(54425859, fullGenerator.CountParams());
        // The kernels are random_normal(0, 0.02).
        var kernel = full.TrainableVariables.First(v => v.Rank == 4 && v.Shape.Count > 100000);
        Assert.Equal(0.02f, MathF.Sqrt(NF.ReduceMean(NF.Square(kernel)).Item<float>()), 3);
    }

    [SkippableFact]
    public void Generator_and_discriminator_outputs_and_both_losses_match_torch()
    {
        RequireBackend();
        var (generator, discriminator) = ReferenceNetworks();
        var genOutput = generator.Call(Inp, training: false);
        Assert.Equal(new Shape(Batch, Size, Size, 3), genOutput.Shape);
        // pix2pix_references.py: gen_output(training=False)
        Assert.Equal(-52.0872079, NF.ReduceSum(NF.Cast(genOutput, DType.Float64)).Item<double>(), 2e-3);
        Assert.Equal(887.976294, NF.ReduceSum(NF.Cast(NF.Abs(genOutput), DType.Float64)).Item<double>(), 2e-3);
        Assert.Equal([-0.0280770706f, -0.349350393f, 0.244225075f], genOutput[0, 5, 7].ToArray<float>(), new Near(2e-5f));
        Assert.Equal([-0.0102832644f, -0.00735935277f, 0.00759247409f], genOutput[1, 31, 0].ToArray<float>(), new Near(2e-5f));

        var discOut = discriminator.Call([Inp, genOutput], training: false);
        Assert.Equal(new Shape(Batch, 2, 2, 1), discOut.Shape);
        Assert.Equal([-0.0324939981f, 0.058162645f, -0.0400368902f, 0.0172568678f, -0.080860697f, -0.0591385364f, -0.0252408322f, -0.0729873994f],
                     discOut.ToArray<float>(), new Near(2e-5f));

        var discReal = discriminator.Call([Inp, Tar], training: false);
        var (total, gan, l1) = TutorialPix2PixGan.GeneratorLoss(discOut, genOutput, Tar);
        Assert.Equal(55.3027629f, total.Item<float>(), 1e-3f);
        Assert.Equal(0.70820485f, gan.Item<float>(), 1e-5f);
        Assert.Equal(0.545945581f, l1.Item<float>(), 1e-5f);
        Assert.Equal(1.3819618f, TutorialPix2PixGan.DiscriminatorLoss(discReal, discOut).Item<float>(), 1e-5f);
    }

    [SkippableFact]
    public void Generate_images_calls_the_generator_in_training_mode_batch_statistics_and_dropout()
    {
        RequireBackend();
        var (generator, _) = ReferenceNetworks();
        var prediction = generator.Call(Inp, training: true);
        // pix2pix_references.py: gen_output(training=True), BatchNormalization on the batch's statistics.
        Assert.Equal(-90.3685655, NF.ReduceSum(NF.Cast(prediction, DType.Float64)).Item<double>(), 5e-3);
        Assert.Equal([-0.386504339f, -0.165925012f, 0.335592669f], prediction[0, 5, 7].ToArray<float>(), new Near(5e-5f));

        // With the tutorial's Dropout(0.5) two training calls differ; inference calls do not.
        var withDropout = Generator(Size);
        SetReferenceKernels(withDropout);
        Assert.NotEqual(withDropout.Call(Inp, training: true).ToArray<float>(), withDropout.Call(Inp, training: true).ToArray<float>());
        Assert.Equal(withDropout.Call(Inp, training: false).ToArray<float>(), withDropout.Call(Inp, training: false).ToArray<float>());
    }

    [SkippableFact]
    public void Three_train_steps_give_torchs_losses_and_weights()
    {
        RequireBackend();
        var gan = new TutorialPix2PixGan(Size, dropoutRate: 0);
        SetReferenceKernels(gan.Generator);
        SetReferenceKernels(gan.Discriminator);
        // pix2pix_references.py: step k losses (gen_total, gen_gan, gen_l1, disc)
        float[][] want =
        [
            [57.8967319f, 0.963334914f, 0.569333969f, 2.57396234f],
            [57.6555072f, 0.770185933f, 0.568853212f, 2.08689064f],
            [57.5063039f, 0.674436927f, 0.56831867f, 1.76315539f],
        ];
        for (int step = 0; step < 3; step++)
        {
            var losses = gan.TrainStep(Inp, Tar, NF.Constant((long)step)).Select(l => l.Item<float>()).ToArray();
            Assert.Equal(want[step], losses, new Near(5e-5f));
        }
        Assert.Equal(3, gan.GeneratorOptimizer.Iterations);
        var lastKernel = gan.Generator.TrainableVariables[^2];
        Assert.Equal(-1.11282396, NF.ReduceSum(NF.Cast(lastKernel, DType.Float64)).Item<double>(), 1e-4);
        Assert.Equal([0.000607455793f, 0.000597144921f, -0.000591099231f], gan.Generator.TrainableVariables[^1].ToArray<float>(), new Near(2e-3f));
        Assert.Equal(0.000167207711f, gan.Discriminator.TrainableVariables[^1].ToArray<float>()[0], 1e-6f);
        Assert.Equal(-49.3261567, NF.ReduceSum(NF.Cast(gan.Generator.Call(Inp, training: false), DType.Float64)).Item<double>(), 5e-3);
    }
}

/// <summary>The pix2pix tutorial's networks on the managed backend.</summary>
public sealed class ManagedTutorialPix2PixModelTests() : TutorialPix2PixModelTests("managed");

/// <summary>The pix2pix tutorial's networks on the native CPU backend.</summary>
public sealed class NativeCpuTutorialPix2PixModelTests() : TutorialPix2PixModelTests("cpu");

/// <summary>The pix2pix tutorial's networks on CUDA.</summary>
public sealed class CudaTutorialPix2PixModelTests() : TutorialPix2PixModelTests("cuda");
