namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// SegmentMin/SegmentMax and UnsortedSegmentMin/Max with NaN in a segment: NaN wins wherever it stands in the
/// segment (first, middle or last), as torch's scatter_reduce amin/amax and NF.Maximum/Minimum do; TensorFlow's
/// CPU kernels fold with std::min/max, whose answer depends on where the NaN stands, so the order-free torch answer
/// is the one every engine here gives. Values from leftovers_references.py (torch scatter_reduce).
/// </summary>
public abstract class LeftoversSegmentNaNTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void NaN_propagates_in_every_segment_reduction()
    {
        RequireBackend();
        var data = NF.Constant(new[] { 1f, float.NaN, 3f, 2f, 5f, float.NaN, 4f, 7f });
        var ids = NF.Constant(new[] { 0, 0, 0, 1, 1, 2, 3, 3 });
        // torch: amin [nan, 2, nan, 4], amax [nan, 5, nan, 7].
        float[] min = [float.NaN, 2, float.NaN, 4], max = [float.NaN, 5, float.NaN, 7];
        Assert.Equal(min, NF.SegmentMin(data, ids).ToArray<float>());
        Assert.Equal(max, NF.SegmentMax(data, ids).ToArray<float>());
        Assert.Equal(min, NF.UnsortedSegmentMin(data, ids, 4).ToArray<float>());
        Assert.Equal(max, NF.UnsortedSegmentMax(data, ids, 4).ToArray<float>());

        // NaN first in its segment, and ids out of order for the unsorted ops: torch amin [nan, 2], amax [nan, 3].
        var first = NF.Constant(new[] { float.NaN, 1f, 3f, 2f });
        Assert.Equal([float.NaN, 2f], NF.SegmentMin(first, NF.Constant(new[] { 0, 0, 1, 1 })).ToArray<float>());
        Assert.Equal([float.NaN, 3f], NF.SegmentMax(first, NF.Constant(new[] { 0, 0, 1, 1 })).ToArray<float>());
        var shuffled = NF.Constant(new[] { 3f, float.NaN, 2f, 1f });
        Assert.Equal([float.NaN, 2f], NF.UnsortedSegmentMin(shuffled, NF.Constant(new[] { 1, 0, 1, 0 }), 2).ToArray<float>());
        Assert.Equal([float.NaN, 3f], NF.UnsortedSegmentMax(shuffled, NF.Constant(new[] { 1, 0, 1, 0 }), 2).ToArray<float>());

        // Float64 and rows: a NaN in one column of a segment leaves the other column alone.
        var rows = NF.Constant(new double[,] { { 1, double.NaN }, { 0, 4 }, { 2, 3 } });
        Assert.Equal([0, double.NaN, 2, 3], NF.SegmentMin(rows, NF.Constant(new[] { 0, 0, 1 })).ToArray<double>());
        Assert.Equal([1, double.NaN, 2, 3], NF.UnsortedSegmentMax(rows, NF.Constant(new[] { 0, 0, 1 }), 2).ToArray<double>());
    }
}

/// <summary>Segment NaN on the managed backend.</summary>
public sealed class ManagedLeftoversSegmentNaNTests() : LeftoversSegmentNaNTests("managed");

/// <summary>Segment NaN on the native CPU backend.</summary>
public sealed class NativeCpuLeftoversSegmentNaNTests() : LeftoversSegmentNaNTests("cpu");

/// <summary>Segment NaN on CUDA.</summary>
public sealed class CudaLeftoversSegmentNaNTests() : LeftoversSegmentNaNTests("cuda");
