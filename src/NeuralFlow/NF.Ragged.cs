using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// TensorFlow's <c>tf.ragged</c> functions over numeric <see cref="RaggedTensor"/>s; the factories, conversions,
    /// indexing and reductions are <see cref="RaggedTensor"/>'s own members.
    /// </summary>
    public static class Ragged
    {
        /// <summary><c>tf.ragged.constant</c> of rows of scalars: shape <c>(rows, None)</c>.</summary>
        public static RaggedTensor Constant<T>(T[][] rows) where T : unmanaged => RaggedTensor.Constant(rows);

        /// <summary><c>tf.ragged.constant</c> of rows of rows (<c>ragged_rank</c> 2, or 1 for a uniform innermost axis).</summary>
        public static RaggedTensor Constant<T>(T[][][] rows, int raggedRank = 2) where T : unmanaged => RaggedTensor.Constant(rows, raggedRank);

        /// <summary><c>tf.ragged.map_flat_values(fn, rt)</c>: fn applied to the flat values, the rows kept.</summary>
        public static RaggedTensor MapFlatValues(Func<Tensor, Tensor> fn, RaggedTensor rt)
        {
            ArgumentNullException.ThrowIfNull(rt);
            return rt.MapFlatValues(fn);
        }
    }
}
