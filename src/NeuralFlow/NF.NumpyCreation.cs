namespace NeuralFlow;

// NumPy's structured arrays (np.tri, diagflat, vander) and log-spaced ranges (np.logspace,
// geomspace); keras.ops has them all. Tri and Diagflat reuse the diagonal masks of NF.Matrix.cs;
// Vander is a chain of products, so it is differentiable in x on every engine.
public static partial class NF
{
    /// <summary>
    /// An <paramref name="n"/> x <paramref name="m"/> (square when null) matrix with ones at and
    /// below the <paramref name="k"/>-th diagonal and zeros elsewhere (<c>np.tri</c>,
    /// <c>keras.ops.tri</c>): [i, j] is 1 when j - i ≤ k. float32 unless <paramref name="dtype"/> says otherwise.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n or m is negative.</exception>
    public static Tensor Tri(int n, int? m = null, int k = 0, DType dtype = DType.Float32)
    {
        int cols = m ?? n;
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"Tri: n must be at least 0, got {n}.");
        if (cols < 0) throw new ArgumentOutOfRangeException(nameof(m), cols, $"Tri: m must be at least 0, got {cols}.");
        using var mask = DiagonalMask(n, cols, long.MinValue, k, Backend);
        return Cast(mask, dtype);
    }

    /// <summary>
    /// A square matrix with x flattened on its <paramref name="k"/>-th diagonal (<c>np.diagflat</c>,
    /// <c>keras.ops.diagflat</c>): n elements give an (n + |k|) x (n + |k|) matrix. The gradient is
    /// the diagonal of the upstream gradient.
    /// </summary>
    public static Tensor Diagflat(Tensor x, int k = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Diag(Ravel(x), k);
    }

    /// <summary>
    /// The Vandermonde matrix of 1-D x (<c>np.vander</c>, <c>keras.ops.vander</c>): column j is
    /// x^(N-1-j), or x^j when <paramref name="increasing"/>; <paramref name="n"/> columns (len(x)
    /// when null). x's dtype is kept (integers stay integers). Built by repeated products, so the
    /// gradient is exact at 0 too.
    /// </summary>
    /// <exception cref="ArgumentException">x is not 1-D or is bool.</exception>
    /// <exception cref="ArgumentOutOfRangeException">n is negative.</exception>
    public static Tensor Vander(Tensor x, int? n = null, bool increasing = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 1)
            throw new ArgumentException($"Vander: x must be 1-D, got shape {x.Shape}.", nameof(x));
        if (x.DType == DType.Bool)
            throw new ArgumentException("Vander: x is bool; give numbers (NF.Cast it to an integer or float dtype).", nameof(x));
        int columns = n ?? x.Shape[0];
        if (columns < 0)
            throw new ArgumentOutOfRangeException(nameof(n), columns, $"Vander: n must be at least 0, got {columns}.");
        if (columns == 0) return Fill(new Shape(x.Shape[0], 0), 0, x.DType, x.Backend);
        var powers = new Tensor[columns];
        powers[0] = OnesLike(x);
        for (int j = 1; j < columns; j++) powers[j] = j == 1 ? Identity(x) : powers[j - 1] * x;
        if (!increasing) Array.Reverse(powers);
        return Stack(powers, 1);
    }

    /// <summary>
    /// <paramref name="num"/> numbers spaced evenly on a log scale (<c>np.logspace</c>,
    /// <c>keras.ops.logspace</c>): base^v for v evenly spaced from <paramref name="start"/> to
    /// <paramref name="stop"/> (stop left out when not <paramref name="endpoint"/>). Computed in
    /// float64, rounded to <paramref name="dtype"/>, on the default device. NaN and infinite ends give
    /// np.logspace's IEEE values ((0, inf, 3) is [NaN, inf, inf]), as the tensor overload does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">num is negative.</exception>
    /// <exception cref="ArgumentException">dtype is not float.</exception>
    public static Tensor Logspace(double start, double stop, int num = 50, bool endpoint = true, double @base = 10.0, DType dtype = DType.Float32)
    {
        var exponents = EvenlySpaced(nameof(Logspace), start, stop, num, endpoint, dtype);
        return Signal.HostValues(exponents.Select(v => Math.Pow(@base, v)).ToArray(), new Shape(num), dtype, Backend);
    }

    /// <summary>
    /// <paramref name="num"/> numbers spaced evenly on a log scale from <paramref name="start"/> to
    /// <paramref name="stop"/> themselves (<c>np.geomspace</c>, <c>keras.ops.geomspace</c>): a
    /// geometric progression, the ends exact; both ends negative gives the negated progression of
    /// their magnitudes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">num is negative.</exception>
    /// <exception cref="ArgumentException">An end is 0, the ends differ in sign, an end is not finite, or dtype is not float.</exception>
    public static Tensor Geomspace(double start, double stop, int num = 50, bool endpoint = true, DType dtype = DType.Float32)
    {
        const string op = nameof(Geomspace);
        // Math.Sign throws ArithmeticException on NaN: refuse non-finite ends before the sign tests.
        if (!double.IsFinite(start) || !double.IsFinite(stop))
            throw new ArgumentException($"{op}: start and stop must be finite, got ({start}, {stop}).");
        if (start == 0 || stop == 0)
            throw new ArgumentException($"{op}: a geometric sequence cannot include zero, got start {start} and stop {stop}.");
        if (Math.Sign(start) != Math.Sign(stop))
            throw new ArgumentException($"{op}: start ({start}) and stop ({stop}) differ in sign; a real geometric sequence cannot cross zero.");
        double sign = Math.Sign(start);
        var exponents = EvenlySpaced(op, Math.Log10(Math.Abs(start)), Math.Log10(Math.Abs(stop)), num, endpoint, dtype);
        var values = exponents.Select(v => sign * Math.Pow(10, v)).ToArray();
        // NumPy pins the ends to the values given, which the powers of their logarithms may miss.
        if (num > 0) values[0] = start;
        if (num > 1 && endpoint) values[^1] = stop;
        return Signal.HostValues(values, new Shape(num), dtype, Backend);
    }

    /// <summary>
    /// <see cref="Logspace(double, double, int, bool, double, DType)"/> between tensors
    /// (<c>keras.ops.logspace</c> / <c>np.logspace</c> with array ends): start and stop broadcast
    /// together, and the new axis of length <paramref name="num"/> goes at <paramref name="axis"/>
    /// of the result (negative counts from its end), so the shape is [num, *broadcast(start, stop)]
    /// for axis 0. base^v for v evenly spaced from start to stop (stop left out when not
    /// <paramref name="endpoint"/>). The common float dtype of the ends (float32 for integers);
    /// differentiable in start and stop; nothing is read on the host.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">num is negative, or axis is out of range.</exception>
    /// <exception cref="ArgumentException">The shapes of start and stop do not broadcast.</exception>
    public static Tensor Logspace(Tensor start, Tensor stop, int num = 50, bool endpoint = true, double @base = 10.0, int axis = 0)
    {
        var exponents = SpacedBetween(nameof(Logspace), start, stop, num, endpoint, axis);
        return Pow(@base, exponents);
    }

    /// <summary>
    /// <see cref="Geomspace(double, double, int, bool, DType)"/> between tensors
    /// (<c>keras.ops.geomspace</c> / <c>np.geomspace</c> with array ends): a geometric progression from
    /// each start to its stop, laid out as <see cref="Logspace(Tensor, Tensor, int, bool, double, int)"/>;
    /// the ends are exactly start and stop, and both ends negative gives the negated progression of
    /// their magnitudes. As NumPy 1.24, ends of different signs give NaN between them; a zero end
    /// (which NumPy refuses) gives NaN between them too, as nothing is read on the host.
    /// Differentiable in start and stop.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">num is negative, or axis is out of range.</exception>
    /// <exception cref="ArgumentException">The shapes of start and stop do not broadcast.</exception>
    public static Tensor Geomspace(Tensor start, Tensor stop, int num = 50, bool endpoint = true, int axis = 0)
    {
        const string op = nameof(Geomspace);
        (start, stop) = FloatEnds(op, start, stop);
        var negative = LogicalAnd(Less(start, 0), Less(stop, 0));
        var from = Where(negative, Negative(start), start);
        var to = Where(negative, Negative(stop), stop);
        var magnitudes = Pow(10.0, SpacedBetween(op, Log10(from), Log10(to), num, endpoint, axis));
        if (num == 0) return magnitudes;
        // New-axis views of the ends and of the sign, and which positions are the pinned ends.
        var shape = Engine.BroadcastShapes(op, start.Shape, stop.Shape);
        int a = axis < 0 ? axis + shape.Rank + 1 : axis;
        var first = ExpandDims(BroadcastTo(start, shape), a);
        var last = ExpandDims(BroadcastTo(stop, shape), a);
        var along = Enumerable.Repeat(1, shape.Rank + 1).ToArray();
        along[a] = num;
        Tensor positions;
        using (UseBackend(start.Backend)) positions = Reshape(Range(num), along);
        var signed = Where(ExpandDims(BroadcastTo(negative, shape), a), Negative(magnitudes), magnitudes);
        // NumPy pins the ends to the values given, which the powers of their logarithms may miss.
        var pinned = Where(Equal(positions, 0), first, signed);
        return endpoint && num > 1 ? Where(Equal(positions, num - 1), last, pinned) : pinned;
    }

    // num values evenly spaced from start to stop (stop left out when not endpoint) along a new
    // axis at `axis` of the broadcast ends: tf.linspace, or one more of them less the last.
    private static Tensor SpacedBetween(string op, Tensor start, Tensor stop, int num, bool endpoint, int axis)
    {
        if (num < 0) throw new ArgumentOutOfRangeException(nameof(num), num, $"{op}: num must be at least 0, got {num}.");
        (start, stop) = FloatEnds(op, start, stop);
        var shape = Engine.BroadcastShapes(op, start.Shape, stop.Shape);
        if (axis < -shape.Rank - 1 || axis > shape.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is outside [{-shape.Rank - 1}, {shape.Rank}] for start and stop of broadcast shape {shape}.");
        if (endpoint) return Linspace(start, stop, num, axis);
        int a = axis < 0 ? axis + shape.Rank + 1 : axis;
        return SliceAxis(Linspace(start, stop, num + 1, axis), a, 0, num);
    }

    // The two ends in their common float dtype (float32 when neither is float, as Keras).
    private static (Tensor Start, Tensor Stop) FloatEnds(string op, Tensor start, Tensor stop)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(stop);
        Engine.BackendOf(op, start, stop);
        var dtype = start.DType == DType.Float64 || stop.DType == DType.Float64 ? DType.Float64 : DType.Float32;
        return (Engine.As(start, dtype), Engine.As(stop, dtype));
    }
}
