using Xunit.Abstractions;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Dense linear algebra (NF.Solve, MatrixInverse, Det, Slogdet, Cholesky, TriangularSolve,
/// CholeskySolve) on every engine. Reference values come from torch.linalg (PyTorch 1.13, float64)
/// on the fixed matrices below; gradients are checked by float64 central differences and, for
/// inv, det and Cholesky, against torch's autograd.
/// </summary>
public abstract class LinalgTests(string backend, ITestOutputHelper output) : BackendTest(backend)
{
    private static readonly double[,] A = { { 4, -2, 1 }, { 3, 6, -4 }, { 2, 1, 8 } };
    private static readonly double[,] B = { { 1, 2 }, { 0, -1 }, { 3, 1 } };
    private static readonly double[,] Spd = { { 4, 2, 0.4 }, { 2, 5, 1 }, { 0.4, 1, 3 } };
    private static readonly double[,] Lower = { { 2, 0, 0 }, { 1, -3, 0 }, { 0.5, 2, 4 } };
    // Element 1 needs a row swap (det -1); element 2 is singular.
    private static readonly double[,,] Batch = { { { 2, 1 }, { 1, 3 } }, { { 0, 1 }, { 1, 0 } }, { { 1, 2 }, { 2, 4 } } };

    private static double[] Values(Tensor t) => t.ToArray<double>();
    private static Tensor C(double[,] v) => NF.Constant(v);

    [SkippableFact]
    public void Values_match_torch_linalg()
    {
        RequireBackend();
        // torch.linalg.inv(A), det(A), solve(A, B), solve(A, b) for b = [1, 2, 3]
        AssertClose([0.1977186311787072, 0.06463878326996197, 0.007604562737642585, -0.12167300380228138, 0.11406844106463879,
            0.07224334600760457, -0.034220532319391636, -0.030418250950570346, 0.1140684410646388], Values(NF.MatrixInverse(C(A))), 1e-12, 1e-14);
        Assert.Equal(263.0, NF.Det(C(A)).Item<double>(), 1e-10);
        AssertClose([0.22053231939163498, 0.33840304182509506, 0.09505703422053235, -0.28517110266159695, 0.3079847908745248,
            0.07604562737642587], Values(NF.Solve(C(A), C(B))), 1e-12, 1e-14);
        var x = NF.Solve(C(A), NF.Constant(new double[] { 1, 2, 3 }));
        Assert.Equal(new Shape(3), x.Shape);
        AssertClose([0.34980988593155893, 0.3231939163498099, 0.2471482889733841], Values(x), 1e-12, 1e-14);
        // torch.linalg.cholesky(Spd), torch.cholesky_solve(B, L)
        var l = NF.Cholesky(C(Spd));
        AssertClose([2, 0, 0, 1, 2, 0, 0.2, 0.4, 1.6733200530681511], Values(l), 1e-12, 1e-14);
        AssertClose([0.3125, 0.75, -0.33928571428571425, -0.5857142857142857, 1.0714285714285712, 0.4285714285714285],
            Values(NF.CholeskySolve(l, C(B))), 1e-12, 1e-14);
        // torch.linalg.solve_triangular(T, B, upper=False), (T.T, upper=True), unitriangular=True
        AssertClose([0.5, 1, 0.16666666666666666, 0.6666666666666666, 0.6041666666666667, -0.20833333333333331],
            Values(NF.TriangularSolve(C(Lower), C(B))), 1e-12, 1e-14);
        AssertClose([0.0625, 0.6875, 0.5, 0.5, 0.75, 0.25], Values(NF.TriangularSolve(C(Lower), C(B), adjoint: true)), 1e-12, 1e-14);
        AssertClose([1, 2, -1, -3, 4.5, 6], Values(NF.TriangularSolve(C(Lower), C(B), unitDiagonal: true)), 1e-12, 1e-14);
        // lower: false reads the upper triangle only: torch.linalg.solve_triangular(triu(U), B, upper=True)
        var u = C(new double[,] { { 2, 1, -1 }, { 9, 3, 2 }, { 9, 9, 5 } });
        AssertClose([1, 1.3333333333333335, -0.4, -0.4666666666666666, 0.6000000000000001, 0.2],
            Values(NF.TriangularSolve(u, C(B), lower: false)), 1e-12, 1e-14);
    }

    [SkippableFact]
    public void Float32_matches_torch_within_float_rounding()
    {
        RequireBackend();
        var a = NF.Cast(C(A), DType.Float32);
        var inv = NF.MatrixInverse(a);
        Assert.Equal(DType.Float32, inv.DType);
        AssertClose([0.1977186311787072, 0.06463878326996197, 0.007604562737642585, -0.12167300380228138, 0.11406844106463879,
            0.07224334600760457, -0.034220532319391636, -0.030418250950570346, 0.1140684410646388],
            inv.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6);
        Assert.Equal(263.0, NF.Det(a).Item<float>(), 1e-3);
    }

    [SkippableFact]
    public void Batched_det_slogdet_and_inverse_match_torch()
    {
        RequireBackend();
        var batch = NF.Constant(Batch);
        // torch.linalg.det: [5, -1, -0]; slogdet: sign [1, -1, -0], logabsdet [log 5, 0, -inf]
        AssertClose([5, -1, 0], Values(NF.Det(batch)), 1e-12, 1e-14);
        var (sign, logAbs) = NF.Slogdet(batch);
        AssertClose([1, -1, 0], Values(sign), 0, 0);
        var logs = Values(logAbs);
        AssertClose([1.6094379124341005, 0], logs[..2], 1e-12, 1e-14);
        Assert.Equal(double.NegativeInfinity, logs[2]);
        // torch.linalg.inv of the first two
        var firstTwo = NF.Constant(new double[,,] { { { 2, 1 }, { 1, 3 } }, { { 0, 1 }, { 1, 0 } } });
        AssertClose([0.6, -0.2, -0.2, 0.4, 0, 1, 1, 0], Values(NF.MatrixInverse(firstTwo)), 1e-12, 1e-14);
        // A transposed view is read through its strides: inv(A^T) = inv(A)^T.
        AssertClose(Values(NF.Transpose(NF.MatrixInverse(C(A)))), Values(NF.MatrixInverse(NF.Transpose(C(A)))), 1e-12, 1e-14);
    }

    [SkippableFact]
    public void Solve_broadcasts_batch_axes_as_torch()
    {
        RequireBackend();
        // torch.linalg.solve(A [3, 3], B [2, 3, 1]) broadcasts A over B's batch.
        var b = NF.Constant(new double[,,] { { { 1 }, { 2 }, { 3 } }, { { 0 }, { 1 }, { 0 } } });
        var x = NF.Solve(C(A), b);
        Assert.Equal(new Shape(2, 3, 1), x.Shape);
        AssertClose([0.34980988593155893, 0.3231939163498099, 0.2471482889733841, 0.06463878326996197, 0.11406844106463879,
            -0.030418250950570346], Values(x), 1e-12, 1e-14);
        // And a batch of A against one B: A X = B per matrix.
        var a2 = NF.Stack([C(A), NF.Transpose(C(A))]);
        var x2 = NF.Solve(a2, C(B));
        Assert.Equal(new Shape(2, 3, 2), x2.Shape);
        AssertClose(Values(NF.MatMul(a2, x2)), Values(NF.Stack([C(B), C(B)])), 1e-12, 1e-12);
        // A batch of vectors b [..., n] with a batch of A: the vector rule (b's shape is a's without the last axis).
        var xv = NF.Solve(a2, NF.Constant(new double[,] { { 1, 2, 3 }, { 1, 2, 3 } }));
        Assert.Equal(new Shape(2, 3), xv.Shape);
        AssertClose([0.34980988593155893, 0.3231939163498099, 0.2471482889733841], Values(xv)[..3], 1e-12, 1e-14);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        // Shifted by 5 I so that every random matrix is comfortably invertible (and, for Cholesky,
        // X X^T + 3 I positive definite).
        Tensor Shift(Tensor t, double s) => t + s * NF.Eye(t.Shape[-1], dtype: DType.Float64);
        GradientTests.Check(t => NF.MatrixInverse(Shift(t[0], 5)), GradientTests.In([3, 3], 701));
        GradientTests.Check(t => NF.MatrixInverse(Shift(t[0], 5)), GradientTests.In([2, 3, 3], 702));
        GradientTests.Check(t => NF.Det(Shift(t[0], 5)), GradientTests.In([2, 3, 3], 703));
        GradientTests.Check(t => NF.Slogdet(Shift(t[0], 5)).LogAbsDet, GradientTests.In([3, 3], 704));
        GradientTests.Check(t => NF.Slogdet(t[0] - 5 * NF.Eye(3, dtype: DType.Float64)).LogAbsDet, GradientTests.In([3, 3], 705));
        GradientTests.Check(t => NF.Solve(Shift(t[0], 5), t[1]), GradientTests.In([3, 3], 706), GradientTests.In([3, 2], 707));
        GradientTests.Check(t => NF.Solve(Shift(t[0], 5), t[1]), GradientTests.In([3, 3], 708), GradientTests.In([2, 3, 2], 709));
        GradientTests.Check(t => NF.Solve(Shift(t[0], 5), t[1]), GradientTests.In([2, 3, 3], 710), GradientTests.In([3], 711));
        GradientTests.Check(t => NF.Cholesky(Shift(NF.MatMul(t[0], t[0], transposeB: true), 3)), GradientTests.In([2, 3, 3], 712));
        GradientTests.Check(t => NF.TriangularSolve(Shift(t[0], 5), t[1]), GradientTests.In([3, 3], 713), GradientTests.In([3, 2], 714));
        GradientTests.Check(t => NF.TriangularSolve(Shift(t[0], 5), t[1], lower: false, adjoint: true),
            GradientTests.In([2, 3, 3], 715), GradientTests.In([3, 2], 716));
        GradientTests.Check(t => NF.TriangularSolve(t[0], t[1], unitDiagonal: true), GradientTests.In([3, 3], 717), GradientTests.In([3, 1], 718));
        GradientTests.Check(t => NF.CholeskySolve(Shift(NF.Tril(t[0]), 5), t[1]), GradientTests.In([3, 3], 719), GradientTests.In([3, 2], 720));
    }

    [SkippableFact]
    public void Gradients_match_torch_autograd()
    {
        RequireBackend();
        var w = NF.Reshape(NF.Range(1.0, 10.0, 1.0, dtype: DType.Float64) / 10, [3, 3]);
        double[] Grad(Func<Tensor, Tensor> f, double[,] at)
        {
            var x = C(at);
            using var tape = new GradientTape();
            tape.Watch(x);
            var y = f(x);
            var loss = NF.ReduceSum(y.Rank == 0 ? y : y * w);
            return Values(tape.Gradient(loss, [x])[0]);
        }
        // S.grad after (torch.linalg.cholesky(S) * W).sum().backward(): symmetric, as torch's.
        AssertClose([-0.0012499999999999942, 0.03750000000000001, 0.07499999999999996, 0.037500000000000006, 0.09575705748400953,
            0.1462147125799523, 0.07499999999999994, 0.1462147125799523, 0.26892643710023856], Grad(NF.Cholesky, Spd), 1e-10, 1e-12);
        AssertClose([0.013933987769087308, 0.0023348609926412134, 0.0017854819355491633, -0.009498474750249388, -0.005824863739536497,
            -0.00445430756552791, -0.031110757709378475, -0.012092122193468174, -0.009246916971475663], Grad(NF.MatrixInverse, A), 1e-10, 1e-12);
        AssertClose([52, -32, -9, 17, 30, -8, 2, 19, 30], Grad(NF.Det, A), 1e-10, 1e-10);
    }

    [SkippableFact]
    public void Singular_and_not_positive_definite_inputs_raise_naming_the_matrix()
    {
        RequireBackend();
        var batch = NF.Constant(Batch);
        var e = Assert.Throws<ArgumentException>(() => NF.MatrixInverse(batch));
        output.WriteLine(e.Message);
        Assert.Contains("MatrixInverse: the input is not invertible", e.Message);
        Assert.Contains("batch element 2 of 3", e.Message);
        var s = Assert.Throws<ArgumentException>(() => NF.Solve(NF.Constant(new double[,] { { 1, 2 }, { 2, 4 } }), NF.Ones([2, 1], DType.Float64)));
        Assert.Contains("Solve: the input is not invertible", s.Message);
        // torch: "the leading minor of order 2 is not positive-definite"
        var c = Assert.Throws<ArgumentException>(() => NF.Cholesky(NF.Constant(new double[,] { { 1, 2 }, { 2, 1 } })));
        output.WriteLine(c.Message);
        Assert.Contains("Cholesky: the input is not positive definite", c.Message);
        Assert.Contains("leading minor of order 2", c.Message);
        // det of a singular matrix is 0, not an error (TensorFlow and PyTorch alike).
        Assert.Equal(0.0, NF.Det(NF.Constant(new double[,] { { 1, 2 }, { 2, 4 } })).Item<double>());
    }

    [SkippableFact]
    public void Bad_arguments_are_named()
    {
        RequireBackend();
        var ex = Assert.Throws<ArgumentException>(() => NF.MatrixInverse(NF.Ones([2, 3], DType.Float64)));
        Assert.Contains("square", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("rank >= 2", Assert.Throws<ArgumentException>(() => NF.Det(NF.Ones([3], DType.Float64))).Message);
        Assert.Contains("int32", Assert.Throws<ArgumentException>(() => NF.Cholesky(NF.Ones([2, 2], DType.Int32))).Message);
        Assert.Contains("needs 3 rows", Assert.Throws<ArgumentException>(() => NF.Solve(C(A), NF.Ones([2, 1], DType.Float64))).Message);
        Assert.Contains("float64", Assert.Throws<ArgumentException>(() => NF.Solve(C(A), NF.Ones([3, 1]))).Message);
        Assert.ThrowsAny<ArgumentException>(() => NF.Solve(NF.Ones([2, 3, 3], DType.Float64), NF.Ones([4, 3, 1], DType.Float64)));
        Assert.Contains("needs 3 rows", Assert.Throws<ArgumentException>(() => NF.TriangularSolve(C(Lower), NF.Ones([4, 2], DType.Float64))).Message);
        Assert.Contains("rank >= 2", Assert.Throws<ArgumentException>(() => NF.TriangularSolve(C(Lower), NF.Ones([3], DType.Float64))).Message);
    }

    [SkippableFact]
    public void Empty_matrices_and_batches_follow_torch()
    {
        RequireBackend();
        // torch: det(zeros(0, 0)) = 1; inv(zeros(2, 0, 0)).shape = (2, 0, 0); det(zeros(0, 3, 3)).shape = (0,);
        // solve(zeros(0, 0), zeros(0, 2)).shape = (0, 2); cholesky(zeros(2, 0, 0)).shape = (2, 0, 0)
        Assert.Equal(1.0, NF.Det(NF.Zeros([0, 0], DType.Float64)).Item<double>());
        Assert.Equal(new Shape(2, 0, 0), NF.MatrixInverse(NF.Zeros([2, 0, 0], DType.Float64)).Shape);
        Assert.Equal(new Shape(0), NF.Det(NF.Zeros([0, 3, 3], DType.Float64)).Shape);
        Assert.Equal(new Shape(0, 2), NF.Solve(NF.Zeros([0, 0], DType.Float64), NF.Zeros([0, 2], DType.Float64)).Shape);
        Assert.Equal(new Shape(2, 0, 0), NF.Cholesky(NF.Zeros([2, 0, 0], DType.Float64)).Shape);
    }

    [SkippableFact]
    public void NF_Function_replay_equals_eager_and_still_checks()
    {
        RequireBackend();
        Tensor Body(Tensor a, Tensor b) =>
            NF.Solve(a, b) + NF.ExpandDims(NF.ExpandDims(NF.Det(a), -1), -1) + NF.CholeskySolve(NF.Cholesky(NF.MatMul(a, a, transposeB: true)), b);
        var f = NF.Function((Tensor a, Tensor b) => Body(a, b));
        for (int k = 0; k < 3; k++)
        {
            var a = NF.Constant(new double[,,] { { { 4, -2, 1 }, { 3, 6 + k, -4 }, { 2, 1, 8 } }, { { 1, 2, 0 }, { 0, 1, k }, { 3, 0, 1 } } });
            var b = C(B) * (k + 1);
            Assert.Equal(Values(Body(a, b)), Values(f(a, b)));
        }
        var info = TracedFunction.Of(f);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        // The replayed LU still refuses a singular matrix (the check is the kernel's).
        var singular = NF.Constant(new double[,,] { { { 1, 2, 3 }, { 2, 4, 6 }, { 0, 0, 1 } }, { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } } });
        var e = Assert.ThrowsAny<ArgumentException>(() => Values(f(singular, C(B))));
        Assert.Contains("batch element 0 of 2", e.Message);
    }
}

public sealed class ManagedLinalgTests(ITestOutputHelper output) : LinalgTests("managed", output);

public sealed class NativeCpuLinalgTests(ITestOutputHelper output) : LinalgTests("cpu", output);

public sealed class CudaLinalgTests(ITestOutputHelper output) : LinalgTests("cuda", output);
