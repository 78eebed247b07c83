namespace NeuralFlow;

// QR decomposition (keras.ops.linalg.qr, tf.linalg.qr, torch.linalg.qr), a host Householder
// factorization (HostLinalg.Qr) with LAPACK's signs, so Q and R equal numpy's and torch's.
public static partial class NF
{
    /// <summary>
    /// A = Q R for every matrix of <paramref name="input"/> [..., m, n], k = min(m, n):
    /// <paramref name="mode"/> "reduced" (default) gives Q [..., m, k] with orthonormal columns and
    /// R [..., k, n] upper triangular; "complete" gives Q [..., m, m] orthogonal and R [..., m, n].
    /// The signs are LAPACK's (numpy, torch, Keras): R's diagonal entry is minus the sign of the
    /// column's pivot, so Q and R match theirs value for value.
    /// The gradient is TensorFlow's QrGrad (equal to torch's linalg_qr_backward); it needs R's
    /// first k columns invertible, and is not defined for "complete" with m &gt; n (Q's last m - n
    /// columns are not unique): that throws when differentiated, as in torch.
    /// </summary>
    /// <exception cref="ArgumentException">Not float, rank below 2, an unknown mode, or NaN or infinite values.</exception>
    public static (Tensor Q, Tensor R) Qr(Tensor input, string mode = "reduced")
    {
        var (m, n) = FloatMatrices(nameof(Qr), input, nameof(input));
        if (mode is not ("reduced" or "complete"))
            throw new ArgumentException($"Qr: mode must be \"reduced\" or \"complete\", got \"{mode}\".", nameof(mode));
        bool complete = mode == "complete";
        int q = complete ? m : Math.Min(m, n);
        int[][] parts = [[m, q], [q, n]];
        var packed = HostPacked(nameof(Qr), input, parts, a =>
        {
            var (qv, rv) = HostLinalg.Qr(a, m, n, complete);
            return [qv, rv];
        });
        packed = Tape.Record(packed, input, QrGradient, parts);
        var outputs = Unpack(packed, parts);
        return (outputs[0], outputs[1]);
    }

    // TensorFlow's QrGrad: for m >= n (reduced), with M = tril(Q^T gQ - gQ^T Q + R gR^T - gR R^T),
    // gA = Q (gR + M R^-T) + (gQ - Q Q^T gQ) R^-T. For m < n, A = [X Y] and R = [U V] with U square:
    // X's gradient is that formula with U and gQ + Y gV^T, Y's is Q gV.
    private static readonly GradientRule QrGradient = static (g, node) =>
    {
        var parts = (int[][])node.State!;
        var a = node.X;
        int m = a.Shape[-2], n = a.Shape[-1];
        if (parts[0][1] == m && m > n)
            throw new NotSupportedException(
                $"Qr: the gradient of mode \"complete\" with more rows than columns (shape {a.Shape}) is not defined: Q's last {m - n} columns are not unique. Use mode \"reduced\".");
        var outputs = Unpack(StopGradient(node.Output), parts);
        var grads = Unpack(g, parts);
        Tensor q = outputs[0], r = outputs[1], gq = grads[0], gr = grads[1];
        if (m >= n) return [QrGradientTall(q, r, gq, gr)];
        var u = SliceAxis(r, r.Rank - 1, 0, m);
        var gu = SliceAxis(gr, gr.Rank - 1, 0, m);
        var gv = SliceAxis(gr, gr.Rank - 1, m, n - m);
        var y = SliceAxis(a, a.Rank - 1, m, n - m);
        var dx = QrGradientTall(q, u, gq + MatMul(y, gv, transposeB: true), gu);
        return [Concat([dx, MatMul(q, gv)], -1)];
    };

    private static Tensor QrGradientTall(Tensor q, Tensor r, Tensor gq, Tensor gr)
    {
        var qdq = MatMul(q, gq, transposeA: true);
        var rdr = MatMul(r, gr, transposeB: true);
        var lower = Tril(qdq - MatrixT(qdq) + rdr - MatrixT(rdr));
        var fromR = MatMul(q, gr + TimesInverseRt(lower, r));
        return fromR + TimesInverseRt(gq - MatMul(q, qdq), r);
    }

    // x R^-T for upper triangular R: (R^-1 x^T)^T.
    private static Tensor TimesInverseRt(Tensor x, Tensor r) => MatrixT(TriangularSolve(r, MatrixT(x), lower: false));
}
