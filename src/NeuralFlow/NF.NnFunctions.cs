using NeuralFlow.Keras;

namespace NeuralFlow;

// tf.nn / tf.math functions that NeuralFlow computed inside its layers and losses but did not
// offer by their TensorFlow names: each is the existing computation, exposed once.
public static partial class NF
{
    /// <summary>
    /// x / sqrt(max(sum(x²), <paramref name="epsilon"/>)) over <paramref name="axis"/>
    /// (<c>tf.math.l2_normalize</c>; every axis when null): [3, 4] becomes [0.6, 0.8].
    /// </summary>
    public static Tensor L2Normalize(Tensor x, int? axis = null, double epsilon = 1e-12) =>
        L2Normalize(x, axis is { } a ? [a] : Enumerable.Range(0, x.Rank).ToArray(), epsilon);

    /// <summary><c>tf.math.l2_normalize</c> over several axes.</summary>
    public static Tensor L2Normalize(Tensor x, int[] axes, double epsilon = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating()) throw new ArgumentException($"L2Normalize: needs a float tensor, got {x.DType.Name()}.", nameof(x));
        return Layers.L2Normalize(x, axes, epsilon);
    }

    /// <summary>
    /// The elementwise cross-entropy of probabilities <paramref name="labels"/> and
    /// sigmoid(<paramref name="logits"/>), max(x, 0) - x * z + log(1 + e^-|x|)
    /// (<c>tf.nn.sigmoid_cross_entropy_with_logits</c>); the shapes must be equal.
    /// </summary>
    public static Tensor SigmoidCrossEntropyWithLogits(Tensor labels, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(logits);
        if (labels.Shape != logits.Shape)
            throw new ArgumentException($"SigmoidCrossEntropyWithLogits: labels and logits must have the same shape, got {labels.Shape} and {logits.Shape}.");
        return Losses.BinaryCrossentropy.Elementwise(labels.DType == logits.DType ? labels : Cast(labels, logits.DType), logits, fromLogits: true);
    }

    /// <summary>
    /// Cross-entropy of softmax(<paramref name="logits"/>) over the last axis against the
    /// distributions <paramref name="labels"/> (<c>tf.nn.softmax_cross_entropy_with_logits</c>):
    /// one value per row, the leading axes kept.
    /// </summary>
    public static Tensor SoftmaxCrossEntropyWithLogits(Tensor labels, Tensor logits) => PerRow(labels, logits, sparse: false);

    /// <summary>
    /// Cross-entropy of softmax(<paramref name="logits"/>) against integer class ids
    /// <paramref name="labels"/> (<c>tf.nn.sparse_softmax_cross_entropy_with_logits</c>):
    /// labels [...], logits [..., C], the result [...].
    /// </summary>
    public static Tensor SparseSoftmaxCrossEntropyWithLogits(Tensor labels, Tensor logits) => PerRow(labels, logits, sparse: true);

    // The fused kernel takes [N, C]: the leading axes are folded into N and restored after.
    private static Tensor PerRow(Tensor labels, Tensor logits, bool sparse)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(logits);
        string op = sparse ? "SparseSoftmaxCrossEntropyWithLogits" : "SoftmaxCrossEntropyWithLogits";
        if (logits.Rank == 0) throw new ArgumentException($"{op}: logits need a class axis, got a scalar.");
        var lead = logits.Shape.ToArray()[..^1];
        int classes = logits.Shape[-1];
        if (sparse ? !labels.Shape.ToArray().SequenceEqual(lead) || !labels.DType.IsInteger() : labels.Shape != logits.Shape)
            throw new ArgumentException(sparse
                ? $"{op}: labels must be integer class ids of shape {new Shape(lead)} for logits of shape {logits.Shape}, got {labels.DType.Name()} {labels.Shape}."
                : $"{op}: labels and logits must have the same shape, got {labels.Shape} and {logits.Shape}.");
        int rows = (int)new Shape(lead).Count;
        var loss = SoftmaxCrossEntropy(Reshape(logits, [rows, classes]), sparse ? Reshape(labels, [rows]) : Reshape(labels, [rows, classes]), sparse);
        return Reshape(loss, lead);
    }
}
