using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Histogram equalization while training (<c>keras.layers.Equalization</c>, PIL's ImageOps.equalize): per image
    /// and channel, values are read on the 0..255 scale of <see cref="ValueRange"/> and put in <see cref="Bins"/>
    /// bins (bin floor(v (bins - 1) / 255), clipped; NaN counts in bin 0); with cdf the running count of the
    /// histogram and m its first non-zero entry, a value of bin b becomes round((cdf[b] - m) 255 / (cdf[last] - m))
    /// (halves to even, a zero denominator read as 1), clipped to 0..255 and mapped back to the range. A channel
    /// whose values all share one bin is kept. Keras pools the histogram over the whole batch; each image has its
    /// own here (as PIL and KerasCV, and as Keras for one image). The identity at inference, as Keras' layer;
    /// integer images are computed as float32; no gradient flows through the lookup.
    /// </summary>
    public sealed class Equalization : Layer
    {
        /// <summary>Images whose values lie in <paramref name="valueRange"/> (default (0, 255)), equalized over <paramref name="bins"/> bins.</summary>
        public Equalization((double Low, double High)? valueRange = null, int bins = 256, string? name = null, string dataFormat = "channels_last") : base(name)
        {
            DataFormat = PoolingArgs.DataFormat(nameof(Equalization), dataFormat);
            var (low, high) = valueRange ?? (0, 255);
            ValueRange = double.IsFinite(low) && double.IsFinite(high) && low < high ? (low, high)
                : throw new ArgumentException($"Equalization: valueRange must be two finite numbers, low < high, got ({low}, {high}).", nameof(valueRange));
            Bins = bins is >= 2 and <= 65536 ? bins
                : throw new ArgumentOutOfRangeException(nameof(bins), bins, $"Equalization: bins must lie in [2, 65536], got {bins}.");
        }

        /// <summary>"channels_last" (NHWC, the default) or "channels_first" (NCHW): Keras' data_format.</summary>
        public string DataFormat { get; }

        /// <summary>The pixel range of the images.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <summary>The number of histogram bins over 0..255.</summary>
        public int Bins { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["value_range"] = new JsonArray(ValueRange.Low, ValueRange.High);
            c["bins"] = Bins;
            c["data_format"] = DataFormat;
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            string op = $"{Name} (Equalization)";
            var images = NF.Image.AsFloat(ImageDataFormat.ToChannelsLast(op, x, DataFormat));
            NF.Image.CheckImages(op, images);
            if (!TrainingOr(callDefault: true)) return ImageDataFormat.FromChannelsLast(images, DataFormat);   // Keras' training=True default
            bool single = images.Rank == 3;
            var y = Apply(single ? NF.ExpandDims(images, 0) : images, ValueRange, Bins);
            return ImageDataFormat.FromChannelsLast(single ? NF.Squeeze(y, 0) : y, DataFormat);
        }

        /// <summary>The equalized float batch [N, H, W, C] (what RandAugment and AugMix compose).</summary>
        internal static Tensor Apply(Tensor images, (double Low, double High) valueRange, int bins)
        {
            int n = images.Shape[0], c = images.Shape[3];
            var (low, high) = valueRange;
            var scaled = (images - low) * (255.0 / (high - low));
            // The bin of each value: NaN and negatives fall in bin 0 (the comparison is false for NaN).
            var bin = NF.Floor(NF.Minimum(NF.Where(NF.Greater(scaled, 0.0), scaled * (bins - 1.0) / 255.0, NF.ZerosLike(scaled)), bins - 1.0));
            Tensor offsets;
            using (NF.UseBackend(images.Backend))
            {
                var first = new int[n * c];
                for (int i = 0; i < first.Length; i++) first[i] = i * bins;
                offsets = NF.Reshape(NF.Constant(first, new Shape(n * c)), [n, 1, 1, c]);
            }
            // One segment per (image, channel, bin); the same ids index the lookup tables.
            var ids = offsets + NF.Cast(bin, DType.Int32);
            var histogram = NF.Reshape(NF.UnsortedSegmentSum(NF.OnesLike(scaled), ids, n * c * bins), [n * c, bins]);
            var cdf = NF.CumSum(histogram, 1);
            var cdfMin = NF.ReduceMin(NF.Where(NF.Greater(cdf, 0.0), cdf, NF.Fill(cdf.Shape, 3e38, cdf.DType, cdf.Backend)), 1, keepDims: true);
            var denominator = NF.ReduceMax(cdf, 1, keepDims: true) - cdfMin;
            denominator = NF.Where(NF.Equal(denominator, NF.ZerosLike(denominator)), NF.OnesLike(denominator), denominator);
            var lookup = NF.Clip(NF.Round((cdf - cdfMin) * 255.0 / denominator), 0, 255);
            var equalized = NF.Reshape(NF.Gather(NF.Reshape(lookup, [-1]), NF.Reshape(ids, [-1]), 0), images.Shape);
            // A channel whose values share one bin is kept.
            var occupied = NF.ReduceSum(NF.Cast(NF.Greater(histogram, 0.0), images.DType), 1);
            var flat = NF.Reshape(NF.LessEqual(occupied, 1.0), [n, 1, 1, c]);
            return NF.Where(flat, images, equalized * ((high - low) / 255.0) + low);
        }
    }
}
