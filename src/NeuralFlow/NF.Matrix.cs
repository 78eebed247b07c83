namespace NeuralFlow;

// Matrix construction and masking (tf.eye, tf.linalg.band_part, diag, diag_part, trace, and
// NumPy's tril/triu/outer). All act on the last two axes, with any leading batch axes, and are
// composed of Range, comparisons, Where, Gather and broadcasting, so their gradients are those
// ops' and every engine runs them. The masks depend on shapes only, never on values.
public static partial class NF
{
    /// <summary>
    /// An identity matrix (<c>tf.eye</c>): <paramref name="numRows"/> x <paramref name="numColumns"/>
    /// (square when null) with ones on the main diagonal, repeated over
    /// <paramref name="batchShape"/> when given ([..batchShape, rows, columns]), on the default device.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static Tensor Eye(int numRows, int? numColumns = null, int[]? batchShape = null, DType dtype = DType.Float32)
    {
        int cols = numColumns ?? numRows;
        if (numRows < 0) throw new ArgumentOutOfRangeException(nameof(numRows), numRows, $"Eye: numRows must be at least 0, got {numRows}.");
        if (cols < 0) throw new ArgumentOutOfRangeException(nameof(numColumns), cols, $"Eye: numColumns must be at least 0, got {cols}.");
        foreach (int b in batchShape ?? [])
            if (b < 0) throw new ArgumentOutOfRangeException(nameof(batchShape), b, $"Eye: batchShape [{string.Join(", ", batchShape!)}] has a negative size.");
        using var mask = DiagonalMask(numRows, cols, 0, 0, Backend);
        var eye = Cast(mask, dtype);
        if (batchShape is not { Length: > 0 }) return eye;
        using (eye)
        using (var view = BroadcastTo(eye, new Shape([.. batchShape, numRows, cols])))
            return view.Contiguous();
    }

    /// <summary>
    /// <paramref name="input"/> with everything outside a band around the diagonal of its last two
    /// axes set to 0 (<c>tf.linalg.band_part</c>): element [i, j] is kept when
    /// i - j ≤ <paramref name="numLower"/> and j - i ≤ <paramref name="numUpper"/>, a negative
    /// bound keeping that whole triangle. (0, -1) is the upper triangle, (-1, 0) the lower, (0, 0)
    /// the diagonal. The gradient is the upstream gradient inside the band, 0 outside.
    /// </summary>
    /// <exception cref="ArgumentException">input has rank below 2, or a bound exceeds the rows (numLower) or columns (numUpper), as in TensorFlow.</exception>
    public static Tensor BandPart(Tensor input, long numLower, long numUpper)
    {
        var (rows, cols) = MatrixDims(nameof(BandPart), input);
        if (numLower > rows)
            throw new ArgumentOutOfRangeException(nameof(numLower), numLower, $"BandPart: numLower {numLower} must be negative or at most the number of rows ({rows}) of input with shape {input.Shape}.");
        if (numUpper > cols)
            throw new ArgumentOutOfRangeException(nameof(numUpper), numUpper, $"BandPart: numUpper {numUpper} must be negative or at most the number of columns ({cols}) of input with shape {input.Shape}.");
        return KeepDiagonals(input, numLower < 0 ? long.MinValue : -numLower, numUpper < 0 ? long.MaxValue : numUpper);
    }

    /// <summary>
    /// The lower triangle of the last two axes (<c>np.tril</c>, <c>torch.tril</c>,
    /// <c>tf.experimental.numpy.tril</c>): [i, j] is kept when j - i ≤ <paramref name="k"/>
    /// (0: the main diagonal and below; 1 adds the diagonal above; -1 drops the main one).
    /// </summary>
    public static Tensor Tril(Tensor input, int k = 0)
    {
        MatrixDims(nameof(Tril), input);
        return KeepDiagonals(input, long.MinValue, k);
    }

    /// <summary>The upper triangle of the last two axes (<c>np.triu</c>, <c>torch.triu</c>): [i, j] is kept when j - i ≥ <paramref name="k"/>.</summary>
    public static Tensor Triu(Tensor input, int k = 0)
    {
        MatrixDims(nameof(Triu), input);
        return KeepDiagonals(input, k, long.MaxValue);
    }

    /// <summary>
    /// Square matrices with <paramref name="diagonal"/>'s last axis on their main diagonal and 0
    /// elsewhere (<c>tf.linalg.diag</c>): [..., n] gives [..., n, n]. The gradient is the
    /// diagonal of the upstream gradient.
    /// </summary>
    /// <exception cref="ArgumentException">diagonal is a scalar.</exception>
    public static Tensor Diag(Tensor diagonal)
    {
        ArgumentNullException.ThrowIfNull(diagonal);
        if (diagonal.Rank == 0)
            throw new ArgumentException("Diag: diagonal is a scalar; it needs at least one axis (the diagonal's values along the last).", nameof(diagonal));
        int n = diagonal.Shape[-1];
        var mask = DiagonalMask(n, n, 0, 0, diagonal.Backend);   // not disposed: Where's gradient keeps it
        // A select, not a product with the identity: 0 * inf off the diagonal would be NaN.
        var row = ExpandDims(diagonal, -2);   // [..., 1, n], broadcast down the rows
        return Where(mask, row, 0);
    }

    /// <summary>
    /// Square matrices with <paramref name="diagonal"/>'s last axis on the diagonal
    /// <paramref name="k"/> places above the main one (below when negative) and 0 elsewhere
    /// (<c>np.diag(v, k)</c>, <c>tf.linalg.diag(v, k=k)</c>): [..., n] gives [..., n + |k|, n + |k|].
    /// NumPy's <c>np.diag(m, k)</c> of a matrix is <see cref="Diagonal"/>(m, k).
    /// </summary>
    /// <exception cref="ArgumentException">diagonal is a scalar.</exception>
    public static Tensor Diag(Tensor diagonal, int k)
    {
        ArgumentNullException.ThrowIfNull(diagonal);
        if (k == 0) return Diag(diagonal);
        if (diagonal.Rank == 0)
            throw new ArgumentException("Diag: diagonal is a scalar; it needs at least one axis (the diagonal's values along the last).", nameof(diagonal));
        int n = diagonal.Shape[-1], size = n + Math.Abs(k);
        // Column j of the k-th diagonal holds diagonal[j - k] (k > 0) or diagonal[j] (k < 0): the
        // values padded with |k| zeros in front or behind line up with their columns.
        var zeros = Fill(new Shape([.. diagonal.Shape.ToArray()[..^1], Math.Abs(k)]), 0, diagonal.DType, diagonal.Backend);
        var row = ExpandDims(Concat(k > 0 ? [zeros, diagonal] : [diagonal, zeros], -1), -2);
        var mask = DiagonalMask(size, size, k, k, diagonal.Backend);   // not disposed: Where's gradient keeps it
        return Where(mask, row, 0);
    }

    /// <summary>
    /// The main diagonal of the last two axes (<c>tf.linalg.diag_part</c>): [..., m, n] gives
    /// [..., min(m, n)]. The gradient goes back onto the diagonal, 0 elsewhere.
    /// </summary>
    /// <exception cref="ArgumentException">input has rank below 2.</exception>
    public static Tensor DiagPart(Tensor input)
    {
        var (rows, cols) = MatrixDims(nameof(DiagPart), input);
        var dims = input.Shape.ToArray();
        // Element [i, i] of a row-major m x n matrix is element i * (n + 1) of its flattening.
        var flat = Reshape(input, [.. dims[..^2], rows * cols]);
        Tensor positions;
        using (UseBackend(input.Backend)) positions = Range(0L, (long)Math.Min(rows, cols) * (cols + 1), cols + 1);
        return Gather(flat, positions, input.Rank - 2);
    }

    /// <summary>The sum of the main diagonal of the last two axes (<c>tf.linalg.trace</c>): [..., m, n] gives [...].</summary>
    /// <exception cref="ArgumentException">input has rank below 2.</exception>
    public static Tensor Trace(Tensor input) => ReduceSum(DiagPart(input), -1);

    /// <summary>
    /// The outer product (<c>tf.experimental.numpy.outer</c>, <c>np.outer</c>, <c>torch.outer</c>):
    /// a [len(a), len(b)] matrix of a[i] * b[j], each operand flattened first.
    /// </summary>
    public static Tensor Outer(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Multiply(Reshape(a, [-1, 1]), Reshape(b, [1, -1]));
    }

    private static (int Rows, int Cols) MatrixDims(string op, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2)
            throw new ArgumentException($"{op}: input has shape {input.Shape} (rank {input.Rank}); it needs at least 2 axes, the last two being the matrix.", nameof(input));
        return (input.Shape[-2], input.Shape[-1]);
    }

    // input where minOffset ≤ j - i ≤ maxOffset on its last two axes, 0 elsewhere.
    private static Tensor KeepDiagonals(Tensor input, long minOffset, long maxOffset)
    {
        var (rows, cols) = MatrixDims(nameof(KeepDiagonals), input);
        var mask = DiagonalMask(rows, cols, minOffset, maxOffset, input.Backend);   // not disposed: Where's gradient keeps it
        return Where(mask, input, 0);
    }

    // A bool [rows, cols] on `backend`, true where minOffset ≤ j - i ≤ maxOffset.
    private static Tensor DiagonalMask(int rows, int cols, long minOffset, long maxOffset, Backends.IBackend backend)
    {
        // j - i lies in [-(rows - 1), cols - 1]: bounds beyond that keep everything on their side.
        int lo = (int)Math.Clamp(minOffset, -(long)rows, cols);
        int hi = (int)Math.Clamp(maxOffset, -(long)rows, cols);
        using var scope = TensorScope.Begin();
        using var _ = UseBackend(backend);
        var offsets = Subtract(Reshape(Range(cols), [1, cols]), Reshape(Range(rows), [rows, 1]));   // j - i
        return scope.Keep(LogicalAnd(GreaterEqual(offsets, lo), LessEqual(offsets, hi)));
    }
}
