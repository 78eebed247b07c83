using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserProbe27.TutorialStyleTransfer;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// The tutorial's optimisation: the style and content targets, style_content_loss, the image Variable, Adam(0.02, 0.99,
/// epsilon 0.1) and train_step (optionally with total_variation_weight * tf.image.total_variation), written once so the
/// tests can run it eagerly or as an NF.Function.
/// </summary>
internal sealed class TutorialStyleTransferTraining
{
    public const double StyleWeight = 1e-2, ContentWeight = 1e4, TotalVariationWeight = 30;

    public readonly StyleContentModel Extractor;
    public readonly Dictionary<string, Tensor> StyleTargets, ContentTargets;
    public readonly Variable Image;
    public readonly Optimizers.Adam Opt = new(learningRate: 0.02, beta1: 0.99, epsilon: 1e-1);
    public readonly List<float> Losses = [];
    private readonly bool _totalVariation;

    public TutorialStyleTransferTraining(string weights, bool totalVariation = false)
    {
        Extractor = new StyleContentModel(StyleLayers, ContentLayers, weights);
        StyleTargets = Extractor.Extract(StyleImage()).Style;
        ContentTargets = Extractor.Extract(ContentImage()).Content;
        Image = new Variable(ContentImage());
        _totalVariation = totalVariation;
    }

    public Tensor StyleContentLoss((Dictionary<string, Tensor> Style, Dictionary<string, Tensor> Content) outputs)
    {
        var (styleOutputs, contentOutputs) = outputs;
        var styleLoss = NF.AddN(styleOutputs.Keys.Select(name => NF.ReduceMean(NF.Pow(styleOutputs[name] - StyleTargets[name], 2))).ToArray());
        styleLoss *= StyleWeight / StyleLayers.Length;
        var contentLoss = NF.AddN(contentOutputs.Keys.Select(name => NF.ReduceMean(NF.Pow(contentOutputs[name] - ContentTargets[name], 2))).ToArray());
        contentLoss *= ContentWeight / ContentLayers.Length;
        return styleLoss + contentLoss;
    }

    /// <summary>train_step(image); the loss is returned as well so the tests can watch it fall.</summary>
    public Tensor TrainStep(Tensor image)
    {
        var variable = (Variable)image;
        Tensor loss, grad;
        using (var tape = new GradientTape())
        {
            var outputs = Extractor.Extract(variable);
            loss = StyleContentLoss(outputs);
            if (_totalVariation) loss += TotalVariationWeight * NF.Image.TotalVariation(variable);
            grad = tape.Gradient(loss, variable);
        }
        Opt.ApplyGradients([(grad, variable)]);
        variable.Assign(Clip01(variable));
        return loss;
    }
}
