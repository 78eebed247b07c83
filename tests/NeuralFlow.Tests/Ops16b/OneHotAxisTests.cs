using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>NF.OneHot's axis (tf.one_hot) on every backend: NumPy fixtures, out-of-range and negative indices, errors.</summary>
public abstract class OneHotAxisTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Axis_places_the_new_dimension_as_tf_one_hot()
    {
        RequireBackend();
        foreach (var c in Ops16bFixtures.OneHot)
        {
            using var idx = NF.Constant(c.Indices, c.IndicesShape);
            using var r = NF.OneHot(idx, c.Depth, onValue: 5, offValue: -1, axis: c.Axis, dtype: DType.Float64);
            string what = $"one_hot [{string.Join(", ", c.Indices)}] depth {c.Depth} axis {c.Axis}";
            Assert.Equal(new Shape(c.OutShape), r.Shape);
            AssertClose(c.Out, r.ToArray<double>(), 0, 0, what);
        }
    }

    [SkippableFact]
    public void Out_of_range_and_negative_indices_give_all_off()
    {
        RequireBackend();
        // tf.one_hot([-1, 3, 1], depth=3, axis=0) == [[0, 0, 0], [0, 0, 1], [0, 0, 0]] (TensorFlow's one_hot docs: -1 gives zeros)
        using var r = NF.OneHot(NF.Constant(new[] { -1, 3, 1 }), 3, axis: 0, dtype: DType.Int32);
        Assert.Equal(new Shape(3, 3), r.Shape);
        Assert.Equal([0, 0, 0, 0, 0, 1, 0, 0, 0], r.ToArray<int>());
        using var empty = NF.OneHot(NF.Constant(new long[0]), 4, axis: 0);
        Assert.Equal(new Shape(4, 0), empty.Shape);
        // axis -2 on a rank-1 input: the new axis first, as axis 0.
        using var neg = NF.OneHot(NF.Constant(new byte[] { 1, 0 }), 2, axis: -2);
        Assert.Equal([0f, 1, 1, 0], neg.ToArray<float>());
    }

    [SkippableFact]
    public void A_bad_axis_is_named()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.OneHot(NF.Constant(new[] { 1, 2 }), 3, axis: 2));
        Assert.Contains("axis 2 is outside [-2, 1] for indices of shape (2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.OneHot(NF.Constant(new[] { 1, 2 }), 3, axis: -3));
    }
}

public sealed class ManagedOneHotAxisTests() : OneHotAxisTests("managed");

public sealed class NativeCpuOneHotAxisTests() : OneHotAxisTests("cpu");

public sealed class CudaOneHotAxisTests() : OneHotAxisTests("cuda");
