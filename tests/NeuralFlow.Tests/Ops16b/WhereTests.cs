using NeuralFlow.Backends;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>NF.Where (select and coordinates, issue 16) on every backend: PyTorch fixtures, non-finite branches, broadcasting, errors.</summary>
public abstract class WhereTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Select_and_its_gradients_match_PyTorch()
    {
        RequireBackend();
        foreach (var c in Ops16bFixtures.Where)
        {
            var cond = NF.Constant(c.Cond, c.CondShape);
            var x = NF.Constant(c.X, c.XShape);
            var y = NF.Constant(c.Y, c.YShape);
            using var tape = new GradientTape();
            tape.Watch(x);
            tape.Watch(y);
            var o = NF.Where(cond, x, y);
            var grads = tape.Gradient(NF.ReduceSum(o * NF.Constant(c.W, c.OutShape)), [x, y]);
            string what = $"where {string.Join("x", c.CondShape)} / {string.Join("x", c.XShape)} / {string.Join("x", c.YShape)}";
            Assert.Equal(new Shape(c.OutShape), o.Shape);
            AssertClose(c.Out, o.ToArray<double>(), 0, 0, what);
            AssertClose(c.Dx, grads[0].ToArray<double>(), 1e-14, 1e-15, what + " dx");
            AssertClose(c.Dy, grads[1].ToArray<double>(), 1e-14, 1e-15, what + " dy");
        }
    }

    [SkippableFact]
    public void The_branch_not_taken_never_leaks_inf_or_NaN()
    {
        RequireBackend();
        var c = NF.Constant(new[] { true, false, true, false });
        var x = NF.Constant(new[] { 1f, float.PositiveInfinity, -0f, float.NaN });
        var y = NF.Constant(new[] { float.NaN, 2f, float.NegativeInfinity, -3f });
        using var r = NF.Where(c, x, y);
        var v = r.ToArray<float>();
        Assert.Equal([1f, 2f, 0f, -3f], v);
        Assert.True(float.IsNegative(v[2]), "-0 selected from x stays -0");

        // An infinite upstream gradient reaches only the branch taken: 0 (not inf * 0 = NaN) elsewhere.
        var xd = NF.Constant(new[] { 1.0, 2.0 });
        var yd = NF.Constant(new[] { 3.0, 4.0 });
        var cd = NF.Constant(new[] { true, false });
        using var tape = new GradientTape();
        tape.Watch(xd);
        tape.Watch(yd);
        var loss = NF.ReduceSum(NF.Where(cd, xd, yd) * NF.Constant(new[] { double.PositiveInfinity, 1.0 }));
        var g = tape.Gradient(loss, [xd, yd]);
        Assert.Equal([double.PositiveInfinity, 0], g[0].ToArray<double>());
        Assert.Equal([0, 1.0], g[1].ToArray<double>());
    }

    [SkippableFact]
    public void Broadcasts_scalars_keeps_dtypes_and_handles_empty_tensors()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1f, -2f, 3f }, { -4f, 5f, -6f } });
        using var relu = NF.Where(NF.Greater(x, 0), x, 0);
        Assert.Equal(DType.Float32, relu.DType);
        Assert.Equal([1f, 0, 3, 0, 5, 0], relu.ToArray<float>());
        // A [2, 1] condition against a [3] row and a scalar: [2, 3].
        using var rows = NF.Where(NF.Constant(new[] { true, false }, [2, 1]), NF.Constant(new[] { 1, 2, 3 }), -1);
        Assert.Equal(new Shape(2, 3), rows.Shape);
        Assert.Equal([1, 2, 3, -1, -1, -1], rows.ToArray<int>());
        using var bools = NF.Where(NF.Constant(new[] { true, false }), NF.Constant(new[] { false, false }), NF.Constant(new[] { true, true }));
        Assert.Equal([false, true], bools.ToArray<bool>());
        using var longs = NF.Where(NF.Constant(new[] { false, true }), NF.Constant(new[] { long.MaxValue, 1 }), NF.Constant(new[] { long.MinValue, 2 }));
        Assert.Equal([long.MinValue, 1], longs.ToArray<long>());
        using var empty = NF.Where(NF.Zeros([0, 3], DType.Bool), NF.Zeros([0, 3]), NF.Ones([3]));
        Assert.Equal(new Shape(0, 3), empty.Shape);
    }

    [SkippableFact]
    public void Finite_differences_agree_in_float64()
    {
        RequireBackend();
        var c = NF.Constant(new[] { true, false, false, true, true, false }, [2, 3]);
        GradientTests.Check(t => NF.Where(c, t[0], t[1]), GradientTests.In([2, 3], 31), GradientTests.In([3], 32));
        GradientTests.Check(t => NF.Where(NF.Constant(new[] { true, false }, [2, 1]), t[0] * t[0], NF.Exp(t[1])),
            GradientTests.In([1, 3], 33), GradientTests.In([2, 3], 34));
    }

    [SkippableFact]
    public void Bad_operands_are_named()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f, 2f, 3f });
        var e = Assert.Throws<ArgumentException>(() => NF.Where(NF.Constant(new[] { 1f, 0f, 1f }), x, x));
        Assert.Contains("condition must be bool, got float32", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Where(NF.Constant(new[] { true, false }), x, x));
        Assert.Contains("(2) and (3)", e.Message.Replace(",)", ")"));
        // Branches of two dtypes promote as np.where's (DtypePromotion/PromotionTests checks the values).
        Assert.Equal(DType.Float32, NF.Where(NF.Constant(new[] { true, false, true }), x, NF.Constant(new[] { 1, 2, 3 })).DType);
    }

    [SkippableFact]
    public void Coordinates_of_true_elements_as_tf_where()
    {
        RequireBackend();
        // tf.where([[True, False], [False, True]]) == [[0, 0], [1, 1]] (TensorFlow's tf.where docs)
        using var c = NF.Where(NF.Constant(new[,] { { true, false }, { false, true } }));
        Assert.Equal(DType.Int64, c.DType);
        Assert.Equal(new Shape(2, 2), c.Shape);
        Assert.Equal([0L, 0, 1, 1], c.ToArray<long>());
        // Non-bool: nonzero counts, NaN included (np.argwhere([[0, 1.5, nan], [-0.0, 0, 2]])).
        using var f = NF.Where(NF.Constant(new[] { 0, 1.5, double.NaN, -0.0, 0, 2 }, [2, 3]));
        Assert.Equal([0L, 1, 0, 2, 1, 2], f.ToArray<long>());
        using var none = NF.Where(NF.Zeros([2, 0, 3], DType.Bool));
        Assert.Equal(new Shape(0, 3), none.Shape);
        using var scalar = NF.Where(NF.Constant(true));
        Assert.Equal(new Shape(1, 0), scalar.Shape);
    }

    [SkippableFact]
    public void The_kernel_writes_only_its_output()
    {
        RequireBackend();
        IBackend b = BackendName switch { "managed" => BackendRegistry.Managed, "cpu" => BackendRegistry.NativeCpu!, _ => BackendRegistry.Cuda[0] };
        using var guards = new Sentinels(b);
        // cond broadcast along rows (stride 0), x transposed, y a scalar: out [3, 5] contiguous.
        var shape = new Shape(3, 5);
        nint cond = guards.Output(new byte[] { 1, 0, 1, 1, 0 }, "cond");
        nint x = guards.Output(Enumerable.Range(0, 15).Select(i => (double)i).ToArray(), "x");
        nint y = guards.Output(new[] { -1.0 }, "y");
        nint o = guards.Output(15 * sizeof(double), "out");
        var condLayout = new Layout(shape, [0, 1], 0);
        var xLayout = new Layout(shape, [1, 3], 0);
        var yLayout = new Layout(shape, [0, 0], 0);
        b.Where(DType.Float64, cond, condLayout, x, xLayout, y, yLayout, o, Layout.Contiguous(shape));
        guards.Check("Where");
        var got = guards.Read<double>(o, 15);
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 5; k++)
                Assert.Equal(new[] { 1, 0, 1, 1, 0 }[k] != 0 ? r + 3 * k : -1.0, got[r * 5 + k]);
        var e = Assert.ThrowsAny<ArgumentException>(() => b.Where(DType.Float64, cond, Layout.Contiguous(new Shape(5, 3)), x, xLayout, y, yLayout, o, Layout.Contiguous(shape)));
        Assert.Contains("shape mismatch", e.Message);
    }
}

public sealed class ManagedWhereTests() : WhereTests("managed");

public sealed class NativeCpuWhereTests() : WhereTests("cpu");

public sealed class CudaWhereTests() : WhereTests("cuda");
