namespace NeuralFlow;

public static partial class NF
{
    public static partial class Random
    {
        /// <summary>
        /// <paramref name="x"/> with its slices along <paramref name="axis"/> in a random order
        /// (<c>keras.random.shuffle</c>, <c>tf.random.shuffle</c> on axis 0; numpy's
        /// <c>np.random.permutation(x)</c>), drawn from this generator: a permutation of
        /// <c>NF.Range(0, n)</c> shuffles features and labels alike, as the examples do with
        /// <c>idx = np.random.permutation(len(x_train))</c>.
        /// </summary>
        /// <exception cref="ArgumentException">A scalar, or an axis outside the rank.</exception>
        public static Tensor Shuffle(Tensor x, int axis = 0)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (x.Rank == 0) throw new ArgumentException("Random.Shuffle: x must have at least one axis, got a scalar.", nameof(x));
            int a = axis < 0 ? axis + x.Rank : axis;
            if (a < 0 || a >= x.Rank)
                throw new ArgumentException($"Random.Shuffle: axis {axis} is out of range for a tensor of rank {x.Rank}.", nameof(axis));
            // Sorting independent uniform keys gives every order the same chance (ties have probability ~0).
            using var keys = Uniform([x.Shape[a]]);
            using var order = ArgSort(keys);
            return Gather(x, order, a);
        }

        /// <summary>
        /// Class ids drawn from the categorical distributions of <paramref name="logits"/> [batch, classes]
        /// (unnormalized log-probabilities): [batch, <paramref name="numSamples"/>] ids of
        /// <paramref name="dtype"/> (<c>keras.random.categorical</c>, <c>tf.random.categorical</c>), by
        /// the Gumbel-max rule: argmax(logits + Gumbel noise). A logit of -inf is never drawn.
        /// </summary>
        /// <exception cref="ArgumentException">Logits that are not a float matrix, fewer than one sample, or a non-integer dtype.</exception>
        public static Tensor Categorical(Tensor logits, int numSamples, DType dtype = DType.Int32)
        {
            ArgumentNullException.ThrowIfNull(logits);
            if (logits.Rank != 2 || !logits.DType.IsFloating())
                throw new ArgumentException($"Random.Categorical: logits must be a float [batch, classes] matrix, got {logits.DType.Name()} {logits.Shape}.", nameof(logits));
            if (numSamples < 1) throw new ArgumentOutOfRangeException(nameof(numSamples), numSamples, "Random.Categorical: numSamples must be at least 1.");
            if (dtype is not (DType.Int32 or DType.Int64))
                throw new ArgumentException($"Random.Categorical: dtype must be int32 or int64, got {dtype.Name()}.", nameof(dtype));
            int batch = logits.Shape[0], classes = logits.Shape[1];
            if (classes == 0)
                throw new ArgumentException($"Random.Categorical: logits has no classes (shape {logits.Shape}); there is nothing to draw.", nameof(logits));
            // u in (0, 1]: 1 - Uniform[0, 1), so -log(-log(u)) stays finite or +inf, never NaN.
            using var u = 1.0 - Uniform([batch, numSamples, classes], dtype: logits.DType);
            using var gumbel = -Log(-Log(u));
            using var wide = ExpandDims(logits, 1);
            using var scores = wide + gumbel;
            using var ids = ArgMax(scores, axis: 2);
            return Cast(ids, dtype);
        }
    }
}
