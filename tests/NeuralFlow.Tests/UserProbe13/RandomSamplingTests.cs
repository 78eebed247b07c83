namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// <c>NF.Random.Shuffle</c> (<c>keras.random.shuffle</c>, the examples' <c>np.random.permutation</c>)
/// and <c>NF.Random.Categorical</c> (<c>keras.random.categorical</c>, the text-generation example's
/// sampling): a permutation of every slice, reproducible from the seed; draws whose frequencies
/// follow softmax(logits) within sampling error, never a -inf class; arguments refused by name.
/// </summary>
public abstract class RandomSamplingTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Shuffle_permutes_slices_along_an_axis_reproducibly()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var x = NF.Reshape(NF.Range(0, 24), [6, 4]);
        var once = NF.Random.Shuffle(x);
        NF.Random.SetSeed(21);
        var again = NF.Random.Shuffle(x);
        Assert.Equal(once.ToArray<int>(), again.ToArray<int>());
        var rows = once.ToArray<int>().Chunk(4).ToArray();
        Assert.Equal(Enumerable.Range(0, 6), rows.Select(r => r[0] / 4).Order());
        Assert.All(rows, r => Assert.Equal(new[] { r[0], r[0] + 1, r[0] + 2, r[0] + 3 }, r));   // rows move whole
        // Over a few draws the order changes (6! orders; the chance of 5 identity draws is nil).
        bool moved = Enumerable.Range(0, 5).Any(_ => !NF.Random.Shuffle(NF.Range(0, 6)).ToArray<int>().SequenceEqual(Enumerable.Range(0, 6)));
        Assert.True(moved);
        var columns = NF.Random.Shuffle(x, axis: -1).ToArray<int>().Chunk(4).ToArray();
        Assert.All(columns, r => Assert.Equal(Enumerable.Range(r.Min(), 4), r.Order()));
        Assert.Throws<ArgumentException>(() => NF.Random.Shuffle(NF.Constant(1f)));
        Assert.Throws<ArgumentException>(() => NF.Random.Shuffle(x, axis: 2));
    }

    [SkippableFact]
    public void Categorical_draws_follow_the_softmax_and_skip_minus_infinity()
    {
        RequireBackend();
        NF.Random.SetSeed(22);
        double[] p = [0.1, 0.2, 0.7];
        var logits = NF.Constant(new float[] { (float)Math.Log(p[0]), (float)Math.Log(p[1]), (float)Math.Log(p[2]), 0f, float.NegativeInfinity, 0f }, [2, 3]);
        const int n = 4000;
        var ids = NF.Random.Categorical(logits, n);
        Assert.Equal(DType.Int32, ids.DType);
        Assert.Equal(new[] { 2, n }, ids.Shape.ToArray());
        var all = ids.ToArray<int>();
        for (int c = 0; c < 3; c++)
        {
            double freq = all.Take(n).Count(v => v == c) / (double)n;
            // 5 standard errors of a binomial frequency: fails only on a wrong distribution.
            Assert.InRange(freq, p[c] - 5 * Math.Sqrt(p[c] * (1 - p[c]) / n), p[c] + 5 * Math.Sqrt(p[c] * (1 - p[c]) / n));
        }
        var second = all.Skip(n).ToArray();
        Assert.DoesNotContain(1, second);
        Assert.InRange(second.Count(v => v == 0) / (double)n, 0.5 - 5 * Math.Sqrt(0.25 / n), 0.5 + 5 * Math.Sqrt(0.25 / n));
        Assert.Equal(DType.Int64, NF.Random.Categorical(logits, 2, DType.Int64).DType);
        Assert.Throws<ArgumentException>(() => NF.Random.Categorical(NF.Zeros([3]), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Random.Categorical(logits, 0));
        Assert.Throws<ArgumentException>(() => NF.Random.Categorical(logits, 1, DType.Float32));
    }
}

/// <summary>Random sampling on the managed backend.</summary>
public sealed class ManagedRandomSamplingTests() : RandomSamplingTests("managed");

/// <summary>Random sampling on the native CPU backend.</summary>
public sealed class NativeCpuRandomSamplingTests() : RandomSamplingTests("cpu");

/// <summary>Random sampling on CUDA.</summary>
public sealed class CudaRandomSamplingTests() : RandomSamplingTests("cuda");
