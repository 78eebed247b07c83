namespace NeuralFlow;

// Singular value decomposition (keras.ops.linalg.svd, numpy.linalg.svd, torch.linalg.svd and
// svdvals), a host one-sided Jacobi factorization (HostLinalg.Svd).
public static partial class NF
{
    /// <summary>
    /// A = U diag(S) Vh for every matrix of <paramref name="input"/> [..., m, n], k = min(m, n),
    /// S [..., k] descending and non-negative (<c>keras.ops.linalg.svd</c>, numpy's order of
    /// outputs). <paramref name="fullMatrices"/> (default, as Keras and numpy) gives U [..., m, m]
    /// and Vh [..., n, n], else U [..., m, k] and Vh [..., k, n].
    /// Signs: singular vectors are unique only up to sign, and LAPACK fixes none; NF makes each
    /// column of U's largest-magnitude entry positive (for m &lt; n, each row of Vh's), flipping
    /// the matching Vh row (U column) with it.
    /// The gradient is torch's svd_backward: it needs distinct non-zero singular values where U's
    /// or Vh's gradient is non-zero (otherwise inf or NaN, as in torch); S alone needs nothing. With
    /// full matrices only the first k columns of U and rows of Vh carry gradient (the rest are an
    /// arbitrary completion), as torch does.
    /// </summary>
    /// <exception cref="ArgumentException">Not float, rank below 2, or NaN or infinite values.</exception>
    public static (Tensor U, Tensor S, Tensor Vh) Svd(Tensor input, bool fullMatrices = true)
    {
        var (m, n) = FloatMatrices(nameof(Svd), input, nameof(input));
        int k = Math.Min(m, n);
        int uc = fullMatrices ? m : k, vr = fullMatrices ? n : k;
        int[][] parts = [[m, uc], [k], [vr, n]];
        var packed = HostPacked(nameof(Svd), input, parts, a =>
        {
            var (u, s, vh) = HostLinalg.Svd(a, m, n, fullMatrices);
            return [u, s, vh];
        });
        packed = Tape.Record(packed, input, SvdGradient, parts);
        var outputs = Unpack(packed, parts);
        return (outputs[0], outputs[1], outputs[2]);
    }

    /// <summary>
    /// The singular values [..., min(m, n)] of every matrix, descending (<c>torch.linalg.svdvals</c>,
    /// <c>keras.ops.linalg.svd(x, compute_uv=False)</c>). Its gradient U diag(gS) Vh is defined everywhere
    /// the singular values are distinct or not (it is the nuclear norm's gradient).
    /// </summary>
    public static Tensor SingularValues(Tensor input)
    {
        var (m, n) = FloatMatrices(nameof(SingularValues), input, nameof(input));
        int k = Math.Min(m, n);
        int[][] parts = [[m, k], [k], [k, n]];
        var packed = HostPacked(nameof(SingularValues), input, parts, a =>
        {
            var (u, s, vh) = HostLinalg.Svd(a, m, n, full: false);
            return [u, s, vh];
        });
        Tensor[] outputs;
        using (Tape.Pause()) outputs = Unpack(packed, parts);
        return Tape.Record(outputs[1], input, SingularValuesGradient, (outputs[0], outputs[2]));
    }

    // d sum(gS * S) / dA = U diag(gS) Vh.
    private static readonly GradientRule SingularValuesGradient = static (g, node) =>
    {
        var (u, vh) = ((Tensor, Tensor))node.State!;
        return [MatMul(u * ExpandDims(g, -2), vh)];
    };

    // torch's svd_backward (real case). With k = min(m, n), the reduced factors and
    // skew(X) = X - X^T, E_jl = S_l^2 - S_j^2 (1 on the diagonal):
    // inner = (skew(U^T gU) S_l + S_j skew(V^T gV)) / E + diag(gS); for m = n gA = U inner Vh, and
    // the tall and wide cases add the component outside U's (V's) span:
    // m > n: gA = (U inner + (I - U U^T) gU S^-1) Vh;  m < n: gA = U (inner Vh + S^-1 gVh (I - V Vh)).
    private static readonly GradientRule SvdGradient = static (g, node) =>
    {
        var parts = (int[][])node.State!;
        int m = node.X.Shape[-2], n = node.X.Shape[-1], k = Math.Min(m, n);
        var outputs = Unpack(StopGradient(node.Output), parts);
        var grads = Unpack(g, parts);
        // Full matrices: keep the first k columns of U and rows of Vh.
        var u = SliceAxis(outputs[0], node.X.Rank - 1, 0, k);
        var gu = SliceAxis(grads[0], node.X.Rank - 1, 0, k);
        var vh = SliceAxis(outputs[2], node.X.Rank - 2, 0, k);
        var gvh = SliceAxis(grads[2], node.X.Rank - 2, 0, k);
        var s = outputs[1];
        var gs = grads[1];
        var sRow = ExpandDims(s, -2);   // S_l along a row
        var sCol = ExpandDims(s, -1);   // S_j down a column
        var s2 = s * s;
        var e = ExpandDims(s2, -2) - ExpandDims(s2, -1) + EyeLike(k, s);
        var uhgu = MatMul(u, gu, transposeA: true);
        var vhgv = MatMul(vh, gvh, transposeB: true);   // V^T gV = Vh gVh^T
        var inner = GradientQuotient((uhgu - MatrixT(uhgu)) * sRow + sCol * (vhgv - MatrixT(vhgv)), e) + Diag(gs);
        Tensor ga;
        if (m > n)
        {
            var guOverS = GradientQuotient(gu, sRow);
            ga = MatMul(MatMul(u, inner) + guOverS - MatMul(u, MatMul(u, guOverS, transposeA: true)), vh);
        }
        else if (m < n)
        {
            var gvhOverS = GradientQuotient(gvh, sCol);
            ga = MatMul(u, MatMul(inner, vh) + gvhOverS - MatMul(MatMul(gvhOverS, vh, transposeB: true), vh));
        }
        else
        {
            ga = MatMul(u, MatMul(inner, vh));
        }
        return [ga];
    };

    // The k x k identity in like's dtype and engine (a constant: no gradient).
    private static Tensor EyeLike(int k, Tensor like)
    {
        using (UseBackend(like.Backend)) return Eye(k, dtype: like.DType);
    }
}
