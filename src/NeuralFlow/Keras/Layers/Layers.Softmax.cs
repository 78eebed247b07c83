using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>Softmax along <paramref name="axis"/> (<c>tf.keras.layers.Softmax</c>).</summary>
    public sealed class Softmax(int axis = -1, string? name = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>The axis the softmax runs along.</summary>
        public int Axis { get; } = axis;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis;
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => NF.KerasSoftmax(x, Axis);

        // The input's shape (Keras' compute_output_shape), for an axis the input has (the run refuses another).
        private protected override int?[]? ShapeRule(int?[] inputShape) => Axis >= -inputShape.Length && Axis < inputShape.Length ? inputShape : null;
    }
}
