using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe24;
using static NeuralFlow.Tests.UserProbe26.TutorialPix2PixNetworks;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The CycleGAN tutorial's networks and losses against cyclegan_references.py (the same 32 x 32 instance-norm
/// U-Nets and single-input PatchGANs in PyTorch, TF's padding, tensorflow_examples' InstanceNormalization,
/// Keras' BCE and Adam, identical fixed weights): the models' shapes and variables, the generators' and a
/// discriminator's outputs, and the losses of two train steps of the persistent-tape train_step.
/// </summary>
public abstract class TutorialCycleGanModelTests(string backend) : BackendTest(backend)
{
    private const int Size = 32;
    private static Tensor RealX => ReferenceImage(1, Size, [7, 3, 5, 11]);
    private static Tensor RealY => ReferenceImage(1, Size, [2, 9, 4, 6]);

    private static TutorialCycleGan ReferenceGan()
    {
        var gan = new TutorialCycleGan(Size, dropoutRate: 0);
        gan.SetReferenceWeights();
        return gan;
    }

    [SkippableFact]
    public void The_instance_norm_networks_have_the_tutorials_structure()
    {
        RequireBackend();
        var gan = new TutorialCycleGan(Size);
        // cyclegan_references.py: 27, 27, 12, 12 variables; 30 kernels and 22 instance-norm scales in all.
        Assert.Equal([27, 27, 12, 12], new[] { gan.GeneratorG, gan.GeneratorF, gan.DiscriminatorX, gan.DiscriminatorY }.Select(m => m.TrainableVariables.Count));
        Assert.Equal(22, new[] { gan.GeneratorG, gan.GeneratorF, gan.DiscriminatorX, gan.DiscriminatorY }
                         .Sum(m => m.TrainableVariables.Count(v => v.Name?.EndsWith("/scale", StringComparison.Ordinal) == true)));
        // No BatchNormalization and so no moving statistics: every variable is trainable.
        Assert.Equal(gan.GeneratorG.Variables.Count, gan.GeneratorG.TrainableVariables.Count);
        Assert.Equal(new int?[] { null, Size, Size, 3 }, gan.GeneratorG.Output.Shape);
        // target=False: one input, no concatenation; the PatchGAN of a 32 x 32 image is 2 x 2.
        Assert.Equal(["input_image"], gan.DiscriminatorX.InputNames);
        Assert.Equal(new int?[] { null, 2, 2, 1 }, gan.DiscriminatorY.Output.Shape);
        // InstanceNormalization's scale starts at random_normal(1, 0.02), its offset at zeros.
        var scales = gan.GeneratorG.TrainableVariables.Where(v => v.Name!.EndsWith("/scale", StringComparison.Ordinal)).ToList();
        var all = NF.Concat(scales.Select(s => (Tensor)s).ToArray(), 0).ToArray<float>();
        Assert.InRange(all.Average(), 0.98f, 1.02f);
        Assert.All(all, s => Assert.InRange(s, 0.85f, 1.15f));
        Assert.NotEqual(all.Min(), all.Max());
        // At the tutorial's 256 x 256 the discriminator without a target is 30 x 30 from 2,765,569 parameters: pix2pix's
        // 2,770,433 less the 3,072 first-kernel weights of the target's channels and half of the 3,584 BatchNormalization
        // weights (instance norm has a scale and an offset per channel, no moving mean and variance).
        var full = Discriminator(256, widthDivisor: 1, normType: "instancenorm", target: false);
        Assert.Equal(new int?[] { null, 30, 30, 1 }, full.Output.Shape);
        Assert.Equal(2765569, full.CountParams());
        Assert.Throws<ArgumentException>(() => Discriminator(Size, normType: "layernorm"));
    }

    [SkippableFact]
    public void Generator_and_discriminator_outputs_match_torch()
    {
        RequireBackend();
        var gan = ReferenceGan();
        // cyclegan_references.py: to_zebra = generator_g(sample_horse), to_horse = generator_f(sample_zebra)
        var toZebra = gan.GeneratorG.Call(RealX);
        var toHorse = gan.GeneratorF.Call(RealY);
        Assert.Equal(new Shape(1, Size, Size, 3), toZebra.Shape);
        Assert.Equal(new Shape(1, Size, Size, 3), toHorse.Shape);
        Assert.Equal(-41.768844, NF.ReduceSum(NF.Cast(toZebra, DType.Float64)).Item<double>(), 2e-3);
        Assert.Equal([-0.365925842f, -0.177740751f, 0.320699126f], toZebra[0, 5, 7].ToArray<float>(), new Near(2e-5f));
        Assert.Equal(-21.9701747, NF.ReduceSum(NF.Cast(toHorse, DType.Float64)).Item<double>(), 2e-3);
        Assert.Equal([0.0861652477f, 0.051639929f, -0.0644425629f], toHorse[0, 31, 0].ToArray<float>(), new Near(2e-5f));
        // Instance norm has no moving statistics: training=True gives the same numbers (dropout is 0 here).
        Assert.Equal(toZebra.ToArray<float>(), gan.GeneratorG.Call(RealX, training: true).ToArray<float>(), new Near(1e-6f));

        var isRealZebra = gan.DiscriminatorY.Call(RealY);
        Assert.Equal(new Shape(1, 2, 2, 1), isRealZebra.Shape);
        Assert.Equal([-0.551423862f, 0.551955559f, -1.7659139f, 0.156699892f], isRealZebra.ToArray<float>(), new Near(2e-5f));
    }

    [SkippableFact]
    public void Two_persistent_tape_train_steps_give_torchs_losses_and_weights()
    {
        RequireBackend();
        var gan = ReferenceGan();
        // cyclegan_references.py: step k losses (total_gen_g, total_gen_f, disc_x, disc_y, gen_g, total_cycle)
        float[][] want =
        [
            [15.0817956f, 15.7958094f, 0.775743197f, 1.80257711f, 1.26157499f, 11.0178654f],
            [14.4198174f, 15.0048923f, 0.701602792f, 1.57531875f, 0.596897567f, 11.020874f],
        ];
        for (int step = 0; step < 2; step++)
            Assert.Equal(want[step], gan.TrainStep(RealX, RealY).Select(l => l.Item<float>()), new Near(5e-5f));
        Assert.All(new[] { gan.GeneratorGOptimizer, gan.GeneratorFOptimizer, gan.DiscriminatorXOptimizer, gan.DiscriminatorYOptimizer },
                   o => Assert.Equal(2, o.Iterations));
        // after 2 steps
        Assert.Equal([0.000390291812f, 0.000404974481f, 0.000326935728f], gan.GeneratorG.TrainableVariables[^1].ToArray<float>(), new Near(2e-3f));
        Assert.Equal(1.55652662e-05f, gan.DiscriminatorY.TrainableVariables[^1].ToArray<float>()[0], 1e-6f);
        Assert.Equal(-39.6904015, NF.ReduceSum(NF.Cast(gan.GeneratorG.Call(RealX), DType.Float64)).Item<double>(), 5e-3);
        var firstScale = gan.GeneratorG.TrainableVariables.First(v => v.Name!.EndsWith("/scale", StringComparison.Ordinal));
        Assert.Equal([0.899606352f, 0.94036833f, 0.979614791f], firstScale.ToArray<float>()[..3], new Near(1e-6f));
    }

    [SkippableFact]
    public void The_generator_with_tensorflow_examples_any_size_input_translates_larger_images()
    {
        RequireBackend();
        // unet_generator's Input(shape=[None, None, 3]): the same weights translate 32 x 32 and 64 x 64 images.
        var generator = Generator(Size, dropoutRate: 0, normType: "instancenorm", anySize: true);
        Assert.Equal(new int?[] { null, null, null, 3 }, generator.Output.Shape);
        var fixedSize = ReferenceGan().GeneratorG;
        for (int i = 0; i < generator.Variables.Count; i++) generator.Variables[i].Assign(fixedSize.Variables[i]);
        // (Near: CUDA's reductions may order their sums differently from call to call; the CPU engines agree exactly.)
        Assert.Equal(fixedSize.Call(RealX).ToArray<float>(), generator.Call(RealX).ToArray<float>(), new Near(1e-6f));
        var large = ReferenceImage(2, 2 * Size, [7, 3, 5, 11]);
        var y = generator.Call(large, training: true);
        Assert.Equal(new Shape(2, 2 * Size, 2 * Size, 3), y.Shape);
        Assert.True(float.IsFinite(NF.ReduceSum(y).Item<float>()));
        // A compiled call per size: each signature traces once and then replays.
        var translate = NF.Function((Func<Tensor, Tensor>)(x => generator.Call(x, training: true)));
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(y.ToArray<float>(), translate(large).ToArray<float>(), new Near(1e-5f));
            Assert.Equal(fixedSize.Call(RealX).ToArray<float>(), translate(RealX).ToArray<float>(), new Near(1e-5f));
        }
        Assert.True(TracedFunction.Of(translate).LastCallReplayed);
    }
}

/// <summary>The CycleGAN tutorial's networks on the managed backend.</summary>
public sealed class ManagedTutorialCycleGanModelTests() : TutorialCycleGanModelTests("managed");

/// <summary>The CycleGAN tutorial's networks on the native CPU backend.</summary>
public sealed class NativeCpuTutorialCycleGanModelTests() : TutorialCycleGanModelTests("cpu");

/// <summary>The CycleGAN tutorial's networks on CUDA.</summary>
public sealed class CudaTutorialCycleGanModelTests() : TutorialCycleGanModelTests("cuda");
