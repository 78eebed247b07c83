namespace NeuralFlow;

// The general real eigendecomposition (keras.ops.linalg.eig, torch.linalg.eig) for matrices
// whose eigenvalues are all real: NF has no complex dtype, so a complex pair is refused.
public static partial class NF
{
    /// <summary>
    /// The eigenvalues [..., n] and unit eigenvectors [..., n, n] (columns) of every real square matrix
    /// of <paramref name="input"/>, A V = V diag(L) (<c>keras.ops.linalg.eig</c>, <c>torch.linalg.eig</c>'s
    /// real part). NF sorts the eigenvalues ascending (LAPACK's order is unspecified) and makes each
    /// eigenvector's largest-magnitude entry positive. A matrix with complex eigenvalues throws: NF has no
    /// complex dtype (use <see cref="Eigh"/> for symmetric matrices, whose eigenvalues are always real).
    /// Repeated eigenvalues of a defective matrix give repeated eigenvectors.
    /// The gradient is torch's linalg_eig_backward: V^-T (diag(gL) + (V^T gV - V^T V diag(V^T gV)) / (L_j - L_i)) V^T,
    /// which needs distinct eigenvalues (where V's gradient is non-zero) and V invertible.
    /// </summary>
    /// <exception cref="ArgumentException">Not float, rank below 2, not square, NaN or infinite values, or a
    /// matrix with complex eigenvalues (naming its batch element).</exception>
    public static (Tensor Eigenvalues, Tensor Eigenvectors) Eig(Tensor input)
    {
        int n = SquareMatrices(nameof(Eig), input, nameof(input));
        int[][] parts = [[n], [n, n]];
        var packed = HostPacked(nameof(Eig), input, parts, a =>
        {
            var result = HostLinalg.Eig(a, n)
                ?? throw new ArgumentException(
                    $"Eig: a matrix of the input (shape {input.Shape}) has complex eigenvalues, and NF has no complex dtype; " +
                    "Eig returns only real spectra (Eigh handles symmetric matrices).", nameof(input));
            return [result.W, result.V];
        });
        packed = Tape.Record(packed, input, EigGradient, parts);
        var outputs = Unpack(packed, parts);
        return (outputs[0], outputs[1]);
    }

    private static readonly GradientRule EigGradient = static (g, node) =>
    {
        var parts = (int[][])node.State!;
        int n = node.X.Shape[-1];
        var outputs = Unpack(StopGradient(node.Output), parts);
        var grads = Unpack(g, parts);
        Tensor l = outputs[0], v = outputs[1], gl = grads[0], gv = grads[1];
        var vhgv = MatMul(v, gv, transposeA: true);
        // The eigenvectors are normalized to unit length: remove the part of gV along that constraint.
        var projected = vhgv - MatMul(v, v, transposeA: true) * ExpandDims(DiagPart(vhgv), -2);
        var e = ExpandDims(l, -2) - ExpandDims(l, -1) + EyeLike(n, l);
        var inner = GradientQuotient(projected, e) * (1.0 - EyeLike(n, l)) + Diag(gl);
        return [Solve(MatrixT(v), MatMul(inner, v, transposeB: true))];
    };
}
