using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>Applies an activation by name or function (<c>tf.keras.layers.Activation</c>).</summary>
    public sealed class Activation(ActivationFunction activation, string? name = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>The function applied.</summary>
        public ActivationFunction Function { get; } = activation ?? throw new ArgumentNullException(nameof(activation));

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["activation"] = ConfigName(Function);
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => Function.Apply(x);

        /// <summary>The input's shape (Keras' compute_output_shape): a functional call does not run the activation to learn it.</summary>
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape;
    }
}
