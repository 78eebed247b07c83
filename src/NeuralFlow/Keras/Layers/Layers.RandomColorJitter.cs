using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Keras' <c>RandomColorJitter</c>: while training, the steps whose factor is given, in Keras' order,
    /// each with its own per-image draw: <see cref="RandomBrightness"/>, <see cref="RandomContrast"/>,
    /// <see cref="RandomSaturation"/>, <see cref="RandomHue"/> (each factor read as that layer reads it,
    /// all on one <see cref="ValueRange"/>); the identity at inference.
    /// </summary>
    public sealed class RandomColorJitter : RandomImageLayer
    {
        /// <summary>Factors as the four layers take them; null leaves a step out.</summary>
        public RandomColorJitter((double Low, double High)? valueRange = null, (double Lower, double Upper)? brightnessFactor = null,
                                 (double Lower, double Upper)? contrastFactor = null, (double Lower, double Upper)? saturationFactor = null,
                                 (double Lower, double Upper)? hueFactor = null, int? seed = null, string? name = null)
            : base(seed, name)
        {
            ValueRange = CheckedValueRange(nameof(RandomColorJitter), valueRange);
            // The layers check their factors; only their Factor is kept (their draws would come from other generators).
            BrightnessFactor = brightnessFactor is { } b ? new RandomBrightness(b, ValueRange).Factor : null;
            ContrastFactor = contrastFactor is { } c ? new RandomContrast(c, ValueRange).Factor : null;
            SaturationFactor = saturationFactor is { } s ? new RandomSaturation(s, ValueRange).Factor : null;
            HueFactor = hueFactor is { } h ? new RandomHue(h, ValueRange).Factor : null;
        }

        /// <summary>The pixel range of the images (Keras' value_range, default (0, 255)).</summary>
        public (double Low, double High) ValueRange { get; }

        /// <summary>RandomBrightness' shifts as fractions of the range, or null.</summary>
        public (double Lower, double Upper)? BrightnessFactor { get; }

        /// <summary>RandomContrast's factor: contrasts in [1 - lower, 1 + upper], or null.</summary>
        public (double Lower, double Upper)? ContrastFactor { get; }

        /// <summary>RandomSaturation's draws u, or null.</summary>
        public (double Lower, double Upper)? SaturationFactor { get; }

        /// <summary>RandomHue's magnitudes, or null.</summary>
        public (double Lower, double Upper)? HueFactor { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["value_range"] = Json(ValueRange);
            c["brightness_factor"] = BrightnessFactor is { } b ? Json(b) : null;
            c["contrast_factor"] = ContrastFactor is { } k ? Json(k) : null;
            c["saturation_factor"] = SaturationFactor is { } s ? Json(s) : null;
            c["hue_factor"] = HueFactor is { } h ? Json(h) : null;
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            if (BrightnessFactor is { } b) images = RandomBrightness.Apply(images, PerImage(images, b.Lower, b.Upper), ValueRange);
            if (ContrastFactor is { } c) images = RandomContrast.Apply(images, PerImage(images, 1 - c.Lower, 1 + c.Upper), ValueRange);
            if (SaturationFactor is { } s) images = RandomSaturation.Apply(images, PerImage(images, s.Lower, s.Upper));
            if (HueFactor is { } h) images = RandomHue.Apply(images, HueDeltas(images, h), ValueRange);
            return images;
        }
    }
}
