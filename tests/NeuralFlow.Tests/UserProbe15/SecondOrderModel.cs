using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's debugging-tips MyModel (examples/keras_recipes/debugging_tips.py): a train step that
/// differentiates the loss's gradients again (nested tapes), L2-normalizes both gradient lists and
/// steps along 0.5 * d2 + 0.5 * d1; <see cref="StepCounter"/> counts the C# runs of the step,
/// every batch under <c>runEagerly</c> as the example's prints show.
/// </summary>
internal sealed class SecondOrderModel(KerasTensor inputs, KerasTensor outputs) : Model(inputs, outputs)
{
    public int StepCounter { get; set; }

    /// <summary>The first and second-order gradients of the compiled loss, normalized as the example's last version.</summary>
    public (Tensor?[] First, Tensor?[] Second) Gradients(Tensor inputs, Tensor targets)
    {
        var trainableVars = TrainableVariables;
        Tensor?[] dlDw, d2lDw2;
        using (var tape2 = new GradientTape(persistent: true))
        {
            using (var tape1 = new GradientTape())
            {
                var preds = Call(inputs, training: true);
                var loss = ComputeLoss(inputs, targets, preds);
                dlDw = tape1.Gradient(loss, trainableVars);
            }
            d2lDw2 = tape2.Gradient(dlDw.Select(g => g!).ToArray(), trainableVars);
        }
        return (dlDw, d2lDw2);
    }

    protected override StepLogs TrainStep(StepData data)
    {
        StepCounter++;
        var (inputs, targets) = data;
        var trainableVars = TrainableVariables;
        var (dlDw, d2lDw2) = Gradients(inputs, targets);
        var grads = d2lDw2.Zip(dlDw, (w2, w1) => (Tensor?)(0.5f * NF.L2Normalize(w2!) + 0.5f * NF.L2Normalize(w1!))).ToArray();
        Optimizer!.ApplyGradients(grads, trainableVars);
        var preds = Call(inputs, training: false);
        return ComputeMetrics(inputs, targets, preds);
    }
}
