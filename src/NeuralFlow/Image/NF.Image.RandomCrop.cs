namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// A <paramref name="size"/>-shaped block of <paramref name="value"/> at one random offset
        /// (<c>tf.image.random_crop</c>): any rank, one offset per axis, the same window for everything
        /// the axes do not crop (pass an axis' full size to keep it whole, e.g. pix2pix crops a stacked
        /// [2, h, w, 3] pair with size [2, 256, 256, 3] so both images get the same window). As TF, each
        /// offset is a uniform int32 draw modulo (dim - size + 1); <paramref name="seed"/> is TF's op seed
        /// (<see cref="Random.Uniform(Shape, double, double, DType, int?)"/>). The crop is a gather of
        /// computed indices, so a replayed NF.Function draws a new window each call and gradients reach
        /// <paramref name="value"/>.
        /// </summary>
        /// <exception cref="ArgumentException">value is a scalar, size has not one entry per axis, or an entry is negative or larger than its axis.</exception>
        public static Tensor RandomCrop(Tensor value, int[] size, int? seed = null)
        {
            const string op = "Image.RandomCrop";
            ArgumentNullException.ThrowIfNull(value);
            ArgumentNullException.ThrowIfNull(size);
            if (value.Rank == 0)
                throw new ArgumentException($"{op}: value must have at least one axis, got a scalar.", nameof(value));
            if (size.Length != value.Rank)
                throw new ArgumentException($"{op}: size needs one entry per axis of value (shape {value.Shape}), got [{string.Join(", ", size)}].", nameof(size));
            for (int d = 0; d < size.Length; d++)
                if (size[d] < 0 || size[d] > value.Shape[d])
                    throw new ArgumentException($"{op}: need value.shape >= size >= 0, got shape {value.Shape} and size [{string.Join(", ", size)}] (axis {d}).", nameof(size));

            int rank = value.Rank;
            var limit = new int[rank];
            for (int d = 0; d < rank; d++) limit[d] = value.Shape[d] - size[d] + 1;
            // The draw and the indices live where value does, whatever backend is current.
            using var _ = UseBackend(value.Backend);
            // TF's rule: uniform over the whole int32 range, then modulo each axis' room.
            var offsets = Random.Uniform(new Shape(rank), 0, int.MaxValue, DType.Int32, seed) % Constant(limit);

            // Flat index of element (o_0 + i_0, ..., o_k + i_k): the sum over axes of (offset + i) * stride,
            // each term shaped to broadcast along its own axis.
            Tensor? index = null;
            long stride = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                var along = Enumerable.Repeat(1, rank).ToArray();
                along[d] = size[d];
                var term = Reshape((Range(size[d]) + offsets[d]) * (int)stride, along);
                index = index is null ? term : index + term;
                stride *= value.Shape[d];
            }
            if (stride > int.MaxValue)
                throw new ArgumentException($"{op}: value has {stride} elements, more than int32 indices reach.", nameof(value));
            return Gather(Reshape(value, [-1]), index!, 0);
        }
    }
}
