namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Softmax along <paramref name="axis"/> (<c>tf.nn.softmax</c>), numerically stable. Its
    /// output is plain probabilities: a cross-entropy loss given them clips them to
    /// [1e-7, 1 - 1e-7] and takes their log, as Keras does for the output of <c>tf.nn.softmax</c>.
    /// The Keras softmax (<c>activation: "softmax"</c>, <c>Layers.Softmax</c>) is the one whose
    /// logits the losses use directly.
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor Softmax(Tensor logits, int axis = -1) => SoftmaxOf(logits, axis, log: false, keras: false);

    /// <summary>
    /// Keras' softmax activation: the same values as <see cref="Softmax(Tensor, int)"/>, and a last-axis result
    /// remembers its logits, so that a cross-entropy loss computes from them with the fused,
    /// stable kernel (Keras 3 marks its softmax output with <c>_keras_logits</c> the same way).
    /// </summary>
    [MethodImpl(Hot)]
    internal static Tensor KerasSoftmax(Tensor logits, int axis = -1) => SoftmaxOf(logits, axis, log: false, keras: true);

    /// <summary>Log-softmax along <paramref name="axis"/> (<c>tf.nn.log_softmax</c>), numerically stable.</summary>
    public static Tensor LogSoftmax(Tensor logits, int axis = -1) => SoftmaxOf(logits, axis, log: true, keras: false);

    [MethodImpl(Hot)]
    private static Tensor SoftmaxOf(Tensor x, int axis, bool log, bool keras)
    {
        string op = log ? nameof(LogSoftmax) : nameof(Softmax);
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: needs float32 or float64, got {x.DType.Name()}; convert with NF.Cast(x, DType.Float32).");
        if (x.Rank == 0)
            throw new ArgumentException($"{op}: needs at least one dimension, got a scalar.");
        int a = x.Shape.NormalizeAxis(axis);
        // Keras' last-axis softmax remembers its logits for the cross-entropy losses (Keras.SoftmaxShortcut).
        var result = keras && a == x.Rank - 1 ? new Keras.SoftmaxOutput(x) : Tensor.Empty(x.Shape, x.DType, x.Backend);
        Engine.Softmax(log, x, a, result);
        return log
            ? Tape.Record(result, x, static (g, n) => [g - Exp(n.Output) * ReduceSum(g, (int)n.State!, keepDims: true)], a, op)
            : Tape.Record(result, x, static (g, n) => [n.Output * (g - ReduceSum(g * n.Output, (int)n.State!, keepDims: true))], a, op);
    }
}
