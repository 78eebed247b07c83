using System.Security.Cryptography;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Random numbers from a counter-based generator (Philox4x32-10): one seed gives the same
    /// numbers on every backend. Each call consumes as many counters as it makes numbers.
    /// </summary>
    public static partial class Random
    {
        private static ulong _seed = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue);
        private static long _offset;

        /// <summary>
        /// Restarts the generator from <paramref name="seed"/> (<c>tf.random.set_seed</c>), and the draws given an
        /// op seed (<c>seed:</c>) from their first numbers for that global seed.
        /// </summary>
        public static void SetSeed(int seed)
        {
            _seed = (ulong)(uint)seed;
            Interlocked.Exchange(ref _offset, 0);
            ResetOpSeeds(seed);
        }

        /// <summary>A number drawn from the generator (consumes one counter), for seeding other generators such as Fit's shuffling.</summary>
        internal static ulong NextSeed() => _seed * 0x9E3779B97F4A7C15UL ^ Take(1);

        /// <summary>The generator's position (seed and counter), saved by checkpoints so that a resumed run draws the same numbers.</summary>
        internal static (ulong Seed, long Offset) State
        {
            get => (_seed, Interlocked.Read(ref _offset));
            set
            {
                _seed = value.Seed;
                Interlocked.Exchange(ref _offset, value.Offset);
            }
        }

        /// <summary>The (seed, offset) of <paramref name="count"/> fresh numbers, the counter advanced past them (what an eager op draws; an NF.Function replay draws the same way).</summary>
        internal static (ulong Seed, ulong Offset) Draw(long count) => (_seed, Take(count));

        /// <summary>Moves the counter back from <paramref name="from"/> to <paramref name="to"/> unless another draw moved it since: undoes trial runs (the map-and-batch fusion's decision).</summary>
        internal static void Rewind(long from, long to) => Interlocked.CompareExchange(ref _offset, to, from);

        private static ulong Take(long count) => (ulong)(Interlocked.Add(ref _offset, count) - count);

        /// <summary>Uniform numbers in [minval, maxval) (<c>tf.random.uniform</c>); integer dtypes give integers.</summary>
        /// <param name="seed">
        /// TensorFlow's op seed: the numbers then come from a stream of their own, set by the global seed (<see cref="SetSeed"/>,
        /// else TensorFlow's default 87654321) and this seed alone; calls with the same seed continue that stream, and
        /// <see cref="SetSeed"/> starts it again (tf.random.set_seed's rule). Null: the global generator.
        /// </param>
        public static Tensor Uniform(Shape shape, double minval = 0, double maxval = 1, DType dtype = DType.Float32, int? seed = null) =>
            Uniform(shape, minval, maxval, dtype, OpStream(seed));

        /// <summary>
        /// Uniform numbers in [minval, maxval) with the bounds given as tensors (<c>tf.random.uniform(shape, minval=t, maxval=t)</c>,
        /// e.g. the Core MLP guide's xavier_init, whose limit <c>sqrt(6) / sqrt(in + out)</c> is a tensor): as TensorFlow,
        /// <c>u * (maxval - minval) + minval</c> for u drawn in [0, 1), so the bounds may be tensors broadcasting to
        /// <paramref name="shape"/> (a bound per column), a gradient reaches them, and they are not read on the host
        /// (a traced function keeps them symbolic; TensorFlow does not check their order either).
        /// </summary>
        /// <param name="seed">TensorFlow's op seed, as for the overload taking numbers.</param>
        /// <exception cref="ArgumentException">
        /// <paramref name="dtype"/> is not float32 or float64 (TensorFlow's integer draws take numbers: use the other overload),
        /// a bound is not a floating-point tensor, or a bound does not broadcast to <paramref name="shape"/>.
        /// </exception>
        public static Tensor Uniform(Shape shape, Tensor minval, Tensor maxval, DType dtype = DType.Float32, int? seed = null)
        {
            ArgumentNullException.ThrowIfNull(minval);
            ArgumentNullException.ThrowIfNull(maxval);
            if (dtype is not (DType.Float32 or DType.Float64))
                throw new ArgumentException($"Random.Uniform: bounds given as tensors need a float32 or float64 dtype, got {dtype.Name()}; integer draws take their bounds as numbers.", nameof(dtype));
            var low = Bound(minval, nameof(minval), shape, dtype);
            var high = Bound(maxval, nameof(maxval), shape, dtype);
            // Not disposed: a tape differentiating the bounds keeps the unit draw for the product's gradient.
            var unit = Uniform(shape, 0, 1, dtype, OpStream(seed));
            return unit * (high - low) + low;
        }

        // A bound of the tensor overload, checked and in the draw's dtype (a weak scalar such as 0f takes it without a cast).
        private static Tensor Bound(Tensor bound, string name, Shape shape, DType dtype)
        {
            if (!bound.DType.IsFloating())
                throw new ArgumentException($"Random.Uniform: {name} is a {bound.DType.Name()} tensor; bounds given as tensors are floating-point (cast it to {dtype.Name()}).", name);
            // NumPy's rule with trailing axes aligned, without growing the draw: each axis of the bound is 1 or the draw's.
            var dims = bound.Shape.ToArray();
            bool fits = dims.Length <= shape.Rank;
            for (int i = 1; fits && i <= dims.Length; i++) fits = dims[^i] == 1 || dims[^i] == shape[^i];
            if (!fits)
                throw new ArgumentException($"Random.Uniform: {name} of shape {bound.Shape} does not broadcast to the draw's shape {shape}.", name);
            return bound.DType == dtype ? bound : Cast(bound, dtype);
        }

        /// <summary>Uniform numbers from <paramref name="stream"/> (a seeded layer's), or from this generator when null.</summary>
        internal static Tensor Uniform(Shape shape, double minval, double maxval, DType dtype, RandomStream? stream) =>
            Uniform(shape, minval, maxval, dtype, count => stream?.Draw(count) ?? Draw(count));

        /// <summary>Uniform numbers at the (seed, offset) <paramref name="draw"/> gives for their count, called once the arguments are checked.</summary>
        internal static Tensor Uniform(Shape shape, double minval, double maxval, DType dtype, Func<long, (ulong Seed, ulong Offset)> draw)
        {
            if (!(maxval > minval))
                throw new ArgumentException($"Random.Uniform: maxval ({maxval}) must be greater than minval ({minval}).", nameof(maxval));
            if (dtype is DType.Bool or DType.UInt8)
                throw new ArgumentException($"Random.Uniform: dtype must be float32, float64, int32 or int64, got {dtype.Name()}.", nameof(dtype));
            if (!double.IsFinite(minval) || !double.IsFinite(maxval))
                throw new ArgumentException($"Random.Uniform: minval and maxval must be finite, got ({minval}, {maxval}).");
            // Integers are drawn from [minval, maxval): both ends must be numbers of the dtype.
            ScalarRange.Check("Random.Uniform (minval)", minval, dtype);
            ScalarRange.Check("Random.Uniform (maxval - 1)", maxval - 1, dtype);
            if (dtype is DType.Int32 or DType.Int64 && maxval - minval > 1 << 24)
            {
                // The kernels scale a 24-bit uniform for integers: past 2^24 values only every 2^k-th integer
                // could come out (tf.image.random_crop's draw over the int32 range always had its low bits
                // set). A float64 draw has 53 bits, so every integer of a range up to 2^53 is reached; the
                // same count of the stream is used, so later draws are unchanged.
                using var wide = Uniform(shape, minval, maxval, DType.Float64, draw);
                using var floored = Floor(wide);
                using var inRange = Minimum(floored, maxval - 1);   // a product rounded up to maxval
                return Cast(inRange, dtype);
            }
            var result = Tensor.Empty(shape, dtype, Backend);
            var (seed, offset) = draw(shape.Count);
            Engine.RandomUniform(result, seed, offset, minval, maxval);
            return result;
        }

        /// <summary>Normal numbers (<c>tf.random.normal</c>).</summary>
        /// <param name="seed">
        /// TensorFlow's op seed: the numbers then come from a stream of their own, set by the global seed (<see cref="SetSeed"/>,
        /// else TensorFlow's default 87654321) and this seed alone; calls with the same seed continue that stream, and
        /// <see cref="SetSeed"/> starts it again (tf.random.set_seed's rule). Null: the global generator.
        /// </param>
        public static Tensor Normal(Shape shape, double mean = 0, double stddev = 1, DType dtype = DType.Float32, int? seed = null) =>
            Normal(shape, mean, stddev, dtype, OpStream(seed));

        /// <summary>Normal numbers from <paramref name="stream"/> (a seeded layer's), or from this generator when null.</summary>
        internal static Tensor Normal(Shape shape, double mean, double stddev, DType dtype, RandomStream? stream) =>
            Normal(shape, mean, stddev, dtype, count => stream?.Draw(count) ?? Draw(count));

        /// <summary>Normal numbers at the (seed, offset) <paramref name="draw"/> gives for their count, called once the arguments are checked.</summary>
        internal static Tensor Normal(Shape shape, double mean, double stddev, DType dtype, Func<long, (ulong Seed, ulong Offset)> draw)
        {
            if (!dtype.IsFloating())
                throw new ArgumentException($"Random.Normal: dtype must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
            if (stddev < 0)
                throw new ArgumentException($"Random.Normal: stddev must be at least 0, got {stddev}.", nameof(stddev));
            var result = Tensor.Empty(shape, dtype, Backend);
            var (seed, offset) = draw(shape.Count);
            Engine.RandomNormal(result, seed, offset, mean, stddev);
            return result;
        }

        /// <summary>
        /// Normal numbers with those more than two standard deviations from the mean drawn again
        /// (<c>tf.random.truncated_normal</c>; Keras' glorot_normal, he_normal and truncated_normal
        /// initializers). Each round redraws only the values still outside (4.6% of the first draw,
        /// then 4.6% of those), and reads on the host whether any is left, so an NF.Function that
        /// calls it runs eagerly.
        /// </summary>
        /// <param name="seed">
        /// TensorFlow's op seed: the numbers then come from a stream of their own, set by the global seed (<see cref="SetSeed"/>,
        /// else TensorFlow's default 87654321) and this seed alone; calls with the same seed continue that stream, and
        /// <see cref="SetSeed"/> starts it again (tf.random.set_seed's rule). Null: the global generator.
        /// </param>
        public static Tensor TruncatedNormal(Shape shape, double mean = 0, double stddev = 1, DType dtype = DType.Float32, int? seed = null) =>
            TruncatedNormal(shape, mean, stddev, dtype, OpStream(seed));

        /// <summary>Truncated normal numbers from <paramref name="stream"/> (a generator's), or from this generator when null.</summary>
        internal static Tensor TruncatedNormal(Shape shape, double mean, double stddev, DType dtype, RandomStream? stream)
        {
            if (stddev < 0)
                throw new ArgumentException($"Random.TruncatedNormal: stddev must be at least 0, got {stddev}.", nameof(stddev));
            using var z = shape.Rank == 0 ? Reshape(StandardTruncated([1], dtype, stream), shape) : StandardTruncated(shape, dtype, stream);
            return z * stddev + mean;
        }

        // Standard normal numbers within two standard deviations: one draw of the shape, then only the
        // ones outside (4.6%) drawn again, recursively, and put back in their places. Redrawing
        // the whole tensor each round (as this did) cost six normal draws where this costs about
        // one and a quarter: EfficientNetB7's 66M initial weights are almost all truncated normal.
        private static Tensor StandardTruncated(Shape shape, DType dtype, RandomStream? stream)
        {
            var z = Normal(shape, 0, 1, dtype, stream);
            using var outside = Greater(Abs(z), 2.0);
            using var positions = Where(outside);   // [k, rank] coordinates; k is read on the host
            int k = positions.Shape[0];
            if (k == 0) return z;
            using var redrawn = StandardTruncated([k], dtype, stream);
            using (z) return TensorScatterUpdate(z, positions, redrawn);
        }
    }
}
