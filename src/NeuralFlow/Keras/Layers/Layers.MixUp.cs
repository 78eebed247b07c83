using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// MixUp while training (<c>keras.layers.MixUp</c>, Zhang et al. 2017): the batch is paired with a random
    /// permutation of itself and each image becomes w x + (1 - w) x[perm], w drawn per image from
    /// Beta(<see cref="Alpha"/>, <see cref="Alpha"/>); labels given to <see cref="RandomImageLayer.CallWithLabels"/>
    /// are mixed with the same w and permutation (so they must be float: one-hot or soft). One image [H, W, C]
    /// is a batch of one and mixes with itself, so it comes back unchanged. The identity at inference.
    /// </summary>
    public sealed class MixUp : RandomImageLayer
    {
        /// <summary>Mixing weights drawn from Beta(alpha, alpha) (Keras' default 0.2: mostly near 0 or 1).</summary>
        public MixUp(double alpha = 0.2, int? seed = null, string? name = null) : base(seed, name)
        {
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
        private protected override Tensor Augment(Tensor images) => Mix(images, null).Images;

        /// <inheritdoc/>
        private protected override (Tensor Images, Tensor Labels) AugmentLabelled(Tensor images, Tensor labels)
        {
            var (x, y) = Mix(images, labels);
            return (x, y!);
        }

        private (Tensor Images, Tensor? Labels) Mix(Tensor images, Tensor? labels)
        {
            int n = images.Shape[0];
            // Keras' order: the permutation, then the weights.
            var permutation = Permutation(n);
            var weights = Beta(new Shape(n), Scalar(Alpha), Scalar(Alpha));
            return (MixRows(images, weights, permutation), labels is null ? null : MixLabels(nameof(MixUp), labels, weights, permutation));
        }

        /// <summary>w x + (1 - w) x[perm] with w [N] broadcast over the rows of x [N, ...].</summary>
        internal static Tensor MixRows(Tensor x, Tensor weights, Tensor permutation)
        {
            var w = NF.Reshape(NF.Cast(weights, x.DType), [x.Shape[0], .. Enumerable.Repeat(1, x.Rank - 1)]);
            return w * x + (1.0 - w) * NF.Gather(x, permutation, 0);
        }

        /// <summary><see cref="MixRows"/> for labels, which must be float to be mixed.</summary>
        internal static Tensor MixLabels(string layer, Tensor labels, Tensor weights, Tensor permutation) =>
            labels.DType is DType.Float32 or DType.Float64 ? MixRows(labels, weights, permutation)
                : throw new ArgumentException($"{layer}: labels must be float (one-hot or soft) to be mixed, got {labels.DType.Name()}; one-hot encode integer labels first (NF.OneHot).", nameof(labels));
    }
}
