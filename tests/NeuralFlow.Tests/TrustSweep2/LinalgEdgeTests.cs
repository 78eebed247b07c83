namespace NeuralFlow.Tests.TrustSweep2;

/// <summary>
/// A user-style sweep of the new linear algebra at its edges, on every engine: empty matrices,
/// singular and non-symmetric input, NaN, and the messages a user reads when a call cannot work.
/// Each reference names the torch 1.13 / NumPy call that printed it (/usr/bin/python3).
/// </summary>
public abstract class LinalgEdgeTests(string backend) : BackendTest(backend)
{
    private static Tensor D(double[] values, params int[] shape) => NF.Constant(values, new Shape(shape));

    // Before: MatrixRank of an empty matrix threw "ReduceMax: axis 0 of x with shape (0,) is empty"
    // (the tolerance scaled the largest of no singular values). torch.linalg.matrix_rank(torch.zeros(0, 0))
    // -> tensor(0); torch.zeros(2, 0, 0) -> tensor([0, 0]); torch.zeros(3, 0) -> tensor(0).
    [SkippableFact]
    public void MatrixRank_of_empty_matrices_is_zero()
    {
        RequireBackend();
        var square = NF.MatrixRank(NF.Zeros(new Shape(0, 0)));
        Assert.Equal(Shape.Scalar, square.Shape);
        Assert.Equal(DType.Int32, square.DType);
        Assert.Equal(new[] { 0 }, square.ToArray<int>());
        Assert.Equal(new[] { 0, 0 }, NF.MatrixRank(NF.Zeros(new Shape(2, 0, 0), DType.Float64)).ToArray<int>());
        Assert.Equal(new[] { 0 }, NF.MatrixRank(NF.Zeros(new Shape(3, 0)), tol: 0.5).ToArray<int>());
    }

    // Pinned: np.linalg.matrix_rank of the 8 x 8 Hilbert matrix (condition ~1.5e10) is 8; of
    // [[1, 2], [2, 4]] is 1; of zeros((3, 3)) is 0.
    [SkippableFact]
    public void MatrixRank_of_ill_conditioned_and_singular_matrices_matches_numpy()
    {
        RequireBackend();
        var hilbert = new double[64];
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) hilbert[i * 8 + j] = 1.0 / (i + j + 1);
        Assert.Equal(new[] { 8 }, NF.MatrixRank(D(hilbert, 8, 8)).ToArray<int>());
        Assert.Equal(new[] { 1 }, NF.MatrixRank(D([1, 2, 2, 4], 2, 2)).ToArray<int>());
        Assert.Equal(new[] { 0 }, NF.MatrixRank(NF.Zeros(new Shape(3, 3))).ToArray<int>());
    }

    // Before: "Eig: ... has complex eigenvalues ... (Parameter 'input') (matrix []) (Parameter 'input')":
    // the per-matrix wrapper appended the inner exception's whole Message (parameter suffix
    // included) and an empty batch index. numpy.linalg.eig([[0, -1], [1, 0]]) gives +-1j.
    [SkippableFact]
    public void Eig_of_a_rotation_names_complex_eigenvalues_once()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => NF.Eig(D([0, -1, 1, 0], 2, 2)));
        Assert.Contains("complex eigenvalues", e.Message);
        Assert.Equal(1, CountOf(e.Message, "(Parameter"));
        Assert.DoesNotContain("[]", e.Message);
        Assert.Equal("input", e.ParamName);
        // A batch names the offending matrix, still with one parameter suffix.
        var batched = Assert.Throws<ArgumentException>(() => NF.Eig(D([1, 0, 0, 2, 0, -1, 1, 0], 2, 2, 2)));
        Assert.Contains("(in matrix [1])", batched.Message);
        Assert.Equal(1, CountOf(batched.Message, "(Parameter"));
    }

    // Before: "Svd: the input holds NaN (matrix [] of shape (2, 2))", an empty index for a single matrix.
    [SkippableFact]
    public void Factorizations_of_NaN_name_the_value_and_shape_without_an_empty_index()
    {
        RequireBackend();
        foreach (Action call in new Action[] {
            () => NF.Svd(D([1, double.NaN, 2, 3], 2, 2)), () => NF.Qr(D([1, double.NaN, 2, 3], 2, 2)),
            () => NF.Eigvalsh(D([1, double.NaN, double.NaN, 3], 2, 2)), () => NF.Pinv(D([1, double.NaN, 2, 3], 2, 2)) })
        {
            var e = Assert.Throws<ArgumentException>(call);
            Assert.Contains("holds NaN", e.Message);
            Assert.Contains("(2, 2)", e.Message);
            Assert.DoesNotContain("[]", e.Message);
        }
        var batched = Assert.Throws<ArgumentException>(() => NF.SingularValues(D([1, 0, 0, 1, 1, double.PositiveInfinity, 0, 1], 2, 2, 2)));
        Assert.Contains("(in matrix [1])", batched.Message);
    }

    // Before: VectorNorm(empty, inf) threw from ReduceMax, an op the user never called.
    // torch.linalg.vector_norm(torch.zeros(0), float('inf')) raises "cannot compute the inf norm
    // on an empty tensor"; the 2-norm of nothing is 0 (torch and numpy).
    [SkippableFact]
    public void VectorNorm_inf_of_an_empty_axis_says_so_and_the_two_norm_is_zero()
    {
        RequireBackend();
        foreach (var ord in new[] { double.PositiveInfinity, double.NegativeInfinity })
        {
            var e = Assert.Throws<ArgumentException>(() => NF.VectorNorm(NF.Zeros(new Shape(0)), ord));
            Assert.StartsWith("VectorNorm:", e.Message);
        }
        Assert.Throws<ArgumentException>(() => NF.VectorNorm(NF.Zeros(new Shape(2, 0)), double.PositiveInfinity, [1]));
        // Reducing a non-empty axis of a tensor with an empty other axis is fine: shape [0].
        Assert.Equal(new Shape(0), NF.VectorNorm(NF.Zeros(new Shape(0, 3)), double.PositiveInfinity, [1]).Shape);
        Assert.Equal(new[] { 0f }, NF.VectorNorm(NF.Zeros(new Shape(0))).ToArray<float>());
    }

    // Pinned edges, each against torch 1.13 / numpy:
    // np.linalg.eigh([[1, 2], [3, 4]]) reads the lower triangle: [-0.854102, 5.854102];
    // np.linalg.pinv([[1, 2], [2, 4]]) = [[0.04, 0.08], [0.08, 0.16]]; np.linalg.pinv(zeros((2, 3))) = zeros((3, 2));
    // torch.linalg.matrix_exp(torch.tensor([[1., 2], [-1, 3]])) = [[-2.2254, 12.4354], [-6.2177, 10.2100]].
    [SkippableFact]
    public void Singular_non_symmetric_and_zero_matrices_match_numpy()
    {
        RequireBackend();
        Reference.AssertClose([-0.8541019662496845, 5.854101966249685], NF.Eigvalsh(D([1, 2, 3, 4], 2, 2)).ToArray<double>(), 1e-12, 1e-12, "eigh lower");
        Reference.AssertClose([0.04, 0.08, 0.08, 0.16], NF.Pinv(D([1, 2, 2, 4], 2, 2)).ToArray<double>(), 1e-12, 1e-12, "pinv singular");
        Assert.All(NF.Pinv(NF.Zeros(new Shape(2, 3), DType.Float64)).ToArray<double>(), v => Assert.Equal(0, v));
        Reference.AssertClose([-2.2254, 12.4354, -6.2177, 10.2100],
            NF.MatrixExp(NF.Constant(new float[,] { { 1, 2 }, { -1, 3 } })).ToArray<float>().Select(v => (double)v).ToArray(), 1e-4, 1e-4, "expm");
        var e = Assert.Throws<ArgumentException>(() => NF.MatrixPower(D([1, 2, 2, 4], 2, 2), -1));
        Assert.Contains("not invertible", e.Message);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}

public sealed class ManagedLinalgEdgeTests() : LinalgEdgeTests("managed");
public sealed class NativeCpuLinalgEdgeTests() : LinalgEdgeTests("cpu");
public sealed class CudaLinalgEdgeTests() : LinalgEdgeTests("cuda");
