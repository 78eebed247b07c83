using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyMath;

/// <summary>
/// NumPy's NaN-ignoring statistics (nancumsum, nancumprod, nanvar, nanstd, nanmedian,
/// nanquantile, nanpercentile, nanargmax, nanargmin) on every engine: NumPy's values on a matrix
/// with a NaN-free, a partly NaN and an all-NaN row (numpy_math_references.py beside this file),
/// torch.nanquantile's gradient, float64 finite differences and the exceptions.
/// </summary>
public abstract class NanStatisticsTests(string backend) : BackendTest(backend)
{
    private const double NaN = double.NaN, Inf = double.PositiveInfinity;

    // numpy_math_references.py's m.
    private static Tensor M() => NF.Constant(new[,] { { 1.0, NaN, 3, 4 }, { NaN, NaN, NaN, NaN }, { 2, 8, NaN, -1 } });

    // The same without the all-NaN row (nanargmax refuses it).
    private static Tensor Rows() => NF.Constant(new[,] { { 1.0, NaN, 3, 3 }, { 2, 8, NaN, -1 } });

    [SkippableFact]
    public void Cumulative_sums_and_products_skip_nan()
    {
        RequireBackend();
        using var m = M();
        using var s1 = NF.NanCumSum(m, 1);
        Assert.Equal(new Shape(3, 4), s1.Shape);
        Assert.Equal(new[] { 1.0, 1, 4, 8, 0, 0, 0, 0, 2, 10, 10, 9 }, s1.ToArray<double>());
        using var flat = NF.NanCumSum(m);
        Assert.Equal(new Shape(12), flat.Shape);
        Assert.Equal(new[] { 1.0, 1, 4, 8, 8, 8, 8, 8, 10, 18, 18, 17 }, flat.ToArray<double>());
        Assert.Equal(new[] { 1.0, 1, 3, 4, 1, 1, 3, 4, 2, 8, 3, -4 }, NF.NanCumProd(m, 0).ToArray<double>());
        Assert.Equal(new[] { 1, 3, 6 }, NF.NanCumSum(NF.Constant(new[] { 1, 2, 3 })).ToArray<int>());
        using var b = NF.NanCumSum(NF.Constant(new[] { true, false, true }));
        Assert.Equal(DType.Int64, b.DType);
        Assert.Equal(new[] { 1L, 1, 2 }, b.ToArray<long>());
    }

    [SkippableFact]
    public void Variance_and_std_match_numpy_with_ddof()
    {
        RequireBackend();
        using var m = M();
        AssertClose([1.5555555555555554, NaN, 14], NF.NanVar(m, 1).ToArray<double>(), 1e-15, 0, "nanvar axis=1");
        AssertClose([2.333333333333333, NaN, 21], NF.NanVar(m, 1, ddof: 1).ToArray<double>(), 1e-15, 0, "nanvar ddof=1");
        // A column with one value has no degrees of freedom left at ddof = 1: NaN.
        AssertClose([0.5, NaN, NaN, 12.5], NF.NanVar(m, 0, ddof: 1).ToArray<double>(), 1e-15, 0, "nanvar axis=0 ddof=1");
        using var all = NF.NanStd(m);
        Assert.Equal(0, all.Rank);
        AssertClose([2.7938424357067015], all.ToArray<double>(), 1e-15, 0, "nanstd all");
        using var kept = NF.NanStd(m, 0, keepDims: true);
        Assert.Equal(new Shape(1, 4), kept.Shape);
        AssertClose([0.5, 0, 0, 2.5], kept.ToArray<double>(), 1e-15, 0, "nanstd keepdims");
        using var vi = NF.NanVar(NF.Constant(new[] { 1, 2, 3, 4 }));
        Assert.Equal(DType.Float32, vi.DType);
        Assert.Equal(1.25f, vi.ToArray<float>()[0]);
        Assert.Equal(new Shape(3), NF.NanVar(m, [1], ddof: 0).Shape);
    }

    [SkippableFact]
    public void Median_quantile_and_percentile_match_numpy()
    {
        RequireBackend();
        using var m = M();
        AssertClose([3, NaN, 2], NF.NanMedian(m, 1).ToArray<double>(), 0, 0, "nanmedian axis=1");
        AssertClose([2.5], NF.NanMedian(m).ToArray<double>(), 0, 0, "nanmedian all");
        AssertClose([2.2, NaN, 0.7999999999999998], NF.NanQuantile(m, 0.3, 1).ToArray<double>(), 1e-15, 0, "nanquantile 0.3");
        using var qs = NF.NanQuantile(m, [0.0, 0.25, 1.0], 0);
        Assert.Equal(new Shape(3, 4), qs.Shape);
        AssertClose([1, 8, 3, -1, 1.25, 8, 3, 0.25, 2, 8, 3, 4], qs.ToArray<double>(), 1e-15, 0, "nanquantile [0, 0.25, 1]");
        using var p = NF.NanPercentile(m, 90, 1, keepDims: true);
        Assert.Equal(new Shape(3, 1), p.Shape);
        AssertClose([3.8, NaN, 6.800000000000001], p.ToArray<double>(), 1e-15, 0, "nanpercentile 90");
        Assert.Equal(new Shape(2, 3), NF.NanPercentile(m, [10.0, 50.0], 1).Shape);
        AssertClose([2], NF.NanMedian(NF.Constant(new[] { 1.0, Inf, NaN, 2 })).ToArray<double>(), 0, 0, "nanmedian inf");
        // Without NaN it is Quantile; integers give float32.
        using var x = NF.Constant(new[,] { { 3.0, 1, 2, 7 }, { 5, 4, 9, 0 } });
        AssertClose(NF.Quantile(x, 0.4, 1).ToArray<double>(), NF.NanQuantile(x, 0.4, 1).ToArray<double>(), 0, 0, "as Quantile");
        using var qi = NF.NanMedian(NF.Constant(new[] { 4, 1, 2 }));
        Assert.Equal(DType.Float32, qi.DType);
        Assert.Equal(2f, qi.ToArray<float>()[0]);
    }

    [SkippableFact]
    public void Argmax_and_argmin_skip_nan()
    {
        RequireBackend();
        using var r = Rows();
        using var amax = NF.NanArgMax(r, 1);
        Assert.Equal(DType.Int64, amax.DType);
        Assert.Equal(new[] { 2L, 1 }, amax.ToArray<long>());   // the first of the tied 3s
        Assert.Equal(new[] { 0L, 1, 0, 1 }, NF.NanArgMin(r, 0).ToArray<long>());
        using var m = M();
        Assert.Equal(new[] { 9L }, NF.NanArgMax(m).ToArray<long>());
        Assert.Equal(new[] { 11L }, NF.NanArgMin(m).ToArray<long>());
        using var kept = NF.NanArgMax(r, -1, keepDims: true);
        Assert.Equal(new Shape(2, 1), kept.Shape);
        Assert.Equal(new Shape(1, 1), NF.NanArgMin(r, keepDims: true).Shape);
        Assert.Equal(new[] { 1L }, NF.NanArgMax(NF.Constant(new[] { 3, 5, 5 })).ToArray<long>());
    }

    [SkippableFact]
    public void Gradients_match_finite_differences_and_pytorch()
    {
        RequireBackend();
        // numpy_math_references.py "grad nanquantile 0.3 dim=1": to the two values interpolated.
        using var r = NF.Constant(new[,] { { 1.0, NaN, 3, 4 }, { 2, 8, NaN, -1 } });
        using (var tape = new GradientTape())
        {
            tape.Watch(r);
            using var q = NF.ReduceSum(NF.NanQuantile(r, 0.3, 1));
            AssertClose([0.4, 0, 0.6, 0, 0.6, 0, 0, 0.4], tape.Gradient(q, r).ToArray<double>(), 1e-15, 1e-15, "nanquantile'");
        }
        GradientTests.Check(t => NF.NanCumSum(t[0], 1) + NF.NanCumProd(t[0], 0), GradientTests.In([3, 4], 1));
        GradientTests.Check(t => NF.NanVar(t[0], 1, ddof: 1), GradientTests.In([3, 5], 2));
        GradientTests.Check(t => NF.NanStd(t[0], 0), GradientTests.In([4, 3], 3));
        GradientTests.Check(t => NF.NanMedian(t[0], 1) + NF.NanPercentile(t[0], 30, 1), GradientTests.In([3, 5], 4));
        // NaNs inside (added to the input): the gradient skips them, as the finite differences do.
        using var holes = NF.Constant(new[,] { { 0.0, NaN, 0, 0 }, { 0, 0, 0, NaN } });
        GradientTests.Check(t => NF.NanVar(t[0] + holes, 1) + NF.NanQuantile(t[0] + holes, 0.7, 1) + NF.NanCumSum(t[0] + holes, 1)[.., 3],
            GradientTests.In([2, 4], 5));
    }

    [SkippableFact]
    public void Bad_arguments_throw_clear_exceptions()
    {
        RequireBackend();
        using var m = M();
        Assert.Contains("All-NaN", Assert.Throws<ArgumentException>(() => NF.NanArgMax(m, 1)).Message);
        Assert.Contains("NanArgMin", Assert.Throws<ArgumentException>(() => NF.NanArgMin(NF.Constant(new[] { NaN }))).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NF.NanArgMax(NF.Zeros(new Shape(2, 0)), 1)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NF.NanMedian(NF.Zeros(new Shape(0)))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.NanQuantile(m, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.NanPercentile(m, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.NanMedian(m, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.NanArgMax(m, 3));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NF.NanQuantile(m, Array.Empty<double>())).Message);
    }
}

public sealed class ManagedNanStatisticsTests() : NanStatisticsTests("managed");

public sealed class NativeCpuNanStatisticsTests() : NanStatisticsTests("cpu");

public sealed class CudaNanStatisticsTests() : NanStatisticsTests("cuda");
