using System.Security.Cryptography;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Random
    {
        /// <summary>
        /// A random number generator with its own state (<c>tf.random.Generator</c>): a Philox key and a
        /// counter, so what it draws depends only on its seed and how much it has drawn, never on
        /// <see cref="SetSeed"/> or other draws. <see cref="NF.Random"/>'s own functions are the global
        /// generator (<c>tf.random.get_global_generator()</c>).
        /// <code>
        /// var g = NF.Random.Generator.FromSeed(1);
        /// var a = g.Normal([2, 3]);            // the same numbers in every run and on every engine
        /// var children = g.Split(3);           // independent generators; g moves on
        /// g.ResetFromSeed(1);                  // g.Normal([2, 3]) gives a again
        /// </code>
        /// A generator used inside <c>NF.Function</c> advances at each replay, as it does eagerly (a
        /// tf.function's does). The numbers are NeuralFlow's Philox numbers (see <see cref="NF.Random"/>),
        /// the same on every engine, not TensorFlow's: the same seed gives different values in TensorFlow.
        /// </summary>
        public sealed class Generator
        {
            private readonly RandomStream _stream;

            private Generator(ulong key) => _stream = new RandomStream(key, 0);

            /// <summary>A generator whose numbers follow from <paramref name="seed"/> alone (<c>tf.random.Generator.from_seed</c>).</summary>
            public static Generator FromSeed(long seed) => new(KeyOf(seed));

            /// <summary>A generator seeded from the operating system's entropy, different in every run (<c>from_non_deterministic_state</c>).</summary>
            public static Generator FromNonDeterministicState() =>
                new(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong))));

            /// <summary>
            /// How many numbers the generator has drawn since it was seeded (with the seed, its whole
            /// state, as TensorFlow's <c>state</c> counter); setting it moves the generator there.
            /// </summary>
            public long Position
            {
                get => _stream.Position;
                set => _stream.Position = value;
            }

            /// <summary>The whole state, key and position, that a <see cref="Train.Checkpoint"/> saves and restores.</summary>
            internal (ulong Key, long Position) State
            {
                get => (_stream.Key, _stream.Position);
                set
                {
                    _stream.Reset(value.Key);
                    _stream.Position = value.Position;
                }
            }

            /// <summary>Starts the generator again from <paramref name="seed"/>, as <see cref="FromSeed"/> would (<c>reset_from_seed</c>).</summary>
            public void ResetFromSeed(long seed) => _stream.Reset(KeyOf(seed));

            /// <summary>Normal numbers of <paramref name="mean"/> and <paramref name="stddev"/> (<c>Generator.normal</c>).</summary>
            public Tensor Normal(Shape shape, double mean = 0, double stddev = 1, DType dtype = DType.Float32) =>
                Random.Normal(shape, mean, stddev, dtype, _stream);

            /// <summary>Uniform numbers in [minval, maxval) (<c>Generator.uniform</c>); integer dtypes give integers.</summary>
            public Tensor Uniform(Shape shape, double minval = 0, double maxval = 1, DType dtype = DType.Float32) =>
                Random.Uniform(shape, minval, maxval, dtype, _stream);

            /// <summary>Normal numbers redrawn beyond two standard deviations (<c>Generator.truncated_normal</c>).</summary>
            public Tensor TruncatedNormal(Shape shape, double mean = 0, double stddev = 1, DType dtype = DType.Float32) =>
                Random.TruncatedNormal(shape, mean, stddev, dtype, _stream);

            /// <summary>
            /// <paramref name="count"/> new generators (<c>Generator.split</c>), each seeded from a number this
            /// generator draws, so the split itself moves this generator on and is the same in every run
            /// that seeded it alike; the new generators' numbers are independent of this one's.
            /// </summary>
            public Generator[] Split(int count = 1)
            {
                if (count < 1)
                    throw new ArgumentOutOfRangeException(nameof(count), count, "Generator.Split: count must be at least 1.");
                var children = new Generator[count];
                for (int i = 0; i < count; i++)
                {
                    var (key, at) = _stream.Draw(1);
                    // Mixed with a constant of its own, so a child's key is never a key FromSeed gives.
                    children[i] = new Generator(RandomStream.SplitMix64(key ^ RandomStream.SplitMix64(at ^ 0x5B117_5B117UL)));
                }
                return children;
            }

            // Seeds mixed, so that FromSeed(5) draws neither NF.Random.SetSeed(5)'s numbers nor a layer seeded 5's.
            private static ulong KeyOf(long seed) => RandomStream.SplitMix64((ulong)seed ^ 0x6E4E7A70_6E4E7A70UL);
        }
    }
}
