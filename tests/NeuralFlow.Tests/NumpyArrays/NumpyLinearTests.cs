using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyArrays;

/// <summary>
/// NumPy's products of arrays (tensordot, kron, cross, vdot, inner) on every engine:
/// numpy_arrays_references.py's values, integer dtypes kept, float64 finite-difference gradients
/// of first and second order, and the exceptions for shapes that do not fit.
/// </summary>
public abstract class NumpyLinearTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Tensordot_matches_numpy()
    {
        RequireBackend();
        // NumPy's docstring example: a [3, 4, 5] and b [4, 3, 2] contracted over ([1, 0], [0, 1]).
        using var a = NF.Reshape(NF.Range(0.0, 60.0, 1.0, dtype: DType.Float64), [3, 4, 5]);
        using var b = NF.Reshape(NF.Range(0.0, 24.0, 1.0, dtype: DType.Float64), [4, 3, 2]);
        using var c = NF.Tensordot(a, b, [1, 0], [0, 1]);
        Assert.Equal(new Shape(5, 2), c.Shape);
        Assert.Equal(new[] { 4400.0, 4730, 4532, 4874, 4664, 5018, 4796, 5162, 4928, 5306 }, c.ToArray<double>());
        using var i1 = NF.Tensordot(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } }), NF.Constant(new[,] { { 5, 6 }, { 7, 8 } }), 1);
        Assert.Equal(DType.Int32, i1.DType);
        Assert.Equal(new[] { 19, 22, 43, 50 }, i1.ToArray<int>());
        Assert.Equal(new Shape(2, 3, 4), NF.Tensordot(NF.Ones(new Shape(2, 3)), NF.Ones(new Shape(4)), 0).Shape);
        using var two = NF.Tensordot(NF.Reshape(NF.Range(0.0, 6.0, 1.0, dtype: DType.Float64), [2, 3]), NF.Reshape(NF.Range(0.0, 6.0, 1.0, dtype: DType.Float64), [2, 3]));
        Assert.Equal(Shape.Scalar, two.Shape);
        Assert.Equal(55.0, two.Item<double>());
        // Mixed dtypes promote; an empty contraction gives zeros.
        Assert.Equal(DType.Float64, NF.Tensordot(NF.Ones(new Shape(2, 3), DType.Int32), NF.Ones(new Shape(3), DType.Float64), 1).DType);
        Assert.Equal(new[] { 0f, 0f }, NF.Tensordot(NF.Ones(new Shape(2, 0)), NF.Ones(new Shape(0)), 1).ToArray<float>());
    }

    [SkippableFact]
    public void Kron_cross_vdot_and_inner_match_numpy()
    {
        RequireBackend();
        using var k = NF.Kron(NF.Constant(new[] { 1, 10, 100 }), NF.Constant(new[] { 5, 6, 7 }));
        Assert.Equal(DType.Int32, k.DType);
        Assert.Equal(new[] { 5, 6, 7, 50, 60, 70, 500, 600, 700 }, k.ToArray<int>());
        using var blocks = NF.Kron(NF.Eye(2, dtype: DType.Int32), NF.Ones(new Shape(2, 2), DType.Int32));
        Assert.Equal(new[] { 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1 }, blocks.ToArray<int>());
        using var k23 = NF.Kron(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } }), NF.Constant(new[] { 0, 1, 2 }));
        Assert.Equal(new Shape(2, 6), k23.Shape);
        Assert.Equal(new[] { 0, 1, 2, 0, 2, 4, 0, 3, 6, 0, 4, 8 }, k23.ToArray<int>());
        // np.cross of 3-vectors, 2-vectors (the z component alone) and the mixed forms.
        Assert.Equal(new[] { -3, 6, -3 }, NF.Cross(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 4, 5, 6 })).ToArray<int>());
        using var z = NF.Cross(NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 4, 5 }));
        Assert.Equal(Shape.Scalar, z.Shape);
        Assert.Equal(-3, z.Item<int>());
        Assert.Equal(new[] { 12, -6, -3 }, NF.Cross(NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 4, 5, 6 })).ToArray<int>());
        Assert.Equal(new[] { -15, 12, -3 }, NF.Cross(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 4, 5 })).ToArray<int>());
        using var x = NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        using var y = NF.Constant(new[,] { { 4, 5, 6 }, { 1, 2, 3 } });
        using var c0 = NF.Cross(x, y, axisc: 0);
        Assert.Equal(new Shape(3, 2), c0.Shape);
        Assert.Equal(new[] { -3, 3, 6, -6, -3, 3 }, c0.ToArray<int>());
        Assert.Equal(new[] { -3, 3, 6, -6, -3, 3 }, NF.Cross(NF.Transpose(x), NF.Transpose(y), axis: 0).ToArray<int>());
        // One vector against a batch: broadcast (the second row is the vector itself).
        Assert.Equal(new[] { -3, 6, -3, 0, 0, 0 }, NF.Cross(NF.Constant(new[] { 1, 2, 3 }), y).ToArray<int>());
        using var v = NF.Vdot(NF.Constant(new[,] { { 1, 4 }, { 5, 6 } }), NF.Constant(new[,] { { 4, 1 }, { 2, 2 } }));
        Assert.Equal(Shape.Scalar, v.Shape);
        Assert.Equal(30, v.Item<int>());
        using var inner = NF.Inner(NF.Reshape(NF.Range(24), [2, 3, 4]), NF.Range(4));
        Assert.Equal(new Shape(2, 3), inner.Shape);
        Assert.Equal(new[] { 14, 38, 62, 86, 110, 134 }, inner.ToArray<int>());
        Assert.Equal(new[] { 2.0, 4.0 }, NF.Inner(NF.Constant(2.0), NF.Constant(new[] { 1.0, 2.0 })).ToArray<double>());
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Tensordot(t[0], t[1], [1, 0], [0, 1]), GradientTests.In([3, 2, 2], 1), GradientTests.In([2, 3, 2], 2));
        GradientTests.Check(t => NF.Tensordot(t[0], t[1], 1), GradientTests.In([2, 3], 3), GradientTests.In([3, 2], 4));
        GradientTests.Check(t => NF.Kron(t[0], t[1]), GradientTests.In([2, 2], 5), GradientTests.In([3], 6));
        GradientTests.Check(t => NF.Cross(t[0], t[1]), GradientTests.In([2, 3], 7), GradientTests.In([3], 8));
        GradientTests.Check(t => NF.Cross(t[0], t[1], axis: 0), GradientTests.In([2, 2], 9), GradientTests.In([3, 2], 10));
        GradientTests.Check(t => NF.Vdot(t[0], t[1]) + NF.ReduceSum(NF.Inner(t[0], t[0])), GradientTests.In([2, 2], 11), GradientTests.In([4], 12));
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(NF.Kron(x, x * x)) + NF.Tensordot(x, x, 2), [2, 1]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.Cross(x, x * x), [2, 3]);
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        using var a = NF.Ones(new Shape(2, 3));
        Assert.Contains("axes 3 must be between 0", Assert.Throws<ArgumentException>(() => NF.Tensordot(a, a, 3)).Message);
        Assert.Contains("has size 2 but axis 1 of b", Assert.Throws<ArgumentException>(() => NF.Tensordot(a, a, [0], [1])).Message);
        Assert.Contains("pair up", Assert.Throws<ArgumentException>(() => NF.Tensordot(a, a, [0], [0, 1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Tensordot(a, a, [2], [0]));
        Assert.Contains("2 or 3 components", Assert.Throws<ArgumentException>(() => NF.Cross(NF.Ones(new Shape(4)), NF.Ones(new Shape(3)))).Message);
        Assert.Contains("scalars", Assert.Throws<ArgumentException>(() => NF.Cross(NF.Constant(1.0), NF.Ones(new Shape(3)))).Message);
        Assert.Throws<ArgumentException>(() => NF.Cross(NF.Ones(new Shape(2, 3)), NF.Ones(new Shape(4, 3))));
        Assert.Contains("same number of elements", Assert.Throws<ArgumentException>(() => NF.Vdot(a, NF.Ones(new Shape(5)))).Message);
        Assert.Contains("last axes", Assert.Throws<ArgumentException>(() => NF.Inner(a, NF.Ones(new Shape(2)))).Message);
    }
}

/// <summary>The product tests on the managed engine.</summary>
public sealed class ManagedNumpyLinearTests() : NumpyLinearTests("managed");

/// <summary>The product tests on the native CPU engine.</summary>
public sealed class NativeCpuNumpyLinearTests() : NumpyLinearTests("cpu");

/// <summary>The product tests on CUDA.</summary>
public sealed class CudaNumpyLinearTests() : NumpyLinearTests("cuda");
