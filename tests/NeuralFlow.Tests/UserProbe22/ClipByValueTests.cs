namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// NF.ClipByValue, TensorFlow's name for NF.Clip (tf.clip_by_value), as the autoencoder and CNN tutorials call it: C#
/// numbers or tensors as bounds, bounds broadcast to t, TensorFlow's ValueError (here an ArgumentException naming the
/// shapes) for bounds that would enlarge the result, and Clip's gradient (1 on [min, max] inclusive, 0 outside).
/// </summary>
public abstract class ClipByValueTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Clips_with_scalar_and_broadcast_bounds_and_refuses_bounds_larger_than_t()
    {
        RequireBackend();
        // tf.clip_by_value([[-1., 0., 10.], [-10., 0., 10.]], clip_value_min=-1, clip_value_max=1)
        var t = NF.Constant(new[,] { { -1f, 0f, 10f }, { -10f, 0f, 10f } });
        var clipped = NF.ClipByValue(t, -1, 1);
        Assert.Equal(DType.Float32, clipped.DType);
        Assert.Equal(new[] { -1f, 0f, 1f, -1f, 0f, 1f }, clipped.ToArray<float>());
        // Per-column bounds broadcast to t.
        var perColumn = NF.ClipByValue(t, NF.Constant(new[] { -5f, 0.5f, 0f }), NF.Constant(new[] { 0f, 1f, 3f }));
        Assert.Equal(new[] { -1f, 0.5f, 3f, -5f, 0.5f, 3f }, perColumn.ToArray<float>());
        Assert.Equal(new[] { 0, 1, 2 }, NF.ClipByValue(NF.Constant(new[] { -4, 1, 9 }), 0, 2).ToArray<int>());

        // A bound that would broadcast t to a larger shape is TensorFlow's ValueError; NF.Clip (NumPy's rule) broadcasts.
        var row = NF.Constant(new[] { 1f, 2f, 3f });
        var ex = Assert.Throws<ArgumentException>(() => NF.ClipByValue(row, NF.Zeros(new Shape(2, 3)), 2f));
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(3,)", ex.Message);
        Assert.Equal("clipValueMin", ex.ParamName);
        Assert.Contains("cannot be broadcast", Assert.Throws<ArgumentException>(() => NF.ClipByValue(row, 0f, NF.Ones(new Shape(2)))).Message);

        // Gradient: 1 where min <= t <= max (the bounds themselves included), 0 outside.
        var x = new Variable(NF.Constant(new[] { -2f, -1f, 0f, 1f, 2f }));
        using var tape = new GradientTape();
        var y = NF.ClipByValue(x, -1f, 1f);
        Assert.Equal(new[] { 0f, 1f, 1f, 1f, 0f }, tape.Gradient(NF.ReduceSum(y), x).ToArray<float>());
    }

    [SkippableFact]
    public void Crossed_bounds_give_the_minimum_as_TensorFlow_not_NumPys_maximum()
    {
        RequireBackend();
        // tf.clip_by_value([1., 2.5, 5.], 3., 2.) is [3., 3., 3.]: TF takes min(t, max) first, then max(., min).
        // np.clip (NF.Clip) gives [2., 2., 2.]. The bounds are only crossed by mistake, but the answer must be TF's.
        var t = NF.Constant(new[] { 1f, 2.5f, 5f });
        Assert.Equal(new[] { 3f, 3f, 3f }, NF.ClipByValue(t, 3f, 2f).ToArray<float>());
        Assert.Equal(new[] { 2f, 2f, 2f }, NF.Clip(t, 3f, 2f).ToArray<float>());
        // Per element: only the crossed element takes the min.
        Assert.Equal(new[] { 1f, 2.5f, 0.5f }, NF.ClipByValue(t, NF.Constant(new[] { 0f, 0f, 0.5f }), NF.Constant(new[] { 4f, 4f, 0.25f })).ToArray<float>());

        // The gradient follows the same composite: no element reaches t through the min bound that wins.
        var x = new Variable(t);
        using var tape = new GradientTape();
        var y = NF.ClipByValue(x, 3f, 2f);
        Assert.Equal(new[] { 0f, 0f, 0f }, tape.Gradient(NF.ReduceSum(y), x).ToArray<float>());
    }
}

/// <summary>ClipByValue on the managed backend.</summary>
public sealed class ManagedClipByValueTests() : ClipByValueTests("managed");

/// <summary>ClipByValue on the native CPU backend.</summary>
public sealed class NativeCpuClipByValueTests() : ClipByValueTests("cpu");

/// <summary>ClipByValue on CUDA.</summary>
public sealed class CudaClipByValueTests() : ClipByValueTests("cuda");
