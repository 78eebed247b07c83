using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// CutMix while training (<c>keras.layers.CutMix</c>, Yun et al. 2019): the batch is paired with a random
    /// permutation of itself and a box of each image is replaced by the same box of its partner. Per call a
    /// concentration a is drawn from <see cref="Factor"/> (plus 1e-6, as Keras), per image a weight w from
    /// Beta(a, a); the box has sides sqrt(1 - w) times the image's at a uniformly drawn place (pixels whose
    /// index lies in [start, start + side) on both axes). Labels given to
    /// <see cref="RandomImageLayer.CallWithLabels"/> (float: one-hot or soft) are mixed by the
    /// fraction of pixels each image keeps, the paper's exact-area rule (Keras mixes by the unrounded box
    /// area, which differs by the pixels the rounding moves). One image [H, W, C] comes back unchanged, as
    /// in Keras. The identity at inference.
    /// </summary>
    public sealed class CutMix : MixingLayer
    {
        /// <summary>Concentrations drawn from [0, factor] (factor in [0, 1], Keras' default 1).</summary>
        public CutMix(double factor = 1.0, int? seed = null, string? name = null, string dataFormat = "channels_last")
            : this(factor is >= 0 and <= 1 ? (0, factor)
                : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"CutMix: factor must lie in [0, 1], got {factor}."), seed, name, dataFormat) { }

        /// <summary>Concentrations drawn from [factor.Lower, factor.Upper], both in [0, 1].</summary>
        public CutMix((double Lower, double Upper) factor, int? seed = null, string? name = null, string dataFormat = "channels_last") : base(seed, name)
        {
            Factor = CheckedFactor(nameof(CutMix), nameof(factor), factor, 0, 1);
            SetDataFormat(dataFormat);
        }

        /// <summary>The range of the Beta concentration drawn per call.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = Json(Factor);
            return c;
        }

        /// <inheritdoc/>
        private protected override (Tensor Images, Tensor? Labels) Mix(Tensor images, Tensor? labels)
        {
            int n = images.Shape[0], h = images.Shape[1], w = images.Shape[2];
            var concentration = Uniform(new Shape(), Factor.Lower, Factor.Upper) + 1e-6;
            var weights = Beta(new Shape(n), concentration, concentration);
            var ratio = NF.Sqrt(1.0 - weights);
            // Keras' order: the columns' start, then the rows'; then the permutation.
            var columns = Inside(images, ratio, w, 2);
            var rows = Inside(images, ratio, h, 1);
            var permutation = Permutation(n);
            var box = rows & columns;
            var mixed = NF.Where(box, NF.Gather(images, permutation, 0), images);
            if (labels is null) return (mixed, null);
            // The fraction of its own pixels each image keeps.
            var kept = 1.0 - NF.ReduceMean(NF.Cast(box, DType.Float32), [1, 2, 3]);
            return (mixed, MixLabels(labels, kept, permutation));
        }

        // The pixels of a box side along an axis of the given length: start <= i < start + side, [N, H, 1, 1] or [N, 1, W, 1].
        private Tensor Inside(Tensor images, Tensor ratio, int length, int axis)
        {
            var side = NF.Reshape(ratio * (double)length, [-1, 1, 1, 1]);
            var start = Uniform(new Shape(images.Shape[0], 1, 1, 1), 0, 1) * ((double)length - side);
            Tensor index;
            using (NF.UseBackend(images.Backend))
                index = NF.Reshape(NF.Cast(NF.Range(length), DType.Float32), axis == 1 ? [1, length, 1, 1] : [1, 1, length, 1]);
            return NF.GreaterEqual(index, start) & NF.Less(index, start + side);
        }
    }
}
