namespace NeuralFlow;

// TensorFlow's elementwise ops that define a value where the plain formula has none (x / 0,
// 0 * log 0, 0 * inf). Each masks its input before the unsafe op, not only its output, so the
// gradient stays finite too (a Where after a NaN still passes a NaN gradient: 0 * NaN).
public static partial class NF
{
    /// <summary><c>tf.math.divide_no_nan</c>: x / y, and 0 where y is 0 (even when x is NaN or infinite). Broadcasts; float dtypes.</summary>
    /// <exception cref="ArgumentException">x or y is not a float tensor.</exception>
    public static Tensor DivideNoNan(Tensor x, Tensor y) => ZeroWhere(y, x, y, nameof(DivideNoNan), static (a, b) => Divide(a, b));

    /// <summary><c>tf.math.multiply_no_nan</c>: x * y, and 0 where y is 0 (even when x is NaN or infinite). Broadcasts; float dtypes.</summary>
    /// <exception cref="ArgumentException">x or y is not a float tensor.</exception>
    public static Tensor MultiplyNoNan(Tensor x, Tensor y) => ZeroWhere(y, x, y, nameof(MultiplyNoNan), static (a, b) => Multiply(a, b), maskX: true);

    /// <summary><c>tf.math.reciprocal_no_nan</c>: 1 / x, and 0 where x is 0. Float dtypes.</summary>
    /// <exception cref="ArgumentException">x is not a float tensor.</exception>
    public static Tensor ReciprocalNoNan(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ZeroWhere(x, OnesLike(x), x, nameof(ReciprocalNoNan), static (a, b) => Divide(a, b));
    }

    /// <summary><c>tf.math.xdivy</c>: x / y, and 0 where x is 0 (even when y is 0). Broadcasts; float dtypes.</summary>
    /// <exception cref="ArgumentException">x or y is not a float tensor.</exception>
    public static Tensor Xdivy(Tensor x, Tensor y) => ZeroWhere(x, x, y, nameof(Xdivy), static (a, b) => Divide(a, b));

    /// <summary><c>tf.math.xlogy</c>: x * log(y), and 0 where x is 0 (even when y is 0). Broadcasts; float dtypes.</summary>
    /// <exception cref="ArgumentException">x or y is not a float tensor.</exception>
    public static Tensor Xlogy(Tensor x, Tensor y) => ZeroWhere(x, x, y, nameof(Xlogy), static (a, b) => a * Log(b));

    /// <summary><c>tf.math.xlog1py</c>: x * log(1 + y), and 0 where x is 0 (even when y is -1). Broadcasts; float dtypes.</summary>
    /// <exception cref="ArgumentException">x or y is not a float tensor.</exception>
    public static Tensor Xlog1py(Tensor x, Tensor y) => ZeroWhere(x, x, y, nameof(Xlog1py), static (a, b) => a * Log1p(b));

    // f(x, y) where `zero` (x or y) is nonzero, 0 where it is 0. The y fed to f is 1 at the masked
    // places (0 for log1p would be fine too, 1 is safe for all of divide, log and log1p), and x
    // is 0 there when maskX (so inf * 1 gives no NaN). Intermediates are not disposed: a
    // gradient tape may have saved them.
    private static Tensor ZeroWhere(Tensor zero, Tensor x, Tensor y, string op, Func<Tensor, Tensor, Tensor> f, bool maskX = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (!x.DType.IsFloating() || !y.DType.IsFloating())
            throw new ArgumentException($"{op}: x is {x.DType.Name()} and y is {y.DType.Name()}; both must be float (convert with NF.Cast).", x.DType.IsFloating() ? nameof(y) : nameof(x));
        bool zeroIsX = ReferenceEquals(zero, x);
        (x, y) = Engine.Promote(op, x, y);
        var masked = Equal(zeroIsX ? x : y, 0);
        var safeY = Where(masked, 1, y);
        var safeX = maskX ? Where(masked, 0, x) : x;
        return Where(masked, 0, f(safeX, safeY));
    }

    /// <summary>
    /// <c>tf.math.add_n</c>: the elementwise sum of <paramref name="inputs"/>, which must all have
    /// the same shape and dtype (no broadcasting, as in TensorFlow). Gradient: the upstream to each.
    /// </summary>
    /// <exception cref="ArgumentException">inputs is empty, or the shapes or dtypes differ.</exception>
    public static Tensor AddN(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException("AddN: inputs is empty; it needs at least one tensor.", nameof(inputs));
        for (int i = 0; i < inputs.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(inputs[i], $"inputs[{i}]");
            if (inputs[i].Shape != inputs[0].Shape || inputs[i].DType != inputs[0].DType)
                throw new ArgumentException(
                    $"AddN: inputs[{i}] is {inputs[i].DType.Name()} of shape {inputs[i].Shape} but inputs[0] is {inputs[0].DType.Name()} of shape {inputs[0].Shape}; all must match (no broadcasting).", nameof(inputs));
        }
        var sum = Identity(inputs[0]);
        for (int i = 1; i < inputs.Length; i++) sum = sum + inputs[i];
        return sum;
    }

    /// <summary>
    /// <c>tf.math.reduce_euclidean_norm</c>: sqrt(sum(x²)) over <paramref name="axes"/> (all axes
    /// when null). Integer x gives the integer part of the
    /// root in x's dtype, as TensorFlow does (4 for [[1, 2, 3], [1, 1, 1]]).
    /// </summary>
    public static Tensor ReduceEuclideanNorm(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        axes ??= Enumerable.Range(0, x.Rank).ToArray();
        if (x.DType.IsFloating()) return Norm(x, axes, keepDims);
        if (x.DType is DType.Bool)
            throw new ArgumentException("ReduceEuclideanNorm: x is bool; it needs a numeric dtype.", nameof(x));
        using var wide = Cast(x, DType.Float64);
        using var norm = Norm(wide, axes, keepDims);
        using var whole = Floor(norm);
        return Cast(whole, x.DType);
    }

    /// <inheritdoc cref="ReduceEuclideanNorm(Tensor, int[], bool)"/>
    public static Tensor ReduceEuclideanNorm(Tensor x, int axis, bool keepDims = false) => ReduceEuclideanNorm(x, [axis], keepDims);
}
