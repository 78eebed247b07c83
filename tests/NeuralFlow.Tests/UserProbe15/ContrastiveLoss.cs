using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's contrastive loss (examples/vision/siamese_contrastive.py, loss(margin)): for each
/// pair (1 - y) * d^2 + y * max(margin - d, 0)^2, averaged (the example's reduce_mean is the
/// default sum_over_batch_size reduction of these per-pair values).
/// </summary>
internal sealed class ContrastiveLoss(double margin = 1) : Losses.Loss
{
    public override string Name => "contrastive_loss";

    public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred)
    {
        yTrue = NF.Reshape(NF.Cast(yTrue, yPred.DType), yPred.Shape.ToArray());
        var squarePred = NF.Square(yPred);
        var marginSquare = NF.Square(NF.Maximum(margin - yPred, 0));
        return NF.ReduceMean((1 - yTrue) * squarePred + yTrue * marginSquare, -1);
    }
}
