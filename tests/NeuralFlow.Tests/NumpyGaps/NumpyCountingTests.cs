using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyGaps;

/// <summary>
/// NumPy's bincount, digitize, isin, diagonal, dstack and average on every engine: the Keras
/// docstrings' examples (keras/src/ops/numpy.py) and further NumPy values from
/// numpy_gaps_references.py (/usr/bin/python3), dtypes, float64 finite-difference gradients
/// and argument errors.
/// </summary>
public abstract class NumpyCountingTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Bincount_digitize_and_isin_match_numpy()
    {
        RequireBackend();
        // keras.ops.bincount's docstring: counts int32, weighted sums in the weights' dtype, minlength pads.
        using var x = NF.Constant(new[] { 1, 2, 2, 3 });
        using var counts = NF.Bincount(x);
        Assert.Equal(DType.Int32, counts.DType);
        Assert.Equal(new[] { 0, 1, 2, 1 }, counts.ToArray<int>());
        using var sums = NF.Bincount(x, NF.Constant(new[] { 0.5, 1, 1, 1.5 }));
        Assert.Equal(DType.Float64, sums.DType);
        Assert.Equal(new[] { 0, 0.5, 2, 1.5 }, sums.ToArray<double>());
        Assert.Equal(new[] { 0, 1, 2, 1, 0, 0 }, NF.Bincount(x, minLength: 6).ToArray<int>());
        Assert.Equal(new[] { 0, 0 }, NF.Bincount(NF.Constant(Array.Empty<long>()), minLength: 2).ToArray<int>());
        // keras.ops.digitize's docstring, and right=True on a 2-D x (numpy_gaps_references.py "digitize").
        using var edges = NF.Constant(new[] { 0.0, 3, 4.5, 7 });
        using var bin = NF.Digitize(NF.Constant(new[] { 0.0, 1, 3, 1.6 }), edges);
        Assert.Equal(DType.Int32, bin.DType);
        Assert.Equal(new[] { 1, 1, 2, 1 }, bin.ToArray<int>());
        using var binRight = NF.Digitize(NF.Constant(new[,] { { -1.0, 3 }, { 4.5, 9 } }), edges, right: true);
        Assert.Equal(new Shape(2, 2), binRight.Shape);
        Assert.Equal(new[] { 0, 1, 2, 4 }, binRight.ToArray<int>());
        // keras.ops.isin's docstring; NaN is in nothing (numpy_gaps_references.py "isin").
        Assert.Equal(new[] { true, false, true, false }, NF.IsIn(NF.Constant(new[] { 0, 1, 2, 5 }), NF.Constant(new[] { 0, 2 })).ToArray<bool>());
        using var notIn = NF.IsIn(NF.Constant(new[,] { { 1.0, double.NaN }, { 3, 4 } }), NF.Constant(new[,] { { 4.0, double.NaN } }), invert: true);
        Assert.Equal(new Shape(2, 2), notIn.Shape);
        Assert.Equal(new[] { true, true, true, false }, notIn.ToArray<bool>());
    }

    [SkippableFact]
    public void Diagonal_dstack_and_average_match_numpy()
    {
        RequireBackend();
        // keras.ops.diagonal's docstring, then numpy_gaps_references.py "diagonal".
        using var m = NF.Reshape(NF.Range(4), [2, 2]);
        Assert.Equal(new[] { 0, 3 }, NF.Diagonal(m).ToArray<int>());
        Assert.Equal(new[] { 1 }, NF.Diagonal(m, 1).ToArray<int>());
        using var a = NF.Reshape(NF.Range(24), [2, 3, 4]);
        using var d12 = NF.Diagonal(a, 1, 1, 2);
        Assert.Equal(new Shape(2, 3), d12.Shape);
        Assert.Equal(new[] { 1, 6, 11, 13, 18, 23 }, d12.ToArray<int>());
        Assert.Equal(new[] { 1, 6, 11, 13, 18, 23 }, NF.Diagonal(a, -1, 2, 1).ToArray<int>());
        using var d02 = NF.Diagonal(a, 0, 0, 2);
        Assert.Equal(new Shape(3, 2), d02.Shape);
        Assert.Equal(new[] { 0, 13, 4, 17, 8, 21 }, d02.ToArray<int>());
        Assert.Equal(new Shape(2, 0), NF.Diagonal(a, 5, 1, 2).Shape);
        // np.diag(v, k) builds (numpy_gaps_references.py "diag k"); batched over leading axes as tf.linalg.diag.
        using var up = NF.Diag(NF.Constant(new[] { 1, 2, 3 }), 1);
        Assert.Equal(new Shape(4, 4), up.Shape);
        Assert.Equal(new[] { 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0 }, up.ToArray<int>());
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0 }, NF.Diag(NF.Constant(new[] { 1, 2 }), -2).ToArray<int>());
        using var batch = NF.Diag(NF.Constant(new[,] { { 1.0, 2 }, { 3, 4 } }), 1);
        Assert.Equal(new Shape(2, 3, 3), batch.Shape);
        Assert.Equal(new[] { 3.0, 4 }, NF.Diagonal(batch, 1, 1, 2).ToArray<double>()[2..]);
        // numpy_gaps_references.py "dstack".
        using var ds = NF.DStack([NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 4, 5, 6 })]);
        Assert.Equal(new Shape(1, 3, 2), ds.Shape);
        Assert.Equal(new[] { 1, 4, 2, 5, 3, 6 }, ds.ToArray<int>());
        Assert.Equal(new Shape(2, 2, 4), NF.DStack([NF.Ones(new Shape(2, 2)), NF.Zeros(new Shape(2, 2, 3))]).Shape);
        // keras.ops.average's docstring (2.5 float32; 4.0 with weights 10..1; [0.75, 2.75, 4.75] along axis 1).
        using var plain = NF.Average(NF.Range(1, 5));
        Assert.Equal(DType.Float32, plain.DType);
        Assert.Equal(2.5f, plain.Item<float>());
        Assert.Equal(4f, NF.Average(NF.Range(1, 11), weights: NF.Range(10, 0, -1)).Item<float>(), 6);
        AssertClose([0.75, 2.75, 4.75], NF.Average(NF.Reshape(NF.Range(6), [3, 2]), 1, NF.Constant(new[] { 0.25f, 0.75f })).ToArray<float>().Select(v => (double)v).ToArray(), 1e-7, 0, "average axis 1");
        using var x6 = NF.Reshape(NF.Range(0.0, 6.0, dtype: DType.Float64), [3, 2]);
        AssertClose([2.888888888888889, 3.6666666666666665], NF.Average(x6, 0, x6 + 1).ToArray<double>(), 1e-15, 0, "average full weights");
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Diagonal(t[0], 1, 2, 0), GradientTests.In([3, 2, 4], 1));
        GradientTests.Check(t => NF.Diag(t[0], 2) + NF.Diag(t[1], -1), GradientTests.In([2, 3], 7), GradientTests.In([2, 4], 8));
        GradientTests.Check(t => NF.DStack([t[0], t[1]]), GradientTests.In([3], 2), GradientTests.In([3], 3));
        GradientTests.Check(t => NF.Average(t[0], 1, t[1]), GradientTests.In([2, 3], 4), GradientTests.In([3], 5, 0.5, 2));
        GradientTests.Check(t => NF.Bincount(NF.Constant(new[] { 2, 0, 2 }), t[0], 4), GradientTests.In([3], 6));
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        Assert.Contains("negative value -1", Assert.Throws<ArgumentException>(() => NF.Bincount(NF.Constant(new[] { 1, -1 }))).Message);
        Assert.Contains("1-D integer", Assert.Throws<ArgumentException>(() => NF.Bincount(NF.Constant(new[] { 1.0 }))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Bincount(NF.Constant(new[] { 1 }), minLength: -2));
        Assert.Contains("weights", Assert.Throws<ArgumentException>(() => NF.Bincount(NF.Constant(new[] { 1 }), NF.Constant(new[] { 1.0, 2 }))).Message);
        Assert.Contains("1-D", Assert.Throws<ArgumentException>(() => NF.Digitize(NF.Constant(new[] { 1.0 }), NF.Zeros(new Shape(2, 2), DType.Float64))).Message);
        Assert.Contains("increasing", Assert.Throws<ArgumentException>(() => NF.Digitize(NF.Constant(new[] { 1.0 }), NF.Constant(new[] { 3.0, 1 }))).Message);
        using var m = NF.Zeros(new Shape(2, 3));
        Assert.Contains("same axis", Assert.Throws<ArgumentException>(() => NF.Diagonal(m, 0, 1, -1)).Message);
        Assert.Contains("at least 2 axes", Assert.Throws<ArgumentException>(() => NF.Diagonal(NF.Zeros(new Shape(3)))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Diagonal(m, 0, 0, 2));
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Diag(NF.Constant(1.0), 1)).Message);
        Assert.Contains("no tensors", Assert.Throws<ArgumentException>(() => NF.DStack([])).Message);
        Assert.Contains("weights", Assert.Throws<ArgumentException>(() => NF.Average(m, 1, NF.Ones(new Shape(2)))).Message);
        Assert.Contains("needs an axis", Assert.Throws<ArgumentException>(() => NF.Average(m, null, NF.Ones(new Shape(3)))).Message);
    }
}

public sealed class ManagedNumpyCountingTests() : NumpyCountingTests("managed");

public sealed class NativeCpuNumpyCountingTests() : NumpyCountingTests("cpu");

public sealed class CudaNumpyCountingTests() : NumpyCountingTests("cuda");
