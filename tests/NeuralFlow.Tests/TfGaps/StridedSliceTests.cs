namespace NeuralFlow.Tests.TfGaps;

/// <summary>
/// Slicing with a step on every engine: the indexer's <c>NF.Step</c> and <c>NF.NewAxis</c>
/// entries and <c>NF.StridedSlice</c> (tf.strided_slice). Before, C# ranges had no step, so
/// Python's <c>x[::2, ::-1]</c> could not be written and tf.strided_slice did not exist.
/// NumPy references: <c>/usr/bin/python3 -c "import numpy as np; x=np.arange(20).reshape(5,4); print(x[::2, ::-1])"</c>
/// and likewise for each expression quoted beside its assertion.
/// </summary>
public abstract class StridedSliceTests(string backend) : BackendTest(backend)
{
    // np.arange(20).reshape(5, 4) as float32.
    private static Tensor X() => NF.Constant(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), new Shape(5, 4));

    private static void Is(float[] expected, int[] shape, Tensor actual)
    {
        Assert.Equal(new Shape(shape), actual.Shape);
        Assert.Equal(expected, actual.ToArray<float>());
    }

    [SkippableFact]
    public void Step_entries_match_python_slices()
    {
        RequireBackend();
        var x = X();
        Is([3, 2, 1, 0, 11, 10, 9, 8, 19, 18, 17, 16], [3, 4], x[NF.Step(.., 2), NF.Step(.., -1)]); // x[::2, ::-1]
        Is([4, 5, 6, 7, 12, 13, 14, 15], [2, 4], x[NF.Step(1..^1, 2)]);                             // x[1:-1:2]
        Is([16, 17, 18, 19, 12, 13, 14, 15, 8, 9, 10, 11], [3, 4], x[NF.Step(2..6, -1)]);           // x[5:1:-1]
        Is([17, 9, 1], [3], x[NF.Step(.., -2), 1]);                                                  // x[::-2, 1]
        Is([3, 1, 15, 13], [2, 2], x[NF.Step(..100, 3), NF.Step(1..4, -2)]);                         // x[::3, 3:0:-2]
        Is([], [0, 4], x[NF.Step(4..2, -1)]);                                                        // an empty range stays empty
        var column = x[.., NF.NewAxis, NF.Step(.., -1)];                                             // x[:, None, ::-1]
        Is([3, 2, 1, 0], [1, 4], column[0]);
        Assert.Equal(new Shape(5, 1, 4), column.Shape);
        Assert.Equal(new Shape(1, 5, 4), x[NF.NewAxis].Shape);                                      // x[None]
    }

    // Examples of the tf.strided_slice docstring (tensorflow/python/ops/array_ops.py).
    [SkippableFact]
    public void Strided_slice_gives_its_tensorflow_docstring_values()
    {
        RequireBackend();
        var t = NF.Constant(new int[,,] { { { 1, 1, 1 }, { 2, 2, 2 } }, { { 3, 3, 3 }, { 4, 4, 4 } }, { { 5, 5, 5 }, { 6, 6, 6 } } });
        Assert.Equal([3, 3, 3], NF.StridedSlice(t, [1, 0, 0], [2, 1, 3], [1, 1, 1]).ToArray<int>());
        Assert.Equal([3, 3, 3, 4, 4, 4], NF.StridedSlice(t, [1, 0, 0], [2, 2, 3], [1, 1, 1]).ToArray<int>());
        var backwards = NF.StridedSlice(t, [1, -1, 0], [2, -3, 3], [1, -1, 1]);
        Assert.Equal(new Shape(1, 2, 3), backwards.Shape);
        Assert.Equal([4, 4, 4, 3, 3, 3], backwards.ToArray<int>());
    }

    [SkippableFact]
    public void Strided_slice_masks_and_clamping_follow_python()
    {
        RequireBackend();
        var x = X();
        Is([3, 1, 15, 13], [2, 2], NF.StridedSlice(x, [-100, 3], [100, 0], [3, -2]));          // x[-100:100:3, 3:0:-2]
        Is(Enumerable.Range(0, 20).Reverse().Select(i => (float)i).ToArray(), [5, 4],
            NF.StridedSlice(x, [0, 0], [0, 0], [-1, -1], beginMask: 3, endMask: 3));           // x[::-1, ::-1]
        Is([17, 9, 1], [3], NF.StridedSlice(x, [0, 1], [0, 0], [-2, 1], beginMask: 1, endMask: 1, shrinkAxisMask: 2)); // x[::-2, 1]
        Is([7, 6, 5, 4], [1, 4], NF.StridedSlice(x, [1, 0, 0], [2, 0, 0], [1, 1, -1], newAxisMask: 2, endMask: 4, beginMask: 4)[0]); // x[1:2, None, ::-1][0]
        Is([3, 7, 11, 15, 19], [5], NF.StridedSlice(x, [0, -1], [0, 0], [1, 1], ellipsisMask: 1, shrinkAxisMask: 2)); // x[..., -1]
        Is([4, 5, 6, 7, 12, 13, 14, 15], [2, 4], NF.StridedSlice(x, [1], [-1], [2]));          // x[1:-1:2], trailing axis whole
    }

    [SkippableFact]
    public void Bad_steps_and_bounds_are_named()
    {
        RequireBackend();
        var x = X();
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => x[NF.Step(.., 0)]);
        Assert.Contains("step", zero.Message);
        Assert.Contains("strides[1] is 0", Assert.Throws<ArgumentException>(() => NF.StridedSlice(x, [0, 0], [1, 1], [1, 0])).Message);
        Assert.Contains("same length", Assert.Throws<ArgumentException>(() => NF.StridedSlice(x, [0], [1, 1], [1, 1])).Message);
        Assert.Contains("rank 2", Assert.Throws<ArgumentException>(() => NF.StridedSlice(x, [0, 0, 0], [1, 1, 1])).Message);
        Assert.Contains("more than one bit", Assert.Throws<ArgumentException>(() => NF.StridedSlice(x, [0, 0], [1, 1], ellipsisMask: 3)).Message);
        Assert.Throws<IndexOutOfRangeException>(() => NF.StridedSlice(x, [7], [8], shrinkAxisMask: 1));
        Assert.Throws<IndexOutOfRangeException>(() => x[.., NF.NewAxis, NF.Step(.., 2), 0]);
    }

    // NumPy: /usr/bin/python3 -c "import numpy as np; x=np.arange(24).reshape(2,3,4); print(x[...,0], x[1,...,::-2],
    // x[...,None].shape, x[None,...,1,None].shape, x[0,...,1,2], x[...].shape)". Before, the indexer had no ellipsis entry.
    [SkippableFact]
    public void Ellipsis_stands_for_the_unread_axes()
    {
        RequireBackend();
        var x = NF.Constant(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), new Shape(2, 3, 4));
        Is([0, 4, 8, 12, 16, 20], [2, 3], x[NF.Ellipsis, 0]);
        Is([15, 13, 19, 17, 23, 21], [3, 2], x[1, NF.Ellipsis, NF.Step(.., -2)]);
        Assert.Equal(new Shape(2, 3, 4, 1), x[NF.Ellipsis, NF.NewAxis].Shape);
        Assert.Equal(new Shape(1, 2, 3, 1), x[NF.NewAxis, NF.Ellipsis, 1, NF.NewAxis].Shape);
        Is([6], [], x[0, NF.Ellipsis, 1, 2]);                                     // the ellipsis may stand for no axis
        Assert.Equal(new Shape(2, 3, 4), x[NF.Ellipsis].Shape);
        Assert.Throws<IndexOutOfRangeException>(() => x[NF.Ellipsis, 0, NF.Ellipsis]);
        Assert.Throws<IndexOutOfRangeException>(() => x[0, 0, 0, NF.Ellipsis, 0]);
        GradientTests.Check(t => t[0][NF.Ellipsis, NF.Step(.., -2)], GradientTests.In([2, 3, 4], 34));
    }

    [SkippableFact]
    public void Gradients_scatter_into_the_taken_positions()
    {
        RequireBackend();
        GradientTests.Check(t => t[0][NF.Step(.., 2), NF.Step(.., -1)], GradientTests.In([5, 4], 31));
        GradientTests.Check(t => t[0][NF.Step(1..^1, 2), NF.NewAxis, NF.Step(.., -3)], GradientTests.In([5, 4], 32));
        GradientTests.Check(t => NF.StridedSlice(t[0], [-1, 3], [0, 0], [-2, -2], endMask: 1), GradientTests.In([5, 4], 33));
        GradientTests.Check(t => NF.StridedSlice(t[0], [2, 0], [0, 0], [1, -1], shrinkAxisMask: 1, beginMask: 2, endMask: 2), GradientTests.In([5, 4], 34));
    }
}

public sealed class ManagedStridedSliceTests() : StridedSliceTests("managed");

public sealed class NativeCpuStridedSliceTests() : StridedSliceTests("cpu");

public sealed class CudaStridedSliceTests() : StridedSliceTests("cuda");
