namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>max(x, 0) (<c>tf.keras.layers.ReLU</c>).</summary>
    public sealed class ReLU(string? name = null) : Layer(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.Relu(x);
    }
}
