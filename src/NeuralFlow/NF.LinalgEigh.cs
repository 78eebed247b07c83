namespace NeuralFlow;

// Symmetric eigendecomposition (keras.ops.linalg.eigh, tf.linalg.eigh, torch.linalg.eigh and
// eigvalsh), a host cyclic Jacobi iteration (HostLinalg.Eigh).
public static partial class NF
{
    /// <summary>
    /// The eigenvalues [..., n] (ascending) and eigenvectors [..., n, n] (columns) of every symmetric
    /// matrix of <paramref name="input"/> [..., n, n]; only the lower triangle is read (torch's
    /// default UPLO='L'). Signs: each eigenvector's largest-magnitude entry is positive (LAPACK fixes
    /// no sign). The gradient is torch's linalg_eigh backward, V (diag(gL) + skew(V^T gV) / (L_j - L_i)) V^T:
    /// the eigenvectors' part needs distinct eigenvalues (inf or NaN otherwise, as in torch).
    /// </summary>
    /// <exception cref="ArgumentException">Not float, rank below 2, not square, or NaN or infinite values.</exception>
    public static (Tensor Eigenvalues, Tensor Eigenvectors) Eigh(Tensor input)
    {
        int n = SquareMatrices(nameof(Eigh), input, nameof(input));
        int[][] parts = [[n], [n, n]];
        var packed = HostPacked(nameof(Eigh), input, parts, a =>
        {
            var (w, v) = HostLinalg.Eigh(a, n);
            return [w, v];
        });
        packed = Tape.Record(packed, input, EighGradient, parts);
        var outputs = Unpack(packed, parts);
        return (outputs[0], outputs[1]);
    }

    /// <summary>
    /// The eigenvalues [..., n] (ascending) of every symmetric matrix (<c>torch.linalg.eigvalsh</c>), lower
    /// triangle read. Its gradient V diag(gL) V^T needs no distinct eigenvalues.
    /// </summary>
    public static Tensor Eigvalsh(Tensor input)
    {
        int n = SquareMatrices(nameof(Eigvalsh), input, nameof(input));
        int[][] parts = [[n], [n, n]];
        var packed = HostPacked(nameof(Eigvalsh), input, parts, a =>
        {
            var (w, v) = HostLinalg.Eigh(a, n);
            return [w, v];
        });
        Tensor[] outputs;
        using (Tape.Pause()) outputs = Unpack(packed, parts);
        return Tape.Record(outputs[0], input, EigvalshGradient, outputs[1]);
    }

    private static readonly GradientRule EigvalshGradient = static (g, node) =>
    {
        var v = (Tensor)node.State!;
        return [MatMul(v * ExpandDims(g, -2), v, transposeB: true)];
    };

    // torch's linalg_eig_backward, Hermitian case: with E_ij = L_j - L_i (1 on the diagonal),
    // gA = V (diag(gL) + ((V^T gV - gV^T V) / 2) / E) V^T.
    private static readonly GradientRule EighGradient = static (g, node) =>
    {
        var parts = (int[][])node.State!;
        int n = node.X.Shape[-1];
        var outputs = Unpack(StopGradient(node.Output), parts);
        var grads = Unpack(g, parts);
        Tensor l = outputs[0], v = outputs[1], gl = grads[0], gv = grads[1];
        var vhgv = MatMul(v, gv, transposeA: true);
        var skew = 0.5 * (vhgv - MatrixT(vhgv));
        var e = ExpandDims(l, -2) - ExpandDims(l, -1) + EyeLike(n, l);
        var inner = GradientQuotient(skew, e) + Diag(gl);
        return [MatMul(v, MatMul(inner, v, transposeB: true))];
    };
}
