using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyGaps;

/// <summary>
/// NumPy's NaN-ignoring reductions (nansum, nanmean, nanmax, nanmin, nanprod) and median,
/// quantile, percentile ("linear" method) on every engine: the Keras docstrings' matrix
/// (keras/src/ops/numpy.py) with an all-NaN row added, values from numpy_gaps_references.py
/// (/usr/bin/python3), dtypes, float64 finite-difference gradients and argument errors.
/// </summary>
public abstract class NumpyReductionTests(string backend) : BackendTest(backend)
{
    private const double NaN = double.NaN;

    private static Tensor WithNans() => NF.Constant(new[,] { { 1.0, NaN, 3 }, { NaN, 2, 1 }, { NaN, NaN, NaN } });

    private static Tensor Q() => NF.Constant(new[,] { { 7.0, 1, 4, 9 }, { 3, 3, 8, 0 }, { 5, 2, 6, 1 } });

    private static void Check(double all, double[] rows, double[] columnsKept, Func<Tensor, int?, bool, Tensor> f, string what)
    {
        using var x = WithNans();
        AssertClose([all], [f(x, null, false).Item<double>()], 1e-15, 0, what);
        AssertClose(rows, f(x, 1, false).ToArray<double>(), 1e-15, 0, what + " axis 1");
        using var kept = f(x, 0, true);
        Assert.Equal(new Shape(1, 3), kept.Shape);
        AssertClose(columnsKept, kept.ToArray<double>(), 1e-15, 0, what + " axis 0 kept");
    }

    [SkippableFact]
    public void Nan_reductions_ignore_nan_as_numpy()
    {
        RequireBackend();
        // numpy_gaps_references.py "nansum" ... "nanprod"; the first two rows are the Keras docstrings' (nansum 7, [4, 3]).
        Check(7, [4, 3, 0], [1, 2, 4], NF.NanSum, "nansum");
        Check(1.75, [2, 1.5, NaN], [1, 2, 2], NF.NanMean, "nanmean");
        Check(3, [3, 2, NaN], [1, 2, 3], NF.NanMax, "nanmax");
        Check(1, [1, 1, NaN], [1, 2, 1], NF.NanMin, "nanmin");
        Check(6, [3, 2, 1], [1, 2, 3], NF.NanProd, "nanprod");
        using var ints = NF.Constant(new[] { 1, 2, 4 });
        using var mean = NF.NanMean(ints);
        Assert.Equal(DType.Float32, mean.DType);
        Assert.Equal(2.3333333f, mean.Item<float>(), 6);
        Assert.Equal(DType.Int32, NF.NanSum(ints).DType);
        Assert.Equal(4, NF.NanMax(ints).Item<int>());
        using var f32 = NF.NanSum(NF.Constant(new[] { 1f, float.NaN }));
        Assert.Equal(DType.Float32, f32.DType);
        Assert.Equal(1f, f32.Item<float>());
        Assert.Equal(7.0, NF.NanSum(WithNans(), [0, 1]).Item<double>());
    }

    [SkippableFact]
    public void Median_quantile_and_percentile_match_numpy_linear()
    {
        RequireBackend();
        using var q = Q();
        // numpy_gaps_references.py "median", "quantile", "percentile".
        Assert.Equal(3.5, NF.Median(q).Item<double>(), 14);
        AssertClose([5.5, 3, 3.5], NF.Median(q, 1).ToArray<double>(), 1e-15, 0, "median axis 1");
        using var mk = NF.Median(q, 0, keepDims: true);
        Assert.Equal(new Shape(1, 4), mk.Shape);
        AssertClose([5, 2, 6, 1], mk.ToArray<double>(), 1e-15, 0, "median axis 0");
        Assert.Equal(2.3, NF.Quantile(q, 0.3).Item<double>(), 14);
        using var many = NF.Quantile(q, [0.0, 0.25, 0.9, 1.0], 1);
        Assert.Equal(new Shape(4, 3), many.Shape);
        AssertClose([1, 0, 1, 3.25, 2.25, 1.75, 8.4, 6.500000000000001, 5.7, 9, 8, 6], many.ToArray<double>(), 1e-14, 0, "quantiles axis 1");
        Assert.Equal(new Shape(1, 1), NF.Quantile(q, 0.3, keepDims: true).Shape);
        AssertClose([4.6, 1.8, 5.6, 0.8], NF.Percentile(q, 40, 0).ToArray<double>(), 1e-14, 0, "percentile 40");
        using var pi = NF.Percentile(NF.Constant(new[] { 1, 2, 3, 4 }), 50);
        Assert.Equal(DType.Float32, pi.DType);
        Assert.Equal(2.5f, pi.Item<float>());
        // Any NaN in a slice gives NaN, for the low quantiles too.
        AssertClose([NaN, 1], NF.Quantile(NF.Constant(new[,] { { 1.0, NaN, 2 }, { 1, 2, 3 } }), 0.0, 1).ToArray<double>(), 0, 0, "quantile nan");
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        // NaN-free inputs: the finite differences need finite values (the NaN path is a select).
        GradientTests.Check(t => NF.NanSum(t[0], 1) + NF.NanMean(t[0], 1) + NF.NanProd(t[0], 1), GradientTests.In([3, 4], 1));
        GradientTests.Check(t => NF.NanMax(t[0], 0) + NF.NanMin(t[0], 0), GradientTests.In([3, 4], 2));
        GradientTests.Check(t => NF.Median(t[0], 1) + NF.Quantile(t[0], 0.3, 1) + NF.Percentile(t[0], 85, 1), GradientTests.In([3, 5], 3));
        GradientTests.Check(t => NF.Quantile(t[0], [0.1, 0.6]), GradientTests.In([2, 3], 4));
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        using var q = Q();
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Quantile(q, 1.5)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Quantile(q, NaN));
        Assert.Contains("[0, 100]", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Percentile(q, [50, 101])).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NF.Quantile(q, Array.Empty<double>())).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NF.Median(NF.Zeros(new Shape(2, 0)), 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Median(q, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.NanSum(q, 5));
    }
}

public sealed class ManagedNumpyReductionTests() : NumpyReductionTests("managed");

public sealed class NativeCpuNumpyReductionTests() : NumpyReductionTests("cpu");

public sealed class CudaNumpyReductionTests() : NumpyReductionTests("cuda");
