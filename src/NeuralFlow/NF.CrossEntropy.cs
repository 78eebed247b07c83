namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Per-row cross-entropy of softmax(<paramref name="logits"/>) against <paramref name="labels"/>
    /// in one fused, numerically stable kernel (<c>tf.nn.softmax_cross_entropy_with_logits</c> and its
    /// sparse form). logits: [N, C] float; labels: [N] integer class ids when <paramref name="sparse"/>,
    /// else [N, C] probabilities of the logits' dtype. The kernel also writes softmax - labels, which
    /// is the gradient, so the backward pass is one multiply.
    /// </summary>
    [MethodImpl(Hot)]
    internal static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor labels, bool sparse)
    {
        if (logits.Rank != 2 || !logits.DType.IsFloating())
            throw new ArgumentException($"SoftmaxCrossEntropy: logits must be a float [N, C] tensor, got {logits.DType.Name()} {logits.Shape}.");
        Engine.BackendOf("SoftmaxCrossEntropy", logits, labels);
        int n = logits.Shape[0];
        bool labelsFit = sparse ? labels.Rank == 1 && labels.Shape[0] == n : labels.Shape == logits.Shape;
        if (!labelsFit)
            throw new ArgumentException($"SoftmaxCrossEntropy: labels of shape {labels.Shape} do not fit logits of shape {logits.Shape}.");
        using var packedLabels = sparse || labels.DType == logits.DType ? labels.Contiguous() : Cast(labels, logits.DType).Contiguous();
        var loss = Tensor.Empty([n], logits.DType, logits.Backend);
        // The gradient comes with the loss from the same pass, but only a recording tape reads it:
        // Evaluate and plain loss calls skip writing (and allocating) [N, C] of it.
        var grad = Tape.AnyRecording ? Tensor.Empty(logits.Shape, logits.DType, logits.Backend) : null;
        Engine.SoftmaxCrossEntropy(logits, packedLabels, sparse, loss, grad);
        if (sparse) Keras.CheckedLabels.Note(labels, logits.Shape[1]); // the kernel refused any label outside [0, C)
        if (grad is null) return loss;
        // The rule needs only the stored gradient; dense labels get no gradient (they are targets).
        return Tape.Record(loss, [logits], static (g, n) => [ExpandDims(g, -1) * (Tensor)n.State!], grad);
    }
}
