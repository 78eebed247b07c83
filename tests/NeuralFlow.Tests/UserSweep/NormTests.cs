namespace NeuralFlow.Tests;

/// <summary>
/// NF.Norm (tf.norm) on every backend: the values NumPy's np.linalg.norm gives for ord 2, 1, inf,
/// 3 and the Frobenius norm, over all elements or an axis; the gradient against central finite
/// differences in float64; TensorFlow's NaN gradient of the 2-norm at zero; bad ord and int input refused.
/// </summary>
public abstract class NormTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Values_match_numpy()
    {
        RequireBackend();
        var v = NF.Constant(new[] { 3f, -4f });
        var m = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f } });
        // np.linalg.norm([3, -4]) = 5, ord=1: 7, ord=inf: 4, ord=3: (27 + 64) ** (1/3) = 4.497941445
        Assert.Equal(5f, NF.Norm(v).Item<float>(), 5);
        Assert.Equal(7f, NF.Norm(v, 1).Item<float>(), 5);
        Assert.Equal(4f, NF.Norm(v, double.PositiveInfinity).Item<float>(), 5);
        Assert.Equal(4.497941445f, NF.Norm(v, 3).Item<float>(), 5);
        // np.linalg.norm(m, axis=1) = [2.2360680, 5.0]; 'fro' = sqrt(30) = 5.4772256; tf.norm(m) flattens: the same
        var rows = NF.Norm(m, axis: 1).ToArray<float>();
        Assert.Equal(2.236068f, rows[0], 5);
        Assert.Equal(5f, rows[1], 5);
        Assert.Equal(new[] { 2, 1 }, NF.Norm(m, axis: -1, keepDims: true).Shape.ToArray());
        Assert.Equal(5.4772256f, NF.Norm(m, new[] { 0, 1 }).Item<float>(), 5);
        Assert.Equal(5.4772256f, NF.Norm(m).Item<float>(), 5);
    }

    [SkippableTheory]
    [InlineData(2.0)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(double.PositiveInfinity)]
    public void The_gradient_matches_finite_differences_in_float64(double ord)
    {
        RequireBackend();
        double[] x = [0.7, -1.3, 2.1, -0.4, 1.6, 0.9];
        using var xt = NF.Reshape(NF.Constant(x), [2, 3]);
        double[] analytic;
        using (var tape = new GradientTape())
        {
            tape.Watch(xt);
            using var y = NF.ReduceSum(NF.Norm(xt, ord, axis: 1) * NF.Constant(new[] { 1.5, -0.5 }));
            analytic = tape.Gradient(y, [xt])[0]!.ToArray<double>();
        }
        double F(double[] values)
        {
            using var t = NF.Reshape(NF.Constant(values), [2, 3]);
            using var y = NF.ReduceSum(NF.Norm(t, ord, axis: 1) * NF.Constant(new[] { 1.5, -0.5 }));
            return y.Item<double>();
        }
        for (int i = 0; i < x.Length; i++)
        {
            const double h = 1e-6;
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[i] += h;
            minus[i] -= h;
            Assert.Equal((F(plus) - F(minus)) / (2 * h), analytic[i], 6);
        }
    }

    [SkippableFact]
    public void The_two_norms_gradient_at_zero_is_nan_and_bad_arguments_are_refused()
    {
        RequireBackend();
        var z = new Variable(NF.Zeros([3]));
        using (var tape = new GradientTape())
        {
            var y = NF.Norm(z);
            Assert.All(tape.Gradient(y, [z])[0]!.ToArray<float>(), g => Assert.True(float.IsNaN(g)));  // tf.norm's gradient at 0
        }
        Assert.Contains("ord", Assert.Throws<ArgumentException>(() => NF.Norm(NF.Ones([2]), 0)).Message);
        Assert.Contains("int32", Assert.Throws<ArgumentException>(() => NF.Norm(NF.Constant(new[] { 1, 2 }))).Message);
    }
}

public sealed class ManagedNormTests() : NormTests("managed");

public sealed class NativeCpuNormTests() : NormTests("cpu");

public sealed class CudaNormTests() : NormTests("cuda");
