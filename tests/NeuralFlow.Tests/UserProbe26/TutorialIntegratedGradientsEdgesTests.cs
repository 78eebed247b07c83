namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The edges a user porting the integrated gradients tutorial meets: tf.linspace with num a tensor, a softmax output
/// indexed by a class tensor (tf.nn.softmax(logits)[:, target_class_idx] inside a tf.function) and its gradient,
/// TensorArray write and stack in a loop eagerly and in NF.Function, and tf.image.resize_with_pad on a batch.
/// </summary>
public abstract class TutorialIntegratedGradientsEdgesTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Linspace_takes_num_as_an_integer_scalar_tensor()
    {
        RequireBackend();
        // tf.linspace(start=0.0, stop=1.0, num=m_steps + 1) with m_steps a tensor: float32, as with a C# int.
        var mSteps = NF.Constant(4);
        var alphas = NF.Linspace(start: 0.0, stop: 1.0, num: mSteps + 1);
        Assert.Equal(DType.Float32, alphas.DType);
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 0.75f, 1f }, alphas.ToArray<float>());
        Assert.Equal(NF.Linspace(0.0, 1.0, 5).ToArray<float>(), NF.Linspace(0.0, 1.0, NF.Constant(5L)).ToArray<float>());
        // Tensor start and stop: the new axis at axis, as tf.linspace(start, stop, num, axis).
        var grid = NF.Linspace(NF.Constant(new[] { 0f, 10f }), NF.Constant(new[] { 1f, 20f }), NF.Constant(3), axis: -1);
        Assert.Equal(new Shape(2, 3), grid.Shape);
        Assert.Equal(new[] { 0f, 0.5f, 1f, 10f, 15f, 20f }, grid.ToArray<float>());
        // num is an integer scalar: a float or a vector is refused by name, as a negative count.
        Assert.Contains("num must be an int32 or int64 scalar", Assert.Throws<ArgumentException>(() => NF.Linspace(0.0, 1.0, NF.Constant(5f))).Message);
        Assert.Contains("num must be an int32 or int64 scalar", Assert.Throws<ArgumentException>(() => NF.Linspace(0.0, 1.0, NF.Constant(new[] { 5 }))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Linspace(0.0, 1.0, NF.Constant(-1)));
    }

    [SkippableFact]
    public void The_saturating_toy_function_has_gradient_one_below_the_cap_and_zero_above()
    {
        RequireBackend();
        // The tutorial's intuition cell: f(x) = tf.where(x < 0.8, x, 0.8) on tf.linspace(0.0, 1.0, 6); the gradient
        // saturates (0) where the cap is taken, so plain gradients call those pixels unimportant.
        var x = NF.Linspace(start: 0.0, stop: 1.0, num: 6);
        Tensor F(Tensor v) => NF.Where(v < 0.8f, v, 0.8f);
        Tensor y, g;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            y = F(x);
            g = tape.Gradient(y, x);
        }
        Reference.AssertClose([0, 0.2, 0.4, 0.6, 0.8, 0.8], [.. y.ToArray<float>().Select(v => (double)v)], 1e-6, 1e-7, "f(x)");
        Assert.Equal(new[] { 1f, 1f, 1f, 1f, 0f, 0f }, g.ToArray<float>());
        // interpolated_path(x) = tf.zeros_like(x).
        Assert.Equal(new float[6], NF.ZerosLike(x).ToArray<float>());
    }

    [SkippableFact]
    public void A_class_tensor_indexes_the_softmax_output_and_the_gradient_reaches_the_images()
    {
        RequireBackend();
        var logits = NF.Constant(new[,] { { 1f, 2f, 0.5f }, { -1f, 0f, 3f } });
        var probs = NF.Softmax(logits, axis: -1);
        // probs[:, idx] with idx a tensor equals probs[:, 2] with an int; negative positions count from the end.
        Assert.Equal(probs[.., 2].ToArray<float>(), probs[.., NF.Constant(2)].ToArray<float>());
        Assert.Equal(probs[.., 2].ToArray<float>(), probs[.., NF.Constant(-1L)].ToArray<float>());
        Assert.Equal(new Shape(2), probs[.., NF.Constant(0)].Shape);
        Assert.Equal(probs[1, 0].Item<float>(), probs[NF.Constant(1), NF.Constant(0)].Item<float>());
        Assert.Equal(probs[NF.NewAxis, 1, ..].ToArray<float>(), probs[NF.NewAxis, NF.Constant(1), ..].ToArray<float>());
        Assert.Equal(probs[NF.Ellipsis, 1].ToArray<float>(), probs[NF.Ellipsis, NF.Constant(1)].ToArray<float>());

        // The gradient of the class probability with respect to the logits: p_c (e_c - p), as through an int index.
        Tensor Gradient(Tensor x, TensorIndex cls)
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            return tape.Gradient(NF.Softmax(x, axis: -1)[.., cls], x);
        }
        Assert.Equal(Gradient(logits, 1).ToArray<float>(), Gradient(logits, NF.Constant(1)).ToArray<float>());

        // Traced once, each call reads its own class (a position read on the host would be replayed as the first).
        var traced = NF.Function((Tensor x, Tensor cls) => Gradient(x, cls));
        for (int c = 0; c < 3; c++)
            Assert.Equal(Gradient(logits, c).ToArray<float>(), traced(logits, NF.Constant(c)).ToArray<float>());

        // Refused by name: a position past the axis, a float position, a vector among other entries.
        Assert.ThrowsAny<ArgumentException>(() => probs[.., NF.Constant(3)].ToArray<float>());
        Assert.ThrowsAny<ArgumentException>(() => probs[.., NF.Constant(-4)].ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => probs[.., NF.Constant(1f)]);
        Assert.Contains("must be an int32 or int64 scalar (a position), got float32 of shape ()", e.Message);
        e = Assert.Throws<ArgumentException>(() => probs[.., NF.Constant(new[] { 0, 1 })]);
        Assert.Contains("must be an int32 or int64 scalar (a position), got int32 of shape (2,)", e.Message);
        // A Keras symbolic tensor keeps its index as numbers (a saved model's GetItem key): a position tensor is refused there.
        var symbolic = Keras.Layers.Input([3]);
        Assert.Contains("a position tensor does not index a symbolic tensor", Assert.Throws<NotSupportedException>(() => symbolic[.., NF.Constant(1)]).Message);
    }

    [SkippableFact]
    public void A_tensor_array_collects_a_loops_tensors_eagerly_and_in_a_function_with_gradients()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f, 2f });
        // The loop of integrated_gradients: batches written one by one (the last shorter), joined row-wise.
        Tensor Collect(Tensor v)
        {
            var ta = new TensorArray(DType.Float32, size: 0, dynamicSize: true, inferShape: false);
            for (int i = 0; i < 3; i++)
                ta = ta.Write(i, NF.Stack(Enumerable.Range(0, 3 - i).Select(k => v * (i + k)).ToArray()));
            return ta.Concat();
        }
        var eager = Collect(x);
        Assert.Equal(new Shape(6, 2), eager.Shape);
        Assert.Equal(new[] { 0f, 0f, 1f, 2f, 2f, 4f, 1f, 2f, 2f, 4f, 2f, 4f }, eager.ToArray<float>());
        var traced = NF.Function(Collect);
        Assert.Equal(eager.ToArray<float>(), traced(x).ToArray<float>());
        Assert.Equal(Collect(x * 3f).ToArray<float>(), traced(x * 3f).ToArray<float>());

        // Write and stack of fixed size, and the gradient through the stack to what was written: d/dv sum_i (i v)^2.
        Tensor StackGradient(Tensor v)
        {
            using var tape = new GradientTape();
            tape.Watch(v);
            var ta = new TensorArray(DType.Float32, size: 3);
            for (int i = 0; i < 3; i++) ta = ta.Write(i, NF.Square(v * i));
            var stacked = ta.Stack();
            Assert.Equal(new Shape(3, 2), stacked.Shape);
            return tape.Gradient(NF.ReduceSum(stacked), v);
        }
        // 2 v (0 + 1 + 4) = 10 v.
        Assert.Equal(new[] { 10f, 20f }, StackGradient(x).ToArray<float>());
        var tracedGradient = NF.Function(StackGradient);
        Assert.Equal(new[] { 10f, 20f }, tracedGradient(x).ToArray<float>());
        Assert.Equal(new[] { -10f, 5f }, tracedGradient(NF.Constant(new[] { -1f, 0.5f })).ToArray<float>());

        // TensorFlow's checks: a fixed size array refuses a write past its end, and another dtype.
        var fixedSize = new TensorArray(DType.Float32, size: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => fixedSize.Write(2, x));
        Assert.Throws<ArgumentException>(() => fixedSize.Write(0, NF.Constant(new[] { 1, 2 })));
    }

    [SkippableFact]
    public void Resize_with_pad_fits_a_batch_without_distortion_and_centres_it_on_zeros()
    {
        RequireBackend();
        // A batch of two 5 x 3 images into 4 x 4: ratio max(3 / 4, 5 / 4) = 1.25, fitted 4 x 2.4, floored to 4 x 2,
        // with floor((4 - 2.4) / 2) = 0 columns left and 2 right (tf.image.resize_with_pad).
        var images = NF.Reshape(NF.Cast(NF.Range(2 * 5 * 3 * 3), DType.Float32) + 1f, [2, 5, 3, 3]);
        var padded = NF.Image.ResizeWithPad(images, 4, 4);
        Assert.Equal(new Shape(2, 4, 4, 3), padded.Shape);
        Assert.Equal(NF.Image.Resize(images, 4, 2).ToArray<float>(), padded[.., .., ..2].ToArray<float>());
        Assert.Equal(0f, NF.ReduceMax(NF.Abs(padded[.., .., 2..])).Item<float>());
        // One image, wide: 2 x 6 into 6 x 6 keeps 2 x 6 with floor((6 - 2) / 2) = 2 rows above and 2 below.
        var wide = NF.Ones([2, 6, 1]);
        var framed = NF.Image.ResizeWithPad(wide, 6, 6);
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0 }, NF.ReduceMax(framed, [1, 2]).ToArray<float>());
        // uint8 in, float32 out, as tf.image.resize_with_pad's bilinear.
        Assert.Equal(DType.Float32, NF.Image.ResizeWithPad(NF.Cast(wide, DType.UInt8), 3, 3).DType);
        // Refused by name: a target below 1, an image that is not rank 3 or 4.
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.ResizeWithPad(wide, 0, 4));
        Assert.Contains("Image.ResizeWithPad", Assert.Throws<ArgumentException>(() => NF.Image.ResizeWithPad(NF.Ones([4, 4]), 2, 2)).Message);
    }
}

/// <summary>The integrated gradients tutorial's edges, on the managed backend.</summary>
public sealed class ManagedTutorialIntegratedGradientsEdgesTests() : TutorialIntegratedGradientsEdgesTests("managed");

/// <summary>The integrated gradients tutorial's edges, on the native CPU backend.</summary>
public sealed class NativeCpuTutorialIntegratedGradientsEdgesTests() : TutorialIntegratedGradientsEdgesTests("cpu");

/// <summary>The integrated gradients tutorial's edges, on the CUDA backend.</summary>
public sealed class CudaTutorialIntegratedGradientsEdgesTests() : TutorialIntegratedGradientsEdgesTests("cuda");
