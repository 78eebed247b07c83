using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.TrustSweep;

/// <summary>
/// User programs with edge inputs for the NumPy-style ops of the last sessions (Median/Quantile,
/// Digitize/SearchSorted, Bincount, the sorted segment ops, the NaN reductions), on every engine.
/// References: NumPy 1.24 and PyTorch 1.13 as printed by trust_sweep_references.py beside this file.
/// </summary>
public abstract class NumpyEdgeTests(string backend) : BackendTest(backend)
{
    private static Tensor F(params float[] v) => NF.Constant(v);
    private static double[] D(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();
    private const float Inf = float.PositiveInfinity;

    // Before: every one of these was NaN (numpy's lerp of an infinite neighbour, 2 + (inf - 2) * 0).
    [SkippableFact]
    public void Median_of_infinite_values_is_numpys()
    {
        RequireBackend();
        // np.median([inf]) = inf, ([1, 2, inf]) = 2, ([1, inf]) = inf, ([-inf, inf]) = nan, ([-inf, -inf, 0]) = -inf.
        AssertClose([double.PositiveInfinity], D(NF.Median(F(Inf))));
        AssertClose([2], D(NF.Median(F(1, 2, Inf))));
        AssertClose([double.PositiveInfinity], D(NF.Median(F(1, Inf))));
        AssertClose([double.NaN], D(NF.Median(F(-Inf, Inf))));
        AssertClose([double.NegativeInfinity], D(NF.Median(F(-Inf, -Inf, 0))));
        // torch.quantile([1, inf], 0.25) = inf; finite values keep NumPy's lerp: np.quantile([1, 2, 3, 4, 10], [.1, .5, .9]).
        AssertClose([double.PositiveInfinity], D(NF.Quantile(F(1, Inf), 0.25)));
        AssertClose([1.4, 3, 7.6], D(NF.Quantile(F(1, 2, 3, 4, 10), [0.1, 0.5, 0.9])), 1e-6);
        // Per row, with a NaN row still NaN.
        AssertClose([2, double.NaN], D(NF.Median(NF.Constant(new float[,] { { 1, 2, Inf }, { 1, float.NaN, 3 } }), axis: 1)));
    }

    [SkippableFact]
    public void The_median_gradient_goes_to_the_middle_value_beside_an_infinity()
    {
        RequireBackend();
        var x = new Variable(F(1, 2, Inf));
        Tensor grad;
        using (var tape = new GradientTape()) grad = tape.Gradient(NF.Median(x), [x])[0];
        Assert.Equal([0f, 1f, 0f], grad.ToArray<float>());
    }

    // Before: a NaN value was put in bin 0 (every comparison with NaN is false); NumPy, PyTorch
    // and Keras' Bucketize put it past the last edge.
    [SkippableFact]
    public void Digitize_and_SearchSorted_sort_nan_last()
    {
        RequireBackend();
        // np.digitize([nan, 1, 5], [0, 2, 4]) = [3, 1 ,3], right=True too.
        Assert.Equal([3, 1, 3], NF.Digitize(F(float.NaN, 1, 5), F(0, 2, 4)).ToArray<int>());
        Assert.Equal([3, 1, 3], NF.Digitize(F(float.NaN, 1, 5), F(0, 2, 4), right: true).ToArray<int>());
        // np.searchsorted([0, 2, nan], [nan, 3]) = [2, 2]; side="right": [3, 2].
        Assert.Equal([2, 2], NF.SearchSorted(F(0, 2, float.NaN), F(float.NaN, 3)).ToArray<int>());
        Assert.Equal([3, 2], NF.SearchSorted(F(0, 2, float.NaN), F(float.NaN, 3), "right").ToArray<int>());
        // Batched rows, and integers (no NaN) as before.
        var rows = NF.SearchSorted(NF.Constant(new float[,] { { 0, 2, 4 }, { 1, 3, 5 } }), NF.Constant(new float[,] { { float.NaN, 3 }, { 2, float.NaN } }));
        Assert.Equal([3, 2, 1, 3], rows.ToArray<int>());
        Assert.Equal([2, 3], NF.SearchSorted(NF.Constant(new[] { 0, 2, 4 }), NF.Constant(new[] { 3, 5 })).ToArray<int>());
    }

    // Before: a bare OverflowException ("Arithmetic operation resulted in an overflow").
    [SkippableFact]
    public void Counts_and_segments_past_one_axis_are_named()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => NF.Bincount(NF.Constant(new[] { 0, int.MaxValue })));
        Assert.Contains("Bincount: x holds 2147483647", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.SegmentSum(F(1), NF.Constant(new[] { 3_000_000_000L })));
        Assert.Contains("SegmentSum: segmentIds holds 3000000000", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.SegmentMax(F(1), NF.Constant(new[] { 3_000_000_000L })));
        Assert.Contains("SegmentMax", e.Message);
    }

    // Pinned edges (they were right): empty inputs, all-NaN slices, minLength, empty segments.
    [SkippableFact]
    public void Empty_and_all_nan_inputs_keep_numpys_answers()
    {
        RequireBackend();
        // np.bincount([], minlength=3) = [0 0 0]; np.nanmean([nan, nan]) = nan; np.nansum(nan) = 0.
        Assert.Equal([0, 0, 0], NF.Bincount(NF.Zeros(new Shape(0), DType.Int32), minLength: 3).ToArray<int>());
        AssertClose([double.NaN], D(NF.NanMean(F(float.NaN, float.NaN))));
        AssertClose([0], D(NF.NanSum(NF.Constant(float.NaN))));
        AssertClose([2, double.NaN], D(NF.NanMin(NF.Constant(new float[,] { { float.NaN, 2 }, { float.NaN, float.NaN } }), axis: -1)));
        // tf.math.segment_max([1, 2, 3], [0, 0, 2]) = [2, 0, 3]: an empty segment is 0.
        Assert.Equal([2, 0, 3], NF.SegmentMax(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 0, 0, 2 })).ToArray<int>());
        Assert.Equal(new Shape(0, 2), NF.SegmentMax(NF.Zeros(new Shape(0, 2)), NF.Zeros(new Shape(0), DType.Int32)).Shape);
        Assert.Throws<ArgumentException>(() => NF.Quantile(NF.Zeros(new Shape(0)), 0.5));
    }
}

public sealed class ManagedNumpyEdgeTests() : NumpyEdgeTests("managed");

public sealed class NativeCpuNumpyEdgeTests() : NumpyEdgeTests("cpu");

public sealed class CudaNumpyEdgeTests() : NumpyEdgeTests("cuda");
