namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// A bool tensor as the index, <c>t[mask]</c>, as TensorFlow's and PyTorch's <c>x[mask]</c> (tf.boolean_mask): the Core
/// MLP guide's accuracy breakdown writes <c>test_classes[y_test == label]</c>. It did not compile (no tensor index).
/// </summary>
public abstract class TensorMaskIndexTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_mask_picks_the_elements_or_rows_where_it_is_true_with_a_gradient()
    {
        RequireBackend();
        // The guide's cell: the predictions of the digits whose label is 3.
        var labels = NF.Constant(new long[] { 3, 1, 3, 0, 3 });
        var predictions = NF.Constant(new long[] { 3, 1, 2, 0, 3 });
        Assert.Equal(new long[] { 3, 2, 3 }, predictions[NF.Equal(labels, 3)].ToArray<long>());

        var m = NF.Constant(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(new float[] { 2, 4, 6 }, m[NF.Equal(NF.FloorMod(m, 2f), 0f)].ToArray<float>());   // a mask of the same shape: the elements
        var rows = m[NF.Constant(new[] { false, true })];   // a mask of the first axis: the rows
        Assert.Equal(new Shape(1, 3), rows.Shape);
        Assert.Equal(new float[] { 4, 5, 6 }, rows.ToArray<float>());

        var x = new Variable(NF.Constant(new[] { 1f, -2f, 3f }));
        using (var tape = new GradientTape())
        {
            var positives = x[x > 0f];
            var grad = tape.Gradient(NF.ReduceSum(positives * positives), [x])[0];
            Assert.Equal(new[] { 2f, 0f, 6f }, grad.ToArray<float>());
        }

        // NumPy's x[mask] = 0 on a variable: the selected elements are written.
        x[x < 0f] = NF.Constant(0f);
        Assert.Equal(new[] { 1f, 0f, 3f }, x.ToArray<float>());
    }

    [SkippableFact]
    public void Integer_tensors_masks_among_other_entries_and_mismatched_masks_are_refused_by_name()
    {
        RequireBackend();
        var t = NF.Constant(new[] { 1f, 2f, 3f });
        var e = Assert.Throws<ArgumentException>(() => t[NF.Constant(new[] { 0, 2 })]);
        Assert.Contains("must be an int32 or int64 scalar (a position), got int32 of shape (2,)", e.Message);
        Assert.Contains("NF.Gather", e.Message);
        var m = NF.Ones([2, 3]);
        e = Assert.Throws<ArgumentException>(() => m[NF.Constant(new[] { true, false, true }), 0]);
        Assert.Contains("a mask tensor is the whole index", e.Message);
        e = Assert.Throws<ArgumentException>(() => m[NF.Constant(new[] { true, false, true })]);
        Assert.Contains("does not match tensor of shape (2, 3)", e.Message);
        Assert.Throws<ArgumentNullException>(() => t[(Tensor)null!]);
        var symbolic = Keras.Layers.Input([3]);
        Assert.Throws<NotSupportedException>(() => symbolic[NF.Constant(new[] { true, false, true })]);
    }
}

/// <summary>Mask indexing, on the managed backend.</summary>
public sealed class ManagedTensorMaskIndexTests() : TensorMaskIndexTests("managed");

/// <summary>Mask indexing, on the native CPU backend.</summary>
public sealed class NativeCpuTensorMaskIndexTests() : TensorMaskIndexTests("cpu");

/// <summary>Mask indexing, on the CUDA backend.</summary>
public sealed class CudaTensorMaskIndexTests() : TensorMaskIndexTests("cuda");
