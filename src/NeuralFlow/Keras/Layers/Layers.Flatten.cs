namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>Flattens all but the batch axis: (N, 28, 28) to (N, 784) (<c>tf.keras.layers.Flatten</c>).</summary>
    public sealed class Flatten(string? name = null) : Layer(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => x.Rank <= 1 ? NF.Reshape(x, [-1, 1]) : NF.Reshape(x, Reshape.PerSample(Name, x.Shape, [-1]));
    }
}
