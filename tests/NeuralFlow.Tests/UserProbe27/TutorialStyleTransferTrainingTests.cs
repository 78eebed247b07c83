using NeuralFlow.Tests.UserProbe24;
using static NeuralFlow.Tests.UserProbe27.TutorialStyleTransfer;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// The style transfer tutorial's train_step: the image after the first steps against style_references.py (Keras' Adam:
/// epsilon outside the sqrt, not bias-corrected), the NF.Function step replaying its plan and equal to the eager step
/// (bit for bit on the CPU engines), the loss falling over ten steps, and the total-variation-weighted step.
/// </summary>
public abstract class TutorialStyleTransferTrainingTests(string backend) : BackendFileTest(backend)
{
    private bool Cpu => BackendName is "cpu" or "managed";

    private static readonly int[] Picks = [0, 1, 100, 777, 1500, 2048, 3000, 3071];

    // style_references.py "step k" (k = 1, 2): the image's sum, sum of squares and the values at Picks.
    private static readonly (double Sum, double SumSquares, float[] Picks)[] Steps =
    [
        (1539.70197, 1020.40077, [0.806317553f, 0.836052025f, 0.565344405f, 0.0390734722f, 0.345029466f, 0.25897721f, 0.489854975f, 0.213507982f]),
        (1538.19318, 1023.36107, [0.820644537f, 0.849876898f, 0.57942091f, 0.053462326f, 0.360970427f, 0.246227731f, 0.475768305f, 0.199009554f]),
    ];

    // "tv step k": the same with total_variation_weight = 30.
    private static readonly (double Sum, double SumSquares, float[] Picks)[] TvSteps =
    [
        (1539.01906, 1010.51428, [0.773296566f, 0.836052025f, 0.564834871f, 0.039342502f, 0.345244372f, 0.25897721f, 0.4900442f, 0.213507982f]),
        (1537.94444, 1014.93044, [0.787071547f, 0.849884581f, 0.57879348f, 0.0541783011f, 0.361835496f, 0.273659689f, 0.47612257f, 0.199186616f]),
    ];

    // "losses": the loss each of ten steps computes (before its update); "tv losses" with total variation.
    private static readonly float[] Losses = [7609.74049f, 140239.937f, 77557.6374f, 74309.5515f, 58199.57f, 48748.3232f, 42839.6485f, 37340.1578f, 35283.3227f, 34645.1333f];
    private static readonly float[] TvLosses = [67273.9763f, 199562.363f];

    private static void AssertImage((double Sum, double SumSquares, float[] Picks) want, Tensor image, string what)
    {
        var values = image.ToArray<float>();
        Assert.Equal(new Shape(1, Size, Size, 3), image.Shape);
        // torch's Adam (epsilon added to the bias-corrected sqrt(v)) differs from Keras' by up to 0.014 in a value at the
        // first step (style_references.py), so the picks tell them apart.
        Assert.Equal(want.Picks, Picks.Select(i => values[i]).ToArray(), new Near(1e-4f));
        // float32 against float64: where a gradient is near 0 (a ReLU near its kink) Adam's step is not sign-like and a
        // pixel may step another way: by step 2 the sum of the 3072 values is 0.001 off on the native engine, 0.03 on the
        // managed one. (By step 3 the managed engine's picks are 3e-3 off, the native's within 1e-4: not compared here. Not
        // an engine fault: at the image after step 1, one block3_conv3 unit's pre-activation is 1.8e-5 on a layer whose
        // largest value is 719, float32 rounding on either side of 0; the managed engine's ReLU closes it, the native's
        // and a float64 run's do not, and that one unit moves the next gradient by 1% (210 in 23,700), which Adam's
        // sign-like step carries on. From the same image the two engines' gradients agree within 1e-4 at every other step.)
        Assert.True(Math.Abs(want.Sum - values.Sum(v => (double)v)) < 5e-2, $"{what}: sum {values.Sum(v => (double)v)}, want {want.Sum}");
        Assert.True(Math.Abs(want.SumSquares - values.Sum(v => (double)v * v)) < 5e-2, $"{what}: sum of squares {values.Sum(v => (double)v * v)}, want {want.SumSquares}");
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));   // clip_0_1 after every step
    }

    private void AssertSame(float[] want, float[] got)
    {
        if (Cpu) Assert.Equal(want, got);
        else Assert.Equal(want, got, new Near(1e-5f));   // CUDA's reductions may order sums differently run to run
    }

    [SkippableFact]
    public void The_first_steps_move_the_image_as_pytorch_with_keras_adam()
    {
        RequireBackend();
        var training = new TutorialStyleTransferTraining(WeightsFile(Temp.File("vgg19_notop.h5")));
        var trainStep = NF.Function((Tensor image) => { training.TrainStep(image); });
        for (int k = 0; k < 2; k++)
        {
            trainStep(training.Image);
            AssertImage(Steps[k], training.Image, $"step {k + 1}");
        }
        Assert.Equal(2, training.Opt.Iterations);
    }

    [SkippableFact]
    public void The_compiled_step_replays_and_equals_the_eager_step()
    {
        RequireBackend();
        string weights = WeightsFile(Temp.File("vgg19_notop.h5"));
        var eager = new TutorialStyleTransferTraining(weights);
        var compiled = new TutorialStyleTransferTraining(weights);
        var trainStep = NF.Function((Func<Tensor, Tensor>)compiled.TrainStep);
        var traced = TracedFunction.Of(trainStep);
        for (int k = 0; k < 10; k++)
        {
            eager.Losses.Add(eager.TrainStep(eager.Image).Item<float>());
            compiled.Losses.Add(trainStep(compiled.Image).Item<float>());
            AssertSame(eager.Image.ToArray<float>(), compiled.Image.ToArray<float>());
        }
        Assert.Null(traced.EagerReason);
        Assert.True(traced.LastCallReplayed);
        // The first call creates Adam's slots, so the second traces again (TracedFunction's remarks); the eight after replay.
        Assert.Equal(8, traced.ReplayCount);
        AssertSame([.. eager.Losses], [.. compiled.Losses]);
        // The loss falls at every step once the first has moved the image off the content image (its content loss 0).
        Assert.Equal(Losses, eager.Losses.ToArray(), new Near(Losses.Max() * 1e-4f));
        for (int k = 2; k < 10; k++) Assert.True(eager.Losses[k] < eager.Losses[k - 1], $"step {k + 1}: {eager.Losses[k]} after {eager.Losses[k - 1]}");
    }

    [SkippableFact]
    public void The_total_variation_weighted_step_is_pytorchs()
    {
        RequireBackend();
        var training = new TutorialStyleTransferTraining(WeightsFile(Temp.File("vgg19_notop.h5")), totalVariation: true);
        var trainStep = NF.Function((Func<Tensor, Tensor>)training.TrainStep);
        for (int k = 0; k < 2; k++)
        {
            // tf.image.total_variation gives the batch of one a [1]: the loss is a [1] that tape.gradient sums.
            var loss = trainStep(training.Image);
            Assert.Equal(new Shape(1), loss.Shape);
            training.Losses.Add(loss.ToArray<float>()[0]);
            AssertImage(TvSteps[k], training.Image, $"tv step {k + 1}");
        }
        Assert.Equal(TvLosses, training.Losses.ToArray(), new Near(TvLosses.Max() * 1e-4f));
    }
}

/// <summary>The style transfer tutorial's training on the managed backend.</summary>
public sealed class ManagedTutorialStyleTransferTrainingTests() : TutorialStyleTransferTrainingTests("managed");

/// <summary>The style transfer tutorial's training on the native CPU backend.</summary>
public sealed class NativeCpuTutorialStyleTransferTrainingTests() : TutorialStyleTransferTrainingTests("cpu");

/// <summary>The style transfer tutorial's training on CUDA.</summary>
public sealed class CudaTutorialStyleTransferTrainingTests() : TutorialStyleTransferTrainingTests("cuda");
