namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// Reads <paramref name="input"/> (any rank d) at the points of <paramref name="coordinates"/>
        /// [d, ...] (<c>keras.ops.image.map_coordinates</c>, <c>scipy.ndimage.map_coordinates</c>): point p's
        /// index along axis k is coordinates[k, p]; the result has the coordinates' trailing shape.
        /// <paramref name="order"/> 0 reads the nearest element (coordinates rounded half to even, as Keras'
        /// TensorFlow and torch backends; its jax backend rounds half away from zero), 1 interpolates linearly
        /// between the 2^d neighbours; integer inputs give their dtype back, rounded as Keras rounds them. Taps outside
        /// the input are read through <paramref name="fillMode"/> as <see cref="AffineTransform"/> reads them
        /// ("constant" gives <paramref name="fillValue"/>). Gradients reach the input and, through the
        /// linear weights, the coordinates.
        /// </summary>
        /// <exception cref="ArgumentException">The coordinates' first axis is not the input's rank, the order is not 0 or 1, or the fill mode is unknown.</exception>
        public static Tensor MapCoordinates(Tensor input, Tensor coordinates, int order, string fillMode = "constant", double fillValue = 0)
        {
            const string op = "Image.MapCoordinates";
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(coordinates);
            if (input.Rank < 1 || input.Shape.Count == 0)
                throw new ArgumentException($"{op}: input must have at least one axis and one element, got shape {input.Shape}.", nameof(input));
            if (coordinates.Rank < 2 || coordinates.Shape[0] != input.Rank)
                throw new ArgumentException($"{op}: coordinates must have shape [{input.Rank}, ...] (one row per axis of the input {input.Shape}, at least rank 2), got {coordinates.Shape}.", nameof(coordinates));
            if (order is not (0 or 1))
                throw new ArgumentOutOfRangeException(nameof(order), order, $"{op}: order must be 0 (nearest) or 1 (linear).");
            fillMode = FillMode(op, fillMode);
            if (!double.IsFinite(fillValue))
                throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, $"{op}: fillValue must be a finite number.");
            Engine.BackendOf(op, input, coordinates);

            int d = input.Rank;
            var x = Reshape(AsFloat(input), [-1]);
            var c = AsFloat(coordinates);
            var points = Enumerable.Range(0, d).Select(k => Squeeze(Slice(c, [k, .. new int[c.Rank - 1]], [1, .. Enumerable.Repeat(-1, c.Rank - 1)]), 0)).ToArray();
            long[] strides = new long[d];
            for (int k = d - 1, s = 1; k >= 0; s *= input.Shape[k], k--) strides[k] = s;

            // One tap: the element at the integer-valued (float) indices of every point, with the fill rule.
            Tensor Tap(Tensor[] indices)
            {
                Tensor? flat = null, inside = null;
                for (int k = 0; k < d; k++)
                {
                    var term = Cast(FillIndex(indices[k], input.Shape[k], fillMode), DType.Int32) * (int)strides[k];
                    flat = flat is null ? term : flat + term;
                    var ok = (indices[k] >= 0.0) & (indices[k] <= (double)(input.Shape[k] - 1));
                    inside = inside is null ? ok : inside & ok;
                }
                var values = Gather(x, flat!, 0);
                return fillMode == "constant" ? Where(inside!, values, fillValue) : values;
            }

            // Keras rounds an integer input's interpolated values and casts them back to its dtype.
            Tensor Typed(Tensor y) => y.DType == input.DType ? y : Cast(Round(y), input.DType);
            if (order == 0) return Typed(Tap(points.Select(Round).ToArray()));
            var lower = points.Select(Floor).ToArray();
            var weights = points.Select((p, k) => Cast(p - lower[k], x.DType)).ToArray();
            Tensor? sum = null;
            for (int corner = 0; corner < 1 << d; corner++)
            {
                var taps = new Tensor[d];
                Tensor? w = null;
                for (int k = 0; k < d; k++)
                {
                    bool upper = (corner >> k & 1) == 1;
                    taps[k] = upper ? lower[k] + 1.0 : lower[k];
                    var wk = upper ? weights[k] : 1.0 - weights[k];
                    w = w is null ? wk : w * wk;
                }
                var term = Tap(taps) * w!;
                sum = sum is null ? term : sum + term;
            }
            return Typed(sum!);
        }
    }
}
