using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Marks padded time steps (<c>keras.layers.Masking</c>): a step of [batch, timesteps, features]
    /// whose features all equal <paramref name="maskValue"/> is padding. The output is the input
    /// with those steps zeroed, carrying the mask any(x != maskValue, -1) [batch, timesteps], which
    /// recurrent layers (they skip the step), GlobalAveragePooling1D and the loss honour.
    /// </summary>
    public sealed class Masking(double maskValue = 0.0, string? name = null) : Layer(name)
    {
        /// <summary>The value that marks a padded step (every feature of the step equal to it).</summary>
        public double MaskValue { get; } = double.IsNaN(maskValue)
            ? throw new ArgumentOutOfRangeException(nameof(maskValue), maskValue, "Masking: maskValue must not be NaN (NaN equals nothing, so no step would be masked).")
            : maskValue;

        /// <inheritdoc/>
        public override bool SupportsMasking => true;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["mask_value"] = MaskValue;
            return c;
        }

        /// <summary>any(x != maskValue, -1): true for a step with at least one feature that is not the mask value.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => NF.ReduceAny(Differs(inputs), -1);

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (x.Rank < 2)
                throw new ArgumentException($"{Name}: Masking needs inputs with a feature axis ([batch, timesteps, features]), got shape {x.Shape}.", nameof(x));
            var keep = NF.ReduceAny(Differs(x), -1, keepDims: true);
            // One computation for the output and its mask, as Keras' call sets both.
            var y = NF.Where(keep, x, 0);
            SetMask(y, NF.Squeeze(keep, -1));
            return y;
        }

        private Tensor Differs(Tensor x) => NF.NotEqual(x.DType == DType.Bool ? NF.Cast(x, DType.Float32) : x, MaskValue);
    }
}
