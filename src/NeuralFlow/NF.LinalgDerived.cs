namespace NeuralFlow;

// The linalg ops built from the factorizations (keras.ops.linalg pinv, lstsq, matrix_rank,
// matrix_power, lu_factor; tf.linalg.expm): compositions of recorded ops, so their gradients are
// those of their parts.
public static partial class NF
{
    /// <summary>
    /// The Moore-Penrose pseudo-inverse [..., n, m] of every matrix of <paramref name="input"/> [..., m, n]
    /// (<c>keras.ops.linalg.pinv</c>, <c>numpy.linalg.pinv</c>): V diag(1/S) U^T over the singular values
    /// above <paramref name="rcond"/> times the largest (default max(m, n) times the dtype's machine
    /// epsilon, numpy's and torch's); smaller ones count as 0. The gradient goes through the SVD, so
    /// it needs distinct singular values.
    /// </summary>
    /// <exception cref="ArgumentException">Not float, rank below 2, a negative rcond, or NaN or infinite values.</exception>
    public static Tensor Pinv(Tensor input, double? rcond = null)
    {
        var (m, n) = FloatMatrices(nameof(Pinv), input, nameof(input));
        double cut = rcond ?? Math.Max(m, n) * MachineEpsilon(input.DType);
        if (!(cut >= 0)) throw new ArgumentException($"Pinv: rcond must be >= 0, got {rcond}.", nameof(rcond));
        var (u, s, vh) = Svd(input, fullMatrices: false);
        if (s.Shape[-1] == 0) return MatrixT(MatMul(u, vh));   // an empty matrix: its [..., n, m] zeros
        var cutoff = StopGradient(ReduceMax(s, -1, keepDims: true)) * cut;
        var kept = Greater(s, cutoff);
        // 1/s only where kept: the other branch of a select still gets a zero gradient, and 0 * (1/0)' is NaN.
        var inverse = Where(kept, 1.0 / Where(kept, s, OnesLike(s)), ZerosLike(s));
        return MatMul(MatrixT(vh) * ExpandDims(inverse, -2), u, transposeB: true);
    }

    /// <summary>
    /// The least-squares solution X [..., n, k] of A X = B (<c>keras.ops.linalg.lstsq</c>, the first
    /// output of <c>numpy.linalg.lstsq</c>): the minimum-norm minimizer of |A X - B|, pinv(A) B with
    /// <paramref name="rcond"/> as in <see cref="Pinv"/>. <paramref name="b"/> is [..., m, k], or a
    /// vector [..., m] giving X [..., n].
    /// </summary>
    /// <exception cref="ArgumentException">Not float, dtypes or rows that do not match, or NaN or infinite values.</exception>
    public static Tensor Lstsq(Tensor a, Tensor b, double? rcond = null)
    {
        var (m, _) = FloatMatrices(nameof(Lstsq), a, nameof(a));
        ArgumentNullException.ThrowIfNull(b);
        bool vector = b.Rank == a.Rank - 1;
        var rhs = vector ? ExpandDims(b, -1) : b;
        CheckRightHandSide(nameof(Lstsq), a, rhs, m, nameof(b));
        var x = MatMul(Pinv(a, rcond), rhs);
        return vector ? Squeeze(x, -1) : x;
    }

    /// <summary>
    /// The number of singular values above <paramref name="tol"/> of every matrix (<c>keras.ops.linalg.matrix_rank</c>),
    /// Int32 [...]. The default tol is the largest singular value times max(m, n) times the dtype's machine
    /// epsilon (numpy's). No gradient.
    /// </summary>
    public static Tensor MatrixRank(Tensor input, double? tol = null)
    {
        var (m, n) = FloatMatrices(nameof(MatrixRank), input, nameof(input));
        // An empty matrix has rank 0 (torch.linalg.matrix_rank); its singular values have no maximum to scale a tolerance.
        if (Math.Min(m, n) == 0)
            using (UseBackend(input.Backend)) return Zeros(new Shape(input.Shape.ToArray()[..^2]), DType.Int32);
        var s = SingularValues(StopGradient(input));
        var threshold = tol is double t ? (Tensor)t : ReduceMax(s, -1, keepDims: true) * (Math.Max(m, n) * MachineEpsilon(input.DType));
        return ReduceSum(Cast(Greater(s, threshold), DType.Int32), -1);
    }

    /// <summary>
    /// Every square matrix of <paramref name="input"/> to the integer power <paramref name="n"/>
    /// (<c>keras.ops.linalg.matrix_power</c>, <c>numpy.linalg.matrix_power</c>) by repeated squaring;
    /// 0 gives the identity, a negative power the inverse's (throwing for a singular matrix).
    /// </summary>
    public static Tensor MatrixPower(Tensor input, int n)
    {
        int size = SquareMatrices(nameof(MatrixPower), input, nameof(input));
        if (n == 0)
        {
            using (UseBackend(input.Backend)) return BroadcastTo(Eye(size, dtype: input.DType), input.Shape);
        }
        var x = n < 0 ? MatrixInverse(input) : input;
        long e = Math.Abs((long)n);
        Tensor? result = null;
        var square = x;
        while (true)
        {
            if ((e & 1) != 0) result = result is null ? square : MatMul(result, square);
            e >>= 1;
            if (e == 0) break;
            square = MatMul(square, square);
        }
        return ReferenceEquals(result, input) ? Identity(input) : result!;
    }

    /// <summary>
    /// P A = L U with partial pivoting (<c>keras.ops.linalg.lu_factor</c>, <c>scipy.linalg.lu_factor</c>)
    /// of every square matrix: LU [..., n, n] holding U and L's multipliers below the diagonal, and
    /// Pivots (Int32 [..., n], 0-based) the row swapped with row i at step i (Keras' convention; torch's
    /// are 1-based). A singular matrix is factored without error. Not differentiable: no gradient flows.
    /// </summary>
    public static (Tensor Lu, Tensor Pivots) LuFactor(Tensor input)
    {
        SquareMatrices(nameof(LuFactor), input, nameof(input));
        var (lu, pivots, perm, info) = Engine.Lu(input, check: false);
        perm.Dispose();
        info.Dispose();
        return (lu, pivots);
    }

    /// <summary>
    /// The matrix exponential of every square matrix (<c>tf.linalg.expm</c>, <c>torch.linalg.matrix_exp</c>):
    /// scaling and squaring with the [6/6] Padé approximant (the scaled matrix has 1-norm at most 1/2,
    /// where its error is below double rounding). The gradient is that of the composition.
    /// </summary>
    /// <exception cref="ArgumentException">Not float, not square, or NaN or infinite values.</exception>
    public static Tensor MatrixExp(Tensor input)
    {
        int n = SquareMatrices(nameof(MatrixExp), input, nameof(input));
        if (input.Count == 0) return Identity(input);
        double norm;
        using (Tape.Pause())
        using (var norms = MatrixNorm(StopGradient(input), 1.0))
            norm = norms.ToDoubleArray().Max();
        if (!double.IsFinite(norm))
            throw new ArgumentException($"MatrixExp: the input holds NaN or infinity (shape {input.Shape}).", nameof(input));
        int squarings = norm > 0.5 ? (int)Math.Ceiling(Math.Log2(norm / 0.5)) : 0;
        var x = squarings > 0 ? input * Math.Pow(2, -squarings) : input;
        // c_k = (2q - k)! q! / ((2q)! k! (q - k)!) for q = 6.
        double[] c = [1, 1.0 / 2, 5.0 / 44, 1.0 / 66, 1.0 / 792, 1.0 / 15840, 1.0 / 665280];
        Tensor eye;
        using (UseBackend(input.Backend)) eye = BroadcastTo(Eye(n, dtype: input.DType), input.Shape);
        Tensor numerator = eye, denominator = eye, power = eye;
        for (int k = 1; k < c.Length; k++)
        {
            power = MatMul(power, x);
            numerator = numerator + c[k] * power;
            denominator = denominator + (k % 2 == 0 ? c[k] : -c[k]) * power;
        }
        var result = Solve(denominator, numerator);
        for (int i = 0; i < squarings; i++) result = MatMul(result, result);
        return result;
    }

    // The dtype's machine epsilon (numpy's finfo.eps): the default cut-off scale of Pinv, Lstsq and MatrixRank.
    private static double MachineEpsilon(DType dtype) => dtype == DType.Float64 ? HostLinalg.Eps : 1.1920928955078125e-07;
}
