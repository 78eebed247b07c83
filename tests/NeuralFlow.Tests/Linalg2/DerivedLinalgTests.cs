using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Linalg2;

/// <summary>
/// NF.VectorNorm, MatrixNorm, Pinv, Lstsq, MatrixRank, MatrixPower, LuFactor and MatrixExp on every
/// engine: torch.linalg / numpy.linalg values (make_references.py beside this file), Keras' norm
/// docstring, float64 central-difference gradients and the clear exceptions.
/// </summary>
public abstract class DerivedLinalgTests(string backend) : BackendTest(backend)
{
    private static double[] V(Tensor t) => t.ToArray<double>();
    private static Tensor A => NF.Constant(DecompositionTests.A);
    private static Tensor S => NF.Constant(DecompositionTests.S);

    [SkippableFact]
    public void Norms_match_torch()
    {
        RequireBackend();
        // torch.linalg.matrix_norm(A, ord)
        (object Ord, double Value)[] matrix = [("fro", 12.529964086141668), ("nuc", 20.6527123091262), (1.0, 15), (-1.0, 10),
            (2.0, 9.660663856145979), (-2.0, 4.2195037091809935), (double.PositiveInfinity, 13), (double.NegativeInfinity, 4)];
        foreach (var (ord, value) in matrix)
        {
            var norm = ord is string s ? NF.MatrixNorm(A, s) : NF.MatrixNorm(A, (double)ord);
            Assert.Equal(Shape.Scalar, norm.Shape);
            Assert.True(Math.Abs(norm.Item<double>() - value) < 1e-12, $"matrix_norm ord {ord}: {norm.Item<double>()} vs {value}");
        }
        // torch.linalg.vector_norm(x, ord), x = [3, -4, 0, 1.5]
        var x = NF.Constant(new double[] { 3, -4, 0, 1.5 });
        (double Ord, double Value)[] vector = [(2, 5.220153254455275), (1, 8.5), (0, 3), (3, 4.552874245617287), (0.5, 24.56982340296115),
            (-1, 0), (double.PositiveInfinity, 4), (double.NegativeInfinity, 0)];
        foreach (var (ord, value) in vector)
            Assert.True(Math.Abs(NF.VectorNorm(x, ord).Item<double>() - value) < 1e-12, $"vector_norm ord {ord}");
        // keras/src/ops/linalg.py, norm's docstring: x = reshape(arange(9) - 4, (3, 3)), norm(x) = 7.7459664 (float32)
        var k = NF.Reshape(NF.Cast(NF.Range(9), DType.Float32) - 4, [3, 3]);
        Assert.Equal(7.7459664f, NF.VectorNorm(k).Item<float>(), 1e-6f);
        Assert.Equal(7.7459664f, NF.MatrixNorm(k).Item<float>(), 1e-6f);
    }

    [SkippableFact]
    public void Norms_over_axes_with_keepdims()
    {
        RequireBackend();
        // A batch [2, 4, 3], and its transpose [4, 2, 3] whose matrices span axes (0, 2): the same norms, placed as keepDims says.
        var batch = NF.Stack([A, 2 * A]);                             // [2, 4, 3]
        var moved = NF.Transpose(batch, [1, 0, 2]);                   // [4, 2, 3]: matrices over axes (0, 2)
        foreach (var ord in new[] { 1.0, -1, 2, -2, double.PositiveInfinity })
        {
            var expected = V(NF.MatrixNorm(batch, ord));
            AssertClose([expected[0], 2 * expected[0]], expected, 1e-12, 1e-12, $"scaling, ord {ord}");
            var kept = NF.MatrixNorm(moved, ord, [0, 2], keepDims: true);
            Assert.Equal(new Shape(1, 2, 1), kept.Shape);
            AssertClose(expected, V(kept), 1e-12, 1e-12, $"axes (0, 2), ord {ord}");
        }
        var nuc = NF.MatrixNorm(moved, "nuc", [2, 0]);
        AssertClose([20.6527123091262, 41.3054246182524], V(nuc), 1e-12, 1e-12);
        var rows = NF.VectorNorm(A, 3, [1], keepDims: true);
        Assert.Equal(new Shape(4, 1), rows.Shape);
        AssertClose([Math.Cbrt(64 + 8 + 1), Math.Cbrt(27 + 216 + 64), Math.Cbrt(8 + 1 + 512), Math.Cbrt(1 + 1 + 8)], V(rows), 1e-12, 1e-12);
    }

    [SkippableFact]
    public void Pinv_lstsq_rank_power_exp_and_lu_match_torch_and_numpy()
    {
        RequireBackend();
        // torch.linalg.pinv(A)
        AssertClose([0.18775831529226533, 0.06901528570491373, 0.0011152660237486252, 0.039690349668700386, -0.11454438102735683, 0.11093616742111127,
            0.07688775175490378, -0.02840648166371448, -0.03727612674670343, -0.029075641277963662, 0.11207767499835984, 0.012176080823984761],
            V(NF.Pinv(A)), 1e-12, 1e-13);
        // numpy.linalg.lstsq(A, b, rcond=None)[0] (overdetermined) and of A.T, b[:3] (underdetermined, minimum norm)
        var b = NF.Constant(new double[,] { { 1, 2 }, { 0, -1 }, { 3, 1 }, { 2, 2 } });
        AssertClose([0.2704848127009119, 0.3869973102407663, 0.05930591090992576, -0.3199501410483502, 0.3233090598963457, 0.09095322443088635],
            V(NF.Lstsq(A, b)), 1e-12, 1e-13);
        AssertClose([0.07592993505215523, 0.4527848848651839, -0.018211638128977164, -0.0019812372892474284, 0.3373482910188284, 0.037420455290953336,
            0.07621859214065477, 0.11996326182510003], V(NF.Lstsq(DecompositionTests.W, b[..3])), 1e-12, 1e-13);
        var xv = NF.Lstsq(A, b[.., 0]);
        Assert.Equal(new Shape(3), xv.Shape);
        AssertClose([0.2704848127009119, 0.05930591090992576, 0.3233090598963457], V(xv), 1e-12, 1e-13);
        // torch.linalg.matrix_rank: R = [[1, 2, 3], [2, 4, 6], [1, 0, 1]] has rank 2, A rank 3; a batch gives [2, 3]
        var r = NF.Constant(new double[,] { { 1, 2, 3 }, { 2, 4, 6 }, { 1, 0, 1 } });
        var ranks = NF.MatrixRank(NF.Stack([r, A[..3]]));
        Assert.Equal(DType.Int32, ranks.DType);
        Assert.Equal([2, 3], ranks.ToArray<int>());
        Assert.Equal(1, NF.MatrixRank(r, tol: 5).Item<int>());
        // torch.linalg.matrix_power(S, 3), (S, -2); power 0 is the identity
        AssertClose([125, 30.25, -126.5, 30.25, 37.75, 3.125, -126.5, 3.125, 182.25], V(NF.MatrixPower(S, 3)), 1e-12, 1e-12);
        AssertClose([0.18488281250000005, -0.13156250000000003, 0.11960937500000002, -0.13156250000000003, 0.19250000000000003, -0.09187500000000003,
            0.11960937500000003, -0.09187500000000003, 0.11203125000000003], V(NF.MatrixPower(S, -2)), 1e-12, 1e-13);
        AssertClose([1, 0, 0, 0, 1, 0, 0, 0, 1], V(NF.MatrixPower(S, 0)), 0, 0);
        // torch.linalg.matrix_exp(S / 4); expm of 0 is I, of a large matrix it squares
        AssertClose([3.164352578522716, 0.5495990676545729, -1.5819346803491172, 0.5495990676545729, 2.1978446765154396, 0.18702925291092792,
            -1.5819346803491172, 0.18702925291092792, 3.9114347782390944], V(NF.MatrixExp(S / 4)), 1e-12, 1e-13);
        AssertClose([1, 0, 0, 1], V(NF.MatrixExp(NF.Zeros(new Shape(2, 2), DType.Float64))), 0, 1e-15);
        AssertClose([Math.Exp(8), 0, 0, Math.Exp(-3)], V(NF.MatrixExp(NF.Constant(new double[,] { { 8, 0 }, { 0, -3 } }))), 1e-12, 1e-15);
        // torch.linalg.lu_factor(S): no swaps (torch's 1-based pivots [1, 2, 3] are Keras' 0-based [0, 1, 2])
        var (lu, piv) = NF.LuFactor(S);
        AssertClose([4, 1, -2, 0.25, 2.75, 1, -0.5, 0.36363636363636365, 3.6363636363636362], V(lu), 1e-12, 1e-14);
        Assert.Equal([0, 1, 2], piv.ToArray<int>());
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.MatrixNorm(t[0], "nuc"), GradientTests.In([2, 4, 3], 11));
        GradientTests.Check(t => NF.MatrixNorm(t[0], 2.0), GradientTests.In([3, 4], 12));
        GradientTests.Check(t => NF.MatrixNorm(t[0], -2.0), GradientTests.In([3, 3], 13));
        GradientTests.Check(t => NF.MatrixNorm(t[0], 1.0, [0, 1], keepDims: true), GradientTests.In([3, 4], 14));
        GradientTests.Check(t => NF.VectorNorm(t[0], 3, [0]), GradientTests.In([3, 4], 15, 0.5, 2));
        GradientTests.Check(t => NF.VectorNorm(t[0], -1.5), GradientTests.In([5], 16, 0.5, 2));
        GradientTests.Check(t => NF.Pinv(t[0]), GradientTests.In([4, 3], 17));
        GradientTests.Check(t => NF.Pinv(t[0]), GradientTests.In([2, 2, 3], 18));
        GradientTests.Check(t => NF.Lstsq(t[0], t[1]), GradientTests.In([4, 3], 19), GradientTests.In([4, 2], 20));
        GradientTests.Check(t => NF.MatrixPower(t[0], 3), GradientTests.In([2, 3, 3], 21));
        GradientTests.Check(t => NF.MatrixPower(t[0], -2), GradientTests.In([3, 3], 22, 1, 3));
        GradientTests.Check(t => NF.MatrixExp(t[0]), GradientTests.In([3, 3], 23));
    }

    [SkippableFact]
    public void Float32_and_bad_input()
    {
        RequireBackend();
        var a32 = NF.Cast(A, DType.Float32);
        Assert.Equal(DType.Float32, NF.Pinv(a32).DType);
        AssertClose(V(NF.Pinv(A)), NF.Pinv(a32).ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6);
        Assert.Equal(9.660663856145979, NF.MatrixNorm(a32, 2.0).Item<float>(), 1e-5);
        var e = Assert.Throws<ArgumentException>(() => NF.MatrixNorm(A, "max"));
        Assert.Contains("ord", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.MatrixNorm(A, 3.0));
        Assert.Contains("ord", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.MatrixNorm(A, "fro", [1, 1]));
        Assert.Contains("distinct", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.MatrixPower(A, 2));
        Assert.Contains("square", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Lstsq(A, NF.Constant(new double[,] { { 1 }, { 2 } })));
        Assert.Contains("rows", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Pinv(NF.Constant(new[,] { { double.NaN, 1 }, { 0, 1 } })));
        Assert.Contains("NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.MatrixExp(NF.Constant(new[,] { { double.PositiveInfinity, 1 }, { 0, 1 } })));
        Assert.Contains("infinity", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.MatrixPower(NF.Constant(new double[,] { { 1, 2 }, { 2, 4 } }), -1));
        Assert.Contains("not invertible", e.Message);
    }
}

public sealed class ManagedDerivedLinalgTests() : DerivedLinalgTests("managed");

public sealed class NativeCpuDerivedLinalgTests() : DerivedLinalgTests("cpu");

public sealed class CudaDerivedLinalgTests() : DerivedLinalgTests("cuda");
