using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// Keras' activation functions (keras.activations, Keras 3 definitions) composed from NF ops, so
// each gradient comes from the tape and an outer tape can differentiate it again.
public static partial class NF
{
    /// <summary>
    /// Keras' <c>relu(x, negative_slope, max_value, threshold)</c>: x above
    /// <paramref name="threshold"/> (else 0), capped at <paramref name="maxValue"/>, plus
    /// <paramref name="negativeSlope"/> * (x - threshold) below the threshold.
    /// </summary>
    public static Tensor Relu(Tensor x, double negativeSlope, double? maxValue = null, double threshold = 0)
    {
        if (maxValue is < 0) throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, "relu: maxValue must be >= 0 (Keras' rule).");
        if (negativeSlope < 0) throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "relu: negativeSlope must be >= 0 (Keras' rule).");
        Tensor y = threshold == 0 ? Relu(x) : x * Mask(Greater(x, threshold), x.DType);
        if (maxValue is double m) y = Minimum(y, m);
        if (negativeSlope != 0) y = y - negativeSlope * Relu(threshold - x);
        return y;
    }

    /// <summary>min(max(x, 0), 6) (<c>keras.activations.relu6</c>).</summary>
    // The cap is Minimum's first operand, which takes a tie's gradient: at x = 6 the gradient is 0,
    // as tf.nn.relu6's (0 < x < 6) and PyTorch's, not 1.
    public static Tensor Relu6(Tensor x) => Minimum(6, Relu(x));

    /// <summary>x for x &gt; 0, negativeSlope * x below (<c>keras.activations.leaky_relu</c>; its default slope is 0.2, the layer's 0.3).</summary>
    // The slope side is Maximum's (Minimum's) first operand, which takes the gradient on a tie: at
    // x = 0 the gradient is negativeSlope, as tf.nn.leaky_relu's (x > 0 ? g : alpha g) and PyTorch's.
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.2) =>
        negativeSlope <= 1 ? Maximum(x * negativeSlope, x) : Minimum(x * negativeSlope, x);

    /// <summary>x for x &gt; 0, alpha * (e^x - 1) below (<c>keras.activations.elu</c>).</summary>
    public static Tensor Elu(Tensor x, double alpha = 1.0)
    {
        // relu(x) + alpha * expm1(min(x, 0)), not x * mask + ...: at x = -inf that product -inf * 0
        // was NaN where elu is -alpha (tf.nn.elu, PyTorch). Each side is exact where the other is 0
        // (x + 0, 0 + v); expm1 of min(x, 0) never overflows; at 0 the gradient is alpha (relu's is 0,
        // Minimum's tie goes to x), as before.
        return Relu(x) + alpha * Expm1(Minimum(x, 0));
    }

    /// <summary>scale * elu(x, alpha) with Keras' self-normalizing constants (<c>keras.activations.selu</c>).</summary>
    public static Tensor Selu(Tensor x) => SeluScale * Elu(x, SeluAlpha);

    internal const double SeluAlpha = 1.6732632423543772848170429916717;
    internal const double SeluScale = 1.0507009873554804934193349852946;

    /// <summary>
    /// Gaussian error linear unit (<c>keras.activations.gelu</c>): exact x/2 (1 + erf(x/√2)) by
    /// default (Keras 3's default), or the tanh approximation
    /// x/2 (1 + tanh(√(2/π) (x + 0.044715 x³))) with <paramref name="approximate"/>.
    /// </summary>
    public static Tensor Gelu(Tensor x, bool approximate = false) => approximate
        ? 0.5 * x * (1 + Tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
        : 0.5 * x * (1 + Erf(x * 0.7071067811865476));

    /// <summary>x * sigmoid(x) (<c>keras.activations.silu</c>, also called swish).</summary>
    public static Tensor Silu(Tensor x) => x * Sigmoid(x);

    /// <summary>x * sigmoid(x) (<c>keras.activations.swish</c>, the same as <see cref="Silu(Tensor)"/>).</summary>
    public static Tensor Swish(Tensor x) => Silu(x);

    /// <summary>x / (|x| + 1) (<c>keras.activations.softsign</c>).</summary>
    public static Tensor Softsign(Tensor x) => x / (Abs(x) + 1);

    /// <summary>relu6(x + 3) / 6 (<c>keras.activations.hard_sigmoid</c>, Keras 3; TF 2's Keras used 0.2x + 0.5).</summary>
    public static Tensor HardSigmoid(Tensor x) => Relu6(x + 3) / 6;

    /// <summary>x * relu6(x + 3) / 6 (<c>keras.activations.hard_silu</c>, also called hard_swish).</summary>
    public static Tensor HardSwish(Tensor x) => x * HardSigmoid(x);

    /// <summary>x * tanh(softplus(x)) (<c>keras.activations.mish</c>).</summary>
    public static Tensor Mish(Tensor x) => x * Tanh(Softplus(x));
}
