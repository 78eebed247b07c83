namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// <c>NF.Slice(x, begin, size)</c> with begin an int tensor (<c>tf.slice</c> with a tensor begin): the offset is read on
/// the device, so a traced function (a random crop) replays with each call's offset instead of the traced one.
/// </summary>
public abstract class TensorsSliceAtTensorTests(string backend) : BackendTest(backend)
{
    // 0..19 as a 4 x 5 grid: element (r, c) is 5r + c.
    private static Tensor Grid() => NF.Reshape(NF.Range(0f, 20f), [4, 5]);

    [SkippableFact]
    public void A_tensor_begin_slices_the_block_at_its_value()
    {
        RequireBackend();
        var x = Grid();
        var block = NF.Slice(x, NF.Constant(new[] { 1, 2 }), [2, 3]);
        Assert.Equal(new Shape(2, 3), block.Shape);
        Assert.Equal([7f, 8, 9, 12, 13, 14], block.ToArray<float>());
        // int64 begins, and the same block as the int overload gives.
        Assert.Equal(NF.Slice(x, [2, 0], [2, 5]).ToArray<float>(), NF.Slice(x, NF.Constant(new[] { 2L, 0 }), [2, 5]).ToArray<float>());
        Assert.Equal(new Shape(0, 5), NF.Slice(x, NF.Constant(new[] { 4, 0 }), [0, 5]).Shape);

        // The gradient goes back into the block's place.
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = NF.ReduceSum(NF.Slice(x, NF.Constant(new[] { 1, 2 }), [2, 3]) * 2f);
        Assert.Equal([0f, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0], tape.Gradient(y, x).ToArray<float>());
    }

    [SkippableFact]
    public void Bad_begins_and_sizes_are_refused()
    {
        RequireBackend();
        var x = Grid();
        Assert.Throws<ArgumentException>(() => NF.Slice(x, NF.Constant(new[] { 1f, 2f }), [2, 3]));   // float begin
        Assert.Throws<ArgumentException>(() => NF.Slice(x, NF.Constant(new[] { 1 }), [2, 3]));        // one entry for two axes
        Assert.Throws<ArgumentException>(() => NF.Slice(x, NF.Constant(new[] { 1, 2 }), [2]));
        var rest = Assert.Throws<ArgumentException>(() => NF.Slice(x, NF.Constant(new[] { 1, 2 }), [2, -1]));
        Assert.Contains("size -1", rest.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Slice(x, NF.Constant(new[] { 0, 0 }), [5, 1]));
        // A block that leaves the input: tf.slice's error, here NF.Gather's out-of-range one.
        Assert.Throws<ArgumentException>(() => NF.Slice(x, NF.Constant(new[] { 3, 0 }), [2, 5]).ToArray<float>());
        Assert.Throws<ArgumentException>(() => NF.Slice(x, NF.Constant(new[] { -1, 0 }), [2, 5]).ToArray<float>());
    }

    [SkippableFact]
    public void A_traced_crop_replays_at_each_calls_offset()
    {
        RequireBackend();
        int traces = 0;
        var crop = NF.Function((Tensor image, Tensor offset) =>
        {
            traces++;
            return NF.Slice(image, offset, [2, 2]);
        });
        var x = Grid();
        Assert.Equal([0f, 1, 5, 6], crop(x, NF.Constant(new[] { 0, 0 })).ToArray<float>());
        Assert.Equal([13f, 14, 18, 19], crop(x, NF.Constant(new[] { 2, 3 })).ToArray<float>());
        Assert.True(TracedFunction.Of(crop).LastCallReplayed);
        Assert.Equal([6f, 7, 11, 12], crop(x, NF.Constant(new[] { 1, 1 })).ToArray<float>());
        Assert.Equal(1, traces);
        // An offset that takes the crop past the image is refused in a replay too, never read out of bounds.
        Assert.Throws<ArgumentException>(() => crop(x, NF.Constant(new[] { 3, 4 })).ToArray<float>());
        Assert.Equal([0f, 1, 5, 6], crop(x, NF.Constant(new[] { 0, 0 })).ToArray<float>());   // and the plan still works
    }
}

/// <summary>Tensor-begin slices on the managed backend.</summary>
public sealed class ManagedTensorsSliceAtTensorTests() : TensorsSliceAtTensorTests("managed");

/// <summary>Tensor-begin slices on the native CPU backend.</summary>
public sealed class NativeCpuTensorsSliceAtTensorTests() : TensorsSliceAtTensorTests("cpu");

/// <summary>Tensor-begin slices on CUDA.</summary>
public sealed class CudaTensorsSliceAtTensorTests() : TensorsSliceAtTensorTests("cuda");
