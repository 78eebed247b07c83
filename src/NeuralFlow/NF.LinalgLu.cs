using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// The ops built on the LU factorization (nf_lu): tf.linalg.solve / inv / det / slogdet and their
// torch.linalg namesakes. P A = L U is one kernel call; a solve is then a permutation (a one-hot
// matrix product) and two triangular solves (nf_triangular_solve), all on the device and so all
// replayed by NF.Function. Nothing is read on the host except the singularity check, which the
// LU kernel itself makes (so replays make it too):
// - Solve and MatrixInverse throw ArgumentException for a singular matrix, naming its batch
//   element (TensorFlow raises "Input is not invertible", PyTorch a LinAlgError naming it);
// - Det and Slogdet never throw for one: its determinant is 0 (sign 0, log|det| -inf), as in both.
public static partial class NF
{
    /// <summary>
    /// X with A X = B (<c>tf.linalg.solve</c>, <c>torch.linalg.solve</c>): <paramref name="a"/>
    /// [..., n, n], <paramref name="b"/> [..., n, k] with batch axes broadcast against a's, or a
    /// vector b ([n], or a's shape without its last axis) as PyTorch takes it, giving a vector X.
    /// LU with partial pivoting.
    /// </summary>
    /// <exception cref="ArgumentException">Not float matrices, a not square, rank below 2, dtypes, rows or
    /// batch axes that do not match; or a singular matrix (naming its batch element).</exception>
    public static Tensor Solve(Tensor a, Tensor b)
    {
        const string op = nameof(Solve);
        int n = SquareMatrices(op, a, nameof(a));
        bool vector = b.Rank == 1 || (b.Rank == a.Rank - 1 && b.Shape.ToArray().SequenceEqual(a.Shape.ToArray()[..^1]));
        var rhs = vector ? ExpandDims(b, -1) : b;
        CheckRightHandSide(op, a, rhs, n, nameof(b));
        var x = SolveMatrices(op, a, rhs);
        return vector ? Squeeze(x, -1) : x;
    }

    /// <summary>
    /// The inverse of every matrix of <paramref name="input"/> [..., n, n] (<c>tf.linalg.inv</c>,
    /// <c>torch.linalg.inv</c>): the solve of A X = I. Its gradient is -A^-T g A^-T.
    /// </summary>
    /// <exception cref="ArgumentException">Not float matrices, not square or rank below 2; or a singular
    /// matrix ("not invertible", naming its batch element).</exception>
    public static Tensor MatrixInverse(Tensor input)
    {
        int n = SquareMatrices(nameof(MatrixInverse), input, nameof(input));
        // Not disposed here: the tape node of the solve holds it as its right-hand side.
        Tensor eye;
        using (UseBackend(input.Backend))
            eye = Eye(n, dtype: input.DType);
        return SolveMatrices(nameof(MatrixInverse), input, eye);
    }

    /// <summary>
    /// The determinant of every matrix of <paramref name="input"/> [..., n, n] (<c>tf.linalg.det</c>):
    /// shape [...]. A singular matrix gives 0. The gradient is g det(A) A^-T, which (as TensorFlow's)
    /// needs A invertible: at a singular matrix it throws.
    /// </summary>
    public static Tensor Det(Tensor input)
    {
        int n = SquareMatrices(nameof(Det), input, nameof(input));
        var (diagonal, swaps) = LuDiagonal(input, n);
        Tensor det;
        using (diagonal)
        using (swaps)
        using (UseBackend(input.Backend))
        using (var product = ReduceProd(diagonal, -1))
            det = product * swaps;
        return Tape.Record(det, input, DetGradient);
    }

    // d det(A) / dA = det(A) A^-T (Jacobi's formula).
    private static readonly GradientRule DetGradient = static (g, node) =>
        [ExpandDims(ExpandDims(g * node.Output, -1), -1) * MatrixT(MatrixInverse(node.X))];

    /// <summary>
    /// The sign and the log of the absolute value of the determinant of every matrix of
    /// <paramref name="input"/> (<c>tf.linalg.slogdet</c>, <c>torch.linalg.slogdet</c>), each of
    /// shape [...]: finite where det itself would overflow. A singular matrix gives sign 0 and
    /// log|det| -inf. Sign has no gradient; log|det|'s is A^-T (throwing at a singular matrix).
    /// </summary>
    public static (Tensor Sign, Tensor LogAbsDet) Slogdet(Tensor input)
    {
        int n = SquareMatrices(nameof(Slogdet), input, nameof(input));
        var (diagonal, swaps) = LuDiagonal(input, n);
        Tensor sign, logAbsDet;
        using (diagonal)
        using (swaps)
        using (UseBackend(input.Backend))
        {
            using (var signs = Sign(diagonal))
            using (var product = ReduceProd(signs, -1))
                sign = product * swaps;
            using var magnitudes = Abs(diagonal);
            using var logs = Log(magnitudes);
            logAbsDet = ReduceSum(logs, -1);
        }
        return (sign, Tape.Record(logAbsDet, input, SlogdetGradient));
    }

    // d log|det(A)| / dA = A^-T.
    private static readonly GradientRule SlogdetGradient = static (g, node) =>
        [ExpandDims(ExpandDims(g, -1), -1) * MatrixT(MatrixInverse(node.X))];

    /// <summary>
    /// The log of the determinant of every matrix of <paramref name="input"/> [..., n, n]
    /// (<c>torch.logdet</c>): <see cref="Slogdet"/>'s log|det| where det &gt; 0, -inf where det = 0
    /// and NaN where det &lt; 0 (no real log). Its gradient is A^-T where det &gt; 0.
    /// </summary>
    /// <exception cref="ArgumentException">Not float matrices, not square or rank below 2.</exception>
    public static Tensor Logdet(Tensor input)
    {
        var (sign, logAbsDet) = Slogdet(input);
        // Not disposed: the select's tape node keeps its condition for the gradient.
        using (UseBackend(input.Backend))
            return Where(Less(sign, 0), double.NaN, logAbsDet);
    }

    // A X = B for matrices B ([..., n, k], batch axes broadcast), recorded as one op.
    private static Tensor SolveMatrices(string op, Tensor a, Tensor b)
    {
        if (a.Shape.Count == 0 || b.Shape.Count == 0)
        {
            // Nothing to solve (torch gives the empty result); and the managed engine's MatMul
            // refuses an empty batched output, so no kernel runs.
            var batch = Engine.BroadcastShapes(op, new Shape(a.Shape.ToArray()[..^2]), new Shape(b.Shape.ToArray()[..^2]));
            using (UseBackend(a.Backend))
                return Tape.Record(Zeros(new Shape([.. batch.ToArray(), a.Shape[-1], b.Shape[-1]]), a.DType), a, b, SolveGradient);
        }
        Tensor lu, pivots, perm, info;
        try
        {
            (lu, pivots, perm, info) = Engine.Lu(a, check: true);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{op}: the input is not invertible: {e.Message}", nameof(a), e);
        }
        Tensor x;
        using (lu)
        using (pivots)
        using (info)
        using (perm)
        using (UseBackend(a.Backend))
        // P B as a product with the one-hot permutation matrix (row i of P picks row perm[i]): batched
        // and broadcast like any product, for n^2 k multiply-adds next to the LU's n^3.
        using (var p = OneHot(perm, a.Shape[-1], dtype: a.DType))
        using (var pb = MatMul(p, StopGradient(b)))
        using (var y = Engine.TriangularSolve(op, lu, lu.Layout, pb, lower: true, unitDiagonal: true))
            x = Engine.TriangularSolve(op, lu, lu.Layout, y, lower: false, unitDiagonal: false);
        return Tape.Record(x, a, b, SolveGradient);
    }

    // X = A^-1 B: dB = A^-T g and dA = -dB X^T, with broadcast batch axes summed back.
    private static readonly GradientRule SolveGradient = static (g, node) =>
    {
        var db = SolveMatrices(nameof(Solve), MatrixT(node.X), g);
        var da = node.Wants(0) ? ReduceTo(-MatMul(db, node.Output, transposeB: true), node.X.Shape) : null;
        return [da, node.Wants(1) ? ReduceTo(db, node.Y.Shape) : null];
    };

    // det(A) = det(P) prod(diag(U)) for P A = L U: U's diagonal [..., n] and det(P) = +-1 [...],
    // from an LU without the singularity check (det is 0 there, not an error).
    private static (Tensor Diagonal, Tensor Swaps) LuDiagonal(Tensor input, int n)
    {
        var (lu, pivots, perm, info) = Engine.Lu(input, check: false);
        using (lu)
        using (pivots)
        using (perm)
        using (info)
        using (UseBackend(input.Backend))
            return (DiagPart(lu), PermutationSign(pivots, n, input.DType));
    }

    // The determinant of the permutation of pivots [..., n] (Int32): -1 per row swap (pivots[k] != k).
    private static Tensor PermutationSign(Tensor pivots, int n, DType dtype)
    {
        using var steps = Range(n);
        using var swapped = NotEqual(pivots, steps);
        using var flags = Cast(swapped, dtype);
        using var count = ReduceSum(flags, -1);
        using var half = count * 0.5;
        using var odd = half - Floor(half);  // 0 or 0.5, exactly
        return 1.0 - 4.0 * odd;
    }
}
