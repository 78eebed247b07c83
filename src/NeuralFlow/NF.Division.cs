using NeuralFlow.Backends;
using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// Integer-style division (issue 16). Python's and TensorFlow's rules: FloorDiv rounds the
// quotient down and FloorMod's remainder takes the divisor's sign, so a == b * FloorDiv(a, b) +
// FloorMod(a, b); TruncateMod's remainder takes the dividend's sign (C's fmod, and C#'s `%`,
// which Tensor's % operator therefore means). Unlike Divide, integer operands stay integers.
public static partial class NF
{
    /// <summary>
    /// a // b: the quotient rounded towards -inf (<c>tf.math.floordiv</c>, NumPy's
    /// <c>floor_divide</c>). Floats follow NumPy/CPython exactly (1.0 // 0.1 is 9, where
    /// floor(1.0 / 0.1) is 10) and x // 0 is ±inf or NaN; integers throw
    /// <see cref="DivideByZeroException"/> for a zero divisor, and int.MinValue // -1 wraps to
    /// int.MinValue. Its gradient is zero.
    /// </summary>
    public static Tensor FloorDiv(Tensor a, Tensor b) =>
        Tape.Record(IntegerDivision(BinaryOp.FloorDiv, a, b, nameof(FloorDiv)), a, b,
            static (g, n) => [n.Wants(0) ? ZerosLike(n.X) : null, n.Wants(1) ? ZerosLike(n.Y) : null]);

    /// <summary>
    /// The remainder with the divisor's sign (<c>tf.math.floormod</c>, Python's <c>%</c>): 7 mod -2
    /// is -1, -7 mod 2 is 1. Floats: x mod 0 is NaN and a zero remainder takes the divisor's sign
    /// (NumPy); integers throw <see cref="DivideByZeroException"/> for a zero divisor. Gradient
    /// (TensorFlow's): g for a, -g * FloorDiv(a, b) for b.
    /// </summary>
    public static Tensor FloorMod(Tensor a, Tensor b) =>
        Tape.Record(IntegerDivision(BinaryOp.FloorMod, a, b, nameof(FloorMod)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g, n.X.Shape) : null,
                              n.Wants(1) ? ReduceTo(-g * StopGradient(FloorDiv(n.X, n.Y)), n.Y.Shape) : null]);

    /// <summary>
    /// The remainder with the dividend's sign (<c>tf.math.truncatemod</c>, C's <c>fmod</c>, C#'s
    /// <c>%</c>): 7 mod -2 is 1, -7 mod 2 is -1. Integers throw <see cref="DivideByZeroException"/>
    /// for a zero divisor, as C#'s % does. Gradient: g for a, -g * trunc(a / b) for b.
    /// </summary>
    public static Tensor TruncateMod(Tensor a, Tensor b) =>
        Tape.Record(IntegerDivision(BinaryOp.TruncateMod, a, b, nameof(TruncateMod)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g, n.X.Shape) : null,
                              n.Wants(1) ? ReduceTo(-g * TruncatedQuotient(n.X, n.Y), n.Y.Shape) : null]);

    // trunc(a / b) = (a - fmod(a, b)) / b, exact where the remainder is.
    private static Tensor TruncatedQuotient(Tensor a, Tensor b)
    {
        using var rem = Engine.Binary(BinaryOp.TruncateMod, a, b, nameof(TruncateMod));
        using var diff = Engine.Binary(BinaryOp.Sub, a, rem, nameof(TruncateMod));
        return Engine.Binary(BinaryOp.Div, diff, b, nameof(TruncateMod));
    }

    // Integer division by zero is refused here, before any backend runs: the kernels would give
    // 0 (they never trap), which is a wrong answer, and .NET's own integer % throws the same way.
    private static Tensor IntegerDivision(BinaryOp op, Tensor a, Tensor b, string name)
    {
        var result = Engine.Binary(op, a, b, name);
        if (!result.DType.IsFloating())
        {
            using var zero = Equal(b, 0);
            using var anyZero = ReduceAny(zero);  // false for empty operands, where a max has no value
            var shape = b.Shape;
            var dtype = b.DType;
            void Check(bool any)
            {
                if (any)
                    throw new DivideByZeroException(
                        $"{name}: integer division by zero (the divisor {shape} {dtype.Name()} has a 0); " +
                        "cast to a float dtype for IEEE results (inf or NaN).");
            }
            // A checked read: a traced step (NF.Function, Fit) replays the division and checks each replay's divisor.
            if (FunctionTrace.ReadChecked<bool>(anyZero, any => Check(any[0]))[0])
            {
                result.Dispose();
                Check(true);
            }
        }
        return result;
    }
}
