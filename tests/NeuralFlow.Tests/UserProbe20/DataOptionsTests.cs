using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// <c>WithOptions</c> (tf.data's <c>with_options</c> and <c>Options</c>) and the non-deterministic
/// orders of <c>Interleave</c> and <c>Map</c>: a slow source or element no longer holds up the
/// others, and no element is lost or repeated.
/// </summary>
public class DataOptionsTests
{
    private const int FastCount = 5;

    // Source 0 holds its first element until the consumer has seen every element of sources 1 and 2
    // (or 20 s pass: an ordered interleave then ends the wait, and the test sees the order it kept).
    private static Dataset<Tensor> Sources(ManualResetEventSlim gate, bool? deterministic)
    {
        IEnumerable<Tensor> Slow()
        {
            gate.Wait(TimeSpan.FromSeconds(20));
            for (int i = 0; i < FastCount; i++) yield return NF.Constant(i);
        }
        IEnumerable<Tensor> Fast(int source) { for (int i = 0; i < FastCount; i++) yield return NF.Constant(source * 100 + i); }
        return Dataset.Range(3).Interleave(x => x.Item<long>() == 0 ? Dataset.FromGenerator(Slow) : Dataset.FromGenerator(() => Fast((int)x.Item<long>())),
            cycleLength: 3, numParallelCalls: 3, deterministic: deterministic);
    }

    private static List<int> Drain(Dataset<Tensor> ds, ManualResetEventSlim gate)
    {
        var seen = new List<int>();
        foreach (var t in ds)
        {
            seen.Add(t.Item<int>());
            if (seen.Count(v => v >= 100) == 2 * FastCount) gate.Set();
        }
        return seen;
    }

    private static int[] Expected => [.. Enumerable.Range(0, FastCount), .. Enumerable.Range(100, FastCount), .. Enumerable.Range(200, FastCount)];

    [Fact]
    public void Interleave_not_deterministic_lets_ready_sources_pass_a_slow_one_and_loses_nothing()
    {
        using var gate = new ManualResetEventSlim();
        var seen = Drain(Sources(gate, deterministic: false), gate);
        Assert.Equal(Expected, seen.Order());
        // Every element of the fast sources came before the slow source's first.
        Assert.All(seen.Take(2 * FastCount), v => Assert.True(v >= 100, $"order {string.Join(",", seen)}"));
    }

    [Fact]
    public void Options_deterministic_false_applies_to_an_interleave_made_before_it()
    {
        using var gate = new ManualResetEventSlim();
        var ds = Sources(gate, deterministic: null).WithOptions(new DatasetOptions { Deterministic = false });
        var seen = Drain(ds.Prefetch(2), gate);
        Assert.Equal(Expected, seen.Order());
        Assert.All(seen.Take(2 * FastCount), v => Assert.True(v >= 100, $"order {string.Join(",", seen)}"));
    }

    [Fact]
    public void The_deterministic_argument_wins_over_the_options_and_keeps_tf_datas_order()
    {
        using var gate = new ManualResetEventSlim();
        gate.Set();   // no wait: the order alone is checked
        var ds = Sources(gate, deterministic: true).WithOptions(new DatasetOptions { Deterministic = false });
        var seen = ds.Select(t => t.Item<int>()).ToArray();
        Assert.Equal(Enumerable.Range(0, FastCount).SelectMany(i => new[] { i, 100 + i, 200 + i }), seen);
    }

    [Fact]
    public void Map_not_deterministic_delivers_results_as_they_finish()
    {
        using var gate = new ManualResetEventSlim();
        var ds = Dataset.Range(12).Map(x =>
        {
            if (x.Item<long>() == 0) gate.Wait(TimeSpan.FromSeconds(20));
            return x * 1;
        }, parallelism: 3, deterministic: false);
        var seen = new List<long>();
        foreach (var t in ds)
        {
            seen.Add(t.Item<long>());
            if (seen.Count == 3) gate.Set();
        }
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), seen.Order());
        Assert.NotEqual(0L, seen[0]);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), Dataset.Range(12).Map(x => x * 1, parallelism: 3).Select(t => t.Item<long>()));
    }

    [Fact]
    public void A_private_threadpool_of_one_makes_parallel_maps_sequential()
    {
        int running = 0, most = 0;
        Tensor Slow(Tensor x)
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            Thread.Sleep(15);
            Interlocked.Decrement(ref running);
            return x + 0;
        }
        var options = new DatasetOptions();
        options.Threading.PrivateThreadpoolSize = 1;
        Assert.Equal(16, Dataset.Range(16).Map(Slow, parallelism: 4).WithOptions(options).Count());
        Assert.Equal(1, most);
        // Without the option: the first call waits (up to 10 s) for a second to start beside it, which only a parallel
        // map gives; a fixed sleep alone lost that race on a loaded CI machine (thread pool slow to add workers).
        most = 0;
        running = 0;
        using var second = new ManualResetEventSlim();
        Tensor Meet(Tensor x)
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (now > 1) second.Set();
            else second.Wait(TimeSpan.FromSeconds(10));
            Interlocked.Decrement(ref running);
            return x + 0;
        }
        Assert.Equal(16, Dataset.Range(16).Map(Meet, parallelism: 4).Count());
        Assert.True(most > 1, $"at most {most} calls ran at once without the option");
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Threading.PrivateThreadpoolSize = 0);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public void Autotune_disabled_keeps_a_prefetch_on_its_thread()
    {
        int consumer = Environment.CurrentManagedThreadId;
        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();
        var options = new DatasetOptions();
        options.Autotune.Enabled = false;
        var ds = Dataset.Range(400).Map(x => { threads.Add(Environment.CurrentManagedThreadId); return x; }).Prefetch(Dataset.Autotune).WithOptions(options);
        for (int pass = 0; pass < 3; pass++) Assert.Equal(400, ds.Count());
        Assert.DoesNotContain(consumer, threads);
    }

    [Fact]
    public void Options_merge_the_later_winning_and_are_copied()
    {
        var first = new DatasetOptions { Deterministic = true };
        first.Threading.PrivateThreadpoolSize = 2;
        var ds = Dataset.Range(4).WithOptions(first).Batch(2).WithOptions(new DatasetOptions { Deterministic = false });
        first.Threading.PrivateThreadpoolSize = 7;   // the dataset keeps the copy it was given
        Assert.Equal("DatasetOptions(Deterministic=False, Threading.PrivateThreadpoolSize=2)", ds.Options.ToString());
        Assert.Equal("DatasetOptions()", Dataset.Range(4).Options.ToString());
        Assert.Equal(new long[] { 0, 1, 2, 3 }, ds.Unbatch().Select(t => t.Item<long>()));
        Assert.Equal(2, Dataset.Zip(ds, Dataset.Range(3)).Options.Threading.PrivateThreadpoolSize);
    }
}
