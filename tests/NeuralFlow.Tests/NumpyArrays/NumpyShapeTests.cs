using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyArrays;

/// <summary>
/// NumPy's axis moves, flips, stacks and splits (moveaxis, swapaxes, ravel, flip, fliplr, flipud,
/// hstack, vstack, column_stack, array_split, hsplit, vsplit, dsplit) on every engine: the values
/// of numpy_arrays_references.py beside this file and of the Keras docstrings, dtypes kept or
/// promoted as NumPy does, float64 finite-difference gradients and the exceptions for bad arguments.
/// </summary>
public abstract class NumpyShapeTests(string backend) : BackendTest(backend)
{
    private static Tensor Cube() => NF.Reshape(NF.Range(24), [2, 3, 4]);

    [SkippableFact]
    public void Moveaxis_swapaxes_and_ravel_match_numpy()
    {
        RequireBackend();
        using var a = Cube();
        using var m = NF.Moveaxis(a, 0, -1);
        Assert.Equal(new Shape(3, 4, 2), m.Shape);
        Assert.Equal(DType.Int32, m.DType);
        Assert.Equal(new[] { 0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23 }, m.ToArray<int>());
        int[] swapped = [0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23];
        using var m2 = NF.Moveaxis(a, [0, 1], [-1, -2]);
        Assert.Equal(new Shape(4, 3, 2), m2.Shape);
        Assert.Equal(swapped, m2.ToArray<int>());
        using var s = NF.Swapaxes(a, 0, 2);
        Assert.Equal(new Shape(4, 3, 2), s.Shape);
        Assert.Equal(swapped, s.ToArray<int>());
        Assert.Equal(new Shape(2, 3, 4), NF.Moveaxis(a, 1, 1).Shape);
        // Ravel: the elements in row-major order; of a transpose, in the transpose's order.
        using var r = NF.Ravel(s);
        Assert.Equal(new Shape(24), r.Shape);
        Assert.Equal(swapped, r.ToArray<int>());
        using var view = NF.Ravel(a);
        Assert.Same(a.Storage, view.Storage);   // contiguous: a view, as np.ravel
        Assert.NotSame(s.Storage, r.Storage);   // a transpose is packed into a copy
        Assert.Equal(new Shape(1), NF.Ravel(NF.Constant(2.5)).Shape);
        Assert.Equal(new Shape(0), NF.Ravel(NF.Zeros(new Shape(3, 0))).Shape);
    }

    [SkippableFact]
    public void Flips_match_numpy()
    {
        RequireBackend();
        using var a = Cube();
        Assert.Equal(Enumerable.Range(0, 24).Reverse().ToArray(), NF.Flip(a).ToArray<int>());
        Assert.Equal(new[] { 15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8 }, NF.Flip(a, [0, -1]).ToArray<int>());
        Assert.Equal(new[] { 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, NF.Flip(a, 0).ToArray<int>());
        using var m = NF.Reshape(NF.Range(6), [2, 3]);
        Assert.Equal(new[] { 2, 1, 0, 5, 4, 3 }, NF.Fliplr(m).ToArray<int>());
        Assert.Equal(new[] { 3, 4, 5, 0, 1, 2 }, NF.Flipud(m).ToArray<int>());
        using var b = NF.Flipud(NF.Constant(new[] { true, false, false }));
        Assert.Equal(new[] { false, false, true }, b.ToArray<bool>());
        Assert.Equal(7.0, NF.Flip(NF.Constant(7.0)).Item<double>());
    }

    [SkippableFact]
    public void Stacks_match_numpy_and_promote_dtypes()
    {
        RequireBackend();
        // numpy_arrays_references.py "hstack": int32 with float64 gives float64.
        using var h = NF.Hstack([NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 3.5 })]);
        Assert.Equal(DType.Float64, h.DType);
        Assert.Equal(new[] { 1, 2, 3.5 }, h.ToArray<double>());
        using var h2 = NF.Hstack([NF.Ones(new Shape(2, 1), DType.Int32), NF.Zeros(new Shape(2, 2), DType.Int32)]);
        Assert.Equal(new Shape(2, 3), h2.Shape);
        Assert.Equal(new[] { 1, 0, 0, 1, 0, 0 }, h2.ToArray<int>());
        using var v = NF.Vstack([NF.Constant(new[] { 1, 2 }), NF.Constant(new[,] { { 3, 4 }, { 5, 6 } })]);
        Assert.Equal(new Shape(3, 2), v.Shape);
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, v.ToArray<int>());
        // keras.ops.column_stack's docstring: [[1, 4], [2, 5], [3, 6]].
        using var c = NF.ColumnStack([NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 4, 5, 6 })]);
        Assert.Equal(new Shape(3, 2), c.Shape);
        Assert.Equal(new[] { 1, 4, 2, 5, 3, 6 }, c.ToArray<int>());
        using var ds = NF.DStack([NF.Constant(new[] { 1 }), NF.Constant(new[] { 2.5 })]);   // DStack promotes as the other stacks
        Assert.Equal(DType.Float64, ds.DType);
        Assert.Equal(new[] { 1, 2.5 }, ds.ToArray<double>());
        using var scalars = NF.Hstack([NF.Constant(1f), NF.Constant(2f)]);
        Assert.Equal(new[] { 1f, 2f }, scalars.ToArray<float>());
        Assert.Equal(new Shape(2, 1), NF.Vstack([NF.Constant(1f), NF.Constant(2f)]).Shape);
    }

    [SkippableFact]
    public void Splits_match_numpy_and_keras_docstrings()
    {
        RequireBackend();
        // keras.ops.array_split's docstring: arange(10) in 3 gives [0..3], [4..6], [7..9].
        var parts = NF.ArraySplit(NF.Range(10), 3);
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]], parts.Select(p => p.ToArray<int>()).ToArray());
        Assert.Equal([[0, 1], [2], [3], [4]], NF.ArraySplit(NF.Range(5), 4).Select(p => p.ToArray<int>()).ToArray());
        Assert.Equal([[0], [], []], NF.ArraySplit(NF.Range(1), 3).Select(p => p.ToArray<int>()).ToArray());
        // Cut points: negative from the end, clamped past it, a stop before its start empty.
        Assert.Equal([[0, 1], [2], [3, 4], [5], []], NF.ArraySplit(NF.Range(6), [2, 3, -1, 9]).Select(p => p.ToArray<int>()).ToArray());
        // keras.ops.hsplit's docstring (arange(16.0) as 4 x 4).
        using var x = NF.Reshape(NF.Range(0.0, 16.0, 1.0, dtype: DType.Float64), [4, 4]);
        var hs = NF.HSplit(x, [1, 3]);
        Assert.Equal([new Shape(4, 1), new Shape(4, 2), new Shape(4, 1)], hs.Select(p => p.Shape).ToArray());
        Assert.Equal(new[] { 1.0, 2, 5, 6, 9, 10, 13, 14 }, hs[1].ToArray<double>());
        Assert.Equal(new[] { 2.0, 3, 6, 7, 10, 11, 14, 15 }, NF.HSplit(x, 2)[1].ToArray<double>());
        Assert.Equal(new[] { 3, 4, 5 }, NF.HSplit(NF.Range(6), 2)[1].ToArray<int>());
        // keras.ops.vsplit's docstring (arange(12) as 4 x 3).
        var vs = NF.VSplit(NF.Reshape(NF.Range(12), [4, 3]), 2);
        Assert.Equal(new[] { 6, 7, 8, 9, 10, 11 }, vs[1].ToArray<int>());
        Assert.Equal(new[] { 3, 4, 5, 6, 7, 8 }, NF.VSplit(NF.Reshape(NF.Range(12), [4, 3]), [1, 3])[1].ToArray<int>());
        // keras.ops.dsplit's docstring (arange(16.0) as 2 x 2 x 4).
        var ds = NF.DSplit(NF.Reshape(NF.Range(0.0, 16.0, 1.0, dtype: DType.Float64), [2, 2, 4]), 2);
        Assert.Equal(new Shape(2, 2, 2), ds[0].Shape);
        Assert.Equal(new[] { 0.0, 1, 4, 5, 8, 9, 12, 13 }, ds[0].ToArray<double>());
        Assert.Equal(new[] { 2.0, 3, 6, 7, 10, 11, 14, 15 }, ds[1].ToArray<double>());
        Assert.Equal(new[] { 1.0, 5, 9, 13 }, NF.DSplit(NF.Reshape(NF.Range(0.0, 16.0, 1.0, dtype: DType.Float64), [2, 2, 4]), [1, 2])[1].ToArray<double>());
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Moveaxis(t[0], [0, 2], [2, 0]) * NF.Swapaxes(t[0], 0, 2), GradientTests.In([2, 3, 2], 1));
        GradientTests.Check(t => NF.Ravel(NF.Swapaxes(t[0], 0, 1)) * NF.Ravel(t[0]), GradientTests.In([3, 2], 2));
        GradientTests.Check(t => NF.Flip(t[0]) * t[0] + NF.Fliplr(t[0]) + NF.Flipud(t[0]) * 2, GradientTests.In([3, 4], 3));
        GradientTests.Check(t => NF.Hstack([t[0], t[1]]) * NF.Hstack([t[1], t[0]]), GradientTests.In([2, 1], 4), GradientTests.In([2, 2], 5));
        GradientTests.Check(t => NF.Vstack([t[0], t[1]]) * 3 + NF.ReduceSum(NF.ColumnStack([t[0], t[0]])), GradientTests.In([3], 6), GradientTests.In([2, 3], 7));
        GradientTests.Check(t => NF.ArraySplit(t[0], 3, 1)[1] * NF.ArraySplit(t[0], [1, 3], 1)[2], GradientTests.In([2, 5], 8));
        GradientTests.Check(t => NF.HSplit(t[0], 2)[0] + NF.ReduceSum(NF.VSplit(t[0], [1])[1]) + NF.ReduceSum(NF.DSplit(NF.Reshape(t[0], [2, 2, 1]), 1)[0]), GradientTests.In([2, 2], 9));
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.Flip(x) * x * NF.Swapaxes(x, 0, 1), [3, 3]);
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        using var a = Cube();
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Moveaxis(a, 3, 0));
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => NF.Moveaxis(a, [0, -3], [1, 2])).Message);
        Assert.Contains("same number", Assert.Throws<ArgumentException>(() => NF.Moveaxis(a, [0, 1], [1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Swapaxes(a, 0, -4));
        Assert.Contains("at least 2 axes", Assert.Throws<ArgumentException>(() => NF.Fliplr(NF.Range(3))).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Flipud(NF.Constant(1))).Message);
        Assert.Contains("no tensors", Assert.Throws<ArgumentException>(() => NF.Hstack([])).Message);
        Assert.Contains("differ outside", Assert.Throws<ArgumentException>(() => NF.Vstack([NF.Range(2), NF.Range(3)])).Message);
        Assert.Contains("sections must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.ArraySplit(a, 0)).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.ArraySplit(NF.Constant(1), 1)).Message);
        Assert.Contains("equal pieces", Assert.Throws<ArgumentException>(() => NF.HSplit(a, 2)).Message);
        Assert.Contains("at least 2 axes", Assert.Throws<ArgumentException>(() => NF.VSplit(NF.Range(4), 2)).Message);
        Assert.Contains("at least 3 axes", Assert.Throws<ArgumentException>(() => NF.DSplit(NF.Zeros(new Shape(2, 2)), [1])).Message);
    }
}

/// <summary>The shape tests on the managed engine.</summary>
public sealed class ManagedNumpyShapeTests() : NumpyShapeTests("managed");

/// <summary>The shape tests on the native CPU engine.</summary>
public sealed class NativeCpuNumpyShapeTests() : NumpyShapeTests("cpu");

/// <summary>The shape tests on CUDA.</summary>
public sealed class CudaNumpyShapeTests() : NumpyShapeTests("cuda");
