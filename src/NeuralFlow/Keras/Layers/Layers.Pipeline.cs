using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Applies its layers in order (<c>keras.layers.Pipeline</c>), typically augmentation layers; unlike a
    /// <see cref="Sequential"/> model it is a layer, with no inputs, outputs or training of its own. Given labels
    /// (<see cref="CallWithLabels"/>), the layers that take labels (<see cref="ILabelledAugmentation"/>: MixUp,
    /// CutMix, the augmentation layers, nested pipelines) get both and the others the images only. Saved with its
    /// layers' configs.
    /// </summary>
    public sealed class Pipeline : Layer, ILabelledAugmentation
    {
        private readonly Layer[] _layers;

        /// <summary>The layers, applied first to last.</summary>
        public Pipeline(IEnumerable<Layer> layers, string? name = null) : base(name)
        {
            ArgumentNullException.ThrowIfNull(layers);
            _layers = layers.ToArray();
            for (int i = 0; i < _layers.Length; i++)
                if (_layers[i] is null) throw new ArgumentException($"Pipeline: layer {i} is null.", nameof(layers));
        }

        /// <summary>The layers, in the order they apply.</summary>
        public IReadOnlyList<Layer> Layers => _layers;

        /// <inheritdoc/>
        public override IReadOnlyList<Layer> SubLayers => _layers;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["layers"] = new JsonArray(_layers.Select(l => (JsonNode)KerasSerialization.Serialize(l)).ToArray());
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            // Keras' Pipeline.call(training=True) hands its layers training=True unless a phase was set.
            using (TrainingMode(TrainingOr(callDefault: true)))
                foreach (var layer in _layers) x = layer.Call(x);
            return x;
        }

        /// <inheritdoc/>
        public (Tensor Images, Tensor Labels) CallWithLabels(Tensor images, Tensor labels, bool training)
        {
            ArgumentNullException.ThrowIfNull(images);
            ArgumentNullException.ThrowIfNull(labels);
            using (TrainingMode(training))
            {
                foreach (var layer in _layers)
                {
                    if (layer is ILabelledAugmentation labelled) (images, labels) = labelled.CallWithLabels(images, labels, training);
                    else images = layer.Call(images);
                }
            }
            return (images, labels);
        }
    }
}
