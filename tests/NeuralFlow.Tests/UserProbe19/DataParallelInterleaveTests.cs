using NeuralFlow.Data;
using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// The tf.data performance guide's parallel data extraction: <c>interleave(lambda _: ArtificialDataset(),
/// num_parallel_calls=tf.data.AUTOTUNE)</c> reads its sources at once. Interleave had no
/// numParallelCalls (nor deterministic) before, so the guide's call did not compile and the
/// sources were always read one after another.
/// </summary>
public abstract class DataParallelInterleaveTests(string backend) : BackendTest(backend)
{
    // The guide's ArtificialDataset: opening a file takes a while, then every record does.
    private static Dataset<Tensor> Artificial(long source, int samples, int sleepMs) => Dataset.FromGenerator(() => Records(source, samples, sleepMs));

    private static IEnumerable<Tensor> Records(long source, int samples, int sleepMs)
    {
        Wait(sleepMs);
        for (int i = 0; i < samples; i++)
        {
            Wait(sleepMs);
            yield return NF.Constant(source * 100 + i);
        }
    }

    // How many sources were reading at once, at most: counted rather than timed, since a loaded
    // machine stretches wall-clock times but not the overlap of two sleeping readers.
    private static int _reading, _mostReading;

    private static void Wait(int sleepMs)
    {
        int now = Interlocked.Increment(ref _reading);
        for (int seen = Volatile.Read(ref _mostReading); now > seen; seen = Volatile.Read(ref _mostReading))
            if (Interlocked.CompareExchange(ref _mostReading, now, seen) == seen) break;
        Thread.Sleep(sleepMs);
        Interlocked.Decrement(ref _reading);
    }

    private static (long[] Values, int MostReading) Run(Dataset<Tensor> ds)
    {
        Volatile.Write(ref _mostReading, 0);
        var values = ds.Select(t => t.Item<long>()).ToArray();
        return (values, Volatile.Read(ref _mostReading));
    }

    [SkippableFact]
    public void Parallel_calls_read_the_sources_at_once_in_the_same_order()
    {
        RequireBackend();
        var sequential = Run(Dataset.Range(2).Interleave(s => Artificial(s.Item<long>(), 5, 40), cycleLength: 2));
        var parallel = Run(Dataset.Range(2).Interleave(s => Artificial(s.Item<long>(), 5, 40), cycleLength: 2, numParallelCalls: Dataset.Autotune));
        Assert.Equal([0L, 100, 1, 101, 2, 102, 3, 103, 4, 104], sequential.Values);
        Assert.Equal(sequential.Values, parallel.Values);
        // Not deterministic, a ready source may pass a slow one (tf.data's rule, UserProbe20/DataOptionsTests):
        // the same elements, in an order the timing decides.
        Assert.Equal(sequential.Values.Order(), Run(Dataset.Range(2).Interleave(s => Artificial(s.Item<long>(), 5, 1), 2, numParallelCalls: 2, deterministic: false)).Values.Order());
        // One source read at a time without numParallelCalls; both at once with it (each of its 6
        // waits of 40 ms on its own thread).
        Assert.Equal(1, sequential.MostReading);
        Assert.Equal(2, parallel.MostReading);
    }

    [SkippableFact]
    public void Parallel_interleave_keeps_tf_datas_block_order_stops_its_threads_and_checks_its_argument()
    {
        RequireBackend();
        // The interleave docstring: range(1, 6).interleave(lambda x: from_tensors(x).repeat(6), cycle_length=2, block_length=4)
        var ds = Dataset.Range(1, 6).Interleave(x => Dataset.FromTensors(x).Repeat(6), cycleLength: 2, blockLength: 4, numParallelCalls: 3);
        Assert.Equal([1L, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5], ds.Select(t => t.Item<long>()));
        // Leaving early ends the slots' threads; an error in a source reaches the consumer.
        Assert.Equal(3, Dataset.Range(4).Interleave(s => Artificial(s.Item<long>(), 50, 1), 4, numParallelCalls: Dataset.Autotune).Take(3).Count());
        SpinWait.SpinUntil(() => PrefetchNode.RunningWorkers == 0, TimeSpan.FromSeconds(5));
        Assert.Equal(0, PrefetchNode.RunningWorkers);
        var failing = Dataset.Range(2).Interleave(s => s.Item<long>() == 1 ? Dataset.FromGenerator<Tensor>(() => throw new FormatException("bad file")) : Dataset.Range(3), 2, numParallelCalls: 2);
        Assert.Equal("bad file", Assert.Throws<FormatException>(() => failing.ToList()).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Range(2).Interleave(s => Dataset.Range(2), numParallelCalls: 0));
    }
}

/// <summary>Parallel interleave, on the managed backend.</summary>
public sealed class ManagedDataParallelInterleaveTests() : DataParallelInterleaveTests("managed");

/// <summary>Parallel interleave, on the native CPU backend.</summary>
public sealed class NativeCpuDataParallelInterleaveTests() : DataParallelInterleaveTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataParallelInterleaveTests() : DataParallelInterleaveTests("cuda");
