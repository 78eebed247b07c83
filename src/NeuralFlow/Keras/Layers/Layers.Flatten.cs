namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>Flattens all but the batch axis: (N, 28, 28) to (N, 784) (<c>tf.keras.layers.Flatten</c>).</summary>
    public sealed class Flatten(string? name = null) : Layer(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => x.Rank <= 1 ? NF.Reshape(x, [-1, 1]) : NF.Reshape(x, Reshape.PerSample(Name, x.Shape, [-1]));

        // Keras' compute_output_shape: (batch, the product of the other lengths), unknown where one of them is; (batch, 1) for a batch alone.
        private protected override int?[]? ShapeRule(int?[] inputShape)
        {
            long size = 1;
            foreach (var d in inputShape.Skip(1))
            {
                if (d is not int length) return [inputShape[0], null];
                size *= length;
            }
            return size <= int.MaxValue ? [inputShape[0], (int)size] : null;
        }
    }
}
