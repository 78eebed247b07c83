using System.Collections.Concurrent;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Random
    {
        // TensorFlow's DEFAULT_GRAPH_SEED: the global seed an op seed pairs with before any SetSeed.
        private const int DefaultGlobalSeed = 87654321;

        private static int _globalSeed = DefaultGlobalSeed;
        private static readonly ConcurrentDictionary<int, RandomStream> _opStreams = new();

        // TensorFlow's rule for an op seed (tf.random.uniform(shape, seed=22)): a stream of its own per
        // (global seed, op seed), never moved by other draws; the same op seed called again continues its
        // stream (eager TensorFlow gives other numbers on the second call), and SetSeed restarts them all.
        private static RandomStream? OpStream(int? seed) => seed is { } op
            ? _opStreams.GetOrAdd(op, s => new RandomStream(OpKey(Volatile.Read(ref _globalSeed), s), 0))
            : null;

        private static ulong OpKey(int globalSeed, int opSeed) =>
            RandomStream.SplitMix64(RandomStream.SplitMix64((ulong)(uint)globalSeed ^ 0x0B5EED_0B5EEDUL) ^ (ulong)(uint)opSeed);

        // SetSeed: op streams for the new global seed, each from its start. Reset in place (the same
        // stream objects), so an NF.Function that traced a seeded draw restarts with the eager calls.
        private static void ResetOpSeeds(int globalSeed) => OpSeedState = (globalSeed, []);

        /// <summary>
        /// The op-seed streams' state: the global seed they pair with and how far each op seed's stream has drawn
        /// (those not listed are at their start). Saved beside <see cref="State"/> by checkpoints, so that a resumed run's
        /// seeded draws continue where the saved run's were rather than where this process's happen to be.
        /// </summary>
        internal static (int GlobalSeed, (int OpSeed, long Position)[] Streams) OpSeedState
        {
            get => (Volatile.Read(ref _globalSeed),
                    _opStreams.Where(s => s.Value.Position > 0).Select(s => (s.Key, s.Value.Position)).OrderBy(s => s.Key).ToArray());
            set
            {
                foreach (var (_, position) in value.Streams)
                    if (position < 0) throw new ArgumentOutOfRangeException(nameof(value), position, "an op-seed stream's position is >= 0");
                Volatile.Write(ref _globalSeed, value.GlobalSeed);
                var positions = value.Streams.ToDictionary(s => s.OpSeed, s => s.Position);
                foreach (var (op, stream) in _opStreams)
                {
                    stream.Reset(OpKey(value.GlobalSeed, op));
                    stream.Position = positions.GetValueOrDefault(op);
                }
                foreach (var (op, position) in positions)
                    _opStreams.GetOrAdd(op, s => new RandomStream(OpKey(value.GlobalSeed, s), position));
            }
        }
    }
}
