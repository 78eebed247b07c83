using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Warps some images by a random perspective while training (<c>keras.layers.RandomPerspective</c>): per image a
    /// probability p is drawn from <see cref="Factor"/> and the image is warped when a uniform draw falls below it.
    /// Each corner (x, y) of the image, (0, 0), (W - 1, 0), (0, H - 1), (W - 1, H - 1), moves to
    /// (x (1 + ox), y (1 + oy)) with offsets drawn from [-scale / 2, scale / 2] (so, as in Keras, the top-left corner
    /// stays), and <see cref="NF.Image.PerspectiveTransform"/> maps the corners to their new places, reading outside
    /// the image as <see cref="FillValue"/>. An image one pixel high or wide has no perspective and is kept. The
    /// identity at inference.
    /// </summary>
    public sealed class RandomPerspective : RandomImageLayer
    {
        /// <summary>Probabilities from [0, factor] (in [0, 1]); corner offsets up to scale / 2 (scale in [0, 1]).</summary>
        public RandomPerspective(double factor = 1.0, double scale = 1.0, string interpolation = "bilinear", double fillValue = 0, int? seed = null, string? name = null,
                                 string dataFormat = "channels_last")
            : this(factor is >= 0 and <= 1 ? (0, factor)
                : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"RandomPerspective: factor must lie in [0, 1], got {factor}."),
                   scale, interpolation, fillValue, seed, name, dataFormat) { }

        /// <summary>Probabilities from [factor.Lower, factor.Upper] (both in [0, 1]).</summary>
        public RandomPerspective((double Lower, double Upper) factor, double scale = 1.0, string interpolation = "bilinear", double fillValue = 0, int? seed = null, string? name = null,
                                 string dataFormat = "channels_last")
            : base(seed, name)
        {
            SetDataFormat(dataFormat);
            Factor = CheckedFactor(nameof(RandomPerspective), nameof(factor), factor, 0, 1);
            Scale = scale is >= 0 and <= 1 ? scale
                : throw new ArgumentOutOfRangeException(nameof(scale), scale, $"RandomPerspective: scale must lie in [0, 1], got {scale}.");
            Interpolation = NF.Image.TransformInterpolation(nameof(RandomPerspective), interpolation);
            FillValue = double.IsFinite(fillValue) ? fillValue
                : throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "RandomPerspective: fillValue must be a finite number.");
        }

        /// <summary>The range of the per-image warp probability.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>Twice the largest corner offset, as a fraction of the corner's coordinates.</summary>
        public double Scale { get; }

        /// <summary>"bilinear" or "nearest".</summary>
        public string Interpolation { get; }

        /// <summary>The value read outside the image.</summary>
        public double FillValue { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = Json(Factor);
            c["scale"] = Scale;
            c["interpolation"] = Interpolation;
            c["fill_value"] = FillValue;
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            int n = images.Shape[0];
            // Keras' order: the probabilities, the thresholds, then the corner offsets.
            var probability = Uniform(new Shape(n, 1, 1), Factor.Lower, Factor.Upper);
            var apply = NF.Less(Uniform(new Shape(n, 1, 1), 0, 1), probability);
            var offsets = Uniform(new Shape(n, 4, 2), -0.5 * Scale, 0.5 * Scale);
            return Warp(images, NF.Where(apply, offsets, NF.ZerosLike(offsets)), Interpolation, FillValue);
        }

        /// <summary>
        /// Images [N, H, W, C] warped so that corner k, (x, y), lands on (x (1 + o[n, k, 0]), y (1 + o[n, k, 1])):
        /// the deterministic part of the layer, offsets [N, 4, 2].
        /// </summary>
        internal static Tensor Warp(Tensor images, Tensor offsets, string interpolation, double fillValue)
        {
            int h = images.Shape[1], w = images.Shape[2];
            if (h < 2 || w < 2) return images;
            Tensor corners;
            using (NF.UseBackend(offsets.Backend))
                corners = NF.Cast(NF.Constant(new double[] { 0, 0, w - 1, 0, 0, h - 1, w - 1, h - 1 }, new Shape(1, 4, 2)), offsets.DType);
            var start = NF.BroadcastTo(corners, offsets.Shape);
            return NF.Image.PerspectiveTransform(images, start, start + start * offsets, interpolation, fillValue);
        }
    }
}
