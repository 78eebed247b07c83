namespace NeuralFlow.Keras;

/// <summary>
/// Keras' <c>model.layers</c> on every model. It is an extension property rather than a member of
/// <see cref="Model"/> so that inside a Model subclass the simple name <c>Layers</c> still names the
/// <see cref="Keras.Layers"/> class (<c>new Layers.Dense(4)</c>): C# never binds a simple name to an
/// extension member. A <see cref="Sequential"/>'s own <see cref="Sequential.Layers"/> answers for it.
/// </summary>
public static class ModelLayers
{
    extension(Model model)
    {
        /// <summary>
        /// The model's layers, as Keras 3's <c>model.layers</c>: a Sequential's after its input, a functional
        /// model's in graph order with its <c>InputLayer</c>s (so <c>model.Layers[1]</c> is the first layer
        /// after a single input, as in Keras), a subclassed model's the layers held in its fields.
        /// </summary>
        public IReadOnlyList<Layer> Layers => model is Sequential sequential ? sequential.Layers : model.SubLayers;
    }
}
