namespace NeuralFlow;

public static partial class NF
{
    /// <summary>Operations on <see cref="SparseTensor"/> (<c>tf.sparse</c>).</summary>
    public static class Sparse
    {
        /// <summary>
        /// The dense tensor of <paramref name="sp"/> (<c>tf.sparse.to_dense</c>): its values at its indices,
        /// <paramref name="defaultValue"/> elsewhere. With <paramref name="validateIndices"/> (TensorFlow's default) the
        /// index tuples must be in range, in row-major order and each given once; without it, a repeated tuple takes its
        /// last value. Indices are read on the host.
        /// </summary>
        /// <exception cref="ArgumentException">An index tuple is out of range, out of order or repeated.</exception>
        public static Tensor ToDense(SparseTensor sp, double defaultValue = 0, bool validateIndices = true)
        {
            ArgumentNullException.ThrowIfNull(sp);
            var shape = sp.Shape;
            int n = sp.Indices.Shape[0], rank = sp.Indices.Shape[1];
            var indices = sp.Indices.ToArray<long>();
            for (int i = 0; i < n; i++)
            {
                for (int a = 0; a < rank; a++)
                    if (indices[i * rank + a] < 0 || indices[i * rank + a] >= sp.DenseShape[a])
                        throw new ArgumentException($"Sparse.ToDense: index tuple {i} [{Tuple(indices, i, rank)}] is out of range for dense shape {shape}.", nameof(sp));
                if (validateIndices && i > 0)
                {
                    int order = 0;
                    for (int a = 0; a < rank && order == 0; a++) order = indices[i * rank + a].CompareTo(indices[(i - 1) * rank + a]);
                    if (order <= 0)
                        throw new ArgumentException($"Sparse.ToDense: index tuple {i} [{Tuple(indices, i, rank)}] is " + (order == 0 ? "repeated" : "out of order") +
                                                    $" after [{Tuple(indices, i - 1, rank)}]; give each tuple once in row-major order (NF.Sparse has no reorder yet), " +
                                                    "or pass validateIndices: false.", nameof(sp));
                }
            }
            var dense = Fill(shape, defaultValue, sp.DType, sp.Values.Backend);
            return n == 0 ? dense : TensorScatterUpdate(dense, sp.Indices, sp.Values);
        }

        private static string Tuple(long[] indices, int i, int rank) => string.Join(", ", indices.Skip(i * rank).Take(rank));
    }
}
