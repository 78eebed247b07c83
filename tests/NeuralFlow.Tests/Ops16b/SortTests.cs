using NeuralFlow.Backends;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>NF.Sort, NF.ArgSort and NF.TopK on every backend: NumPy/PyTorch fixtures, NaN order, ties, k edge cases, gradients, errors.</summary>
public abstract class SortTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Sort_and_ArgSort_match_stable_NumPy_and_the_gradient_PyTorch()
    {
        RequireBackend();
        foreach (var c in Ops16bFixtures.Sort)
        {
            var x = NF.Constant(c.X, c.XShape);
            string dir = c.Descending ? "DESCENDING" : "ASCENDING";
            using var tape = new GradientTape();
            tape.Watch(x);
            var v = NF.Sort(x, c.Axis, dir);
            var dx = tape.Gradient(NF.ReduceSum(v * NF.Constant(c.W, c.XShape)), [x])[0];
            string what = $"sort {string.Join("x", c.XShape)} axis {c.Axis} {dir}";
            AssertClose(c.Values, v.ToArray<double>(), 0, 0, what);
            using var idx = NF.ArgSort(x, c.Axis, dir);
            Assert.Equal(DType.Int32, idx.DType);
            Assert.Equal(c.Indices, idx.ToArray<int>());
            AssertClose(c.Dx, dx.ToArray<double>(), 0, 0, what + " dx");
        }
    }

    [SkippableFact]
    public void TopK_matches_tf_top_k_with_ties_to_the_lower_index()
    {
        RequireBackend();
        foreach (var c in Ops16bFixtures.TopK)
        {
            var x = NF.Constant(c.X, c.XShape);
            using var tape = new GradientTape();
            tape.Watch(x);
            var (values, indices) = NF.TopK(x, c.K);
            var shape = c.XShape.ToArray();
            shape[^1] = c.K;
            var dx = tape.Gradient(NF.ReduceSum(values * NF.Constant(c.W, shape)), [x])[0];
            string what = $"top_k {string.Join("x", c.XShape)} k {c.K}";
            Assert.Equal(new Shape(shape), values.Shape);
            AssertClose(c.Values, values.ToArray<double>(), 0, 0, what);
            Assert.Equal(c.Indices, indices.ToArray<int>());
            AssertClose(c.Dx, dx.ToArray<double>(), 0, 0, what + " dx");
        }
    }

    [SkippableFact]
    public void NaN_inf_and_negative_zero_order_as_NumPy()
    {
        RequireBackend();
        var x = NF.Constant(new[] { float.NaN, 1f, float.NegativeInfinity, 0f, float.NaN, -0f, float.PositiveInfinity });
        // np.argsort([nan, 1, -inf, 0, nan, -0., inf], kind="stable") == [2, 3, 5, 1, 6, 0, 4]
        Assert.Equal([2, 3, 5, 1, 6, 0, 4], NF.ArgSort(x).ToArray<int>());
        var s = NF.Sort(x).ToArray<float>();
        Assert.Equal(float.NegativeInfinity, s[0]);
        Assert.True(float.IsNaN(s[5]) && float.IsNaN(s[6]));
        Assert.False(float.IsNegative(s[1]));   // +0 (index 3) before -0 (index 5): equal, stable
        Assert.True(float.IsNegative(s[2]));
        // Descending: the reverse order with ties in index order, NaN first.
        Assert.Equal([0, 4, 6, 1, 3, 5, 2], NF.ArgSort(x, direction: "DESCENDING").ToArray<int>());
        var (tv, ti) = NF.TopK(x, 3);
        Assert.Equal([0, 4, 6], ti.ToArray<int>());
        Assert.True(float.IsNaN(tv.ToArray<float>()[0]));
        // Integers, bools and lowercase directions.
        Assert.Equal([3, 2, 1], NF.Sort(NF.Constant(new[] { 2, 3, 1 }), direction: "descending").ToArray<int>());
        Assert.Equal([false, true, true], NF.Sort(NF.Constant(new[] { true, false, true })).ToArray<bool>());
    }

    [SkippableFact]
    public void Empty_tensors_k_zero_and_k_equal_n()
    {
        RequireBackend();
        Assert.Equal(new Shape(0, 4), NF.Sort(NF.Zeros([0, 4])).Shape);
        Assert.Equal(new Shape(3, 0), NF.ArgSort(NF.Zeros([3, 0])).Shape);
        var x = NF.Constant(new[,] { { 3.0, 1, 2 }, { 0, 5, 5 } });
        var (v0, i0) = NF.TopK(x, 0);
        Assert.Equal(new Shape(2, 0), v0.Shape);
        Assert.Equal(new Shape(2, 0), i0.Shape);
        var (v3, i3) = NF.TopK(x, 3);
        Assert.Equal([3.0, 2, 1, 5, 5, 0], v3.ToArray<double>());
        Assert.Equal([0, 2, 1, 1, 2, 0], i3.ToArray<int>());
        GradientTests.Check(t => NF.TopK(t[0], 2).Values, GradientTests.In([3, 5], 61));
        GradientTests.Check(t => NF.Sort(t[0] * 3, 0, "DESCENDING"), GradientTests.In([4, 3], 62));
    }

    [SkippableFact]
    public void Bad_arguments_are_named()
    {
        RequireBackend();
        var x = NF.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.TopK(x, 4));
        Assert.Contains("k = 4 must be in [0, 3]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.TopK(x, -1));
        Assert.Contains("neither", Assert.Throws<ArgumentException>(() => NF.Sort(x, direction: "UP")).Message);
        Assert.Contains("axis 2 is out of range", Assert.Throws<ArgumentOutOfRangeException>(() => NF.ArgSort(x, 2)).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Sort(NF.Constant(1f))).Message);
    }

    [SkippableFact]
    public void The_kernels_write_only_their_outputs()
    {
        RequireBackend();
        IBackend b = BackendName switch { "managed" => BackendRegistry.Managed, "cpu" => BackendRegistry.NativeCpu!, _ => BackendRegistry.Cuda[0] };
        using var guards = new Sentinels(b);
        // x read through strides [1, 2] as [2, 3] ([[3, 2, 1], [1, 2, 3]]): lines along axis 1 are strided.
        nint x = guards.Output(new[] { 3.0, 1, 2, 2, 1, 3 }, "x");
        var view = new Layout(new Shape(2, 3), [1, 2], 0);
        nint values = guards.Output(6 * sizeof(double), "values"), indices = guards.Output(6 * sizeof(long), "indices");
        b.Sort(DType.Float64, x, view, 1, false, values, DType.Int64, indices);
        guards.Check("Sort");
        Assert.Equal([1.0, 2, 3, 1, 2, 3], guards.Read<double>(values, 6));
        Assert.Equal([2L, 1, 0, 0, 1, 2], guards.Read<long>(indices, 6));
        nint sums = guards.Output(6 * sizeof(double), "sums");
        b.Scan(ScanOp.Sum, DType.Float64, x, view, 1, true, true, sums);
        guards.Check("Scan");
        Assert.Equal([3.0, 1, 0, 5, 3, 0], guards.Read<double>(sums, 6));
    }
}

public sealed class ManagedSortTests() : SortTests("managed");

public sealed class NativeCpuSortTests() : SortTests("cpu");

public sealed class CudaSortTests() : SortTests("cuda");
