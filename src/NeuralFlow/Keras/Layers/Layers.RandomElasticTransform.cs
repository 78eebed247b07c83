using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Elastic distortion of some images while training (<c>keras.layers.RandomElasticTransform</c>, Simard et al.
    /// 2003): per image a probability p is drawn from <see cref="Factor"/> and the image is distorted when a uniform
    /// draw falls below it. Per call a strength s is drawn from <see cref="Scale"/>; with alpha = 0.1 s max(H, W)
    /// and sigma = 0.05 s min(H, W), each image gets two fields of standard normal noise times sigma, blurred by a
    /// Gaussian of that sigma over int(6 sigma) | 1 taps (zeros outside), and output pixel (y, x) reads the input at
    /// (y + alpha dy, x + alpha dx) with <see cref="Interpolation"/> and <see cref="FillMode"/> (as
    /// <see cref="NF.Image.MapCoordinates"/>); every result is clipped to <see cref="ValueRange"/>. A factor or
    /// scale whose upper end is 0 makes the layer the identity, as in Keras. The identity at inference.
    /// </summary>
    public sealed class RandomElasticTransform : RandomImageLayer
    {
        /// <summary>Probabilities from [0, factor] and strengths from [0, scale], both in [0, 1].</summary>
        public RandomElasticTransform(double factor = 1.0, double scale = 1.0, string interpolation = "bilinear", string fillMode = "reflect",
                                      double fillValue = 0, (double Low, double High)? valueRange = null, int? seed = null, string? name = null,
                                      string dataFormat = "channels_last")
            : this(FromZero(nameof(factor), factor), FromZero(nameof(scale), scale), interpolation, fillMode, fillValue, valueRange, seed, name, dataFormat) { }

        /// <summary>Probabilities from <paramref name="factor"/> and strengths from <paramref name="scale"/>, all bounds in [0, 1].</summary>
        public RandomElasticTransform((double Lower, double Upper) factor, (double Lower, double Upper) scale, string interpolation = "bilinear",
                                      string fillMode = "reflect", double fillValue = 0, (double Low, double High)? valueRange = null, int? seed = null, string? name = null,
                                      string dataFormat = "channels_last")
            : base(seed, name)
        {
            SetDataFormat(dataFormat);
            Factor = CheckedFactor(nameof(RandomElasticTransform), nameof(factor), factor, 0, 1);
            Scale = CheckedFactor(nameof(RandomElasticTransform), nameof(scale), scale, 0, 1);
            Interpolation = NF.Image.TransformInterpolation(nameof(RandomElasticTransform), interpolation);
            FillMode = NF.Image.FillMode(nameof(RandomElasticTransform), fillMode);
            FillValue = double.IsFinite(fillValue) ? fillValue
                : throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "RandomElasticTransform: fillValue must be a finite number.");
            ValueRange = CheckedValueRange(nameof(RandomElasticTransform), valueRange);
        }

        private static (double, double) FromZero(string argument, double f) => f is >= 0 and <= 1 ? (0, f)
            : throw new ArgumentOutOfRangeException(argument, f, $"RandomElasticTransform: {argument} must lie in [0, 1], got {f}.");

        /// <summary>The range of the per-image distortion probability.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>The range of the per-call strength s.</summary>
        public (double Lower, double Upper) Scale { get; }

        /// <summary>"bilinear" or "nearest".</summary>
        public string Interpolation { get; }

        /// <summary>"reflect", "wrap", "mirror", "nearest" or "constant": how points outside the image are read.</summary>
        public string FillMode { get; }

        /// <summary>The value outside the image with FillMode "constant".</summary>
        public double FillValue { get; }

        /// <summary>The pixel range the results are clipped to.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = Json(Factor);
            c["scale"] = Json(Scale);
            c["interpolation"] = Interpolation;
            c["fill_mode"] = FillMode;
            c["fill_value"] = FillValue;
            c["value_range"] = Json(ValueRange);
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            if (Factor.Upper == 0 || Scale.Upper == 0) return images;
            int n = images.Shape[0], h = images.Shape[1], w = images.Shape[2];
            // Keras' order: the probabilities, the thresholds, the strength, then the noise.
            var probability = Uniform(new Shape(n, 1, 1, 1), Factor.Lower, Factor.Upper);
            var apply = NF.Less(Uniform(new Shape(n, 1, 1, 1), 0, 1), probability);
            var strength = NF.Cast(Uniform(new Shape(1, 1), Scale.Lower, Scale.Upper), images.DType);
            var alpha = strength * (0.1 * Math.Max(h, w));
            var sigma = strength * (0.05 * Math.Min(h, w));
            // int(6 sigma) | 1 taps: the widest the strength allows, those beyond the drawn sigma's half width set to zero.
            int widest = (int)(6 * Scale.Upper * 0.05 * Math.Min(h, w)) | 1;
            var six = NF.Floor(sigma * 6.0);
            var halfWidth = NF.Floor((six + 1.0 - NF.FloorMod(six, 2.0)) / 2.0);
            var taps = RandomGaussianBlur.Taps(NF.Maximum(sigma, 1e-6), widest, images.Backend, halfWidth);
            Tensor Field()
            {
                var noise = NF.Cast(Normal(new Shape(n, h, w, 1)), images.DType) * sigma;
                var rows = NF.BroadcastTo(taps, new Shape(n, widest));
                return RandomGaussianBlur.Blur(noise, rows, rows) * alpha;
            }
            var dx = Field();
            var dy = Field();
            var distorted = Displace(images, NF.Squeeze(dy, 3), NF.Squeeze(dx, 3), Interpolation, FillMode, FillValue);
            return NF.Clip(NF.Where(apply, distorted, images), ValueRange.Low, ValueRange.High);
        }

        /// <summary>
        /// Images [N, H, W, C] read at (y + dy, x + dx) for displacements [N, H, W] (pixels): the deterministic part
        /// of the layer, <see cref="NF.Image.MapCoordinates"/> on the images as [N C, H, W].
        /// </summary>
        internal static Tensor Displace(Tensor images, Tensor dy, Tensor dx, string interpolation, string fillMode, double fillValue)
        {
            int n = images.Shape[0], h = images.Shape[1], w = images.Shape[2], c = images.Shape[3];
            if (images.Shape.Count == 0) return images; // nothing to read (MapCoordinates refuses an empty input)
            var planes = NF.Reshape(NF.Transpose(images, [0, 3, 1, 2]), [n * c, h, w]);
            Tensor plane, row, column;
            using (NF.UseBackend(images.Backend))
            {
                plane = NF.Cast(NF.Reshape(NF.Range(n * c), [n * c, 1, 1]), images.DType);
                row = NF.Cast(NF.Reshape(NF.Range(h), [1, 1, h, 1]), images.DType);
                column = NF.Cast(NF.Reshape(NF.Range(w), [1, 1, 1, w]), images.DType);
            }
            // Every channel of image i reads the image's displacement: [N, 1, H, W] tiled over C, then flattened.
            Tensor PerPlane(Tensor d, Tensor grid) => NF.Reshape(NF.BroadcastTo(NF.ExpandDims(NF.Cast(d, images.DType), 1) + grid, new Shape(n, c, h, w)), [n * c, h, w]);
            var coordinates = NF.Stack([NF.BroadcastTo(plane, new Shape(n * c, h, w)), PerPlane(dy, row), PerPlane(dx, column)], 0);
            var read = NF.Image.MapCoordinates(planes, coordinates, interpolation == "nearest" ? 0 : 1, fillMode, fillValue);
            return NF.Transpose(NF.Reshape(read, [n, c, h, w]), [0, 2, 3, 1]);
        }
    }
}
