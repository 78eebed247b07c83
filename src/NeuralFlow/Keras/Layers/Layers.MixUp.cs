using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// MixUp while training (<c>keras.layers.MixUp</c>, Zhang et al. 2017): the batch is paired with a random
    /// permutation of itself and each image becomes w x + (1 - w) x[perm], w drawn per image from
    /// Beta(<see cref="Alpha"/>, <see cref="Alpha"/>); labels given to <see cref="RandomImageLayer.CallWithLabels"/>
    /// are mixed with the same w and permutation (<see cref="MixingLayer"/>). One image [H, W, C]
    /// is a batch of one and mixes with itself, so it comes back unchanged. The identity at inference.
    /// </summary>
    public sealed class MixUp : MixingLayer
    {
        /// <summary>Mixing weights drawn from Beta(alpha, alpha) (Keras' default 0.2: mostly near 0 or 1).</summary>
        public MixUp(double alpha = 0.2, int? seed = null, string? name = null, string dataFormat = "channels_last") : base(seed, name)
        {
            SetDataFormat(dataFormat);
            Alpha = alpha > 0 && double.IsFinite(alpha) ? alpha
                : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"MixUp: alpha must be a positive finite number (the Beta(alpha, alpha) parameter), got {alpha}.");
        }

        /// <summary>Both parameters of the Beta distribution of the mixing weights.</summary>
        public double Alpha { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["alpha"] = Alpha;
            return c;
        }

        /// <inheritdoc/>
        private protected override (Tensor Images, Tensor? Labels) Mix(Tensor images, Tensor? labels)
        {
            int n = images.Shape[0];
            // Keras' order: the permutation, then the weights.
            var permutation = Permutation(n);
            var weights = Beta(new Shape(n), Scalar(Alpha), Scalar(Alpha));
            return (MixRows(images, weights, permutation), labels is null ? null : MixLabels(labels, weights, permutation));
        }
    }
}
