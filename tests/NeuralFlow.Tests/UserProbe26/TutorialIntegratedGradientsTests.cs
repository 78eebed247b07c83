using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserProbe26.TutorialInputGradsModel;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// TensorFlow's integrated gradients tutorial (interpretability/integrated_gradients.ipynb) in C#: read_image's
/// convert_image_dtype and resize_with_pad, a black baseline, tf.linspace alphas (m_steps = 50), interpolate_images
/// broadcasting alphas[:, None, None, None], compute_gradients of the target class probability
/// (tf.nn.softmax(logits)[:, target_class_idx]) over the batch of interpolated images, integral_approximation (the
/// trapezoidal rule), the batched integrated_gradients whose loop over alphas calls one_batch traced by NF.Function,
/// attributions = (image - baseline) * avg_gradients, the completeness check, and the attribution mask that feeds the
/// plots. The small CNN of TutorialInputGradsModel stands in for Inception; every number is PyTorch's
/// (inputgrads_references.py).
/// </summary>
public abstract class TutorialIntegratedGradientsTests(string backend) : BackendTest(backend)
{
    // inputgrads_references.py.
    private static readonly float[] ImageRow2Start = [0.86911768f, 0.52291667f, 0.18517157f, 0.82107842f, 0.52536768f, 0.55379903f];
    private static readonly float[] ImageProbs = [0.22251639f, 0.28333253f, 0.2468732f, 0.15704706f, 0.0902308f];
    private const int Target = 1;
    private static readonly float[] PathProbs = [0.19301389f, 0.21007255f, 0.22962195f, 0.24782622f, 0.26576141f, 0.28333253f];
    private static readonly float[] PathGradMeans = [-2.3935068e-05f, -7.3344134e-05f, -0.00010102367f, -9.8974131e-05f, -9.6066236e-05f, -9.2482194e-05f];
    private static readonly float[] AttributionsRow3 =
    [
        0.00080117024f, -0.021702806f, 0.037491087f, -0.026128259f, 0.099435985f, -0.23707336f,
        0.060018383f, -0.14327447f, 0.10694102f, 0.0010307132f, -0.17100628f, 0.22691649f,
        -0.17271036f, 0.6172151f, -0.27947438f, 0.20427257f, -0.23260774f, 0.15598114f,
        -0.15480684f, 0.054449778f, -0.20616795f, 0.10206538f, -0.040454462f, 0.014662968f,
    ];
    private const float AttributionSum = 0.093871504f;
    private const float AttributionSum240 = 0.091162845f, AttributionSum55 = 0.095808357f;
    private const float ImageMinusBaseline = 0.090318635f;   // f(image) - f(baseline) for the target class
    private static readonly float[] Mask =
    [
        0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
        0.061577588f, 0.16672158f, 0.52168673f, 0.25688559f, 0.16965227f, 0.16188373f, 0.03623341f, 0.01977242f,
        0.1620947f, 0.34528995f, 0.55527973f, 0.12350078f, 0.39783168f, 0.060050149f, 0.05237563f, 0.015932104f,
        0.059995063f, 0.36263761f, 0.31023386f, 0.3989535f, 1.0693998f, 0.59286141f, 0.41542459f, 0.15718281f,
        0.070582524f, 0.049122833f, 0.052448869f, 0.41797048f, 0.70573986f, 0.59775597f, 0.74013698f, 0.46346003f,
        0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
        0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
        0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
    ];

    /// <summary>The tutorial's read_image after the decode: convert_image_dtype to float32, resize_with_pad to the model's size.</summary>
    private static Tensor ReadImage(Tensor decoded)
    {
        var image = NF.Image.ConvertImageDtype(decoded, DType.Float32);
        return NF.Image.ResizeWithPad(image, targetHeight: Size, targetWidth: Size);
    }

    private static Tensor InterpolateImages(Tensor baseline, Tensor image, Tensor alphas)
    {
        var alphasX = alphas[.., NF.NewAxis, NF.NewAxis, NF.NewAxis];
        var baselineX = NF.ExpandDims(baseline, axis: 0);
        var inputX = NF.ExpandDims(image, axis: 0);
        var delta = inputX - baselineX;
        return baselineX + alphasX * delta;
    }

    /// <summary>compute_gradients, the class a tensor as one_batch's traced argument (or a C# int, converted).</summary>
    private static Tensor ComputeGradients(Model model, Tensor images, Tensor targetClassIdx)
    {
        using var tape = new GradientTape();
        tape.Watch(images);
        var logits = model.Call(images);
        var probs = NF.Softmax(logits, axis: -1)[.., targetClassIdx];
        return tape.Gradient(probs, images);
    }

    private static Tensor IntegralApproximation(Tensor gradients)
    {
        // riemann_trapezoidal
        var grads = (gradients[..^1] + gradients[1..]) / NF.Constant(2.0f);
        return NF.ReduceMean(grads, axis: 0);
    }

    /// <summary>
    /// The tutorial's integrated_gradients: the alphas in batches of batchSize (from_ to to, the last shorter), each
    /// batch's gradients from the traced one_batch, collected in a TensorArray (the tutorial's list of batches, as a
    /// tf.function port would hold them) and joined row-wise.
    /// </summary>
    private static Tensor IntegratedGradients(Func<Tensor, Tensor, Tensor, Tensor, Tensor> oneBatch, Tensor baseline, Tensor image,
                                              int targetClassIdx, int mSteps = 50, int batchSize = 32)
    {
        var alphas = NF.Linspace(start: 0.0, stop: 1.0, num: mSteps + 1);
        var gradientBatches = new TensorArray(DType.Float32, size: 0, dynamicSize: true, inferShape: false);
        int batch = 0;
        foreach (int alpha in NF.Range(0, alphas.Shape[0], batchSize).ToArray<int>())
        {
            int from = alpha;
            int to = Math.Min(from + batchSize, alphas.Shape[0]);
            var alphaBatch = alphas[from..to];
            var gradientBatch = oneBatch(baseline, image, alphaBatch, NF.Constant(targetClassIdx));
            gradientBatches = gradientBatches.Write(batch++, gradientBatch);
        }
        var totalGradients = gradientBatches.Concat();
        var avgGradients = IntegralApproximation(totalGradients);
        return (image - baseline) * avgGradients;
    }

    private static Func<Tensor, Tensor, Tensor, Tensor, Tensor> OneBatch(Model model) =>
        NF.Function((Tensor baseline, Tensor image, Tensor alphaBatch, Tensor targetClassIdx) =>
            ComputeGradients(model, InterpolateImages(baseline, image, alphaBatch), targetClassIdx));

    /// <summary>The tutorial's inputs: the logits model, the read image (phase 6.25), the black baseline and one_batch traced.</summary>
    private static (Model Model, Tensor Image, Tensor Baseline, Func<Tensor, Tensor, Tensor, Tensor, Tensor> OneBatch) Setup()
    {
        var model = Build(softmax: false);
        return (model, ReadImage(ImageU8(6, 10, phase: 6.25)), NF.Zeros([Size, Size, 3]), OneBatch(model));
    }

    [SkippableFact]
    public void The_path_gradients_and_their_integral_are_PyTorchs()
    {
        RequireBackend();
        var model = Build(softmax: false);
        var image = ReadImage(ImageU8(6, 10, phase: 6.25));
        Assert.Equal(new Shape(Size, Size, 3), image.Shape);
        // resize_with_pad scales the 6 x 10 image by 1 / 1.25 to 4.8 x 8, floored to 4 x 8, with floor((8 - 4.8) / 2) = 1
        // zero row above and the other three below.
        Assert.Equal(0f, NF.ReduceMax(NF.Abs(image[..1])).Item<float>());
        Assert.Equal(0f, NF.ReduceMax(NF.Abs(image[5..])).Item<float>());
        Assert.True(NF.ReduceMin(NF.ReduceMax(NF.Abs(image[1..5]), [1, 2])).Item<float>() > 0);
        Close(ImageRow2Start, NF.Reshape(image[2], [-1])[..6], 1e-6, 1e-7, "image row 2");

        // top_k_predictions' softmax of the logits of a batch of one.
        var probs = NF.Softmax(model.Call(NF.ExpandDims(image, 0)), axis: -1);
        Close(ImageProbs, probs[0], 1e-5, 1e-7, "image probabilities");
        Assert.Equal(Target, (int)NF.TopK(probs, k: 3).Indices[0, 0].Item<int>());

        var baseline = NF.Zeros([Size, Size, 3]);
        int mSteps = 50;
        var alphas = NF.Linspace(start: 0.0, stop: 1.0, num: mSteps + 1);
        var interpolatedImages = InterpolateImages(baseline, image, alphas);
        Assert.Equal(new Shape(mSteps + 1, Size, Size, 3), interpolatedImages.Shape);
        Close(image.ToArray<float>(), interpolatedImages[^1], 0, 0, "the last interpolated image");

        var pathGradients = ComputeGradients(model, interpolatedImages, NF.Constant(Target));
        Assert.Equal(interpolatedImages.Shape, pathGradients.Shape);
        var predProba = NF.Softmax(model.Call(interpolatedImages), axis: -1)[.., Target];
        Close(PathProbs, predProba[NF.Step(.., 10)], 1e-5, 1e-7, "target probability over alpha");
        var averageGrads = NF.ReduceMean(pathGradients, [1, 2, 3]);
        Close(PathGradMeans, averageGrads[NF.Step(.., 10)], 1e-3, 1e-8, "mean path gradient over alpha");
        // The plot's normalisation to [0, 1].
        var averageGradsNorm = (averageGrads - NF.ReduceMin(averageGrads)) / (NF.ReduceMax(averageGrads) - NF.ReduceMin(averageGrads));
        Assert.Equal(0f, NF.ReduceMin(averageGradsNorm).Item<float>());
        Assert.Equal(1f, NF.ReduceMax(averageGradsNorm).Item<float>(), 1e-6f);

        var ig = IntegralApproximation(pathGradients);
        Assert.Equal(new Shape(Size, Size, 3), ig.Shape);
        var attributions = (image - baseline) * ig;
        Close(AttributionsRow3, NF.Reshape(attributions[3], [-1]), 1e-4, 1e-6, "attributions of row 3");
        Assert.Equal(AttributionSum, NF.ReduceSum(attributions).Item<float>(), 5e-5f);
    }

    [SkippableFact]
    public void The_batched_traced_integrated_gradients_meet_the_completeness_check_and_give_the_mask()
    {
        RequireBackend();
        var (model, image, baseline, oneBatch) = Setup();

        var attributions = IntegratedGradients(oneBatch, baseline, image, Target, mSteps: 50);
        Assert.Equal(image.Shape, attributions.Shape);
        Close(AttributionsRow3, NF.Reshape(attributions[3], [-1]), 1e-4, 1e-6, "batched attributions of row 3");
        float sum = NF.ReduceSum(attributions).Item<float>();
        Assert.Equal(AttributionSum, sum, 5e-5f);

        // Completeness: the attributions add up to f(image) - f(baseline), to within the integral's error (3.9% at 50
        // steps here, 0.9% at 240, as PyTorch's).
        Tensor F(Tensor x) => NF.Softmax(model.Call(NF.ExpandDims(x, 0)), axis: -1)[0, Target];
        float difference = (F(image) - F(baseline)).Item<float>();
        Assert.Equal(ImageMinusBaseline, difference, 1e-5f);
        Assert.True(Math.Abs(sum - difference) < 0.045 * difference, $"sum {sum} vs f(image) - f(baseline) {difference}");
        // The tutorial's two plots: m_steps 240 (8 batches, the last of 17) and 55.
        float sum240 = NF.ReduceSum(IntegratedGradients(oneBatch, baseline, image, Target, mSteps: 240)).Item<float>();
        Assert.Equal(AttributionSum240, sum240, 5e-5f);
        Assert.True(Math.Abs(sum240 - difference) < 0.015 * difference);
        Assert.Equal(AttributionSum55, NF.ReduceSum(IntegratedGradients(oneBatch, baseline, image, Target, mSteps: 55)).Item<float>(), 5e-5f);

        // plot_img_attributions' mask: the sum of |attributions| over the channels, a grayscale image.
        var attributionMask = NF.ReduceSum(NF.Abs(attributions), axis: -1);
        Assert.Equal(new Shape(Size, Size), attributionMask.Shape);
        Close(Mask, NF.Reshape(attributionMask, [-1]), 1e-4, 1e-6, "attribution mask");
    }

    [SkippableFact]
    public void One_batch_traced_equals_compute_gradients_run_eagerly_for_each_class_and_batch_length()
    {
        RequireBackend();
        var (model, image, baseline, oneBatch) = Setup();
        var alphas = NF.Linspace(0.0, 1.0, 51);
        // The class is a traced tensor: the trace for class 1 must read class 4 on the next call, not replay 1.
        foreach (var (from, to, target) in new[] { (0, 32, 1), (32, 51, 1), (0, 32, 4), (10, 20, 0) })
        {
            var eager = ComputeGradients(model, InterpolateImages(baseline, image, alphas[from..to]), NF.Constant(target));
            var traced = oneBatch(baseline, image, alphas[from..to], NF.Constant(target));
            Close(eager.ToArray<float>(), traced, 1e-5, 1e-9, $"alphas {from}..{to}, class {target}");
        }
    }
}

/// <summary>The integrated gradients tutorial, on the managed backend.</summary>
public sealed class ManagedTutorialIntegratedGradientsTests() : TutorialIntegratedGradientsTests("managed");

/// <summary>The integrated gradients tutorial, on the native CPU backend.</summary>
public sealed class NativeCpuTutorialIntegratedGradientsTests() : TutorialIntegratedGradientsTests("cpu");

/// <summary>The integrated gradients tutorial, on the CUDA backend.</summary>
public sealed class CudaTutorialIntegratedGradientsTests() : TutorialIntegratedGradientsTests("cuda");
