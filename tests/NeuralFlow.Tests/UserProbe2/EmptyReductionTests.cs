namespace NeuralFlow.Tests.UserProbe2;

/// <summary>
/// Reductions over empty axes as NumPy and TensorFlow give them: all() of nothing is true and
/// any() false (np.all([]), tf.reduce_all([])), so what builds on them (integer division's zero
/// check, truncated-normal draws) works on empty tensors; a max, min or arg-reduction of nothing
/// has no value and says so in the caller's terms on every engine.
/// </summary>
public abstract class EmptyReductionTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void All_of_nothing_is_true_and_any_false()
    {
        RequireBackend();
        var empty = NF.Zeros([0], DType.Bool);
        Assert.True(NF.ReduceAll(empty).Item<bool>());       // np.all([]) -> True
        Assert.False(NF.ReduceAny(empty).Item<bool>());      // np.any([]) -> False
        Assert.True(NF.ReduceAll(NF.Zeros([0])).Item<bool>());
        Assert.False(NF.ReduceAny(NF.Zeros([0], DType.Int32)).Item<bool>());
    }

    [SkippableFact]
    public void Along_an_empty_axis_every_row_gets_the_identity()
    {
        RequireBackend();
        var x = NF.Zeros([2, 0], DType.Bool);
        Assert.Equal(new[] { true, true }, NF.ReduceAll(x, 1).ToArray<bool>());      // np.all(np.zeros((2, 0)), axis=1)
        Assert.Equal(new[] { false, false }, NF.ReduceAny(x, -1).ToArray<bool>());
        var kept = NF.ReduceAll(x, 1, keepDims: true);
        Assert.Equal(new Shape([2, 1]), kept.Shape);
        Assert.Equal(DType.Bool, kept.DType);
        // An empty tensor reduced along a non-empty axis: no rows, no question.
        Assert.Equal(new Shape([0]), NF.ReduceAny(NF.Zeros([0, 3], DType.Bool), 1).Shape);
        // Non-empty inputs are unchanged.
        Assert.Equal(new[] { false, true }, NF.ReduceAll(NF.Constant(new[,] { { true, false }, { true, true } }), 1).ToArray<bool>());
    }

    [SkippableFact]
    public void Integer_division_of_empty_tensors_gives_empty_tensors()
    {
        RequireBackend();
        var a = NF.Zeros([0, 2], DType.Int32);
        var b = NF.Ones([0, 2], DType.Int32);
        Assert.Equal(new Shape([0, 2]), NF.FloorDiv(a, b).Shape);   // np.floor_divide on (0, 2) arrays
        Assert.Equal(new Shape([0, 2]), NF.FloorMod(a, b).Shape);
        Assert.Equal(new Shape([0, 2]), (a % b).Shape);
    }

    [SkippableFact]
    public void Truncated_normal_of_an_empty_shape_is_empty()
    {
        RequireBackend();
        Assert.Equal(new Shape([0, 3]), NF.Random.TruncatedNormal([0, 3]).Shape);   // tf.random.truncated_normal([0, 3])
    }

    [SkippableFact]
    public void Max_min_and_arg_reductions_of_nothing_name_the_op_and_the_axis()
    {
        RequireBackend();
        var max = Assert.Throws<ArgumentException>(() => NF.ReduceMax(NF.Zeros([3, 0]), 1));
        Assert.Contains("ReduceMax: axis 1 of x with shape (3, 0) is empty", max.Message);
        var min = Assert.Throws<ArgumentException>(() => NF.ReduceMin(NF.Zeros([0], DType.Int32)));
        Assert.Contains("ReduceMin: axis 0", min.Message);
        Assert.Contains("ArgMax: axis 0", Assert.Throws<ArgumentException>(() => NF.ArgMax(NF.Zeros([0, 2]))).Message);
        Assert.Contains("ArgMin: axis 1", Assert.Throws<ArgumentException>(() => NF.ArgMin(NF.Zeros([2, 0]), -1)).Message);
        // A non-empty axis of an empty tensor is fine: (0, 3) max over axis 1 is (0,).
        Assert.Equal(new Shape([0]), NF.ReduceMax(NF.Zeros([0, 3]), 1).Shape);
    }
}

public sealed class ManagedEmptyReductionTests() : EmptyReductionTests("managed");

public sealed class NativeCpuEmptyReductionTests() : EmptyReductionTests("cpu");

public sealed class CudaEmptyReductionTests() : EmptyReductionTests("cuda");
