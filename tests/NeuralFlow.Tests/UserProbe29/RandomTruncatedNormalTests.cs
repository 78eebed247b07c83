namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// <c>NF.Random.TruncatedNormal</c> redraws only the values outside two standard deviations (it redrew the whole tensor
/// each round: six normal draws' time where one and a quarter do). The numbers keep the distribution: within
/// [mean - 2 sd, mean + 2 sd], a standard deviation of 0.8796 sd (scipy.stats.truncnorm(-2, 2).std()), every shape
/// including scalars and empty ones, the same numbers again from the same seed.
/// </summary>
public abstract class RandomTruncatedNormalTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Values_stay_within_two_deviations_with_the_truncated_spread()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Random.TruncatedNormal([400, 500], mean: 3, stddev: 2).ToArray<float>();
        Assert.All(x, v => Assert.InRange(v, -1f, 7f));
        double mean = x.Average(v => (double)v);
        double sd = Math.Sqrt(x.Average(v => (v - mean) * (v - mean)));
        // truncnorm(-2, 2): mean 0, sd 0.879626; 200,000 draws: the mean within 4 standard errors, the sd within 0.5%.
        Assert.InRange(mean, 3 - 4 * 2 * 0.88 / Math.Sqrt(x.Length), 3 + 4 * 2 * 0.88 / Math.Sqrt(x.Length));
        Assert.InRange(sd, 2 * 0.879626 * 0.995, 2 * 0.879626 * 1.005);
        // A normal draw would put 4.55% of its values beyond two deviations; a truncated one near the edge holds fewer than a plain normal's share.
        double edge = x.Count(v => Math.Abs(v - 3) > 3.8) / (double)x.Length;
        Assert.InRange(edge, 0.005, 0.02);
    }

    [SkippableFact]
    public void Every_shape_and_dtype_and_the_same_seed_repeats()
    {
        RequireBackend();
        Assert.Equal([], NF.Random.TruncatedNormal([]).Shape.ToArray());
        Assert.InRange(NF.Random.TruncatedNormal([]).Item<float>(), -2f, 2f);
        Assert.Equal([0, 3], NF.Random.TruncatedNormal([0, 3]).Shape.ToArray());
        var d = NF.Random.TruncatedNormal([2, 3, 50], dtype: DType.Float64);
        Assert.Equal(DType.Float64, d.DType);
        Assert.All(d.ToArray<double>(), v => Assert.InRange(v, -2.0, 2.0));
        Assert.Equal(NF.Random.TruncatedNormal([1000], seed: 4).ToArray<float>().Length, 1000);
        NF.Random.SetSeed(9);
        var a = NF.Random.TruncatedNormal([3000]).ToArray<float>();
        NF.Random.SetSeed(9);
        Assert.Equal(a, NF.Random.TruncatedNormal([3000]).ToArray<float>());
    }
}

/// <summary>Truncated normal draws on the managed backend.</summary>
public sealed class ManagedRandomTruncatedNormalTests() : RandomTruncatedNormalTests("managed");

/// <summary>Truncated normal draws on the native CPU backend.</summary>
public sealed class NativeCpuRandomTruncatedNormalTests() : RandomTruncatedNormalTests("cpu");

/// <summary>Truncated normal draws on CUDA.</summary>
public sealed class CudaRandomTruncatedNormalTests() : RandomTruncatedNormalTests("cuda");
