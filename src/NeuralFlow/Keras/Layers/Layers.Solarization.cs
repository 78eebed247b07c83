using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Solarizes images while training (<c>keras.layers.Solarization</c>): each image, read on the
    /// 0..255 scale of its <see cref="ValueRange"/>, gets an addition drawn from
    /// <see cref="AdditionFactor"/> x 255 (clipped to 0..255), then every value at or above a
    /// threshold drawn from <see cref="ThresholdFactor"/> x 255 becomes 255 - value; the result is
    /// mapped back to the value range. With the default factors (0, 0) every value is inverted:
    /// [59, 62, 63] gives [196, 193, 192]. As every Keras augmentation layer (its
    /// get_random_transformation returns None when not training) it is the identity at inference;
    /// Keras' docstring example inverts because a bare Keras layer call defaults to training=True.
    /// </summary>
    public sealed class Solarization : RandomImageLayer
    {
        /// <summary>Single factors f stand for (0, f), as in Keras.</summary>
        public Solarization(double additionFactor = 0, double thresholdFactor = 0, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this((0, additionFactor), (0, thresholdFactor), valueRange, seed, name) { }

        /// <summary>Additions and thresholds drawn from [lower, upper] x 255 (both in [0, 1]).</summary>
        public Solarization((double Lower, double Upper) additionFactor, (double Lower, double Upper) thresholdFactor,
                            (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(seed, name)
        {
            AdditionFactor = CheckedFactor(nameof(Solarization), "additionFactor", additionFactor, 0, 1);
            ThresholdFactor = CheckedFactor(nameof(Solarization), "thresholdFactor", thresholdFactor, 0, 1);
            ValueRange = CheckedValueRange(nameof(Solarization), valueRange, sorted: true);
        }

        /// <summary>The range of the addition, as a fraction of 255 (Keras' addition_factor).</summary>
        public (double Lower, double Upper) AdditionFactor { get; }

        /// <summary>The range of the threshold, as a fraction of 255 (Keras' threshold_factor).</summary>
        public (double Lower, double Upper) ThresholdFactor { get; }

        /// <summary>The pixel range of the images (Keras' value_range, default (0, 255)).</summary>
        public (double Low, double High) ValueRange { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["addition_factor"] = Json(AdditionFactor);
            c["threshold_factor"] = Json(ThresholdFactor);
            c["value_range"] = Json(ValueRange);
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            // Keras draws the lower bound of both factors unscaled (minval=factor[0]); the docstring
            // (and this layer) scale both bounds by 255, which agrees with Keras whenever lower is 0.
            var shape = new Shape(images.Shape[0], 1, 1, 1);
            var additions = NF.Cast(Uniform(shape, AdditionFactor.Lower * 255, AdditionFactor.Upper * 255), images.DType);
            var thresholds = NF.Cast(Uniform(shape, ThresholdFactor.Lower * 255, ThresholdFactor.Upper * 255), images.DType);
            var (low, high) = ValueRange;
            var scaled = (images - low) * (255 / (high - low));
            var shifted = NF.Clip(scaled + additions, 0, 255);
            var solarized = NF.Where(NF.Less(shifted, thresholds), shifted, 255.0 - shifted);
            return solarized * ((high - low) / 255) + low;
        }
    }
}
