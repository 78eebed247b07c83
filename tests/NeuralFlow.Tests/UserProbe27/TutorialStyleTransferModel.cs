using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// The neural style transfer tutorial's cells as a C# user writes them: vgg_layers, gram_matrix, the StyleContentModel,
/// clip_0_1, high_pass_x_y and total_variation_loss. The ImageNet weights and the two JPEGs cannot be downloaded here:
/// VGG19 loads a Keras-layout .h5 of apps_references.py's deterministic weights, and the images come from murmur
/// (style_references.py builds the same ones in PyTorch).
/// </summary>
internal static class TutorialStyleTransfer
{
    public const int Size = 32;   // the images' height and width: the tutorial's 512 on the long side

    public static readonly string[] ContentLayers = ["block5_conv2"];
    public static readonly string[] StyleLayers = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"];

    /// <summary>style_references.py's image(offset): pixel i of a [1, 32, 32, 3] image is (murmur(i + offset) &gt;&gt; 24) / 255.</summary>
    public static Tensor Image(int offset)
    {
        var values = new float[Size * Size * 3];
        for (int i = 0; i < values.Length; i++) values[i] = (ApplicationsWeightsFile.Murmur((ulong)(i + offset)) >> 24) / 255f;
        return NF.Constant(values, new Shape(1, Size, Size, 3));
    }

    public static Tensor ContentImage() => Image(777);
    public static Tensor StyleImage() => Image(4242);

    /// <summary>VGG19 without its top in Keras' .h5 layout with the deterministic weights; returns the file's path.</summary>
    public static string WeightsFile(string path) => ApplicationsWeightsFile.Write(Applications.VGG19(includeTop: false, weights: null), path);

    /// <summary>vgg_layers: a VGG model that returns a list of intermediate output values.</summary>
    public static Model VggLayers(IReadOnlyList<string> layerNames, string weights)
    {
        var vgg = Applications.VGG19(includeTop: false, weights: weights);
        vgg.Trainable = false;
        var outputs = layerNames.Select(name => vgg.GetLayer(name).Output).ToArray();
        return new Model(vgg.Input, outputs);
    }

    /// <summary>gram_matrix: the channels' correlations, averaged over the locations.</summary>
    public static Tensor GramMatrix(Tensor inputTensor)
    {
        var result = NF.Einsum("bijc,bijd->bcd", inputTensor, inputTensor);
        var inputShape = NF.Shape(inputTensor);
        var numLocations = NF.Cast(inputShape[1] * inputShape[2], DType.Float32);
        return result / numLocations;
    }

    public static Tensor Clip01(Tensor image) => NF.ClipByValue(image, clipValueMin: 0.0, clipValueMax: 1.0);

    public static (Tensor X, Tensor Y) HighPassXY(Tensor image)
    {
        var xVar = image[.., .., 1.., ..] - image[.., .., ..^1, ..];
        var yVar = image[.., 1.., .., ..] - image[.., ..^1, .., ..];
        return (xVar, yVar);
    }

    public static Tensor TotalVariationLoss(Tensor image)
    {
        var (xDeltas, yDeltas) = HighPassXY(image);
        return NF.ReduceSum(NF.Abs(xDeltas)) + NF.ReduceSum(NF.Abs(yDeltas));
    }
}

/// <summary>The tutorial's StyleContentModel: a model that returns the style (gram matrices) and content tensors by layer name.</summary>
internal sealed class StyleContentModel : Model
{
    private readonly Model _vgg;
    private readonly string[] _styleLayers, _contentLayers;

    public StyleContentModel(string[] styleLayers, string[] contentLayers, string weights)
    {
        _vgg = TutorialStyleTransfer.VggLayers([.. styleLayers, .. contentLayers], weights);
        _styleLayers = styleLayers;
        _contentLayers = contentLayers;
        _vgg.Trainable = false;
    }

    /// <summary>Keras' call: expects float input in [0,1]; the gram matrices of the style layers, then the content layers' maps.</summary>
    protected override IReadOnlyList<Tensor> ForwardOutputs(Tensor inputs)
    {
        inputs = inputs * 255.0;
        var preprocessedInput = Applications.VGG19PreprocessInput(inputs);
        var outputs = _vgg.CallOutputs(preprocessedInput);
        return [.. outputs.Take(_styleLayers.Length).Select(TutorialStyleTransfer.GramMatrix), .. outputs.Skip(_styleLayers.Length)];
    }

    /// <summary>The tutorial's {'content': content_dict, 'style': style_dict}.</summary>
    public (Dictionary<string, Tensor> Style, Dictionary<string, Tensor> Content) Extract(Tensor inputs)
    {
        var outputs = CallOutputs(inputs);
        var style = _styleLayers.Zip(outputs.Take(_styleLayers.Length)).ToDictionary(p => p.First, p => p.Second);
        var content = _contentLayers.Zip(outputs.Skip(_styleLayers.Length)).ToDictionary(p => p.First, p => p.Second);
        return (style, content);
    }
}
