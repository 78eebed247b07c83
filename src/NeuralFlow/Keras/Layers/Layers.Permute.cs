using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Reorders the axes of each sample (<c>tf.keras.layers.Permute</c>): <see cref="Dims"/> is a
    /// permutation of 1..rank, numbered from 1 as in Keras (the batch axis 0 stays first); (2, 1)
    /// swaps the two axes of a [N, A, B] input.
    /// </summary>
    public sealed class Permute : Layer
    {
        /// <summary>A permutation of 1..<paramref name="dims"/>.Length.</summary>
        public Permute(int[] dims, string? name = null) : base(name)
        {
            ArgumentNullException.ThrowIfNull(dims);
            if (dims.Length == 0 || !dims.Order().SequenceEqual(Enumerable.Range(1, dims.Length)))
                throw new ArgumentException(
                    $"Permute: dims must be a permutation of 1..{dims.Length} (the axes after the batch axis, numbered from 1 as in Keras), got [{string.Join(", ", dims)}].", nameof(dims));
            Dims = (int[])dims.Clone();
        }

        /// <summary>The permutation of the non-batch axes, 1-based.</summary>
        public int[] Dims { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["dims"] = PoolingArgs.Json(Dims);
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => CheckRank(inputShape);

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            CheckRank(x.Shape);
            return NF.Transpose(x, [0, .. Dims]);
        }

        // Keras' compute_output_shape: the batch axis, then the input's axes in the order of Dims.
        private protected override int?[]? ShapeRule(int?[] inputShape) =>
            inputShape.Length == Dims.Length + 1 ? [inputShape[0], .. Dims.Select(d => inputShape[d])] : null;

        private void CheckRank(Shape shape)
        {
            if (shape.Rank != Dims.Length + 1)
                throw new ArgumentException(
                    $"{Name}: dims [{string.Join(", ", Dims)}] permute {Dims.Length} axes after the batch axis, but the input has shape {shape}.");
        }
    }
}
