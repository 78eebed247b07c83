using NeuralFlow.Backends;

namespace NeuralFlow;

// The elementwise functions of issue 16: rounding, trigonometry, log1p/expm1, rsqrt, erf and
// softplus, each with its gradient rule beside it. Integer inputs compute in float32 (as Exp
// does), except the rounding functions, which leave integers as they are (torch.floor).
public static partial class NF
{
    /// <summary>Largest integer not above x (<c>tf.math.floor</c>); the gradient is zero (PyTorch's).</summary>
    public static Tensor Floor(Tensor x) => Rounding(UnaryOp.Floor, x);

    /// <summary>Smallest integer not below x (<c>tf.math.ceil</c>); the gradient is zero.</summary>
    public static Tensor Ceil(Tensor x) => Rounding(UnaryOp.Ceil, x);

    /// <summary>
    /// Nearest integer, halves to even (<c>tf.round</c>, <c>np.round</c>: 0.5 → 0, 1.5 → 2, 2.5 →
    /// 2; unlike C#'s <c>MathF.Round(x, MidpointRounding.AwayFromZero)</c>); the gradient is zero.
    /// </summary>
    public static Tensor Round(Tensor x) => Rounding(UnaryOp.Round, x);

    /// <summary>The nearest whole number, halves to even (<c>tf.math.rint</c>, <c>np.rint</c>): <see cref="Round"/>'s rule.</summary>
    public static Tensor Rint(Tensor x) => Round(x);

    /// <summary>
    /// The polynomial c₀ xⁿ⁻¹ + c₁ xⁿ⁻² + ... + cₙ₋₁ by Horner's rule (<c>tf.math.polyval(coeffs, x)</c>, <c>np.polyval</c>),
    /// highest degree first; coefficients and x broadcast together. No coefficients give zeros like x.
    /// </summary>
    /// <exception cref="ArgumentException">A coefficient is null, or the shapes do not broadcast.</exception>
    public static Tensor Polyval(IReadOnlyList<Tensor> coeffs, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(coeffs);
        ArgumentNullException.ThrowIfNull(x);
        if (coeffs.Count == 0) return ZerosLike(x);
        var p = coeffs[0] ?? throw new ArgumentException("Polyval: coefficient 0 is null.", nameof(coeffs));
        for (int i = 1; i < coeffs.Count; i++)
            p = p * x + (coeffs[i] ?? throw new ArgumentException($"Polyval: coefficient {i} is null.", nameof(coeffs)));
        // A single constant coefficient takes x's shape, as TensorFlow's does.
        return coeffs.Count == 1 ? p + ZerosLike(x) : p;
    }

    // Piecewise constant: the derivative is 0 wherever it exists, so the rule hands back zeros
    // (PyTorch's choice) rather than no gradient, and an outer sum still sees the input.
    private static Tensor Rounding(UnaryOp op, Tensor x)
    {
        if (!x.DType.IsFloating() && x.DType != DType.Bool) return x.View(x.Layout); // integers are already integers
        return Tape.Record(Engine.Unary(op, x), x, static (g, n) => [ZerosLike(g)], op: op.ToString());
    }

    /// <summary>Elementwise sine (<c>tf.sin</c>), in radians.</summary>
    public static Tensor Sin(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Sin, x), x, static (g, n) => [g * Cos(n.X)]);

    /// <summary>Elementwise cosine (<c>tf.cos</c>), in radians.</summary>
    public static Tensor Cos(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Cos, x), x, static (g, n) => [-(g * Sin(n.X))]);

    /// <summary>log(1 + x), accurate for tiny x (<c>tf.math.log1p</c>).</summary>
    public static Tensor Log1p(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Log1p, x), x, static (g, n) => [g / (n.X + 1)]);

    /// <summary>e^x - 1, accurate for tiny x (<c>tf.math.expm1</c>).</summary>
    public static Tensor Expm1(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Expm1, x), x, static (g, n) => [g * (n.Output + 1)]);

    /// <summary>1 / sqrt(x) (<c>tf.math.rsqrt</c>).</summary>
    public static Tensor Rsqrt(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Rsqrt, x), x, static (g, n) => [g * -0.5 * n.Output * n.Output * n.Output]);

    /// <summary>The error function (<c>tf.math.erf</c>), as exact GELU needs it.</summary>
    public static Tensor Erf(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Erf, x), x, static (g, n) => [g * (TwoOverSqrtPi * Exp(-Square(n.X)))]);

    /// <summary>
    /// The complementary error function 1 - erf(x) (<c>tf.math.erfc</c>, <c>torch.special.erfc</c>), computed on
    /// its own so that the tail keeps its digits: erfc(5) = 1.5e-12 and erfc(10) = 2.1e-45 in float64, where
    /// 1 - Erf(x) is 0 from x = 6 on.
    /// </summary>
    public static Tensor Erfc(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Erfc, x), x, static (g, n) => [g * (-TwoOverSqrtPi * Exp(-Square(n.X)))]);

    private const double TwoOverSqrtPi = 1.1283791670955126;

    /// <summary>
    /// log(1 + e^x) (<c>tf.math.softplus</c>), computed as max(x, 0) + log1p(e^-|x|) so that it
    /// neither overflows for large x nor loses the tiny values for very negative x.
    /// </summary>
    public static Tensor Softplus(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Softplus, x), x, static (g, n) => [g * Sigmoid(n.X)]);
}
