namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>Softmax along <paramref name="axis"/> (<c>tf.keras.layers.Softmax</c>).</summary>
    public sealed class Softmax(int axis = -1, string? name = null) : Layer(name)
    {
        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => NF.Softmax(x, axis);
    }
}
