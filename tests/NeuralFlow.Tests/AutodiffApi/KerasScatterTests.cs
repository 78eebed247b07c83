using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.AutodiffApi;

/// <summary>
/// keras.ops.scatter / scatter_update / slice_update on every engine: the Keras docstrings'
/// examples (values in autodiff_api_references.py), integer and NaN data, finite-difference
/// gradients, an NF.Function replay of SliceUpdate, and the errors for blocks that do not fit.
/// </summary>
public abstract class KerasScatterTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Scatter_and_ScatterUpdate_keras_docstrings()
    {
        RequireBackend();
        // keras.ops.scatter([[0, 1], [1, 1]], [1., 1.], (2, 2)) -> [[0, 1], [0, 1]].
        var s = NF.Scatter(NF.Constant(new[,] { { 0, 1 }, { 1, 1 } }), NF.Constant(new[] { 1.0, 1.0 }), new Shape(2, 2));
        AssertClose([0, 1, 0, 1], s.ToArray<double>(), 0, 0, "scatter");
        // Duplicates add up, as in every Keras backend.
        var dup = NF.Scatter(NF.Constant(new[,] { { 1 }, { 1 }, { 0 } }), NF.Constant(new[] { 2f, 3f, 4f }), new Shape(3));
        Assert.Equal(new[] { 4f, 5f, 0f }, dup.ToArray<float>());
        // keras.ops.scatter_update(zeros((4, 4, 4)), [[1, 2, 3], [0, 1, 3]], [1., 1.]).
        var u = NF.ScatterUpdate(NF.Zeros(new Shape(4, 4, 4), DType.Float64), NF.Constant(new[,] { { 1, 2, 3 }, { 0, 1, 3 } }), NF.Constant(new[] { 1.0, 1.0 }));
        var flat = u.ToArray<double>();
        Assert.Equal(1.0, flat[1 * 16 + 2 * 4 + 3]);
        Assert.Equal(1.0, flat[0 * 16 + 1 * 4 + 3]);
        Assert.Equal(2.0, flat.Sum());
        // Slices: inputs[1, 2, :] and inputs[2, 3, :] set to ones.
        var rows = NF.ScatterUpdate(NF.Zeros(new Shape(4, 4, 4), DType.Float64), NF.Constant(new[,] { { 1, 2 }, { 2, 3 } }), NF.Ones(new Shape(2, 4), DType.Float64));
        var r = rows.ToArray<double>();
        Assert.Equal(8.0, r.Sum());
        Assert.True(Enumerable.Range(0, 4).All(k => r[1 * 16 + 2 * 4 + k] == 1 && r[2 * 16 + 3 * 4 + k] == 1));
    }

    [SkippableFact]
    public void SliceUpdate_keras_docstring_dtypes_and_special_values()
    {
        RequireBackend();
        // keras.ops.slice_update(zeros((5, 5)), [3, 3], ones((2, 2))): the last two rows and columns are 1.
        var y = NF.SliceUpdate(NF.Zeros(new Shape(5, 5), DType.Float64), [3, 3], NF.Ones(new Shape(2, 2), DType.Float64));
        var expected = new double[25];
        foreach (int i in new[] { 18, 19, 23, 24 }) expected[i] = 1;
        AssertClose(expected, y.ToArray<double>(), 0, 0, "docstring");
        var fromTensor = NF.SliceUpdate(NF.Zeros(new Shape(5, 5), DType.Float64), NF.Constant(new[] { 3L, 3L }), NF.Ones(new Shape(2, 2), DType.Float64));
        AssertClose(expected, fromTensor.ToArray<double>(), 0, 0, "tensor start");
        // Integers, bools, NaN and inf in the kept part survive untouched (no arithmetic mixes them).
        var ints = NF.SliceUpdate(NF.Constant(new[] { 1, 2, 3, 4 }), [1], NF.Constant(new[] { 9, 8 }));
        Assert.Equal(new[] { 1, 9, 8, 4 }, ints.ToArray<int>());
        var bools = NF.SliceUpdate(NF.Constant(new[] { false, false, false }), [2], NF.Constant(new[] { true }));
        Assert.Equal(new[] { false, false, true }, bools.ToArray<bool>());
        var special = NF.SliceUpdate(NF.Constant(new[] { double.NaN, double.PositiveInfinity, 1 }), [2], NF.Constant(new[] { 5.0 }));
        AssertClose([double.NaN, double.PositiveInfinity, 5], special.ToArray<double>(), 0, 0, "special");
        // An empty block changes nothing; a 3-D block in the middle.
        var same = NF.SliceUpdate(NF.Constant(new[] { 1.0, 2 }), [2], NF.Zeros(new Shape(0), DType.Float64));
        AssertClose([1, 2], same.ToArray<double>(), 0, 0, "empty block");
        var cube = NF.SliceUpdate(NF.Zeros(new Shape(3, 3, 3), DType.Float64), [1, 0, 2], NF.Ones(new Shape(1, 2, 1), DType.Float64)).ToArray<double>();
        Assert.Equal(2.0, cube.Sum());
        Assert.Equal(1.0, cube[9 + 0 + 2]);
        Assert.Equal(1.0, cube[9 + 3 + 2]);
    }

    [SkippableFact]
    public void SliceUpdate_gradient_and_NF_Function_replay()
    {
        RequireBackend();
        GradientTests.Check(t => NF.SliceUpdate(t[0], [1, 2], t[1] * t[1]), GradientTests.In([4, 5], 1), GradientTests.In([2, 3], 2));
        GradientTests.Check(t => NF.Scatter(NF.Constant(new[,] { { 2 }, { 0 }, { 2 } }), t[0], new Shape(4, 2)), GradientTests.In([3, 2], 3));
        var f = NF.Function((Tensor x, Tensor u) => NF.SliceUpdate(x, [0, 1], u * 2));
        var info = TracedFunction.Of(f);
        AssertClose([1, 4, 3, 4, 10, 6], f(NF.Constant(new[,] { { 1.0, 2, 3 }, { 4, 5, 6 } }), NF.Constant(new[,] { { 2.0 }, { 5 } })).ToArray<double>(), 0, 0, "traced");
        AssertClose([0, -2, 0, 0, 8, 0], f(NF.Zeros(new Shape(2, 3), DType.Float64), NF.Constant(new[,] { { -1.0 }, { 4 } })).ToArray<double>(), 0, 0, "replayed");
        Assert.True(info.LastCallReplayed, info.EagerReason);
    }

    [SkippableFact]
    public void SliceUpdate_refuses_blocks_that_do_not_fit()
    {
        RequireBackend();
        var x = NF.Zeros(new Shape(5, 5), DType.Float64);
        var ones = NF.Ones(new Shape(2, 2), DType.Float64);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.SliceUpdate(x, [4, 3], ones));
        Assert.Contains("SliceUpdate: on axis 0, updates of length 2 starting at 4 do not fit inside inputs of length 5", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.SliceUpdate(x, [-1, 0], ones));
        Assert.Contains("2 start indices for inputs of rank 3", Assert.Throws<ArgumentException>(() => NF.SliceUpdate(NF.Zeros(new Shape(2, 2, 2), DType.Float64), [0, 0], NF.Zeros(new Shape(1, 1, 1), DType.Float64))).Message);
        Assert.Contains("must have the rank of inputs", Assert.Throws<ArgumentException>(() => NF.SliceUpdate(x, [0, 0], NF.Ones(new Shape(2), DType.Float64))).Message);
        Assert.Contains("SliceUpdate: updates are float32 but tensor is float64", Assert.Throws<ArgumentException>(() => NF.SliceUpdate(x, [0, 0], NF.Ones(new Shape(2, 2)))).Message);
        Assert.Contains("startIndices must be an integer vector", Assert.Throws<ArgumentException>(() => NF.SliceUpdate(x, NF.Constant(new[] { 1.0, 1.0 }), ones)).Message);
    }
}

public sealed class ManagedKerasScatterTests() : KerasScatterTests("managed");

public sealed class NativeCpuKerasScatterTests() : KerasScatterTests("cpu");

public sealed class CudaKerasScatterTests() : KerasScatterTests("cuda");
