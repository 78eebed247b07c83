using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// Triangular systems and the Cholesky factorization (tf.linalg.triangular_solve, cholesky,
// cholesky_solve; torch.linalg.solve_triangular, cholesky). Each op runs its kernel (nf_cholesky,
// nf_triangular_solve) and records its gradient rule beside it; NF.Function replays the kernels.
// The matrix checks every linalg op shares (SquareMatrices, MatrixT) live here too.
public static partial class NF
{
    /// <summary>
    /// X with op(<paramref name="matrix"/>) X = <paramref name="rhs"/> for a triangular matrix
    /// (<c>tf.linalg.triangular_solve</c>): matrix [..., n, n], rhs [..., n, k], batch axes broadcast.
    /// Only the <paramref name="lower"/> (default, as TensorFlow) or upper triangle is read;
    /// <paramref name="adjoint"/> solves with its transpose; <paramref name="unitDiagonal"/> takes the
    /// diagonal as ones without reading it (<c>torch.linalg.solve_triangular</c>'s unitriangular).
    /// A zero on the diagonal gives inf or NaN, as in TensorFlow and PyTorch (no check).
    /// </summary>
    /// <exception cref="ArgumentException">Not float matrices, not square, rank below 2, dtypes or rows that do not match, or batch axes that do not broadcast.</exception>
    public static Tensor TriangularSolve(Tensor matrix, Tensor rhs, bool lower = true, bool adjoint = false, bool unitDiagonal = false)
    {
        const string op = nameof(TriangularSolve);
        int n = SquareMatrices(op, matrix, nameof(matrix));
        CheckRightHandSide(op, matrix, rhs, n, nameof(rhs));
        var layout = adjoint ? SwapLast(matrix.Layout) : matrix.Layout;
        var x = Engine.TriangularSolve(op, matrix, layout, rhs, lower != adjoint, unitDiagonal);
        return Tape.Record(x, matrix, rhs, TriangularSolveGradient, (lower, adjoint, unitDiagonal));
    }

    // X = M^-1 B with M = op(A) triangular: dB = M^-T g (a solve with the other op), and
    // dM = -dB X^T kept on M's triangle (off its diagonal when unit), transposed back when op is the
    // transpose; broadcast batch axes are summed back (TensorFlow's _TriangularSolveGradient).
    private static readonly GradientRule TriangularSolveGradient = static (g, node) =>
    {
        var (lower, adjoint, unit) = ((bool, bool, bool))node.State!;
        var a = node.X;
        var b = node.Y;
        var db = TriangularSolve(a, g, lower, !adjoint, unit);
        Tensor? da = null;
        if (node.Wants(0))
        {
            var dm = -MatMul(db, node.Output, transposeB: true);
            bool lowerM = lower != adjoint;
            dm = lowerM ? Tril(dm, unit ? -1 : 0) : Triu(dm, unit ? 1 : 0);
            da = ReduceTo(adjoint ? MatrixT(dm) : dm, a.Shape);
        }
        return [da, node.Wants(1) ? ReduceTo(db, b.Shape) : null];
    };

    /// <summary>
    /// The Cholesky factor L of symmetric positive definite matrices (<c>tf.linalg.cholesky</c>,
    /// <c>torch.linalg.cholesky</c>): A = L L^T with L lower triangular, zeros above the diagonal.
    /// Only A's lower triangle and diagonal are read. The gradient is symmetric (Murray 2016, as
    /// TensorFlow and PyTorch give it).
    /// </summary>
    /// <exception cref="ArgumentException">Not float matrices, not square or rank below 2; or a matrix is not
    /// positive definite (the message names its batch element; replays under NF.Function check too).</exception>
    public static Tensor Cholesky(Tensor input)
    {
        SquareMatrices(nameof(Cholesky), input, nameof(input));
        Tensor l, info;
        try
        {
            (l, info) = Engine.Cholesky(input, check: true);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Cholesky: the input is not positive definite: {e.Message}", nameof(input), e);
        }
        info.Dispose();
        return Tape.Record(l, input, CholeskyGradient);
    }

    // PyTorch's cholesky_backward (Murray 2016, eq. 10): with Phi = tril(L^T gL),
    // gA = L^-T (Phi + tril(Phi, -1)^T) / 2 L^-1, which is symmetric.
    private static readonly GradientRule CholeskyGradient = static (g, node) =>
    {
        var l = node.Output;
        var phi = Tril(MatMul(l, g, transposeA: true));
        var middle = 0.5 * (phi + MatrixT(Tril(phi, -1)));
        var left = TriangularSolve(l, middle, lower: true, adjoint: true);             // L^-T middle
        var ga = MatrixT(TriangularSolve(l, MatrixT(left), lower: true, adjoint: true)); // (L^-T left^T)^T = left L^-1
        return [ga];
    };

    /// <summary>
    /// X with A X = <paramref name="rhs"/> given A's Cholesky factor <paramref name="chol"/> (lower,
    /// from <see cref="Cholesky"/>; <c>tf.linalg.cholesky_solve</c>): two triangular solves, so
    /// its gradients are theirs.
    /// </summary>
    public static Tensor CholeskySolve(Tensor chol, Tensor rhs) =>
        TriangularSolve(chol, TriangularSolve(chol, rhs, lower: true), lower: true, adjoint: true);

    /// <summary>
    /// Every matrix of <paramref name="x"/> [..., m, n] transposed to [..., n, m]
    /// (<c>tf.linalg.matrix_transpose</c>, <c>torch.Tensor.mT</c>); the gradient transposes back.
    /// </summary>
    /// <exception cref="ArgumentException">x has rank below 2.</exception>
    public static Tensor MatrixTranspose(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2)
            throw new ArgumentException($"MatrixTranspose: x must be a matrix or a batch of matrices (rank >= 2), got shape {x.Shape}.", nameof(x));
        return MatrixT(x);
    }

    /// <summary>The last two axes swapped, as a recorded transpose (tf.linalg.matrix_transpose).</summary>
    private static Tensor MatrixT(Tensor x)
    {
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return Transpose(x, perm);
    }

    /// <summary>Checks that <paramref name="a"/> holds float32 or float64 square matrices in its last two axes; returns n.</summary>
    private static int SquareMatrices(string op, Tensor a, string name)
    {
        FloatMatrices(op, a, name);
        if (a.Shape[-1] != a.Shape[-2])
            throw new ArgumentException($"{op}: {name} must be square in its last two axes, got shape {a.Shape}.", name);
        return a.Shape[-1];
    }

    /// <summary>Checks that <paramref name="a"/> holds float32 or float64 matrices (rank >= 2); returns (m, n) of its last two axes.</summary>
    private static (int M, int N) FloatMatrices(string op, Tensor a, string name)
    {
        ArgumentNullException.ThrowIfNull(a, name);
        if (!a.DType.IsFloating())
            throw new ArgumentException($"{op}: {name} must be float32 or float64, got {a.DType.Name()}; convert with NF.Cast({name}, DType.Float32).", name);
        if (a.Rank < 2)
            throw new ArgumentException($"{op}: {name} must be a matrix or a batch of matrices (rank >= 2), got shape {a.Shape}.", name);
        return (a.Shape[-2], a.Shape[-1]);
    }

    /// <summary>Checks a right-hand side [..., n, k] against the matrices of <paramref name="a"/> (same dtype, n rows).</summary>
    private static void CheckRightHandSide(string op, Tensor a, Tensor b, int n, string name)
    {
        if (b.DType != a.DType)
            throw new ArgumentException($"{op}: {name} has dtype {b.DType.Name()} but the matrix has {a.DType.Name()}; convert one with NF.Cast.", name);
        if (b.Rank < 2)
            throw new ArgumentException($"{op}: {name} must have rank >= 2 ([..., {n}, k]), got shape {b.Shape}.", name);
        if (b.Shape[-2] != n)
            throw new ArgumentException($"{op}: {name} has shape {b.Shape}, but the matrix is {n} x {n}, so {name} needs {n} rows.", name);
    }
}
