using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Erases a random rectangle of some images while training (<c>keras.layers.RandomErasing</c>): each image
    /// is erased when a uniform draw falls below its erase probability, itself drawn from <see cref="Factor"/>
    /// (so Keras' default factor 1, read as (0, 1), erases half the images). The rectangle's width and height
    /// are sqrt(s) times the image's, s drawn from <see cref="Scale"/> per side, at a uniformly drawn place;
    /// it is filled with <see cref="FillValue"/>, or when that is null with normal noise times the range's
    /// high end, clipped to <see cref="ValueRange"/>. The identity at inference. Keras' per-channel fill
    /// (a list of three values) is not taken.
    /// </summary>
    public sealed class RandomErasing : RandomImageLayer
    {
        /// <summary>Erase probabilities drawn from [0, factor]; rectangle sides sqrt of draws from <paramref name="scale"/> (default (0.02, 0.33)).</summary>
        public RandomErasing(double factor = 1, (double Lower, double Upper)? scale = null, double? fillValue = null,
                             (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this((0, factor), scale, fillValue, valueRange, seed, name) { }

        /// <summary>Erase probabilities drawn from [factor.Lower, factor.Upper] (both in [0, 1]).</summary>
        public RandomErasing((double Lower, double Upper) factor, (double Lower, double Upper)? scale = null, double? fillValue = null,
                             (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(seed, name)
        {
            Factor = CheckedFactor(nameof(RandomErasing), "factor", factor, 0, 1);
            Scale = CheckedFactor(nameof(RandomErasing), "scale", scale ?? (0.02, 0.33), 0, 1);
            FillValue = fillValue is not { } f || double.IsFinite(f) ? fillValue
                : throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "RandomErasing: fillValue must be a finite number (or null for noise).");
            ValueRange = CheckedValueRange(nameof(RandomErasing), valueRange);
        }

        /// <summary>The range the erase probability is drawn from.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>The range of the rectangle's area fraction per side (its sides are sqrt of the draws).</summary>
        public (double Lower, double Upper) Scale { get; }

        /// <summary>The value the rectangle is filled with, or null for noise.</summary>
        public double? FillValue { get; }

        /// <summary>The pixel range the fill is clipped to (Keras' value_range).</summary>
        public (double Low, double High) ValueRange { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = Json(Factor);
            c["scale"] = Json(Scale);
            c["fill_value"] = FillValue;
            c["value_range"] = Json(ValueRange);
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            int h = images.Shape[1], w = images.Shape[2];
            // One side of the rectangle along an axis of the given length: start <= i < start + span.
            Tensor Inside(int length, int axis)
            {
                var span = NF.Sqrt(PerImage(images, Scale.Lower, Scale.Upper)) * (double)length;
                var start = PerImage(images, 0, 1) * (length - span);
                Tensor index;
                using (NF.UseBackend(images.Backend))
                    index = NF.Reshape(NF.Cast(NF.Range(length), images.DType), axis == 1 ? [1, length, 1, 1] : [1, 1, length, 1]);
                return NF.GreaterEqual(index, start) & NF.Less(index, start + span);
            }
            var columns = Inside(w, 2);
            var rows = Inside(h, 1);
            var erase = NF.Less(PerImage(images, 0, 1), PerImage(images, Factor.Lower, Factor.Upper));
            var fill = FillValue is { } f ? NF.Fill(images.Shape, f, images.DType, images.Backend) : NF.Cast(Normal(images.Shape), images.DType) * ValueRange.High;
            fill = NF.Clip(fill, ValueRange.Low, ValueRange.High);
            return NF.Where(rows & columns & erase, fill, images);
        }
    }
}
