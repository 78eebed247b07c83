using System.Text.Json.Nodes;
using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Blurs some images with a random Gaussian while training (<c>keras.layers.RandomGaussianBlur</c>): per image
    /// a blur probability p is drawn from <see cref="Factor"/> and the image is blurred when a uniform draw falls
    /// below it (so factor (1, 1) blurs every image); its vertical and horizontal standard deviations are drawn
    /// from <see cref="Sigma"/> (plus 1e-6, as Keras). The blur is <see cref="NF.Image.GaussianBlur"/>'s, zeros
    /// outside the image, over <see cref="KernelSize"/> taps; every result is clipped to <see cref="ValueRange"/>.
    /// Keras draws one pair of sigmas per batch; this draws one per image. Keras bounds sigma to [0, 1]; any
    /// non-negative range is taken here. The identity at inference.
    /// </summary>
    public sealed class RandomGaussianBlur : RandomImageLayer
    {
        /// <summary>Blur probabilities from [0, factor], a square odd <paramref name="kernelSize"/>, sigmas from [0, sigma].</summary>
        public RandomGaussianBlur(double factor = 1.0, int kernelSize = 3, double sigma = 1.0, (double Low, double High)? valueRange = null, int? seed = null, string? name = null,
                                  string dataFormat = "channels_last")
            : this(FromZero(nameof(factor), factor, 1), (kernelSize, kernelSize), FromZero(nameof(sigma), sigma, double.MaxValue), valueRange, seed, name, dataFormat) { }

        /// <summary>Blur probabilities from <paramref name="factor"/> (in [0, 1]), odd (height, width) taps, sigmas from <paramref name="sigma"/> (non-negative).</summary>
        public RandomGaussianBlur((double Lower, double Upper) factor, (int Height, int Width) kernelSize, (double Lower, double Upper) sigma,
                                  (double Low, double High)? valueRange = null, int? seed = null, string? name = null, string dataFormat = "channels_last")
            : base(seed, name)
        {
            SetDataFormat(dataFormat);
            Factor = CheckedFactor(nameof(RandomGaussianBlur), nameof(factor), factor, 0, 1);
            KernelSize = kernelSize is { Height: >= 1, Width: >= 1 } && kernelSize.Height % 2 == 1 && kernelSize.Width % 2 == 1 ? kernelSize
                : throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"RandomGaussianBlur: kernelSize must be odd and positive, got ({kernelSize.Height}, {kernelSize.Width}).");
            Sigma = CheckedFactor(nameof(RandomGaussianBlur), nameof(sigma), sigma, 0, double.MaxValue);
            ValueRange = CheckedValueRange(nameof(RandomGaussianBlur), valueRange);
        }

        // A single number f read as (0, f), checked against [0, max] first.
        private static (double, double) FromZero(string argument, double f, double max) => f >= 0 && f <= max && double.IsFinite(f) ? (0, f)
            : throw new ArgumentOutOfRangeException(argument, f, $"RandomGaussianBlur: {argument} must lie in [0, {max}], got {f}.");

        /// <summary>The range of the per-image blur probability.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>The blur's (height, width) taps, both odd.</summary>
        public (int Height, int Width) KernelSize { get; }

        /// <summary>The range of the standard deviations (pixels).</summary>
        public (double Lower, double Upper) Sigma { get; }

        /// <summary>The pixel range the results are clipped to.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = Json(Factor);
            c["kernel_size"] = new JsonArray(KernelSize.Height, KernelSize.Width);
            c["sigma"] = Json(Sigma);
            c["value_range"] = Json(ValueRange);
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            int n = images.Shape[0];
            // Keras' order: the probabilities, the thresholds, then the sigmas.
            var probability = Uniform(new Shape(n, 1, 1, 1), Factor.Lower, Factor.Upper);
            var apply = NF.Less(Uniform(new Shape(n, 1, 1, 1), 0, 1), probability);
            var sigmaY = NF.Cast(Uniform(new Shape(n, 1), Sigma.Lower, Sigma.Upper) + 1e-6, images.DType);
            var sigmaX = NF.Cast(Uniform(new Shape(n, 1), Sigma.Lower, Sigma.Upper) + 1e-6, images.DType);
            var blurred = Blur(images, Taps(sigmaY, KernelSize.Height, images.Backend), Taps(sigmaX, KernelSize.Width, images.Backend));
            return NF.Clip(NF.Where(apply, blurred, images), ValueRange.Low, ValueRange.High);
        }

        /// <summary>
        /// Normalised Gaussian taps [N, K] of per-image standard deviations [N, 1] (K odd, centred; what
        /// NF.Image.Gaussian gives for one number), with taps whose offset exceeds <paramref name="halfWidth"/>
        /// [N, 1] (when given) set to zero before normalising.
        /// </summary>
        internal static Tensor Taps(Tensor sigma, int size, IBackend backend, Tensor? halfWidth = null)
        {
            Tensor offsets;
            using (NF.UseBackend(backend))
                offsets = NF.Cast(NF.Reshape(NF.Range(-(size / 2), size / 2 + 1), [1, size]), sigma.DType);
            var t = offsets / sigma;
            var g = NF.Exp(-0.5 * t * t);
            if (halfWidth is not null) g = NF.Where(NF.LessEqual(NF.Abs(offsets), halfWidth), g, NF.ZerosLike(g));
            return g / NF.ReduceSum(g, 1, keepDims: true);
        }

        /// <summary>
        /// Each image of [N, H, W, C] correlated with its own separable kernel, rows [N, KH] down and columns
        /// [N, KW] across, zeros outside the image ("same"): a weighted sum of shifted copies, so that every
        /// image can have its own taps.
        /// </summary>
        internal static Tensor Blur(Tensor images, Tensor rows, Tensor columns) =>
            Correlate(Correlate(images, rows, 1), columns, 2);

        private static Tensor Correlate(Tensor x, Tensor taps, int axis)
        {
            int k = taps.Shape[1], half = k / 2, length = x.Shape[axis];
            if (k == 1) return x * NF.Reshape(taps, [-1, 1, 1, 1]);
            var padding = new int[4, 2];
            padding[axis, 0] = padding[axis, 1] = half;
            var padded = NF.Pad(x, padding);
            Tensor? sum = null;
            for (int i = 0; i < k; i++)
            {
                int[] begin = [0, 0, 0, 0], size = [-1, -1, -1, -1];
                begin[axis] = i;
                size[axis] = length;
                var tap = NF.Reshape(NF.Slice(taps, [0, i], [-1, 1]), [-1, 1, 1, 1]);
                var term = NF.Slice(padded, begin, size) * tap;
                sum = sum is null ? term : sum + term;
            }
            return sum!;
        }
    }
}
