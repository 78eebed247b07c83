namespace NeuralFlow.Keras;

/// <summary>
/// The Keras layers (<c>tf.keras.layers</c>), as nested types so that <c>using NeuralFlow.Keras;</c>
/// brings them all: <c>new Layers.Dense(50)</c>. One partial file per layer.
/// An instance is a model's list of layers (<c>model.Layers</c>, Keras' <c>model.layers</c>); see
/// <see cref="ListView{T}"/> for why the list and the layer classes share the name.
/// </summary>
public partial class Layers : ListView<Layer>
{
    internal Layers(IReadOnlyList<Layer> layers) : base(layers) { }
}
