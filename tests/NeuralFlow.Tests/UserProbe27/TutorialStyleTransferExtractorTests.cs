using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe24;
using NeuralFlow.Tests.UserProbe26;
using static NeuralFlow.Tests.UserProbe27.TutorialStyleTransfer;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// The style transfer tutorial up to the loss: VGG19 without its top and its layer names, vgg_layers' model of five
/// intermediate outputs, the StyleContentModel's gram matrices and content map, and style_content_loss, against
/// style_references.py's PyTorch network built from the same .h5 arrays.
/// </summary>
public abstract class TutorialStyleTransferExtractorTests(string backend) : BackendFileTest(backend)
{
    // style_references.py "style_extractor": min, max and mean of each style layer's map for style_image * 255 (the
    // notebook feeds it without preprocess_input).
    private static readonly (int[] Shape, double Min, double Max, double Mean)[] StyleStatistics =
    [
        ([1, 32, 32, 64], 0, 798.278146, 79.0587194),
        ([1, 16, 16, 128], 0, 769.590218, 104.617492),
        ([1, 8, 8, 256], 0, 931.60933, 110.473001),
        ([1, 4, 4, 512], 0, 904.857041, 93.5922551),
        ([1, 2, 2, 512], 0, 476.052318, 65.0752597),
    ];

    // style_references.py "style target": each gram matrix's sum and sum of squares, and its [0,0,0] and [0,1,2] entries.
    private static readonly (int Channels, double Sum, double SumSquares, float G000, float G012)[] StyleTargets =
    [
        (64, 7158743.73, 1.68282956e+10, 5606.44192f, 3866.77164f),
        (128, 68238975.9, 1.42551019e+12, 156.887022f, 2606.98698f),
        (256, 336735884, 1.14669036e+13, 18.5788132f, 0f),
        (512, 1.01792574e+09, 2.42832978e+13, 15413.4667f, 0f),
        (512, 475800909, 3.45351401e+12, 0f, 0f),
    ];

    private static double Sum(float[] v) => v.Sum(x => (double)x);
    private static double SumSquares(float[] v) => v.Sum(x => (double)x * x);

    [SkippableFact]
    public void The_style_extractor_returns_the_named_layers_of_vgg19()
    {
        RequireBackend();
        string weights = WeightsFile(Temp.File("vgg19_notop.h5"));
        // for layer in vgg.layers: print(layer.name)
        var vgg = Applications.VGG19(includeTop: false, weights: weights);
        Assert.Equal(["block1_conv1", "block1_conv2", "block1_pool", "block2_conv1"], vgg.Layers.Skip(1).Take(4).Select(l => l.Name));
        Assert.Equal(22, vgg.Layers.Count);

        var styleExtractor = VggLayers(StyleLayers, weights);
        Assert.Empty(styleExtractor.TrainableVariables);
        var styleOutputs = styleExtractor.CallOutputs(StyleImage() * 255);
        Assert.Equal(StyleLayers.Length, styleOutputs.Count);
        foreach (var (output, (shape, min, max, mean)) in styleOutputs.Zip(StyleStatistics))
        {
            Assert.Equal(new Shape(shape), output.Shape);
            var values = output.ToArray<float>();
            Assert.Equal(min, values.Min(), 1e-3);
            Assert.Equal(max, values.Max(), max * 1e-5);
            Assert.Equal(mean, Sum(values) / values.Length, mean * 1e-5);
        }
    }

    [SkippableFact]
    public void The_style_content_model_gives_pytorchs_gram_matrices_content_and_loss()
    {
        RequireBackend();
        var training = new TutorialStyleTransferTraining(WeightsFile(Temp.File("vgg19_notop.h5")));
        Assert.Empty(training.Extractor.TrainableVariables);
        Assert.Equal(StyleLayers, training.StyleTargets.Keys.Order());
        foreach (var (name, (channels, sum, sumSquares, g000, g012)) in StyleLayers.Zip(StyleTargets))
        {
            var gram = training.StyleTargets[name];
            Assert.Equal(new Shape(1, channels, channels), gram.Shape);
            var values = gram.ToArray<float>();
            Assert.Equal(sum, Sum(values), sum * 1e-5);
            Assert.Equal(sumSquares, SumSquares(values), sumSquares * 1e-5);
            Assert.Equal(g000, values[0], Math.Max(g000, 1f) * 1e-4);
            Assert.Equal(g012, values[channels + 2], Math.Max(g012, 1f) * 1e-4);
        }

        // "content target": block5_conv2's map for the content image.
        var content = Assert.Single(training.ContentTargets).Value;
        Assert.Equal(new Shape(1, 2, 2, 512), content.Shape);
        var c = content.ToArray<float>();
        Assert.Equal(58519.677, Sum(c), 1.0);
        Assert.Equal(5134260.31, SumSquares(c), 100.0);
        Assert.Equal([0f, 19.7866392f, 29.4870023f, 65.2692961f], [c[0], c[5], c[600], c[2047]], new Near(1e-3f));

        // "loss(content)": the style loss alone (content loss 0); "loss(mixed)": both parts, at the images' mean.
        Assert.Equal(7609.74049, training.StyleContentLoss(training.Extractor.Extract(ContentImage())).Item<float>(), 7609.74 * 1e-4);
        var mixed = (ContentImage() + StyleImage()) / 2;
        Assert.Equal(2449361.43, training.StyleContentLoss(training.Extractor.Extract(mixed)).Item<float>(), 2449361.43 * 1e-4);
    }

    [SkippableFact]
    public void Total_variation_is_tensorflows_and_equals_the_tutorials_loss()
    {
        RequireBackend();
        var content = ContentImage();
        // style_references.py "total_variation(content)": per image, a [1] for the batch of one.
        var tv = NF.Image.TotalVariation(content);
        Assert.Equal(new Shape(1), tv.Shape);
        Assert.Equal(1988.80786f, tv.ToArray<float>()[0], 1e-2f);
        Assert.Equal(1988.80786f, TotalVariationLoss(content).Item<float>(), 1e-2f);
        var (x, y) = HighPassXY(content);
        Assert.Equal(new Shape(1, 32, 31, 3), x.Shape);
        Assert.Equal(new Shape(1, 31, 32, 3), y.Shape);
        // clip_0_1(2 * y_deltas + 0.5), the cell that shows the deltas, stays in [0, 1].
        Assert.All(Clip01(2 * y + 0.5).ToArray<float>(), v => Assert.InRange(v, 0f, 1f));
    }
}

/// <summary>The style transfer tutorial's extractor and loss on the managed backend.</summary>
public sealed class ManagedTutorialStyleTransferExtractorTests() : TutorialStyleTransferExtractorTests("managed");

/// <summary>The style transfer tutorial's extractor and loss on the native CPU backend.</summary>
public sealed class NativeCpuTutorialStyleTransferExtractorTests() : TutorialStyleTransferExtractorTests("cpu");

/// <summary>The style transfer tutorial's extractor and loss on CUDA.</summary>
public sealed class CudaTutorialStyleTransferExtractorTests() : TutorialStyleTransferExtractorTests("cuda");
