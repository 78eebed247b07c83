namespace NeuralFlow;

public static partial class NF
{
    public static partial class Random
    {
        /// <summary>
        /// Normal numbers that depend on <paramref name="seed"/> and the shape alone (<c>tf.random.stateless_normal</c>):
        /// the same seed gives the same numbers at every call, eagerly and in every <c>NF.Function</c> replay, and
        /// no generator moves. They are NeuralFlow's Philox numbers (the same on every engine), not TensorFlow's.
        /// </summary>
        public static Tensor StatelessNormal(Shape shape, (long, long) seed, double mean = 0, double stddev = 1, DType dtype = DType.Float32) =>
            Normal(shape, mean, stddev, dtype, _ => (StatelessKey(seed), 0UL));

        /// <summary>
        /// Uniform numbers in [minval, maxval) that depend on <paramref name="seed"/> and the shape alone
        /// (<c>tf.random.stateless_uniform</c>); integer dtypes give integers. See <see cref="StatelessNormal"/>.
        /// </summary>
        public static Tensor StatelessUniform(Shape shape, (long, long) seed, double minval = 0, double maxval = 1, DType dtype = DType.Float32) =>
            Uniform(shape, minval, maxval, dtype, _ => (StatelessKey(seed), 0UL));

        // Both halves of TensorFlow's shape-[2] seed mixed into one Philox key, with a constant of its own,
        // so that a stateless seed never lands on NF.Random.SetSeed's or a generator's numbers.
        private static ulong StatelessKey((long, long) seed) =>
            RandomStream.SplitMix64(RandomStream.SplitMix64((ulong)seed.Item1 ^ 0x57A7E1E5_57A7E1E5UL) ^ (ulong)seed.Item2);
    }
}
