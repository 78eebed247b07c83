namespace NeuralFlow.Tests.TfGaps;

/// <summary>
/// The sorted segment reductions (tf.math.segment_sum, segment_mean, segment_max, segment_min,
/// segment_prod) on every engine: their TensorFlow docstring values (tensorflow/python/ops/
/// math_ops.py and the op docs of segment_*: c = [[1,2,3,4],[4,3,2,1],[5,6,7,8]], ids [0, 0, 1]),
/// empty segments (0, or 1 for the product), float64 finite-difference gradients and the errors.
/// Before, only UnsortedSegmentSum existed.
/// </summary>
public abstract class SortedSegmentTests(string backend) : BackendTest(backend)
{
    private static Tensor C() => NF.Constant(new[,] { { 1, 2, 3, 4 }, { 4, 3, 2, 1 }, { 5, 6, 7, 8 } });
    private static Tensor Ids(params int[] ids) => NF.Constant(ids);

    [SkippableFact]
    public void Segment_ops_give_their_tensorflow_docstring_values()
    {
        RequireBackend();
        Assert.Equal([5, 5, 5, 5, 5, 6, 7, 8], NF.SegmentSum(C(), Ids(0, 0, 1)).ToArray<int>());
        Assert.Equal([4, 3, 3, 4, 5, 6, 7, 8], NF.SegmentMax(C(), Ids(0, 0, 1)).ToArray<int>());
        Assert.Equal([1, 2, 2, 1, 5, 6, 7, 8], NF.SegmentMin(C(), Ids(0, 0, 1)).ToArray<int>());
        Assert.Equal([4, 6, 6, 4, 5, 6, 7, 8], NF.SegmentProd(C(), Ids(0, 0, 1)).ToArray<int>());
        Assert.Equal([2.5f, 2.5f, 2.5f, 2.5f, 5, 6, 7, 8], NF.SegmentMean(NF.Cast(C(), DType.Float32), Ids(0, 0, 1)).ToArray<float>());
        // Segment 1 is empty: 0 for sum, mean, max and min, 1 for the product (TensorFlow's rule).
        var ids = NF.Constant(new long[] { 0, 2, 2 });
        Assert.Equal([1, 2, 3, 4, 0, 0, 0, 0, 9, 9, 9, 9], NF.SegmentSum(C(), ids).ToArray<int>());
        Assert.Equal([1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7, 8], NF.SegmentMax(C(), ids).ToArray<int>());
        Assert.Equal([1, 2, 3, 4, 1, 1, 1, 1, 20, 18, 14, 8], NF.SegmentProd(C(), ids).ToArray<int>());
        Assert.Equal([1f, 2, 3, 4, 0, 0, 0, 0, 4.5f, 4.5f, 4.5f, 4.5f], NF.SegmentMean(NF.Cast(C(), DType.Float32), ids).ToArray<float>());
    }

    [SkippableFact]
    public void Segment_gradients_match_finite_differences()
    {
        RequireBackend();
        foreach (var op in new Func<Tensor, Tensor, Tensor>[] { NF.SegmentSum, NF.SegmentMean, NF.SegmentMax, NF.SegmentMin, NF.SegmentProd })
            GradientTests.Check(t => op(t[0], Ids(0, 0, 2, 2, 2)), GradientTests.In([5, 3], 71));
    }

    [SkippableFact]
    public void Bad_segment_ids_are_named()
    {
        RequireBackend();
        Assert.Contains("not sorted", Assert.Throws<ArgumentException>(() => NF.SegmentMax(C(), Ids(1, 0, 1))).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => NF.SegmentSum(C(), Ids(-1, 0, 1))).Message);
        Assert.Contains("one id per row", Assert.Throws<ArgumentException>(() => NF.SegmentProd(C(), Ids(0, 1))).Message);
        Assert.Contains("int32 or int64", Assert.Throws<ArgumentException>(() => NF.SegmentMin(C(), NF.Constant(new[] { 0f, 0, 1 }))).Message);
        Assert.Contains("float data", Assert.Throws<ArgumentException>(() => NF.SegmentMean(C(), Ids(0, 0, 1))).Message);
    }
}

public sealed class ManagedSortedSegmentTests() : SortedSegmentTests("managed");

public sealed class NativeCpuSortedSegmentTests() : SortedSegmentTests("cpu");

public sealed class CudaSortedSegmentTests() : SortedSegmentTests("cuda");
