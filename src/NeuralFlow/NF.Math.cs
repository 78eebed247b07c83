using NeuralFlow.Backends;
using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// Each op sits with its gradient rule (written with tensor ops, so it runs on every backend and
// can itself be differentiated by an outer tape). Rules receive g = dLoss/dOutput.
public static partial class NF
{
    /// <summary>Elementwise a + b with broadcasting (<c>tf.add</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor Add(Tensor a, Tensor b) =>
        Tape.Record(Engine.Binary(BinaryOp.Add, a, b, nameof(Add)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g, n.X.Shape) : null, n.Wants(1) ? ReduceTo(g, n.Y.Shape) : null]);

    /// <summary>Elementwise a - b (<c>tf.subtract</c>).</summary>
    public static Tensor Subtract(Tensor a, Tensor b) =>
        Tape.Record(Engine.Binary(BinaryOp.Sub, a, b, nameof(Subtract)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g, n.X.Shape) : null, n.Wants(1) ? ReduceTo(-g, n.Y.Shape) : null]);

    /// <summary>Elementwise a * b (<c>tf.multiply</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor Multiply(Tensor a, Tensor b) =>
        Tape.Record(Engine.Binary(BinaryOp.Mul, a, b, nameof(Multiply)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g * n.Y, n.X.Shape) : null, n.Wants(1) ? ReduceTo(g * n.X, n.Y.Shape) : null]);

    /// <summary>Elementwise true division a / b; integer operands give float32 (<c>tf.divide</c>, PyTorch semantics).</summary>
    [MethodImpl(Hot)]
    public static Tensor Divide(Tensor a, Tensor b) =>
        Tape.Record(Engine.Binary(BinaryOp.Div, a, b, nameof(Divide)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g / n.Y, n.X.Shape) : null, n.Wants(1) ? ReduceTo(-g * n.Output / n.Y, n.Y.Shape) : null]);

    /// <summary>
    /// Elementwise a to the power b (<c>tf.pow</c>). Integers wrap on overflow. An integer power
    /// with a negative integer exponent is an <see cref="ArgumentException"/>, as PyTorch refuses
    /// a negative scalar exponent and NumPy any negative element ("Integers to negative integer
    /// powers are not allowed"): cast to a float dtype for 2^-1 = 0.5.
    /// </summary>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        RefuseNegativeIntegerExponent(a, b);
        return Tape.Record(Engine.Binary(BinaryOp.Pow, a, b, nameof(Pow)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g * n.Y * Pow(n.X, PowExponentBelow(n.Y, n.X.DType)), n.X.Shape) : null,
                              n.Wants(1) ? ReduceTo(g * n.Output * LogWherePositive(n.X), n.Y.Shape) : null]);
    }

    // An integer to a negative integer power has no integer value (C's and the kernels' 0 for
    // 2^-1 would be a wrong answer). A C# number is checked as the number it is; an exponent
    // tensor elementwise, as NumPy does: one reduction and a read of one bool, paid only by
    // integer powers (a read on the host, so an NF.Function computing one runs eagerly).
    private static void RefuseNegativeIntegerExponent(Tensor a, Tensor b)
    {
        var dtype = Engine.CommonDType(nameof(Pow), a, b);
        if (dtype.IsFloating() || b.DType is DType.UInt8 or DType.Bool) return;
        bool negative = b.IsWeakScalar && b.WeakValue is { } value
            ? Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) < 0
            : b.DType.IsInteger() && b.Count > 0 && ReduceAny(Less(b, 0)).Item<bool>();
        if (negative)
            throw new ArgumentException(
                $"Pow: integers to negative integer powers are not allowed (a {a.DType.Name()} base, a {b.DType.Name()} exponent with a negative value); " +
                $"cast the base to a float dtype first, NF.Pow(NF.Cast(x, DType.Float32), y).", nameof(b));
    }

    // d(x^y)/dx = y x^(y-1), which is 0 * inf = NaN at x = 0, y = 0 where the true value (and
    // PyTorch's) is 0: there the exponent y-1 becomes 0, so the product is y * 1 = 0.
    // A C# number exponent (x32 ** 2.0, or x64 ** 3) is a weak scalar: the computed exponent takes
    // x's dtype, as the forward op's operands did, or the Pow of the gradient would refuse the mixed
    // dtypes (y - 1 + mask is no longer weak: an int exponent came out int32 against float64 x).
    private static Tensor PowExponentBelow(Tensor y, DType like)
    {
        var exponent = y - 1 + Mask(Equal(y, 0), y.DType);
        return exponent.DType == like || !like.IsFloating() ? exponent : Cast(exponent, like);
    }

    // d(x^y)/dy = x^y log(x): TensorFlow takes log(x) as 0 where x <= 0 (no real derivative there;
    // at x = 0 the limit of x^y log x is 0 for y > 0), instead of 0 * -inf = NaN. The log is taken
    // of 1 there so that its own gradient stays finite too.
    private static Tensor LogWherePositive(Tensor x)
    {
        var positive = Mask(Greater(x, 0), x.DType);
        return Log(x * positive + (1 - positive)) * positive;
    }

    /// <summary>Elementwise maximum (<c>tf.maximum</c>); on ties the gradient goes to a.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) =>
        Tape.Record(Engine.Binary(BinaryOp.Maximum, a, b, nameof(Maximum)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g * Mask(GreaterEqual(n.X, n.Y), g.DType), n.X.Shape) : null,
                              n.Wants(1) ? ReduceTo(g * Mask(Less(n.X, n.Y), g.DType), n.Y.Shape) : null]);

    /// <summary>Elementwise minimum (<c>tf.minimum</c>); on ties the gradient goes to a.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) =>
        Tape.Record(Engine.Binary(BinaryOp.Minimum, a, b, nameof(Minimum)), a, b,
            static (g, n) => [n.Wants(0) ? ReduceTo(g * Mask(LessEqual(n.X, n.Y), g.DType), n.X.Shape) : null,
                              n.Wants(1) ? ReduceTo(g * Mask(Greater(n.X, n.Y), g.DType), n.Y.Shape) : null]);

    // Comparisons have no gradient: their outputs are bool.

    /// <summary>Elementwise a == b as a bool tensor (<c>tf.equal</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor Equal(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Equal, a, b, nameof(Equal));
    /// <summary>Elementwise a != b (<c>tf.not_equal</c>).</summary>
    public static Tensor NotEqual(Tensor a, Tensor b) => Engine.Binary(BinaryOp.NotEqual, a, b, nameof(NotEqual));
    /// <summary>Elementwise a &lt; b (<c>tf.less</c>).</summary>
    public static Tensor Less(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Less, a, b, nameof(Less));
    /// <summary>Elementwise a &lt;= b (<c>tf.less_equal</c>).</summary>
    public static Tensor LessEqual(Tensor a, Tensor b) => Engine.Binary(BinaryOp.LessEqual, a, b, nameof(LessEqual));
    /// <summary>Elementwise a &gt; b (<c>tf.greater</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor Greater(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Greater, a, b, nameof(Greater));
    /// <summary>Elementwise a &gt;= b (<c>tf.greater_equal</c>).</summary>
    public static Tensor GreaterEqual(Tensor a, Tensor b) => Engine.Binary(BinaryOp.GreaterEqual, a, b, nameof(GreaterEqual));

    /// <summary>Elementwise -x (<c>tf.negative</c>).</summary>
    public static Tensor Negative(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Neg, x), x, static (g, n) => [-g]);

    /// <summary>Elementwise |x| (<c>tf.abs</c>).</summary>
    public static Tensor Abs(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Abs, x), x, static (g, n) => [g * Sign(n.X)]);

    /// <summary>Elementwise e^x (<c>tf.exp</c>); integers compute in float32.</summary>
    public static Tensor Exp(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Exp, x), x, static (g, n) => [g * n.Output]);

    /// <summary>Elementwise natural logarithm (<c>tf.math.log</c>).</summary>
    public static Tensor Log(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Log, x), x, static (g, n) => [g / n.X]);

    /// <summary>Elementwise square root (<c>tf.sqrt</c>).</summary>
    public static Tensor Sqrt(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Sqrt, x), x, static (g, n) => [g / (2 * n.Output)]);

    /// <summary>Elementwise x*x (<c>tf.square</c>).</summary>
    public static Tensor Square(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Square, x), x, static (g, n) => [g * (2 * n.X)]);

    /// <summary>Elementwise max(x, 0) (<c>tf.nn.relu</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor Relu(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Relu, x), x, ReluGradient);

    // g where x > 0, else 0. The mask becomes the gradient in place, so a conv net's backward
    // pass holds one activation-sized buffer here instead of three (mask, product, and the bool);
    // under an outer tape (a second derivative) the product is recorded as an op instead.
    // The mask reads relu's output, not its input (as TensorFlow's ReluGrad): y > 0 exactly
    // where x > 0 (-0 and NaN included), and x then has no reader after the forward pass, so a
    // replay fuses x's producer (a bias add) and the relu into one pass (ElementwiseFusion).
    private static readonly GradientRule ReluGradient = static (g, n) =>
    {
        var mask = Mask(Greater(n.Output, 0), g.DType);
        if (Tape.AnyRecording) return [g * mask];
        Engine.MultiplyInPlace(mask, g);
        return [mask];
    };

    /// <summary>Elementwise logistic sigmoid (<c>tf.sigmoid</c>), stable for large |x|.</summary>
    public static Tensor Sigmoid(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Sigmoid, x), x, static (g, n) => [g * n.Output * (1 - n.Output)]);

    /// <summary>Elementwise hyperbolic tangent (<c>tf.tanh</c>).</summary>
    public static Tensor Tanh(Tensor x) =>
        Tape.Record(Engine.Unary(UnaryOp.Tanh, x), x, static (g, n) => [g * (1 - Square(n.Output))]);

    /// <summary>
    /// (a - b)² elementwise with broadcasting (<c>tf.math.squared_difference</c>, the squared error
    /// of Keras' mean_squared_error); the gradient is the difference's, 2(a - b) for a and -2(a - b) for b.
    /// </summary>
    public static Tensor SquaredDifference(Tensor a, Tensor b) => Square(Subtract(a, b));

    /// <summary>
    /// Elementwise sign: -1, 0 or 1 (<c>tf.sign</c>); 0 for ±0 and NaN for NaN. Its gradient is zero, a tensor of
    /// zeros as TensorFlow's and PyTorch's, not an unconnected source: FGSM's tf.sign(gradient) inside a tape
    /// still gives a gradient that later code can add to.
    /// </summary>
    public static Tensor Sign(Tensor x) =>
        x.DType.IsFloating()
            ? Tape.Record(Engine.Unary(UnaryOp.Sign, x), x, static (g, n) => [ZerosLike(g)], op: nameof(Sign))
            : Engine.Unary(UnaryOp.Sign, x);

    /// <summary>The same values, but no gradient flows through (<c>tf.stop_gradient</c>).</summary>
    public static Tensor StopGradient(Tensor x) => x.View(x.Layout);

    /// <summary>
    /// A new tensor with the same values (<c>tf.identity</c>); the gradient flows through unchanged. It is
    /// a copy: of a variable, its value now (later assignments do not change it); inside NF.Function, an
    /// output of the function's own.
    /// </summary>
    public static Tensor Identity(Tensor x)
    {
        var copy = Tensor.Empty(x.Shape, x.DType, x.Backend);
        Engine.Copy(x, x.Layout, copy, copy.Layout);
        return Tape.Record(copy, x, static (g, _) => [g], op: nameof(Identity));
    }
}
