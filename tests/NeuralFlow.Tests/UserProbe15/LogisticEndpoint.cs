using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's LogisticEndpoint (examples/keras_recipes/endpoint_layer_pattern.py): called on
/// [logits, targets, sample_weight] it adds the from_logits cross-entropy with <c>AddLoss</c> and
/// updates its accuracy metric; called on [logits] alone (the inference model) it only returns the
/// softmax of the logits, as the example does (over a last axis of one: all ones).
/// </summary>
internal sealed class LogisticEndpoint(string? name = null) : Layer(name)
{
    private readonly Losses.BinaryCrossentropy _lossFn = new(fromLogits: true);
    private readonly Metrics.BinaryAccuracy _accuracyMetric = new(name: "accuracy");

    public Metrics.BinaryAccuracy AccuracyMetric => _accuracyMetric;

    public override Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        var logits = inputs[0];
        if (inputs.Count > 1)
        {
            var targets = inputs[1];
            var sampleWeight = inputs.Count > 2 ? inputs[2] : null;
            AddLoss(_lossFn.Call(targets, logits, sampleWeight));
            _accuracyMetric.UpdateState(targets, logits, sampleWeight);
        }
        return NF.Softmax(logits);
    }
}

/// <summary>The example's LogReg: a subclassed model whose inputs carry the targets and weights to the endpoint.</summary>
internal sealed class LogReg : Model
{
    private readonly Layers.Dense _dense = new(1);
    private readonly LogisticEndpoint _logisticEndpoint = new();

    public override Tensor Call(IReadOnlyList<Tensor> inputs) =>
        _logisticEndpoint.Call([_dense.Call(inputs[0]), inputs[1], inputs[2]]);
}
