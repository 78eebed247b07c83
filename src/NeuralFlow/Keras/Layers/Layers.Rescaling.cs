using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// x * <paramref name="scale"/> + <paramref name="offset"/> (<c>keras.layers.Rescaling</c>), the
    /// first layer of Keras' image models: <c>Rescaling(1 / 255.0)</c> maps uint8 pixels to [0, 1],
    /// <c>Rescaling(1 / 127.5, offset: -1)</c> to [-1, 1]. As Keras' layer, it computes in float32
    /// whatever the input's type (a uint8 image, an int or float64 tensor). Scalar scale and offset.
    /// </summary>
    public sealed class Rescaling(double scale, double offset = 0, string? name = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>The factor.</summary>
        public double Scale { get; } = double.IsFinite(scale) ? scale : throw new ArgumentOutOfRangeException(nameof(scale), scale, "Rescaling: scale must be a finite number.");

        /// <summary>What is added after scaling.</summary>
        public double Offset { get; } = double.IsFinite(offset) ? offset : throw new ArgumentOutOfRangeException(nameof(offset), offset, "Rescaling: offset must be a finite number.");

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["scale"] = Scale;
            c["offset"] = Offset;
            return c;
        }

        // The input's shape (Keras' compute_output_shape).
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape;

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            var y = (x.DType == ComputeDType ? x : NF.Cast(x, ComputeDType)) * Scale;
            return Offset == 0 ? y : y + Offset;
        }
    }
}
