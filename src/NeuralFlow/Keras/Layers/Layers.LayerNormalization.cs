using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Layer normalization (<c>tf.keras.layers.LayerNormalization</c>): each sample is normalized
    /// over <see cref="Axis"/> (default: the last axis) by its own mean and biased variance, then
    /// scaled by gamma and shifted by beta, which have the shape of those axes. The same in
    /// training and inference.
    /// </summary>
    public sealed class LayerNormalization : AffineNormalization
    {
        /// <summary>False, as Keras' (<c>self.autocast = False</c>): it normalizes its input in float32 and gives the result in the computation's type.</summary>
        private protected override bool AutocastsInputs => false;

        /// <summary>Normalizes over <paramref name="axis"/> (Keras' default -1).</summary>
        public LayerNormalization(int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
                                  Initializer? betaInitializer = null, Initializer? gammaInitializer = null, string? name = null,
                                  Regularizers.Regularizer? betaRegularizer = null, Regularizers.Regularizer? gammaRegularizer = null)
            : this([axis], epsilon, center, scale, betaInitializer, gammaInitializer, name, betaRegularizer, gammaRegularizer) { }

        /// <summary>Normalizes over several <paramref name="axis"/> at once (Keras' list form).</summary>
        public LayerNormalization(int[] axis, double epsilon = 1e-3, bool center = true, bool scale = true,
                                  Initializer? betaInitializer = null, Initializer? gammaInitializer = null, string? name = null,
                                  Regularizers.Regularizer? betaRegularizer = null, Regularizers.Regularizer? gammaRegularizer = null)
            : base(nameof(LayerNormalization), epsilon, center, scale, betaInitializer, gammaInitializer, name, betaRegularizer, gammaRegularizer)
        {
            ArgumentNullException.ThrowIfNull(axis);
            Axis = axis.Length > 0 ? (int[])axis.Clone() : throw new ArgumentException("LayerNormalization: axis must name at least one axis.", nameof(axis));
        }

        /// <summary>The axes normalized over.</summary>
        public int[] Axis { get; }

        private int[] _axes = [];
        private int[] _dims = [];

        // As Keras: one axis is written as a number, several as a list.
        private protected override void WriteAxisConfig(JsonObject c) =>
            c["axis"] = Axis.Length == 1 ? Axis[0] : new JsonArray(Axis.Select(a => (JsonNode)a).ToArray());

        /// <summary>The input's shape (Keras' compute_output_shape): a functional call does not run the layer to learn it.</summary>
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape;

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            var axes = Axis.Select(a => FeatureAxis(Name, inputShape, a)).OrderBy(a => a).ToArray();
            if (axes.Distinct().Count() != axes.Length)
                throw new ArgumentException($"{Name}: axis [{string.Join(", ", Axis)}] names an axis twice.");
            _axes = axes;
            _dims = axes.Select(a => inputShape[a]).ToArray();
            AddGammaBeta(_dims);
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (x.Rank != BuildInputShape!.Rank || _axes.Select((a, i) => x.Shape[a] != _dims[i]).Any(b => b))
                throw new ArgumentException(
                    $"{Name}: was built for inputs of shape {BuildInputShape} (normalizing axes [{string.Join(", ", _axes)}] of sizes {Shape.Format(_dims)}), got shape {x.Shape}.", nameof(x));
            return NF.LayerNormalization(InComputeType(x), Gamma, Beta, _axes, Epsilon);
        }
    }
}
