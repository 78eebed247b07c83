namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// <c>NF.Shape(x)</c>, <c>NF.Size(x)</c> and <c>NF.Rank(x)</c>: TensorFlow's <c>tf.shape</c>, <c>tf.size</c> and
/// <c>tf.rank</c>, tensors on x's device. Inside an NF.Function, a batch-size dependent computation
/// (<c>NF.Shape(x)[0]</c>) gives each call's own size: plans are made per input shape, so it never freezes the traced one.
/// </summary>
public abstract class TensorsShapeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Shape_size_and_rank_are_tensors_on_the_device()
    {
        RequireBackend();
        using var x = NF.Zeros([2, 3, 4]);
        using var shape = NF.Shape(x);
        Assert.Equal(DType.Int32, shape.DType);
        Assert.Equal(new Shape(3), shape.Shape);
        Assert.Same(x.Backend, shape.Backend);
        Assert.Equal([2, 3, 4], shape.ToArray<int>());
        Assert.Equal([2L, 3, 4], NF.Shape(x, DType.Int64).ToArray<long>());
        Assert.Equal(2, NF.Shape(x)[0].Item<int>());   // tf.shape(x)[0]

        Assert.Equal(24, NF.Size(x).Item<int>());
        Assert.Equal(Shape.Scalar, NF.Size(x).Shape);
        Assert.Equal(24L, NF.Size(x, DType.Int64).Item<long>());
        Assert.Equal(3, NF.Rank(x).Item<int>());
        Assert.Same(x.Backend, NF.Rank(x).Backend);

        // A scalar: an empty shape, one element, rank 0.
        using var s = NF.Constant(5f);
        Assert.Equal(new Shape(0), NF.Shape(s).Shape);
        Assert.Equal(1, NF.Size(s).Item<int>());
        Assert.Equal(0, NF.Rank(s).Item<int>());

        var bad = Assert.Throws<ArgumentException>(() => NF.Shape(x, DType.Float32));
        Assert.Contains("int32 or int64", bad.Message);
        Assert.Throws<ArgumentException>(() => NF.Size(x, DType.Bool));
        Assert.Throws<ArgumentNullException>(() => NF.Shape(null!));
    }

    [SkippableFact]
    public void A_batch_size_from_the_shape_follows_each_call_in_a_function()
    {
        RequireBackend();
        // The mean over the batch written the TF way: sum / tf.cast(tf.shape(x)[0], tf.float32).
        var batchMean = NF.Function((Tensor x) => NF.ReduceSum(x, axis: 0) / NF.Cast(NF.Shape(x)[0], DType.Float32),
            inputSignature: [new NeuralFlow.Data.TensorSpec([null, 2], DType.Float32)]);
        var two = NF.Constant(new float[,] { { 1, 2 }, { 3, 4 } });
        var three = NF.Constant(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        Assert.Equal([2f, 3f], batchMean(two).ToArray<float>());
        Assert.Equal([3f, 4f], batchMean(three).ToArray<float>());
        Assert.Equal([20f, 30f], batchMean(two * 10f).ToArray<float>());   // the first size again: its plan replays
        Assert.True(TracedFunction.Of(batchMean).LastCallReplayed);
        Assert.Equal([30f, 40f], batchMean(three * 10f).ToArray<float>());
        Assert.True(TracedFunction.Of(batchMean).LastCallReplayed);
    }

    [SkippableFact]
    public void A_dataset_map_reads_the_elements_shape_even_when_fused_with_its_batch()
    {
        RequireBackend();
        // tf.data maps a function over elements: tf.shape(e) is the element's [3], also where NeuralFlow runs the Map
        // once per batch (map-and-batch fusion), where the tensor it sees holds the whole batch.
        var rows = NF.Reshape(NF.Range(0f, 12f), [4, 3]);
        var ds = NeuralFlow.Data.Dataset.FromTensorSlices(rows)
            .Map(e => e * NF.Cast(NF.Shape(e)[^1], DType.Float32) + NF.Cast(NF.Size(e) + NF.Rank(e), DType.Float32))
            .Batch(2);
        var batches = ds.ToList();
        Assert.Equal(2, batches.Count);
        // Each element e of shape (3,): e * 3 + (3 + 1).
        Assert.Equal([4f, 7, 10, 13, 16, 19], batches[0].ToArray<float>());
        Assert.Equal([22f, 25, 28, 31, 34, 37], batches[1].ToArray<float>());
        Assert.True(ds.MapBatchFusion!.IsFused, ds.MapBatchFusion.ToString());   // the shape did not stop the fusion
    }
}

/// <summary>Shape tensors on the managed backend.</summary>
public sealed class ManagedTensorsShapeTests() : TensorsShapeTests("managed");

/// <summary>Shape tensors on the native CPU backend.</summary>
public sealed class NativeCpuTensorsShapeTests() : TensorsShapeTests("cpu");

/// <summary>Shape tensors on CUDA.</summary>
public sealed class CudaTensorsShapeTests() : TensorsShapeTests("cuda");
