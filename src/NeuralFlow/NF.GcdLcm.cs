using NeuralFlow.Backends;

namespace NeuralFlow;

// np.gcd / np.lcm (keras.ops has gcd and lcm too) on integer tensors: Euclid's algorithm run
// elementwise for a fixed number of steps (enough for the dtype's worst case, consecutive
// Fibonacci numbers), so every engine runs it without a kernel and without reading values
// back to the host. Integer results, so no gradient.
public static partial class NF
{
    /// <summary>
    /// The greatest common divisor of |a| and |b|, broadcast together (<c>np.gcd</c>,
    /// <c>keras.ops.gcd</c>): gcd(12, -20) is 4, gcd(0, 0) is 0. The operands' common integer dtype.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is a float or bool tensor, or they do not broadcast.</exception>
    public static Tensor Gcd(Tensor a, Tensor b)
    {
        var (x, y) = IntegerOperands(nameof(Gcd), a, b);
        using var paused = Tape.Pause();
        using var scope = TensorScope.Begin();
        return scope.Keep(GcdOf(x, y));
    }

    /// <summary>
    /// The least common multiple of |a| and |b| (<c>np.lcm</c>, <c>keras.ops.lcm</c>): lcm(4, -6)
    /// is 12, 0 where either is 0. Wraps on overflow, as NumPy's.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is a float or bool tensor, or they do not broadcast.</exception>
    public static Tensor Lcm(Tensor a, Tensor b)
    {
        var (x, y) = IntegerOperands(nameof(Lcm), a, b);
        using var paused = Tape.Pause();
        using var scope = TensorScope.Begin();
        var divisor = GcdOf(x, y);
        var zero = Equal(divisor, 0);
        // |a| / gcd first keeps the product from overflowing where the lcm itself does not.
        var quotient = Engine.Binary(BinaryOp.FloorDiv, Abs(x), Where(zero, 1, divisor), nameof(Lcm));
        return scope.Keep(Where(zero, 0, quotient * Abs(y)));
    }

    private static (Tensor A, Tensor B) IntegerOperands(string op, Tensor a, Tensor b)
    {
        (a, b) = PromotedPair(op, a, b);
        if (!a.DType.IsInteger() || !b.DType.IsInteger())
            throw new ArgumentException($"{op}: the operands must be integer tensors, got {a.DType.Name()} and {b.DType.Name()}.");
        var shape = Engine.BroadcastShapes(op, a.Shape, b.Shape);
        return (BroadcastTo(a, shape), BroadcastTo(b, shape));
    }

    private static Tensor GcdOf(Tensor a, Tensor b)
    {
        // Euclid takes at most n steps on values below Fibonacci(n + 2): 12 for uint8, 45 for
        // int32, 91 for int64.
        int steps = a.DType switch { DType.UInt8 => 12, DType.Int32 => 45, _ => 91 };
        var x = Abs(a);
        var y = Abs(b);
        for (int i = 0; i < steps; i++)
        {
            var more = NotEqual(y, 0);
            var rest = Engine.Binary(BinaryOp.TruncateMod, x, Where(more, y, 1), nameof(Gcd));
            x = Where(more, y, x);
            y = Where(more, rest, 0);
        }
        // |int.MinValue| is itself negative, and its remainders carry the sign on (gcd(-2^31, 6)
        // came out -2): the magnitude, as NumPy's (only gcd(-2^31, 0) stays -2^31 there too).
        return Abs(x);
    }
}
