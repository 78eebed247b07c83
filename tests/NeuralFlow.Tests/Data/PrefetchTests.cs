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
        Assert.False(worker.Thread.IsAlive);
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
}
