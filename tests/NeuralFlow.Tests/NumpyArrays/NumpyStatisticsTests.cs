using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyArrays;

/// <summary>
/// NumPy's statistics of arrays (trapezoid, histogram, cov, corrcoef, correlate, convolve) on every
/// engine: numpy_arrays_references.py's values and the Keras docstrings', the histogram's closed
/// last bin and dropped outliers, float64 finite-difference gradients, and the exceptions for bad arguments.
/// </summary>
public abstract class NumpyStatisticsTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    [SkippableFact]
    public void Trapezoid_matches_numpy_and_keras()
    {
        RequireBackend();
        // keras.ops.trapezoid's docstring: [[1, 2, 3], [4, 5, 6]] along axis 1 is [4, 10] float32.
        using var k = NF.Trapezoid(NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } }), axis: 1);
        Assert.Equal(DType.Float32, k.DType);
        Assert.Equal(new[] { 4f, 10f }, k.ToArray<float>());
        Assert.Equal(4.0, NF.Trapezoid(D(1, 2, 3)).Item<double>());
        Assert.Equal(8.0, NF.Trapezoid(D(1, 2, 3), D(4, 6, 8)).Item<double>());
        Assert.Equal(8.0, NF.Trapezoid(D(1, 2, 3), dx: 2).Item<double>());
        using var y = NF.Square(NF.Reshape(NF.Range(0.0, 6.0, 1.0, dtype: DType.Float64), [2, 3]));
        Assert.Equal(new[] { 5.5, 45.5 }, NF.Trapezoid(y, NF.Constant(new[,] { { 0.0, 1, 3 }, { 0, 2, 3 } }), axis: 1).ToArray<double>());
        Assert.Equal(new[] { 1.5, 2.5, 3.5 }, NF.Trapezoid(NF.Reshape(NF.Range(0.0, 6.0, 1.0, dtype: DType.Float64), [2, 3]), axis: 0).ToArray<double>());
        Assert.Equal(0.0, NF.Trapezoid(D(5)).Item<double>());
        Assert.Equal(0.0, NF.Trapezoid(D()).Item<double>());
    }

    [SkippableFact]
    public void Histogram_matches_numpy()
    {
        RequireBackend();
        var (counts, edges) = NF.Histogram(NF.Constant(new[] { 1, 2, 1 }), 3, (0, 3));
        Assert.Equal(DType.Int32, counts.DType);
        Assert.Equal(new[] { 0, 2, 1 }, counts.ToArray<int>());
        Assert.Equal(new[] { 0f, 1f, 2f, 3f }, edges.ToArray<float>());
        // Outliers and NaN are dropped, a value on the top edge is in the last bin.
        (counts, edges) = NF.Histogram(D(0.5, 1.0, 1.0, 2.5, 3.0, 7.0, -1.0, double.NaN), 4, (0, 3));
        Assert.Equal(new[] { 1, 2, 0, 2 }, counts.ToArray<int>());
        Assert.Equal(DType.Float64, edges.DType);
        Assert.Equal(new[] { 0.0, 0.75, 1.5, 2.25, 3.0 }, edges.ToArray<double>());
        (counts, edges) = NF.Histogram(D(0.1, 0.2, 0.3, 0.4, 1.0), 3);
        Assert.Equal(new[] { 3, 1, 1 }, counts.ToArray<int>());
        AssertClose([0.1, 0.4, 0.7, 1.0], edges.ToArray<double>(), 1e-15, 0, "edges");
        (counts, edges) = NF.Histogram(D(2.0, 2.0), 2);
        Assert.Equal(new[] { 0, 2 }, counts.ToArray<int>());
        Assert.Equal(new[] { 1.5, 2.0, 2.5 }, edges.ToArray<double>());
        // keras.ops.histogram's default of 10 bins: every value of a matrix counted once.
        (counts, _) = NF.Histogram(NF.Constant(GradientTests.In([4, 5], 3).V, [4, 5]));
        Assert.Equal(10, counts.Shape[0]);
        Assert.Equal(20, counts.ToArray<int>().Sum());
        (counts, edges) = NF.Histogram(NF.Zeros(new Shape(0)), 2);
        Assert.Equal(new[] { 0, 0 }, counts.ToArray<int>());
        Assert.Equal(new[] { 0f, 0.5f, 1f }, edges.ToArray<float>());
    }

    [SkippableFact]
    public void Cov_and_corrcoef_match_numpy()
    {
        RequireBackend();
        using var m = NF.Constant(new[,] { { 0.0, 1, 2 }, { 2, 1, 0 } });
        Assert.Equal(new[] { 1.0, -1, -1, 1 }, NF.Cov(m).ToArray<double>());
        AssertClose([2.0 / 3, -2.0 / 3, -2.0 / 3, 2.0 / 3], NF.Cov(m, bias: true).ToArray<double>(), 1e-15, 0, "bias");
        Assert.Equal(new[] { 1.0, -1, -1, 1 }, NF.Cov(NF.Transpose(m), rowvar: false).ToArray<double>());
        Assert.Equal(new[] { 2.0, -2, -2, 2 }, NF.Cov(m, ddof: 2).ToArray<double>());
        using var one = NF.Cov(D(1, 2, 4));
        Assert.Equal(Shape.Scalar, one.Shape);
        AssertClose([2.333333333333333], [one.Item<double>()], 1e-15, 0, "one variable");
        AssertClose([2.3333333333333335, -2.166666666666667, -2.166666666666667, 2.3333333333333335], NF.Cov(D(1, 2, 4), D(3, 1, 0)).ToArray<double>(), 1e-15, 0, "x and y");
        using var ints = NF.Cov(NF.Constant(new[,] { { 0, 1, 2 }, { 2, 1, 0 } }));
        Assert.Equal(DType.Float32, ints.DType);
        Assert.Equal(new[] { 1f, -1f, -1f, 1f }, ints.ToArray<float>());
        using var r = NF.Constant(new[,] { { 1.0, 2, 3, 4 }, { 2, 1, 4, 3 }, { 0, 5, 1, 9 } });
        AssertClose([1.0, 0.6, 0.7219295436604961, 0.6, 1.0, -0.09416472308615167, 0.7219295436604961, -0.09416472308615167, 1.0],
            NF.Corrcoef(r).ToArray<double>(), 1e-14, 1e-15, "corrcoef");
        AssertClose([1.0, -0.5, -0.5, 1.0], NF.Corrcoef(D(1, 2, 3), D(3, 1, 2)).ToArray<double>(), 1e-15, 1e-15, "corrcoef x y");
        Assert.True(double.IsNaN(NF.Corrcoef(NF.Constant(new[,] { { 1.0, 1, 1 }, { 1, 2, 3 } })).ToArray<double>()[0]), "a constant variable gives NaN");
        Assert.True(double.IsInfinity(NF.Cov(D(3)).Item<double>()) || double.IsNaN(NF.Cov(D(3)).Item<double>()), "one observation with ddof 1");
    }

    [SkippableFact]
    public void Correlate_and_convolve_match_numpy()
    {
        RequireBackend();
        Assert.Equal(new[] { 3.5 }, NF.Correlate(D(1, 2, 3), D(0, 1, 0.5)).ToArray<double>());
        Assert.Equal(new[] { 2.0, 3.5, 3.0 }, NF.Correlate(D(1, 2, 3), D(0, 1, 0.5), "same").ToArray<double>());
        Assert.Equal(new[] { 0.5, 2.0, 3.5, 3.0, 0.0 }, NF.Correlate(D(1, 2, 3), D(0, 1, 0.5), "full").ToArray<double>());
        Assert.Equal(new[] { 17.0, 14, 11, 6 }, NF.Correlate(D(1, 2), D(3, 4, 5, 6), "same").ToArray<double>());
        Assert.Equal(new[] { 17.0, 14, 11 }, NF.Correlate(D(1, 2), D(3, 4, 5, 6), "valid").ToArray<double>());
        using var ints = NF.Correlate(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 4, 5 }), "full");
        Assert.Equal(DType.Int32, ints.DType);
        Assert.Equal(new[] { 5, 14, 23, 12 }, ints.ToArray<int>());
        Assert.Equal(new[] { 0.0, 1, 2.5, 4, 1.5 }, NF.Convolve(D(1, 2, 3), D(0, 1, 0.5)).ToArray<double>());
        Assert.Equal(new[] { 1.0, 2.5, 4 }, NF.Convolve(D(1, 2, 3), D(0, 1, 0.5), "same").ToArray<double>());
        Assert.Equal(new[] { 2.5 }, NF.Convolve(D(1, 2, 3), D(0, 1, 0.5), "valid").ToArray<double>());
        Assert.Equal(new[] { 3.0, 10, 13, 16 }, NF.Convolve(D(1, 2), D(3, 4, 5, 6), "same").ToArray<double>());
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Trapezoid(t[0], t[1], axis: 0), GradientTests.In([4, 2], 1), GradientTests.In([4], 2));
        GradientTests.Check(t => NF.Trapezoid(t[0], t[1]), GradientTests.In([2, 3], 3), GradientTests.In([2, 3], 4));
        GradientTests.Check(t => NF.Cov(t[0]), GradientTests.In([3, 5], 5));
        GradientTests.Check(t => NF.Cov(t[0], t[1], rowvar: false, bias: true), GradientTests.In([4, 2], 6), GradientTests.In([4], 7));
        GradientTests.Check(t => NF.Corrcoef(t[0]), GradientTests.In([3, 6], 8));
        GradientTests.Check(t => NF.Correlate(t[0], t[1], "same"), GradientTests.In([5], 9), GradientTests.In([3], 10));
        GradientTests.Check(t => NF.Convolve(t[0], t[1]), GradientTests.In([2], 11), GradientTests.In([4], 12));
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.Correlate(x * x, x, "same"), [4]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.Cov(x, rowvar: false) * x, [2, 2]);
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Trapezoid(NF.Constant(1.0))).Message);
        Assert.Contains("1-D with the length of axis -1 (3)", Assert.Throws<ArgumentException>(() => NF.Trapezoid(D(1, 2, 3), D(1, 2))).Message);
        Assert.Contains("bins must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Histogram(D(1, 2), 0)).Message);
        Assert.Contains("must not be below", Assert.Throws<ArgumentException>(() => NF.Histogram(D(1, 2), 2, (3, 1))).Message);
        Assert.Contains("not finite", Assert.Throws<ArgumentException>(() => NF.Histogram(D(1, double.PositiveInfinity), 2)).Message);
        Assert.Contains("at most 2 axes", Assert.Throws<ArgumentException>(() => NF.Cov(NF.Zeros(new Shape(2, 2, 2)))).Message);
        Assert.Contains("observations", Assert.Throws<ArgumentException>(() => NF.Cov(D(1, 2, 3), D(1, 2))).Message);
        Assert.Contains("mode must be", Assert.Throws<ArgumentException>(() => NF.Correlate(D(1, 2), D(1), "middle")).Message);
        Assert.Contains("non-empty 1-D", Assert.Throws<ArgumentException>(() => NF.Convolve(D(), D(1))).Message);
        Assert.Contains("non-empty 1-D", Assert.Throws<ArgumentException>(() => NF.Convolve(NF.Zeros(new Shape(2, 2)), D(1))).Message);
    }
}

/// <summary>The statistics tests on the managed engine.</summary>
public sealed class ManagedNumpyStatisticsTests() : NumpyStatisticsTests("managed");

/// <summary>The statistics tests on the native CPU engine.</summary>
public sealed class NativeCpuNumpyStatisticsTests() : NumpyStatisticsTests("cpu");

/// <summary>The statistics tests on CUDA.</summary>
public sealed class CudaNumpyStatisticsTests() : NumpyStatisticsTests("cuda");
