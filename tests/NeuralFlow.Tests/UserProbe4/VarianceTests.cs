namespace NeuralFlow.Tests.UserProbe4;

/// <summary>
/// tf.math.reduce_variance / reduce_std and tf.nn.moments (Keras' ops.var, ops.std, ops.moments),
/// which NeuralFlow lacked: the population variance (ddof 0, NumPy's and TensorFlow's default;
/// PyTorch's unbiased=False), NaN over an empty axis as NumPy's, gradients to second order as
/// torch.autograd.grad gives them. References: numpy.var / numpy.std and torch (float64).
/// </summary>
public abstract class VarianceTests(string backend) : BackendTest(backend)
{
    private static Tensor X() => NF.Constant(new double[,] { { 1, 2, 3 }, { 4, 5, 7 } });

    [SkippableFact]
    public void Variance_and_std_match_numpy()
    {
        RequireBackend();
        Reference.AssertClose([3.8888888888888893], [NF.ReduceVariance(X()).Item<double>()], 1e-12, 1e-12);
        Reference.AssertClose([2.25, 2.25, 4.0], NF.ReduceVariance(X(), 0).ToArray<double>(), 1e-12, 1e-12);
        Reference.AssertClose([0.66666666666666667, 1.5555555555555556], NF.ReduceVariance(X(), -1).ToArray<double>(), 1e-12, 1e-12);
        Reference.AssertClose([0.81649658092772603, 1.247219128924647], NF.ReduceStd(X(), 1).ToArray<double>(), 1e-12, 1e-12);
        Assert.Equal(new Shape(2, 1), NF.ReduceStd(X(), 1, keepDims: true).Shape);
        Assert.Equal(new Shape(1, 1), NF.ReduceVariance(X(), [0, 1], keepDims: true).Shape);
        Assert.Equal(DType.Float32, NF.ReduceVariance(NF.Cast(X(), DType.Float32)).DType);
    }

    [SkippableFact]
    public void Moments_give_the_mean_and_variance_as_batch_normalization_uses_them()
    {
        RequireBackend();
        var (mean, variance) = NF.Moments(X(), [1]);
        Reference.AssertClose([2.0, 5.333333333333333], mean.ToArray<double>(), 1e-12, 1e-12);
        Reference.AssertClose([0.66666666666666667, 1.5555555555555556], variance.ToArray<double>(), 1e-12, 1e-12);
        var (keptMean, keptVariance) = NF.Moments(X(), [0], keepDims: true);
        Assert.Equal(new Shape(1, 3), keptMean.Shape);
        Assert.Equal(new Shape(1, 3), keptVariance.Shape);
    }

    [SkippableFact]
    public void An_empty_axis_gives_nan_and_integers_are_refused()
    {
        RequireBackend();
        Assert.All(NF.ReduceVariance(NF.Zeros([2, 0]), 1).ToArray<float>(), v => Assert.True(float.IsNaN(v)));
        Assert.Equal(new Shape(0), NF.ReduceVariance(NF.Zeros([2, 0]), 0).Shape);
        var error = Assert.Throws<ArgumentException>(() => NF.ReduceStd(NF.Constant(new[] { 1, 2 })));
        Assert.Contains("int32", error.Message);
    }

    [SkippableFact]
    public void Gradients_match_torch_to_second_order()
    {
        RequireBackend();
        var x = X();
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor g;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            g = inner.Gradient(NF.ReduceVariance(x), x);
        }
        Reference.AssertClose([-0.8888888888888888, -0.5555555555555555, -0.22222222222222215, 0.11111111111111116, 0.4444444444444445, 1.1111111111111112],
            g.ToArray<double>(), 1e-12, 1e-12);
        // torch.autograd.grad(g[0, 0], x): the mean is differentiated too (2/n (e_00 - 1/n)).
        Reference.AssertClose([0.2777777777777778, -0.05555555555555555, -0.05555555555555555, -0.05555555555555555, -0.05555555555555555, -0.05555555555555555],
            outer.Gradient(g[0, 0], x).ToArray<double>(), 1e-12, 1e-12);

        using var tape = new GradientTape();
        tape.Watch(x);
        Reference.AssertClose([-0.40824829046386296, 0.0, 0.40824829046386296, -0.35634832254989907, -0.0890870806374747, 0.44543540318737396],
            tape.Gradient(NF.ReduceSum(NF.ReduceStd(x, 1)), x).ToArray<double>(), 1e-12, 1e-12);
    }
}

public sealed class ManagedVarianceTests() : VarianceTests("managed");

public sealed class NativeCpuVarianceTests() : VarianceTests("cpu");

public sealed class CudaVarianceTests() : VarianceTests("cuda");
