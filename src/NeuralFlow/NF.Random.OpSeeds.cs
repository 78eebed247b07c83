using System.Collections.Concurrent;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Random
    {
        // TensorFlow's DEFAULT_GRAPH_SEED: the global seed an op seed pairs with before any SetSeed.
        private const int DefaultGlobalSeed = 87654321;

        private static int _globalSeed = DefaultGlobalSeed;
        private static ConcurrentDictionary<int, RandomStream> _opStreams = new();

        // TensorFlow's rule for an op seed (tf.random.uniform(shape, seed=22)): a stream of its own per
        // (global seed, op seed), never moved by other draws; the same op seed called again continues its
        // stream (eager TensorFlow gives other numbers on the second call), and SetSeed restarts them all.
        private static RandomStream? OpStream(int? seed) => seed is { } op
            ? _opStreams.GetOrAdd(op, s => new RandomStream(
                RandomStream.SplitMix64(RandomStream.SplitMix64((ulong)(uint)Volatile.Read(ref _globalSeed) ^ 0x0B5EED_0B5EEDUL) ^ (ulong)(uint)s), 0))
            : null;

        // SetSeed: op streams for the new global seed, each from its start.
        private static void ResetOpSeeds(int globalSeed)
        {
            Volatile.Write(ref _globalSeed, globalSeed);
            Interlocked.Exchange(ref _opStreams, new ConcurrentDictionary<int, RandomStream>());
        }
    }
}
