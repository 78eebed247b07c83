using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyArrays;

/// <summary>
/// NumPy's index arithmetic along an axis (take_along_axis, put_along_axis, unravel_index,
/// ravel_multi_index, argpartition) on every engine: numpy_arrays_references.py's values and the
/// Keras docstrings', negative and broadcast indices, gradients through the gathers and scatters,
/// and the exceptions for out-of-range indices and bad arguments.
/// </summary>
public abstract class NumpyAlongAxisTests(string backend) : BackendTest(backend)
{
    private static Tensor Table() => NF.Constant(new[,] { { 10, 30, 20 }, { 60, 40, 50 } });

    [SkippableFact]
    public void TakeAlongAxis_matches_numpy()
    {
        RequireBackend();
        using var x = Table();
        using var picked = NF.TakeAlongAxis(x, NF.Constant(new[,] { { 0, 2 }, { 1, -1 } }), 1);
        Assert.Equal(DType.Int32, picked.DType);
        Assert.Equal(new Shape(2, 2), picked.Shape);
        Assert.Equal(new[] { 10, 20, 40, 50 }, picked.ToArray<int>());
        // The argsort idiom: x sorted along axis 0.
        Assert.Equal(new[] { 10, 30, 20, 60, 40, 50 }, NF.TakeAlongAxis(x, NF.ArgSort(x, 0), 0).ToArray<int>());
        // Indices broadcast against x off the axis; int64 indices work too.
        using var broadcast = NF.TakeAlongAxis(x, NF.Constant(new long[,] { { 2, 0 } }), 1);
        Assert.Equal(new[] { 20, 10, 50, 60 }, broadcast.ToArray<int>());
        // No axis: the flattened x with 1-D indices.
        Assert.Equal(new[] { 50, 10, 60 }, NF.TakeAlongAxis(x, NF.Constant(new[] { 5, 0, 3 }), null).ToArray<int>());
        using var f = NF.TakeAlongAxis(NF.Constant(new[,] { { 1.5, double.NaN } }), NF.Constant(new[,] { { 1, 1, 0 } }), -1);
        AssertClose([double.NaN, double.NaN, 1.5], f.ToArray<double>(), 0, 0, "take nan");
        Assert.Equal(new Shape(2, 0), NF.TakeAlongAxis(x, NF.Zeros(new Shape(2, 0), DType.Int32), 1).Shape);
    }

    [SkippableFact]
    public void PutAlongAxis_returns_a_new_tensor_like_numpy()
    {
        RequireBackend();
        using var x = Table();
        using var put = NF.PutAlongAxis(x, NF.Constant(new[,] { { 1 }, { 0 } }), NF.Constant(new[,] { { -1 }, { -2 } }), 1);
        Assert.Equal(new[] { 10, -1, 20, -2, 40, 50 }, put.ToArray<int>());
        Assert.Equal(new[] { 10, 30, 20, 60, 40, 50 }, x.ToArray<int>());   // x is untouched
        // A scalar value broadcast, indices broadcast along axis 0, a place written twice.
        using var put0 = NF.PutAlongAxis(x, NF.Constant(new[,] { { 0, 0, 1 } }), NF.Constant(7), 0);
        Assert.Equal(new[] { 7, 7, 20, 60, 40, 7 }, put0.ToArray<int>());
        using var twice = NF.PutAlongAxis(NF.Zeros(new Shape(3)), NF.Constant(new[] { 1, 1 }), NF.Constant(new[] { 5f, 9f }), 0);
        Assert.Equal(new[] { 0f, 9f, 0f }, twice.ToArray<float>());
        using var flat = NF.PutAlongAxis(x, NF.Constant(new[] { -1, 0 }), NF.Constant(new[] { 1, 2 }), null);
        Assert.Equal(new Shape(2, 3), flat.Shape);
        Assert.Equal(new[] { 2, 30, 20, 60, 40, 1 }, flat.ToArray<int>());
    }

    [SkippableFact]
    public void Unravel_and_ravel_multi_index_match_numpy()
    {
        RequireBackend();
        // keras.ops.unravel_index's docstring: 5 in (3, 3) is (1, 2).
        var one = NF.UnravelIndex(NF.Constant(5), [3, 3]);
        Assert.Equal(new[] { 1, 2 }, one.Select(c => c.Item<int>()).ToArray());
        var c = NF.UnravelIndex(NF.Constant(new long[] { 22, 41, 37 }), [7, 6]);
        Assert.Equal(DType.Int64, c[0].DType);
        Assert.Equal(new long[] { 3, 6, 6 }, c[0].ToArray<long>());
        Assert.Equal(new long[] { 4, 5, 1 }, c[1].ToArray<long>());
        using var flat = NF.RavelMultiIndex([NF.Constant(new[] { 3, 6, 6 }), NF.Constant(new[] { 4, 5, 1 })], [7, 6]);
        Assert.Equal(DType.Int64, flat.DType);
        Assert.Equal(new long[] { 22, 41, 37 }, flat.ToArray<long>());
        Tensor[] outside = [NF.Constant(new[] { 3, 8, -1 }), NF.Constant(new[] { 4, 5, 7 })];
        Assert.Equal(new long[] { 22, 11, 37 }, NF.RavelMultiIndex(outside, [7, 6], "wrap").ToArray<long>());
        Assert.Equal(new long[] { 22, 41, 5 }, NF.RavelMultiIndex(outside, [7, 6], "clip").ToArray<long>());
        // Round trip through a 3-D shape, with broadcasting of a scalar coordinate.
        var coords = NF.UnravelIndex(NF.Range(24), [2, 3, 4]);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i).ToArray(), NF.RavelMultiIndex(coords, [2, 3, 4]).ToArray<long>());
        Assert.Equal(new long[] { 4, 5 }, NF.RavelMultiIndex([NF.Constant(1), NF.Constant(new[] { 1, 2 })], [2, 3]).ToArray<long>());
    }

    [SkippableFact]
    public void Argpartition_is_a_valid_partition_with_numpys_sides()
    {
        RequireBackend();
        // numpy_arrays_references.py "argpartition": np.argpartition([3, 4, 2, 1], 3) is [2, 3, 0, 1]
        // (value 4 at place 3); within each side NumPy leaves the order open, so the sides are compared as sets.
        using var p = NF.Constant(new[] { 3, 4, 2, 1 });
        var idx = NF.Argpartition(p, 3).ToArray<int>();
        Assert.Equal(1, idx[3]);
        Assert.Equal(new[] { 0, 2, 3 }, idx[..3].Order().ToArray());
        var both = NF.Argpartition(p, [1, 3]).ToArray<int>();   // NumPy: [3, 2, 0, 1]
        Assert.Equal(3, both[0]);
        Assert.Equal(2, both[1]);
        Assert.Equal(0, both[2]);
        Assert.Equal(1, both[3]);
        // Every kth of a random matrix along axis 0: smaller values before, larger after.
        var values = GradientTests.In([7, 3], 5).V;
        using var m = NF.Constant(values, [7, 3]);
        for (int k = -7; k < 7; k++)
        {
            var order = NF.Argpartition(m, k, 0).ToArray<int>();
            int kk = k < 0 ? k + 7 : k;
            for (int col = 0; col < 3; col++)
            {
                double pivot = values[order[kk * 3 + col] * 3 + col];
                for (int r = 0; r < 7; r++)
                {
                    double v = values[order[r * 3 + col] * 3 + col];
                    Assert.True(r < kk ? v <= pivot : r > kk ? v >= pivot : true, $"kth {k}, column {col}, row {r}");
                }
                Assert.Equal(values.Where((_, i) => i % 3 == col).Order().ElementAt(kk), pivot);
            }
        }
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        using var idx = NF.Constant(new[,] { { 2, 0, 2 }, { -1, 1, 0 } });
        GradientTests.Check(t => NF.TakeAlongAxis(t[0], idx, 1), GradientTests.In([2, 3], 1));
        GradientTests.Check(t => NF.TakeAlongAxis(t[0], NF.Constant(new[,] { { 1, 0, 1 } }), 0), GradientTests.In([2, 3], 2));
        GradientTests.Check(t => NF.PutAlongAxis(t[0], NF.Constant(new[,] { { 1 }, { 0 } }), t[1], 1) * t[0], GradientTests.In([2, 3], 3), GradientTests.In([2, 1], 4));
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.TakeAlongAxis(x * x, idx, 1) * NF.Flip(x), [2, 3]);
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        using var x = Table();
        Assert.Contains("out of bounds", Assert.Throws<ArgumentException>(() => NF.TakeAlongAxis(x, NF.Constant(new[,] { { 3 } }), 1)).Message);
        Assert.Contains("out of bounds", Assert.Throws<ArgumentException>(() => NF.TakeAlongAxis(x, NF.Constant(new[,] { { -4 } }), 1)).Message);
        Assert.Contains("must be integers", Assert.Throws<ArgumentException>(() => NF.TakeAlongAxis(x, NF.Constant(new[,] { { 1.0 } }), 1)).Message);
        Assert.Contains("rank", Assert.Throws<ArgumentException>(() => NF.TakeAlongAxis(x, NF.Constant(new[] { 1 }), 1)).Message);
        Assert.Contains("1-D", Assert.Throws<ArgumentException>(() => NF.TakeAlongAxis(x, NF.Constant(new[,] { { 1 } }), null)).Message);
        Assert.Throws<ArgumentException>(() => NF.TakeAlongAxis(x, NF.Zeros(new Shape(3, 1), DType.Int32), 1));
        Assert.Contains("broadcast", Assert.Throws<ArgumentException>(() => NF.PutAlongAxis(x, NF.Zeros(new Shape(2, 2), DType.Int32), NF.Constant(new[] { 1, 2, 3 }), 1)).Message);
        Assert.Contains("out of bounds", Assert.Throws<ArgumentException>(() => NF.UnravelIndex(NF.Constant(new[] { 9 }), [3, 3])).Message);
        Assert.Contains("out of bounds", Assert.Throws<ArgumentException>(() => NF.UnravelIndex(NF.Constant(new[] { -1 }), [3, 3])).Message);
        Assert.Contains("integers", Assert.Throws<ArgumentException>(() => NF.UnravelIndex(NF.Constant(1.0), [3])).Message);
        Assert.Contains("out of bounds", Assert.Throws<ArgumentException>(() => NF.RavelMultiIndex([NF.Constant(7), NF.Constant(0)], [7, 6])).Message);
        Assert.Contains("mode", Assert.Throws<ArgumentException>(() => NF.RavelMultiIndex([NF.Constant(1)], [7], "bounce")).Message);
        Assert.Contains("has 1 coordinate", Assert.Throws<ArgumentException>(() => NF.RavelMultiIndex([NF.Constant(1)], [7, 6])).Message);
        Assert.Contains("kth 4 is out of bounds", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Argpartition(NF.Range(4), 4)).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Argpartition(NF.Constant(1), 0)).Message);
    }
}

/// <summary>The along-axis tests on the managed engine.</summary>
public sealed class ManagedNumpyAlongAxisTests() : NumpyAlongAxisTests("managed");

/// <summary>The along-axis tests on the native CPU engine.</summary>
public sealed class NativeCpuNumpyAlongAxisTests() : NumpyAlongAxisTests("cpu");

/// <summary>The along-axis tests on CUDA.</summary>
public sealed class CudaNumpyAlongAxisTests() : NumpyAlongAxisTests("cuda");
