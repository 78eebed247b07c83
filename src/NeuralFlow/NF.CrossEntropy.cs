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
        // Dense labels get a gradient too (TensorFlow's v2 op: -log_softmax(logits) per unit of
        // loss; soft targets from a teacher or a generator); integer ids get none.
        Tensor[] inputs = sparse || !labels.DType.IsFloating() ? [logits] : [logits, labels];
        return Tape.Record(loss, inputs, SoftmaxCrossEntropyGradient, (grad, labels, sparse));
    }

    // The kernel's stored gradient (softmax - labels) serves a first derivative. While an outer
    // tape records (a gradient of this gradient) it would be a constant to that tape and drop the
    // path through softmax, so the same value is then composed of recorded ops instead.
    private static readonly GradientRule SoftmaxCrossEntropyGradient = static (g, n) =>
    {
        var (stored, labels, sparse) = ((Tensor, Tensor, bool))n.State!;
        var perRow = ExpandDims(g, -1);
        var logits = n.X;
        Tensor? dLogits = null, dLabels = null;
        if (n.Wants(0))
        {
            if (!Tape.AnyRecording) dLogits = perRow * stored;
            else
            {
                var targets = sparse ? OneHot(labels, logits.Shape[1], dtype: logits.DType)
                    : labels.DType == logits.DType ? n.Y : Cast(n.Y, logits.DType);
                dLogits = perRow * (Softmax(logits) - targets);
            }
        }
        if (n.Inputs.Length > 1 && n.Wants(1))
        {
            var d = perRow * Negative(LogSoftmax(logits));
            dLabels = d.DType == labels.DType ? d : Cast(d, labels.DType);
        }
        return n.Inputs.Length > 1 ? [dLogits, dLabels] : [dLogits];
    };
}
