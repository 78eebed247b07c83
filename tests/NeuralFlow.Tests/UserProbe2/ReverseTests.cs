namespace NeuralFlow.Tests.UserProbe2;

/// <summary>
/// NF.Reverse, NumPy's x[::-1] / np.flip and tf.reverse, which C# ranges (no step) cannot
/// express: values from NumPy, gradients from PyTorch's torch.flip (the flipped upstream gradient).
/// </summary>
public abstract class ReverseTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Reverses_the_listed_axes_as_numpy_flip()
    {
        RequireBackend();
        var x = NF.Reshape(NF.Range(6), [2, 3]);
        Assert.Equal(new[] { 2, 1, 0, 5, 4, 3 }, NF.Reverse(x, 1).ToArray<int>());       // np.flip(x, 1)
        Assert.Equal(new[] { 3, 4, 5, 0, 1, 2 }, NF.Reverse(x, -2).ToArray<int>());      // x[::-1]
        Assert.Equal(new[] { 5, 4, 3, 2, 1, 0 }, NF.Reverse(x, 0, 1).ToArray<int>());    // np.flip(x)
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, NF.Reverse(x).ToArray<int>());          // no axes: a copy
        Assert.Equal(new Shape([0, 3]), NF.Reverse(NF.Zeros([0, 3]), 0).Shape);
        Assert.Equal(new[] { 3f, 2f, 1f }, NF.Reverse(NF.Constant(new[] { 1f, 2f, 3f }), 0).ToArray<float>());
        // A view: the first two rows of the transpose, [[0, 3], [1, 4]], each reversed.
        Assert.Equal(new[] { 3, 0, 4, 1 }, NF.Reverse(NF.Transpose(x)[..2], 1).ToArray<int>());
    }

    [SkippableFact]
    public void Gradient_is_the_reversed_upstream_gradient()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } });
        var w = NF.Constant(new[,] { { 1f, 10f, 100f }, { 2f, 20f, 200f } });
        using var tape = new GradientTape();
        tape.Watch(x);
        var grad = tape.Gradient(NF.ReduceSum(NF.Reverse(x, 0, 1) * w), x);
        // torch: x.flip([0, 1]); (y * w).sum().backward() -> w.flip([0, 1])
        Assert.Equal(new[] { 200f, 20f, 2f, 100f, 10f, 1f }, grad.ToArray<float>());
    }

    [SkippableFact]
    public void Bad_axes_are_named()
    {
        RequireBackend();
        var x = NF.Zeros([2, 3]);
        Assert.Contains("axis 2 is out of range for x of shape (2, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Reverse(x, 2)).Message);
        Assert.Contains("axis -1 is listed twice", Assert.Throws<ArgumentException>(() => NF.Reverse(x, 1, -1)).Message);
    }
}

public sealed class ManagedReverseTests() : ReverseTests("managed");

public sealed class NativeCpuReverseTests() : ReverseTests("cpu");

public sealed class CudaReverseTests() : ReverseTests("cuda");
