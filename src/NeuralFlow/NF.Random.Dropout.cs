namespace NeuralFlow;

public static partial class NF
{
    public static partial class Random
    {
        /// <summary>
        /// Inverted dropout (Keras 3's <c>keras.random.dropout</c>, <c>tf.nn.dropout</c>): each element
        /// of <paramref name="x"/> is zeroed with probability <paramref name="rate"/> and the kept ones
        /// are scaled by 1 / (1 - rate), so the expected value is unchanged. <paramref name="noiseShape"/>
        /// (broadcastable to x's shape: 1 on an axis shares one draw along it) drops whole blocks, as
        /// SpatialDropout does. The mask comes from this generator (<see cref="SetSeed"/>); the gradient
        /// flows through the kept elements. For a layer, <c>Layers.Dropout</c> does this in training only.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">A rate outside [0, 1] (1 drops everything: zeros, as Keras' backends return).</exception>
        /// <exception cref="ArgumentException">An integer x, or a noise shape that does not broadcast.</exception>
        public static Tensor Dropout(Tensor x, double rate, Shape? noiseShape = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            Keras.DropoutRate.Checked("Random.Dropout", rate);
            if (!x.DType.IsFloating())
                throw new ArgumentException($"Random.Dropout: x must be a float tensor, got {x.DType.Name()}.", nameof(x));
            var maskShape = noiseShape ?? x.Shape;
            if (maskShape.Rank != x.Rank || Enumerable.Range(0, x.Rank).Any(i => maskShape[i] != 1 && maskShape[i] != x.Shape[i]))
                throw new ArgumentException($"Random.Dropout: noiseShape {maskShape} does not broadcast to x's shape {x.Shape} (each axis 1 or x's).", nameof(noiseShape));
            return Dropout(x, rate, maskShape, null);
        }

        /// <summary>The dropout of a checked mask shape, its mask from <paramref name="stream"/> (a seeded layer's) or this generator.</summary>
        internal static Tensor Dropout(Tensor x, double rate, Shape maskShape, RandomStream? stream) => rate switch
        {
            0 => x,
            1 => DroppedAll(x),
            _ => x * KeepMask(x, rate, maskShape, stream) / (1 - rate),
        };

        // Rate 1 keeps nothing: zeros (Keras' backends return zeros_like), not 0 / (1 - 1) = NaN, and
        // zeros where x is inf or NaN too, which x * 0 alone would make NaN. Computed from x (a select on
        // x * 0) rather than a new zeros tensor, so a traced step replays it at any batch size and the
        // layers before get a zero gradient (no update) instead of none; + 0 makes x * 0's -0 a 0.
        // (The intermediates stay undisposed: Where's gradient reads its condition.)
        private static Tensor DroppedAll(Tensor x) => NF.Where(NF.IsFinite(x), x * 0.0, 0.0) + 0.0;

        /// <summary>1 where an element (or a block of <paramref name="maskShape"/>) is kept, with probability 1 - rate; else 0 (x's dtype).</summary>
        internal static Tensor KeepMask(Tensor x, double rate, Shape maskShape, RandomStream? stream) =>
            NF.Cast(NF.GreaterEqual(Uniform(maskShape, 0, 1, x.DType, stream), rate), x.DType);
    }
}
