using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>NF.Clip, ReduceAll/Any, CountNonzero and ReduceLogSumExp (issue 16) on every backend; reference values from NumPy as the comments say.</summary>
public abstract class ReduceMoreTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Clip_limits_values_and_passes_the_gradient_inside()
    {
        RequireBackend();
        var x = NF.Constant(new[] { -2.0, -1.0, 0.5, 1.0, 3.0, double.NaN });
        Tensor y, dx;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            y = NF.Clip(x, -1, 1);
            dx = tape.Gradient(NF.ReduceSum(y), [x])[0];
        }
        AssertClose([-1, -1, 0.5, 1, 1, double.NaN], y.ToArray<double>(), 0, 0, "clip");
        // tf.clip_by_value: gradient 1 on [min, max] inclusive, 0 outside.
        Assert.Equal([0.0, 1, 1, 1, 0], dx.ToArray<double>().Take(5));
        GradientTests.Check(t => NF.Clip(t[0], -0.7, 0.9), GradientTests.In([3, 4], 21));
    }

    [SkippableFact]
    public void Logical_reductions_and_counts()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { 1.0, 0, double.NaN, 2, 0, 0 }, [2, 3]);
        Assert.False(NF.ReduceAll(x).Item<bool>());
        Assert.True(NF.ReduceAny(x).Item<bool>());
        Assert.Equal([true, false, false], NF.ReduceAll(x, 0).ToArray<bool>());
        Assert.Equal([true, true], NF.ReduceAny(x, 1).ToArray<bool>());
        // np.count_nonzero([[1, 0, nan], [2, 0, 0]], axis=1) == [2, 1]: NaN counts
        using var counts = NF.CountNonzero(x, 1);
        Assert.Equal(DType.Int64, counts.DType);
        Assert.Equal([2L, 1], counts.ToArray<long>());
        Assert.Equal(3L, NF.CountNonzero(x).Item<long>());
        using var b = NF.Constant(new[] { true, true });
        Assert.True(NF.ReduceAll(b).Item<bool>());
        Assert.Equal(new Shape(2, 1), NF.ReduceAny(x, 1, keepDims: true).Shape);
    }

    [SkippableFact]
    public void LogSumExp_is_stable_and_differentiable()
    {
        RequireBackend();
        // NumPy in float64, m + log(sum(exp(x - m))) per row of [[1000, 1000], [-1000, -1001], [-inf, -inf]]
        //   == [1000.6931471805599, -999.6867383124818, -inf]
        using var x = NF.Constant(new[] { 1000.0, 1000, -1000, -1001, double.NegativeInfinity, double.NegativeInfinity }, [3, 2]);
        using var l = NF.ReduceLogSumExp(x, 1);
        AssertClose([1000.6931471805599, -999.6867383124818, double.NegativeInfinity], l.ToArray<double>(), 1e-15, 0, "lse");
        using var x32 = NF.Constant(new[] { 100f, 90f, float.PositiveInfinity, 1f }, [2, 2]);
        var l32 = NF.ReduceLogSumExp(x32, 1, keepDims: true);
        Assert.Equal(new Shape(2, 1), l32.Shape);
        Assert.Equal(100.0000453989, l32.ToArray<float>()[0], 5);
        Assert.Equal(float.PositiveInfinity, l32.ToArray<float>()[1]);
        GradientTests.Check(t => NF.ReduceLogSumExp(t[0] * 5, 1), GradientTests.In([3, 4], 22));
        GradientTests.Check(t => NF.ReduceLogSumExp(t[0]), GradientTests.In([2, 3], 23));
        Assert.Throws<ArgumentException>(() => NF.ReduceLogSumExp(NF.Constant(new[] { 1, 2 })));
    }
}

public sealed class ManagedReduceMoreTests() : ReduceMoreTests("managed");

public sealed class NativeCpuReduceMoreTests() : ReduceMoreTests("cpu");

public sealed class CudaReduceMoreTests() : ReduceMoreTests("cuda");
