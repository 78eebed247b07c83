using System.Runtime.CompilerServices;
using NeuralFlow.Data;
using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Tests.Data;

/// <summary>Prefetch: same sequence, background thread ends on early exit, errors keep type and stack.</summary>
public class PrefetchTests
{
    private static Dataset<(Tensor, Tensor)> Pipeline(int seed) =>
        Dataset.FromTensorSlices(NF.Constant(Enumerable.Range(0, 300).ToArray(), [100, 3]), DatasetTests.Iota(100))
            .Map((x, y) => (NF.Cast(x, DType.Float32) / 2f, y))
            .Shuffle(50, seed: seed)
            .Batch(16);

    private static List<(float[], int[])> Run(IEnumerable<(Tensor, Tensor)> ds) =>
        ds.Select(b => (b.Item1.ToArray<float>(), b.Item2.ToArray<int>())).ToList();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(Dataset.Autotune)]
    public void Prefetch_delivers_the_same_sequence_as_without_it(int buffer)
    {
        var plain = Run(Pipeline(4));
        var prefetched = Run(Pipeline(4).Prefetch(buffer));
        Assert.Equal(plain.Count, prefetched.Count);
        for (int i = 0; i < plain.Count; i++)
        {
            Assert.Equal(plain[i].Item1, prefetched[i].Item1);
            Assert.Equal(plain[i].Item2, prefetched[i].Item2);
        }
        Assert.Equal(0, PrefetchNode.RunningWorkers);
    }

    [Fact]
    public void Leaving_the_loop_early_stops_the_background_thread()
    {
        var ds = Dataset.FromTensorSlices(DatasetTests.Iota(1_000_000)).Map(t => t + 1).Prefetch(4);
        int seen = 0;
        foreach (var t in ds)
        {
            if (++seen == 3) break;
        }
        Assert.Equal(0, PrefetchNode.RunningWorkers);

        // The same, holding the enumerator to look at the thread itself.
        var worker = (PrefetchNode.Worker)ds.Node.Open();
        Assert.True(worker.MoveNext());
        Element.Dispose(worker.Current);
        Assert.Equal(1, PrefetchNode.RunningWorkers);
        worker.Dispose();
        Assert.False(worker.Thread!.IsAlive);
        Assert.Equal(0, PrefetchNode.RunningWorkers);
    }

    private sealed class LabelException(string message) : Exception(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Tensor ThrowingStep(Tensor t) =>
        t.Item<int>() == 5 ? throw new LabelException("bad element 5") : t;

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(true, 4)]
    public void Exceptions_in_Map_reach_the_consumer_with_their_type_and_stack(bool prefetch, int parallelism)
    {
        var ds = Dataset.FromTensorSlices(DatasetTests.Iota(20)).Map(ThrowingStep, parallelism);
        if (prefetch) ds = ds.Prefetch(2);
        var seen = new List<int>();
        var e = Assert.Throws<LabelException>(() =>
        {
            foreach (var t in ds) seen.Add(t.Item<int>());
        });
        Assert.Equal("bad element 5", e.Message);
        Assert.Contains(nameof(ThrowingStep), e.StackTrace);
        Assert.Equal([0, 1, 2, 3, 4], seen);
        Assert.Equal(0, PrefetchNode.RunningWorkers);
    }

    // Prefetch(Autotune)'s tuner in a simulated world where a delivery comes every `background`
    // or every `inline` (per way), with a stray slow one (another process's load) now and then.
    // Returns the fraction of elements it had produced inline, and whether it ever tried inline.
    private static (double InlineShare, bool TriedInline) Simulate(double background, double inline, int elements = 5000)
    {
        var tuner = new PrefetchTuner(inline: false, hold: PrefetchTuner.FirstHold);
        int inlined = 0;
        bool tried = false;
        for (int i = 0; i < elements; i++)
        {
            bool way = tuner.Inline;
            tried |= way;
            if (way) inlined++;
            double period = (way ? inline : background) * (i % 7 == 3 ? 5 : 1);
            tuner.Delivered((long)(period * 1000));
        }
        return ((double)inlined / elements, tried);
    }

    [Fact]
    public void Autotune_produces_inline_while_that_delivers_faster()
    {
        // A cheap producer whose thread only slows the consumer (a 2-core machine's pool).
        var (share, _) = Simulate(background: 13, inline: 11);
        Assert.True(share > 0.8, $"inline for {share:P0} of the elements");
    }

    [Fact]
    public void Autotune_keeps_the_thread_when_it_overlaps_the_producer()
    {
        // A cheap producer on a machine with a spare core: the thread hides it; the tuner tries
        // inline now and then, more rarely while the thread keeps winning.
        var (share, tried) = Simulate(background: 10, inline: 13);
        Assert.True(tried);
        Assert.True(share < 0.06, $"inline for {share:P0} of the elements");
    }

    [Fact]
    public void Autotune_keeps_the_thread_for_a_producer_slower_than_the_consumer()
    {
        // Inline adds the consumer's time to the producer's for every element.
        var (share, _) = Simulate(background: 20, inline: 30);
        Assert.True(share < 0.06, $"inline for {share:P0} of the elements");
    }

    [Fact]
    public void Autotune_finds_inline_again_after_a_stretch_where_the_thread_won()
    {
        // The machine's load changes: the thread wins for a while, then inline does again.
        var tuner = new PrefetchTuner(inline: false, hold: PrefetchTuner.FirstHold);
        for (int i = 0; i < 3000; i++) tuner.Delivered(tuner.Inline ? 13_000 : 10_000);
        Assert.False(tuner.Inline);
        int inlineAtEnd = 0;
        for (int i = 0; i < 3000; i++)
        {
            tuner.Delivered(tuner.Inline ? 10_000 : 13_000);
            if (i >= 2000 && tuner.Inline) inlineAtEnd++;
        }
        Assert.True(inlineAtEnd > 800, $"inline for {inlineAtEnd} of the last 1000 elements");
    }

    [Fact]
    public void Prefetch_runs_a_slow_producer_ahead_of_the_consumer()
    {
        // A Map slower than the consumer (sleeping, as a file read waits): while the consumer
        // works on element i, the thread is already making a later one. Counted, not timed.
        int started = 0;
        var ds = Dataset.FromTensorSlices(DatasetTests.Iota(12)).Map(t =>
        {
            Interlocked.Increment(ref started);
            Thread.Sleep(15);
            return t + 1;
        });
        int Ahead(Dataset<Tensor> data)
        {
            int consumed = 0, ahead = 0;
            foreach (var t in data)
            {
                consumed++;
                t.Dispose();
                Thread.Sleep(5);
                if (Volatile.Read(ref started) > consumed) ahead++;
            }
            Assert.Equal(12, consumed);
            return ahead;
        }
        Assert.Equal(0, Ahead(ds));
        started = 0;
        Assert.True(Ahead(ds.Prefetch(Dataset.Autotune)) >= 6);
        Assert.Equal(0, PrefetchNode.RunningWorkers);
    }
}
