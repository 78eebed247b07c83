using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Linalg2;

/// <summary>
/// NF.Qr, Svd, SingularValues, Eigh and Eigvalsh on every engine: torch.linalg's values (PyTorch
/// 1.13, float64; make_references.py beside this file prints every one), reconstructions and
/// orthogonality, Keras' qr docstring, float64 central-difference gradients of gauge-invariant
/// functions, and the clear exceptions for bad input.
/// </summary>
public abstract class DecompositionTests(string backend) : BackendTest(backend)
{
    // A (4 x 3), its transpose W (3 x 4) and the symmetric S of make_references.py.
    internal static readonly double[,] A = { { 4, -2, 1 }, { 3, 6, -4 }, { 2, 1, 8 }, { 1, -1, 2 } };
    internal static readonly double[,] S = { { 4, 1, -2 }, { 1, 3, 0.5 }, { -2, 0.5, 5 } };
    internal static Tensor W => NF.MatrixTranspose(NF.Constant(A));

    private static double[] V(Tensor t) => t.ToArray<double>();
    private static double[] Abs(Tensor t) => t.ToArray<double>().Select(Math.Abs).ToArray();

    // ||X^T X - I||: the columns of X are orthonormal.
    internal static void Orthonormal(Tensor x, string what)
    {
        int k = x.Shape[-1];
        var gram = NF.MatMul(x, x, transposeA: true);
        using (NF.UseBackend(x.Backend))
            AssertClose(V(NF.BroadcastTo(NF.Eye(k, dtype: DType.Float64), gram.Shape)), V(gram), 0, 1e-12, what);
    }

    [SkippableFact]
    public void Qr_matches_torch_and_reconstructs()
    {
        RequireBackend();
        var a = NF.Constant(A);
        // torch.linalg.qr(A)
        var (q, r) = NF.Qr(a);
        Assert.Equal(new Shape(4, 3), q.Shape);
        Assert.Equal(new Shape(3, 3), r.Shape);
        AssertClose([-0.7302967433402217, 0.5626144080965527, 0.3049222703344308, -0.5477225575051661, -0.7952338268287813, 0.23784151744494852,
            -0.3651483716701107, -0.043278031392042546, -0.9168060658911328, -0.18257418583505536, 0.22179991088421788, -0.09960150189030337], V(q), 1e-12, 1e-13);
        AssertClose([-5.477225575051661, -2.0083160441856083, -1.8257418583505545, 0, -6.161709719442054, 3.840925286043774, 0, 0, -8.180095330355034],
            V(r), 1e-12, 1e-13);
        AssertClose(V(a), V(NF.MatMul(q, r)), 1e-12, 1e-12, "Q R = A");
        Orthonormal(q, "Q^T Q = I");
        // torch.linalg.qr(A, mode="complete"): Q's last column completes the basis
        var (qc, rc) = NF.Qr(a, "complete");
        Assert.Equal(new Shape(4, 4), qc.Shape);
        Assert.Equal(new Shape(4, 3), rc.Shape);
        AssertClose([-0.2390692442011907, 0.10504557699749291, -0.1557572348583515, 0.9526547155289873], V(qc[.., 3]), 1e-12, 1e-13);
        AssertClose([0, 0, 0], V(rc[3]), 0, 1e-13);
        Orthonormal(qc, "complete Q");
        // torch.linalg.qr(A.T): wide, R is 3 x 4
        var (qw, rw) = NF.Qr(W);
        AssertClose([-0.8728715609439694, -0.48469906412048047, 0.05623215571155326, 0.4364357804719848, -0.7239808805850214, 0.5342054792597565,
            -0.2182178902359924, 0.49083449531187895, 0.8434823356732999], V(qw), 1e-12, 1e-13);
        AssertClose([-4.58257569495584, 0.8728715609439699, -3.0550504633038926, -1.7457431218879393, 0, -7.761320457119088, 2.2332969536690492,
            1.2209508070882986, 0, 0, 7.3945284760692624, 1.2089913477983967], V(rw), 1e-12, 1e-13);
    }

    [SkippableFact]
    public void Qr_keras_docstring_float32_and_batches()
    {
        RequireBackend();
        // keras/src/ops/linalg.py, qr's docstring: x = [[1, 2], [3, 4], [5, 6]] (float32)
        var (q, r) = NF.Qr(NF.Constant(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }));
        Assert.Equal(DType.Float32, q.DType);
        AssertClose([-0.16903079, 0.897085, -0.5070925, 0.2760267, -0.8451542, -0.34503305], q.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6);
        Assert.Equal(new Shape(2, 2), r.Shape);
        // A batch [2, 2, 4, 3] factors each matrix as it would alone.
        var batch = NF.Constant(RandomValues(2 * 2 * 4 * 3, 5), [2, 2, 4, 3]);
        var (qb, rb) = NF.Qr(batch);
        Assert.Equal(new Shape(2, 2, 4, 3), qb.Shape);
        AssertClose(V(batch), V(NF.MatMul(qb, rb)), 1e-12, 1e-12, "batched Q R = A");
        var (q1, r1) = NF.Qr(batch[1, 0]);
        AssertClose(V(q1), V(qb[1, 0]), 0, 1e-15);
        AssertClose(V(r1), V(rb[1, 0]), 0, 1e-15);
    }

    [SkippableFact]
    public void Svd_matches_torch_and_reconstructs()
    {
        RequireBackend();
        // torch.linalg.svdvals(A) and of A.T
        double[] sv = [9.660663856145979, 6.772544743799228, 4.2195037091809935];
        var a = NF.Constant(A);
        AssertClose(sv, V(NF.SingularValues(a)), 1e-12, 1e-13);
        AssertClose(sv, V(NF.SingularValues(W)), 1e-12, 1e-13);
        foreach (var full in new[] { true, false })
            foreach (var x in new[] { a, W })
            {
                var (u, s, vh) = NF.Svd(x, full);
                int m = x.Shape[0], n = x.Shape[1], k = 3;
                Assert.Equal(new Shape(m, full ? m : k), u.Shape);
                Assert.Equal(new Shape(full ? n : k, n), vh.Shape);
                AssertClose(sv, V(s), 1e-12, 1e-13);
                var uk = u[.., ..k];
                var vhk = vh[..k];
                AssertClose(V(x), V(NF.MatMul(uk * NF.ExpandDims(s, -2), vhk)), 1e-12, 1e-12, $"U S Vh = A ({m}x{n}, full {full})");
                Orthonormal(u, "U");
                Orthonormal(NF.MatrixTranspose(vh), "V");
                if (m == 4 && !full)
                {
                    // torch.linalg.svd(A, full_matrices=False): |U| and |Vh| (the signs are NF's: largest entry of each U column positive)
                    AssertClose([0.20446745605075856, 0.19397714009899658, 0.929199561457181, 0.5741607633201846, 0.8118161859928201, 0.01610356410606556,
                        0.7561539014503378, 0.5485805032407558, 0.3209834771056485, 0.23825145246387802, 0.04885469008400952, 0.1824786498087716], Abs(u), 1e-12, 1e-13);
                    AssertClose([0.08756611369609488, 0.34531757783020767, 0.9343917519828824, 0.6433878224177797, 0.7357158700911759, 0.21159931110589725,
                        0.7605158023977344, 0.5826473452590868, 0.286596903971185], Abs(vh), 1e-12, 1e-13);
                    for (int j = 0; j < k; j++) Assert.True(V(u[.., j]).MaxBy(Math.Abs) > 0, "sign rule: each U column's largest entry is positive");
                }
            }
    }

    [SkippableFact]
    public void Svd_of_rank_deficient_and_batched_matrices()
    {
        RequireBackend();
        // Rank 1: singular values [sqrt(70), 0], U completed to an orthonormal basis.
        var r1 = NF.Constant(new double[,] { { 1, 2 }, { 2, 4 }, { 3, 6 }, { 0, 0 } });
        var (u, s, vh) = NF.Svd(r1);
        AssertClose([Math.Sqrt(70), 0], V(s), 1e-12, 1e-12);
        Orthonormal(u, "completed U");
        AssertClose(V(r1), V(NF.MatMul(u[.., ..2] * NF.ExpandDims(s, -2), vh)), 1e-12, 1e-12);
        var batch = NF.Constant(RandomValues(3 * 2 * 5, 8), [3, 2, 5]);
        var (ub, sb, vhb) = NF.Svd(batch, fullMatrices: false);
        Assert.Equal(new Shape(3, 2), sb.Shape);
        AssertClose(V(batch), V(NF.MatMul(ub * NF.ExpandDims(sb, -2), vhb)), 1e-12, 1e-12, "batched");
        var zero = NF.Svd(NF.Zeros(new Shape(2, 3), DType.Float64));
        AssertClose([0, 0], V(zero.S), 0, 0);
        Orthonormal(zero.U, "U of the zero matrix");
    }

    [SkippableFact]
    public void Eigh_matches_torch_and_reconstructs()
    {
        RequireBackend();
        var s = NF.Constant(S);
        // torch.linalg.eigh(S)
        double[] ls = [1.5842066930926233, 3.8393364524664824, 6.576456854440895];
        var (l, v) = NF.Eigh(s);
        AssertClose(ls, V(l), 1e-12, 1e-13);
        AssertClose([0.6382426181957054, 0.4453394849537661, 0.6279483286543611, 0.6145469400410327, 0.7860144038136982, 0.06718195802147697,
            0.46365765258959585, 0.42878211266155997, 0.7753499087873775], Abs(v), 1e-12, 1e-13);
        AssertClose(V(s), V(NF.MatMul(v * NF.ExpandDims(l, -2), v, transposeB: true)), 1e-12, 1e-12, "V L V^T = S");
        Orthonormal(v, "V");
        AssertClose(ls, V(NF.Eigvalsh(s)), 1e-12, 1e-13);
        // Only the lower triangle is read (torch's UPLO='L'): garbage above the diagonal changes nothing.
        var upperGarbage = NF.Constant(new double[,] { { 4, 99, -7 }, { 1, 3, 42 }, { -2, 0.5, 5 } });
        AssertClose(ls, V(NF.Eigh(upperGarbage).Eigenvalues), 1e-12, 1e-13);
        // float32 and a batch
        var (l32, _) = NF.Eigh(NF.Cast(s, DType.Float32));
        Assert.Equal(DType.Float32, l32.DType);
        AssertClose(ls, l32.ToArray<float>().Select(x => (double)x).ToArray(), 1e-5, 1e-5);
        var batch = NF.Stack([s, NF.Eye(3, dtype: DType.Float64) * 2]);
        AssertClose([.. ls, 2, 2, 2], V(NF.Eigh(batch).Eigenvalues), 1e-12, 1e-13);
    }

    [SkippableFact]
    public void Eig_of_a_real_spectrum_matches_torch()
    {
        RequireBackend();
        // N of make_references.py, torch.linalg.eig(N): eigenvalues [1.1115635238416335, 4.852709160783384, 3.0357273153749857]
        // (all imaginary parts 0) in LAPACK's order; NF sorts them ascending, |V| columns follow.
        var nm = NF.Constant(new double[,] { { 2, 1.5, 0 }, { 1, 3, 1 }, { 0.25, 1, 4 } });
        var (l, v) = NF.Eig(nm);
        AssertClose([1.1115635238416335, 3.0357273153749857, 4.852709160783384], V(l), 1e-12, 1e-13);
        double[] torchAbsV = [0.8559674581351547, 0.30171869104389115, 0.6417592217728542, 0.5069818081412213, 0.5738104492803198,
            0.44312503725595853, 0.10143548110745003, 0.7613851848909844, 0.6259275538162591];
        int[] order = [0, 2, 1];
        AssertClose(Enumerable.Range(0, 9).Select(i => torchAbsV[i / 3 * 3 + order[i % 3]]).ToArray(), Abs(v), 1e-10, 1e-11);
        AssertClose(V(NF.MatMul(nm, v)), V(v * NF.ExpandDims(l, -2)), 1e-12, 1e-12, "A V = V L");
        // A triangular matrix's eigenvalues are its diagonal; a batch; float32.
        var batch = NF.Stack([nm, NF.Constant(new double[,] { { 5, 2, 1 }, { 0, -1, 3 }, { 0, 0, 2 } })]);
        var (lb, vb) = NF.Eig(batch);
        AssertClose([-1, 2, 5], V(lb[1]), 1e-12, 1e-12);
        AssertClose(V(NF.MatMul(batch, vb)), V(vb * NF.ExpandDims(lb, -2)), 1e-11, 1e-11, "batched A V = V L");
        var (l32, _) = NF.Eig(NF.Cast(nm, DType.Float32));
        Assert.Equal(DType.Float32, l32.DType);
        // A rotation has eigenvalues +-i: refused by name, with its batch element.
        var rotation = NF.Stack([nm, NF.Constant(new double[,] { { 0, -1, 0 }, { 1, 0, 0 }, { 0, 0, 1 } })]);
        var e = Assert.Throws<ArgumentException>(() => NF.Eig(rotation));
        Assert.Contains("complex eigenvalues", e.Message);
        Assert.Contains("[1]", e.Message);
        // Hard cases for a real-shift QR iteration: a cyclic permutation (eigenvalues 1 and exp(+-2 pi i / 3)) stalls
        // without exceptional shifts; a Jordan block is defective; an orthogonal reflection has eigenvalues -1, 1.
        e = Assert.Throws<ArgumentException>(() => NF.Eig(NF.Constant(new double[,] { { 0, 0, 1 }, { 1, 0, 0 }, { 0, 1, 0 } })));
        Assert.Contains("complex eigenvalues", e.Message);
        AssertClose([2, 2], V(NF.Eig(NF.Constant(new double[,] { { 2, 1 }, { 0, 2 } })).Eigenvalues), 0, 1e-12);
        AssertClose([-1, 1, 1], V(NF.Eig(NF.Constant(new double[,] { { 0, 1, 0 }, { 1, 0, 0 }, { 0, 0, 1 } })).Eigenvalues), 0, 1e-12);
        AssertClose([1, 1, 1], V(NF.Eig(NF.Eye(3, dtype: DType.Float64)).Eigenvalues), 0, 0);
        // Random 6 x 6 matrices (real spectra by construction: P diag(d) P^-1): A V = V L to rounding.
        for (int seed = 0; seed < 10; seed++)
        {
            var p = NF.Constant(RandomValues(36, 100 + seed), [6, 6]);
            var d = NF.Constant(RandomValues(6, 200 + seed, -5, 5));
            var x = NF.MatMul(p * NF.ExpandDims(d, -2), NF.MatrixInverse(p));
            var (lx, vx) = NF.Eig(x);
            AssertClose(V(d).Order().ToArray(), V(lx), 1e-8, 1e-8, $"seed {seed} eigenvalues");
            AssertClose(V(NF.MatMul(x, vx)), V(vx * NF.ExpandDims(lx, -2)), 1e-8, 1e-8, $"seed {seed} A V = V L");
        }
        // Random 5 x 5 matrices, most with complex pairs: either a real spectrum with A V = V L, or the complex refusal
        // (never a stalled iteration); their traces are the eigenvalues' sum. numpy.linalg.eigvals agreed on which of
        // these 30 have real spectra (checked once by dumping them; 0 mismatches).
        int real = 0;
        for (int seed = 0; seed < 30; seed++)
        {
            var x = NF.Constant(RandomValues(25, 300 + seed), [5, 5]);
            try
            {
                var (lx, vx) = NF.Eig(x);
                real++;
                AssertClose(V(NF.MatMul(x, vx)), V(vx * NF.ExpandDims(lx, -2)), 1e-8, 1e-8, $"seed {seed}");
                Assert.Equal(NF.Trace(x).Item<double>(), V(lx).Sum(), 1e-10);
            }
            catch (ArgumentException ex)
            {
                Assert.Contains("complex eigenvalues", ex.Message);
            }
        }
        Assert.InRange(real, 1, 29);
        GradientTests.Check(t => NF.Eig(t[0]).Eigenvalues, (V(nm), [3, 3]));
        GradientTests.Check(t => { var (ll, vv) = NF.Eig(t[0]); return NF.Square(vv) * NF.ExpandDims(ll, -2); }, (V(batch), [2, 3, 3]));
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        // QR: smooth with LAPACK's fixed signs, so any function of Q and R; tall, square and wide.
        foreach (var shape in new[] { new[] { 4, 3 }, [3, 3], [2, 3, 5] })
            GradientTests.Check(t => { var (q, r) = NF.Qr(t[0]); return NF.ReduceSum(q * q * q) + NF.ReduceSum(NF.Sin(r)); }, GradientTests.In(shape, 3));
        GradientTests.Check(t => NF.Qr(t[0]).R, GradientTests.In([4, 3], 4));
        // SVD: singular values, and U, Vh through sign-invariant products (|u_i v_j| pairs).
        foreach (var shape in new[] { new[] { 4, 3 }, [3, 3], [3, 5], [2, 3, 2] })
        {
            GradientTests.Check(t => NF.SingularValues(t[0]), GradientTests.In(shape, 5));
            GradientTests.Check(t => { var (u, s, _) = NF.Svd(t[0], fullMatrices: false); return NF.Square(u) * NF.ExpandDims(s, -2); }, GradientTests.In(shape, 6));
            GradientTests.Check(t => NF.Square(NF.Svd(t[0], fullMatrices: false).Vh), GradientTests.In(shape, 7));
        }
        // eigh of (X + X^T) / 2: eigenvalues, and eigenvectors through V^2 (sign-invariant).
        GradientTests.Check(t => NF.Eigvalsh(0.5 * (t[0] + NF.MatrixTranspose(t[0]))), GradientTests.In([3, 3], 7));
        GradientTests.Check(t =>
        {
            var (l, v) = NF.Eigh(0.5 * (t[0] + NF.MatrixTranspose(t[0])));
            return NF.Square(v) * NF.ExpandDims(l, -2);
        }, GradientTests.In([2, 4, 4], 8));
    }

    [SkippableFact]
    public void Empty_matrices_and_NF_Function()
    {
        RequireBackend();
        var (q, r) = NF.Qr(NF.Zeros(new Shape(0, 3, 3), DType.Float64));
        Assert.Equal(new Shape(0, 3, 3), q.Shape);
        var (u, s, vh) = NF.Svd(NF.Zeros(new Shape(3, 0), DType.Float64));
        Assert.Equal(new Shape(3, 3), u.Shape);
        Assert.Equal(new Shape(0), s.Shape);
        Assert.Equal(new Shape(0, 0), vh.Shape);
        Assert.Equal(new Shape(2, 0), NF.Eigh(NF.Zeros(new Shape(2, 0, 0), DType.Float64)).Eigenvalues.Shape);
        // The factorizations run on the host as one recorded host call, so a function using them replays with each call's values.
        var f = NF.Function((Tensor x) => NF.Qr(x).R + NF.ExpandDims(NF.SingularValues(x), -1));
        for (int k = 1; k <= 3; k++)
        {
            var x = NF.Constant(A) * k;
            Assert.Equal(V(NF.Qr(x).R + NF.ExpandDims(NF.SingularValues(x), -1)), V(f(x)));
        }
        var info = TracedFunction.Of(f);
        Assert.True(info.LastCallReplayed, info.EagerReason);
    }

    [SkippableFact]
    public void Bad_input_is_refused_by_name()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => NF.Eigh(NF.Constant(A)));
        Assert.Contains("square", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Qr(NF.Constant(new double[] { 1, 2 })));
        Assert.Contains("rank >= 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Svd(NF.Constant(new[,] { { 1.0, double.NaN }, { 0, 1 } })));
        Assert.Contains("NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Eigh(NF.Constant(new double[,,] { { { 1, 0 }, { 0, 1 } }, { { 1, 0 }, { double.PositiveInfinity, 1 } } })));
        Assert.Contains("[1]", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Qr(NF.Constant(A), "r"));
        Assert.Contains("mode", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.SingularValues(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } })));
        Assert.Contains("float32 or float64", e.Message);
        // complete QR of a tall matrix has no gradient (Q's extra columns are not unique), as in torch.
        var x = NF.Constant(A);
        using var tape = new GradientTape();
        tape.Watch(x);
        var loss = NF.ReduceSum(NF.Qr(x, "complete").Q);
        Assert.Throws<NotSupportedException>(() => tape.Gradient(loss, [x]));
    }
}

public sealed class ManagedDecompositionTests() : DecompositionTests("managed");

public sealed class NativeCpuDecompositionTests() : DecompositionTests("cpu");

public sealed class CudaDecompositionTests() : DecompositionTests("cuda");
