namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The edges a user porting the FGSM tutorial meets: tf.sign of zeros, NaN and infinities and its gradient (zeros, not
/// an unconnected source), tf.clip_by_value with tensor bounds and its gradient with respect to them, and the gradient
/// with respect to a watched constant, an unwatched one, a variable and a non-trainable variable.
/// </summary>
public abstract class TutorialFgsmEdgesTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Sign_of_zero_is_zero_of_nan_is_nan_and_its_gradient_is_a_tensor_of_zeros()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 0f, -0f, float.NaN, -2.5f, 3f, float.PositiveInfinity, float.NegativeInfinity, 1e-40f, -1e-40f });
        // tf.sign and torch.sign: 0 for both zeros, NaN for NaN, ±1 for the rest (denormals included).
        var sign = NF.Sign(x).ToArray<float>();
        Assert.Equal(new[] { 0f, 0f, float.NaN, -1f, 1f, 1f, -1f, 1f, -1f }, sign);
        Assert.Equal(new[] { 0, -1, 1 }, NF.Sign(NF.Constant(new[] { 0, -7, 9 })).ToArray<int>());
        Assert.Equal(new[] { 0.0, double.NaN, -1.0 }, NF.Sign(NF.Constant(new[] { 0.0, double.NaN, -1e-310 })).ToArray<double>());

        // TensorFlow's Sign gradient is zeros_like(x) (PyTorch's too): a tensor, so that code adding it to other
        // gradients works; before, the tape called x unconnected and returned null.
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = NF.ReduceSum(NF.Sign(x) * 2f);
            var g = tape.Gradient(y, x);
            Assert.NotNull(g);
            Assert.Equal(new float[9], g.ToArray<float>());
        }
        // Beside a differentiable path the zeros add nothing: d/dx (x + sign(x)) = 1.
        var v = NF.Constant(new[] { -1f, 0f, 2f });
        using (var tape = new GradientTape())
        {
            tape.Watch(v);
            Assert.Equal(new[] { 1f, 1f, 1f }, tape.Gradient(NF.ReduceSum(v + NF.Sign(v)), v).ToArray<float>());
        }
        // The same inside NF.Function.
        var traced = NF.Function((Tensor t) =>
        {
            using var tape = new GradientTape();
            tape.Watch(t);
            return tape.Gradient(NF.ReduceSum(NF.Sign(t)), t);
        });
        Assert.Equal(new[] { 0f, 0f, 0f }, traced(v).ToArray<float>());
    }

    [SkippableFact]
    public void Clip_by_value_takes_tensor_bounds_that_broadcast_and_differentiates_with_respect_to_them()
    {
        RequireBackend();
        var t = NF.Constant(new[,] { { -3f, 0.5f, 3f }, { 0.1f, -0.2f, 9f } });
        // Per-column bounds, as tf.clip_by_value(t, [-1, 0, 0], [1, 0.2, 2]).
        var lo = NF.Constant(new[] { -1f, 0f, 0f });
        var hi = NF.Constant(new[] { 1f, 0.2f, 2f });
        Assert.Equal(new[] { -1f, 0.2f, 2f, 0.1f, 0f, 2f }, NF.ClipByValue(t, lo, hi).ToArray<float>());
        // Scalars and a NaN: NaN stays NaN, as TensorFlow's.
        Assert.Equal(new[] { float.NaN, -1f, 1f }, NF.ClipByValue(NF.Constant(new[] { float.NaN, -5f, 5f }), -1, 1).ToArray<float>());

        // The gradient: 1 to t where it is inside [lo, hi] (a value equal to a bound keeps it, as TensorFlow's minimum
        // then maximum), and to each bound where it clipped.
        var x = NF.Constant(new[] { -3f, 0.5f, 3f, 1f });
        var low = NF.Constant(-1f);
        var high = NF.Constant(1f);
        using (var tape = new GradientTape())
        {
            tape.Watch([x, low, high]);
            var g = tape.Gradient(NF.ReduceSum(NF.ClipByValue(x, low, high) * NF.Constant(new[] { 1f, 2f, 3f, 4f })), [x, low, high]);
            Assert.Equal(new[] { 0f, 2f, 0f, 4f }, g[0].ToArray<float>());
            Assert.Equal(1f, g[1].Item<float>());
            Assert.Equal(3f, g[2].Item<float>());
        }

        // Bounds that would make the result larger than t are TensorFlow's ValueError, here an ArgumentException naming them.
        var e = Assert.Throws<ArgumentException>(() => NF.ClipByValue(NF.Constant(new[] { 1f, 2f }), NF.Zeros([3, 2]), 1));
        Assert.Contains("clipValueMin", e.Message);
        // A bound tensor of another dtype is named as ClipByValue's (it was Minimum's "dtypes must match"); C# numbers adapt.
        e = Assert.Throws<ArgumentException>(() => NF.ClipByValue(NF.Constant(new[] { -3f, 0.5f }), NF.Constant(-1), NF.Constant(1)));
        Assert.Contains("ClipByValue: clipValueMin is int32 but t is float32", e.Message);
        Assert.Equal(new[] { -1, 1 }, NF.ClipByValue(NF.Constant(new[] { -3, 5 }), -1, 1).ToArray<int>());
    }

    [SkippableFact]
    public void Gradients_reach_a_watched_constant_and_a_trainable_variable_and_nothing_else()
    {
        RequireBackend();
        var image = NF.Constant(new[] { 1f, -2f, 3f });
        Tensor Loss(Tensor x) => NF.ReduceSum(NF.Square(x));

        // tape.watch(input_image): the constant's gradient, 2 x.
        using (var tape = new GradientTape())
        {
            tape.Watch(image);
            Assert.Equal(new[] { 2f, -4f, 6f }, tape.Gradient(Loss(image), image).ToArray<float>());
        }
        // Without the watch a constant is unconnected: null, as TensorFlow's None.
        using (var tape = new GradientTape())
            Assert.Null(tape.Gradient(Loss(image), image));
        // A trainable variable is watched by itself.
        var variable = new Variable(image);
        using (var tape = new GradientTape())
            Assert.Equal(new[] { 2f, -4f, 6f }, tape.Gradient(Loss(variable), variable).ToArray<float>());
        // A non-trainable one (pretrained_model.trainable = False's weights) only when watched.
        var frozen = new Variable(image, trainable: false);
        using (var tape = new GradientTape())
            Assert.Null(tape.Gradient(Loss(frozen), frozen));
        using (var tape = new GradientTape())
        {
            tape.Watch(frozen);
            Assert.Equal(new[] { 2f, -4f, 6f }, tape.Gradient(Loss(frozen), frozen).ToArray<float>());
        }
    }
}

/// <summary>The FGSM tutorial's edges, on the managed backend.</summary>
public sealed class ManagedTutorialFgsmEdgesTests() : TutorialFgsmEdgesTests("managed");

/// <summary>The FGSM tutorial's edges, on the native CPU backend.</summary>
public sealed class NativeCpuTutorialFgsmEdgesTests() : TutorialFgsmEdgesTests("cpu");

/// <summary>The FGSM tutorial's edges, on the CUDA backend.</summary>
public sealed class CudaTutorialFgsmEdgesTests() : TutorialFgsmEdgesTests("cuda");
