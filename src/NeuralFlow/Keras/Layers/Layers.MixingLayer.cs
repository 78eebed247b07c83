namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What MixUp and CutMix share: each image of the batch is mixed with its partner in a random permutation
    /// of the batch, and labels given to <see cref="RandomImageLayer.CallWithLabels"/> are mixed with the same
    /// partners and weights, so they must be float (one-hot or soft).
    /// </summary>
    public abstract class MixingLayer : RandomImageLayer
    {
        private protected MixingLayer(int? seed, string? name) : base(seed, name) { }

        /// <inheritdoc/>
        private protected sealed override Tensor Augment(Tensor images) => Mix(images, null).Images;

        /// <inheritdoc/>
        private protected sealed override (Tensor Images, Tensor Labels) AugmentLabelled(Tensor images, Tensor labels)
        {
            var (x, y) = Mix(images, labels);
            return (x, y!);
        }

        /// <summary>The mixed float batch [N, H, W, C] and, when given, its mixed labels [N, ...].</summary>
        private protected abstract (Tensor Images, Tensor? Labels) Mix(Tensor images, Tensor? labels);

        /// <summary>w x + (1 - w) x[perm] with w [N] broadcast over the rows of x [N, ...].</summary>
        private protected static Tensor MixRows(Tensor x, Tensor weights, Tensor permutation)
        {
            var w = NF.Reshape(NF.Cast(weights, x.DType), [x.Shape[0], .. Enumerable.Repeat(1, x.Rank - 1)]);
            return w * x + (1.0 - w) * NF.Gather(x, permutation, 0);
        }

        /// <summary><see cref="MixRows"/> for labels, which must be float to be mixed.</summary>
        private protected Tensor MixLabels(Tensor labels, Tensor weights, Tensor permutation) =>
            labels.DType is DType.Float32 or DType.Float64 ? MixRows(labels, weights, permutation)
                : throw new ArgumentException($"{GetType().Name}: labels must be float (one-hot or soft) to be mixed, got {labels.DType.Name()}; one-hot encode integer labels first (NF.OneHot).", nameof(labels));
    }
}
