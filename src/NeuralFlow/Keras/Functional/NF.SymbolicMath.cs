using NeuralFlow.Keras;

namespace NeuralFlow;

// The elementwise NF functions on symbolic tensors beyond arithmetic: comparisons, maximum and
// minimum, powers, clip, where, and the math and activation functions of keras.ops, each one
// Keras 3 Operation node of the functional graph (as NF.SymbolicOps.cs explains), promoted as
// Keras promotes mixed dtypes. A C# number is a weak scalar, a concrete tensor a captured constant.
public static partial class NF
{
    /// <summary>The elementwise maximum of symbolic tensors, broadcast (Keras' <c>ops.maximum</c>).</summary>
    public static KerasTensor Maximum(KerasTensor a, KerasTensor b) => Symbolic("Maximum", [], a, b);
    /// <summary>Maximum with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Maximum(KerasTensor a, Tensor b) => Symbolic("Maximum", [], a, b);
    /// <summary>Maximum with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Maximum(Tensor a, KerasTensor b) => Symbolic("Maximum", [], a, b);

    /// <summary>The elementwise minimum of symbolic tensors, broadcast (Keras' <c>ops.minimum</c>).</summary>
    public static KerasTensor Minimum(KerasTensor a, KerasTensor b) => Symbolic("Minimum", [], a, b);
    /// <summary>Minimum with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Minimum(KerasTensor a, Tensor b) => Symbolic("Minimum", [], a, b);
    /// <summary>Minimum with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Minimum(Tensor a, KerasTensor b) => Symbolic("Minimum", [], a, b);

    /// <summary>a to the power b elementwise, broadcast (Keras' <c>ops.power</c>, Python's **).</summary>
    public static KerasTensor Pow(KerasTensor a, KerasTensor b) => Symbolic("Power", [], a, b);
    /// <summary>Pow with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Pow(KerasTensor a, Tensor b) => Symbolic("Power", [], a, b);
    /// <summary>Pow with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Pow(Tensor a, KerasTensor b) => Symbolic("Power", [], a, b);

    /// <summary>a &gt; b elementwise as a bool symbolic tensor (Keras' <c>ops.greater</c>).</summary>
    public static KerasTensor Greater(KerasTensor a, KerasTensor b) => Symbolic("Greater", [], a, b);
    /// <summary>Greater with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Greater(KerasTensor a, Tensor b) => Symbolic("Greater", [], a, b);
    /// <summary>Greater with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Greater(Tensor a, KerasTensor b) => Symbolic("Greater", [], a, b);

    /// <summary>a &lt; b elementwise as a bool symbolic tensor (Keras' <c>ops.less</c>).</summary>
    public static KerasTensor Less(KerasTensor a, KerasTensor b) => Symbolic("Less", [], a, b);
    /// <summary>Less with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Less(KerasTensor a, Tensor b) => Symbolic("Less", [], a, b);
    /// <summary>Less with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Less(Tensor a, KerasTensor b) => Symbolic("Less", [], a, b);

    /// <summary>a &gt;= b elementwise as a bool symbolic tensor (Keras' <c>ops.greater_equal</c>).</summary>
    public static KerasTensor GreaterEqual(KerasTensor a, KerasTensor b) => Symbolic("GreaterEqual", [], a, b);
    /// <summary>GreaterEqual with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor GreaterEqual(KerasTensor a, Tensor b) => Symbolic("GreaterEqual", [], a, b);
    /// <summary>GreaterEqual with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor GreaterEqual(Tensor a, KerasTensor b) => Symbolic("GreaterEqual", [], a, b);

    /// <summary>a &lt;= b elementwise as a bool symbolic tensor (Keras' <c>ops.less_equal</c>).</summary>
    public static KerasTensor LessEqual(KerasTensor a, KerasTensor b) => Symbolic("LessEqual", [], a, b);
    /// <summary>LessEqual with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor LessEqual(KerasTensor a, Tensor b) => Symbolic("LessEqual", [], a, b);
    /// <summary>LessEqual with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor LessEqual(Tensor a, KerasTensor b) => Symbolic("LessEqual", [], a, b);

    /// <summary>a == b elementwise as a bool symbolic tensor (Keras' <c>ops.equal</c>; C#'s == on a KerasTensor stays reference equality).</summary>
    public static KerasTensor Equal(KerasTensor a, KerasTensor b) => Symbolic("Equal", [], a, b);
    /// <summary>Equal with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Equal(KerasTensor a, Tensor b) => Symbolic("Equal", [], a, b);
    /// <summary>Equal with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Equal(Tensor a, KerasTensor b) => Symbolic("Equal", [], a, b);

    /// <summary>a != b elementwise as a bool symbolic tensor (Keras' <c>ops.not_equal</c>).</summary>
    public static KerasTensor NotEqual(KerasTensor a, KerasTensor b) => Symbolic("NotEqual", [], a, b);
    /// <summary>NotEqual with <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor NotEqual(KerasTensor a, Tensor b) => Symbolic("NotEqual", [], a, b);
    /// <summary>NotEqual with <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor NotEqual(Tensor a, KerasTensor b) => Symbolic("NotEqual", [], a, b);

    /// <summary>a AND b elementwise as a bool symbolic tensor, any nonzero value true (Keras' <c>ops.logical_and</c>, <c>a &amp; b</c>).</summary>
    public static KerasTensor LogicalAnd(KerasTensor a, KerasTensor b) => Symbolic("LogicalAnd", [], a, b);
    /// <summary>LogicalAnd with <paramref name="b"/> a constant tensor.</summary>
    public static KerasTensor LogicalAnd(KerasTensor a, Tensor b) => Symbolic("LogicalAnd", [], a, b);
    /// <summary>a OR b elementwise as a bool symbolic tensor (Keras' <c>ops.logical_or</c>, <c>a | b</c>).</summary>
    public static KerasTensor LogicalOr(KerasTensor a, KerasTensor b) => Symbolic("LogicalOr", [], a, b);
    /// <summary>LogicalOr with <paramref name="b"/> a constant tensor.</summary>
    public static KerasTensor LogicalOr(KerasTensor a, Tensor b) => Symbolic("LogicalOr", [], a, b);
    /// <summary>a XOR b elementwise as a bool symbolic tensor (Keras' <c>ops.logical_xor</c>, <c>a ^ b</c>).</summary>
    public static KerasTensor LogicalXor(KerasTensor a, KerasTensor b) => Symbolic("LogicalXor", [], a, b);
    /// <summary>LogicalXor with <paramref name="b"/> a constant tensor.</summary>
    public static KerasTensor LogicalXor(KerasTensor a, Tensor b) => Symbolic("LogicalXor", [], a, b);
    /// <summary>NOT x elementwise as a bool symbolic tensor (Keras' <c>ops.logical_not</c>, <c>!x</c>).</summary>
    public static KerasTensor LogicalNot(KerasTensor x) => Symbolic("LogicalNot", [], x);

    /// <summary>
    /// x limited to [<paramref name="min"/>, <paramref name="max"/>] (Keras' <c>ops.clip</c>, the
    /// bounds in its config); the result keeps x's dtype (a bool x is clipped as int32), as Keras'.
    /// </summary>
    public static KerasTensor Clip(KerasTensor x, double min, double max) =>
        Symbolic("Clip", new() { ["x_min"] = Number(min, "Clip"), ["x_max"] = Number(max, "Clip") }, x);

    /// <summary>
    /// x where <paramref name="condition"/> (bool) holds, y elsewhere, the three broadcast
    /// (Keras' <c>ops.where(condition, x1, x2)</c>); x and y may be numbers or constants.
    /// </summary>
    public static KerasTensor Where(KerasTensor condition, KerasTensor x, KerasTensor y) => Symbolic("Where", [], condition, x, y);
    /// <summary><inheritdoc cref="Where(KerasTensor, KerasTensor, KerasTensor)"/></summary>
    public static KerasTensor Where(KerasTensor condition, KerasTensor x, Tensor y) => Symbolic("Where", [], condition, x, y);
    /// <summary><inheritdoc cref="Where(KerasTensor, KerasTensor, KerasTensor)"/></summary>
    public static KerasTensor Where(KerasTensor condition, Tensor x, KerasTensor y) => Symbolic("Where", [], condition, x, y);
    /// <summary><inheritdoc cref="Where(KerasTensor, KerasTensor, KerasTensor)"/></summary>
    public static KerasTensor Where(KerasTensor condition, Tensor x, Tensor y) => Symbolic("Where", [], condition, x, y);
    /// <summary><inheritdoc cref="Where(KerasTensor, KerasTensor, KerasTensor)"/></summary>
    public static KerasTensor Where(Tensor condition, KerasTensor x, KerasTensor y) => Symbolic("Where", [], condition, x, y);
    /// <summary><inheritdoc cref="Where(KerasTensor, KerasTensor, KerasTensor)"/></summary>
    public static KerasTensor Where(Tensor condition, KerasTensor x, Tensor y) => Symbolic("Where", [], condition, x, y);
    /// <summary><inheritdoc cref="Where(KerasTensor, KerasTensor, KerasTensor)"/></summary>
    public static KerasTensor Where(Tensor condition, Tensor x, KerasTensor y) => Symbolic("Where", [], condition, x, y);

    /// <summary>The sine of a symbolic tensor, in radians (Keras' <c>ops.sin</c>).</summary>
    public static KerasTensor Sin(KerasTensor x) => Symbolic("Sin", [], x);
    /// <summary>The cosine of a symbolic tensor, in radians (Keras' <c>ops.cos</c>).</summary>
    public static KerasTensor Cos(KerasTensor x) => Symbolic("Cos", [], x);
    /// <summary>The error function of a symbolic tensor (Keras' <c>ops.erf</c>).</summary>
    public static KerasTensor Erf(KerasTensor x) => Symbolic("Erf", [], x);
    /// <summary>The complementary error function 1 - erf(x) of a symbolic tensor (Keras' <c>ops.erfc</c>).</summary>
    public static KerasTensor Erfc(KerasTensor x) => Symbolic("Erfc", [], x);
    /// <summary>The largest integer not above x (Keras' <c>ops.floor</c>).</summary>
    public static KerasTensor Floor(KerasTensor x) => Symbolic("Floor", [], x);
    /// <summary>-1, 0 or 1 by the sign of x (Keras' <c>ops.sign</c>).</summary>
    public static KerasTensor Sign(KerasTensor x) => Symbolic("Sign", [], x);
    /// <summary>1 / sqrt(x) (Keras' <c>ops.rsqrt</c>).</summary>
    public static KerasTensor Rsqrt(KerasTensor x) => Symbolic("Rsqrt", [], x);
    /// <summary>log(1 + e^x) (Keras' <c>ops.softplus</c>).</summary>
    public static KerasTensor Softplus(KerasTensor x) => Symbolic("Softplus", [], x);
    /// <summary>x * sigmoid(x) (Keras' <c>ops.silu</c>).</summary>
    public static KerasTensor Silu(KerasTensor x) => Symbolic("Silu", [], x);
    /// <summary>x * sigmoid(x) (Keras' <c>ops.swish</c>, recorded as its Silu).</summary>
    public static KerasTensor Swish(KerasTensor x) => Symbolic("Silu", [], x);
    /// <summary>log(1 + x), accurate for tiny x (Keras' <c>ops.log1p</c>).</summary>
    public static KerasTensor Log1p(KerasTensor x) => Symbolic("Log1p", [], x);
    /// <summary>e^x - 1, accurate for tiny x (Keras' <c>ops.expm1</c>).</summary>
    public static KerasTensor Expm1(KerasTensor x) => Symbolic("Expm1", [], x);
    /// <summary>1 / x (Keras' <c>ops.reciprocal</c>).</summary>
    public static KerasTensor Reciprocal(KerasTensor x) => Symbolic("Reciprocal", [], x);
    /// <summary>x rounded to the nearest integer, halves to even (Keras' <c>ops.round</c>, decimals 0).</summary>
    public static KerasTensor Round(KerasTensor x) => Symbolic("Round", new() { ["decimals"] = 0 }, x);
    /// <summary>GELU of a symbolic tensor, exact or by tanh's approximation (Keras' <c>ops.gelu</c>; exact by default, as the eager NF.Gelu).</summary>
    public static KerasTensor Gelu(KerasTensor x, bool approximate = false) => Symbolic("Gelu", new() { ["approximate"] = approximate }, x);
    /// <summary>log(softmax(x)) along <paramref name="axis"/>, computed stably (Keras' <c>ops.log_softmax</c>).</summary>
    public static KerasTensor LogSoftmax(KerasTensor x, int axis = -1) => Symbolic("LogSoftmax", new() { ["axis"] = axis }, x);

    /// <summary>
    /// x / sqrt(max(sum(x²), <paramref name="epsilon"/>)) over <paramref name="axis"/> (every axis
    /// when null), as the eager <see cref="L2Normalize(Tensor, int?, double)"/>; recorded as Keras'
    /// <c>ops.normalize(x, axis, order=2, epsilon)</c>, whose epsilon bounds the norm (its square root).
    /// </summary>
    public static KerasTensor L2Normalize(KerasTensor x, int? axis = null, double epsilon = 1e-12)
    {
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "L2Normalize: epsilon must be >= 0.");
        return Symbolic("Normalize", new() { ["axis"] = axis, ["order"] = 2, ["epsilon"] = Number(Math.Sqrt(epsilon), "L2Normalize") }, x);
    }

    // A bound as Keras' JSON writes a Python float (with its point); refused when not finite.
    private static System.Text.Json.Nodes.JsonValue Number(double value, string op) => OperationArg.Number.Of(value, op).Value;
}
