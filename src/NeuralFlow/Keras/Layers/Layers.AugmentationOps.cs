namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// The operations RandAugment and AugMix choose from, built as Keras builds them from one factor range,
    /// value range and interpolation: each random layer gets its own seed (seed + 1, seed + 2, ...; null stays
    /// null), so that the layers do not draw the same numbers, and a name under the owner's.
    /// </summary>
    internal static class AugmentationOps
    {
        /// <summary>Keras' operations, in the order RandAugment lists them.</summary>
        internal static readonly string[] RandAugmentOrder =
        [
            "random_shear", "random_translation", "random_rotation", "random_brightness", "random_color_degeneration",
            "random_contrast", "random_sharpness", "random_posterization", "solarization", "auto_contrast", "equalization",
        ];

        /// <summary>Keras' operations in the order AugMix lists them; its all_ops false keeps the first seven.</summary>
        internal static readonly string[] AugMixOrder =
        [
            "random_shear", "random_translation", "random_rotation", "random_posterization", "solarization", "auto_contrast",
            "equalization", "random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness",
        ];

        /// <summary>
        /// The named operations on float batches [N, H, W, C], and the random layers behind them (which the owner
        /// keeps in a field, so that their generators are tracked and saved).
        /// </summary>
        internal static (Func<Tensor, Tensor>[] Ops, RandomImageLayer[] Layers) Build(IReadOnlyList<string> names, string owner, (double Lower, double Upper) factor,
                                                                                   (double Low, double High) valueRange, string interpolation, int? seed)
        {
            var ops = new Func<Tensor, Tensor>[names.Count];
            var layers = new List<RandomImageLayer>();
            for (int i = 0; i < names.Count; i++)
            {
                int? own = seed is { } s ? unchecked(s + i + 1) : null;
                string name = $"{owner}_{names[i]}";
                RandomImageLayer? layer = names[i] switch
                {
                    "random_shear" => new RandomShear(factor, factor, interpolation, seed: own, name: name),
                    "random_translation" => new RandomTranslation(factor, factor, interpolation: interpolation, seed: own, name: name),
                    "random_rotation" => new RandomRotation(factor, interpolation: interpolation, seed: own, name: name),
                    "random_brightness" => new RandomBrightness(factor, valueRange, own, name),
                    "random_color_degeneration" => new RandomColorDegeneration(factor, valueRange, own, name),
                    "random_contrast" => new RandomContrast(factor, valueRange, own, name),
                    "random_sharpness" => new RandomSharpness(factor, valueRange, own, name),
                    // Keras' bits: a single number max(1, int(8 upper)), read as (1, bits).
                    "random_posterization" => new RandomPosterization(Math.Max(1, (int)(8 * factor.Upper)), valueRange, own, name),
                    "solarization" => new Solarization(factor, factor, valueRange, own, name),
                    "auto_contrast" or "equalization" => null,
                    var other => throw new ArgumentException($"{owner}: unknown augmentation \"{other}\".", nameof(names)),
                };
                if (layer is not null) layers.Add(layer);
                ops[i] = names[i] switch
                {
                    "auto_contrast" => x => AutoContrast.Apply(x, valueRange),
                    "equalization" => x => Equalization.Apply(x, valueRange, 256),
                    _ => layer!.AugmentBatch,
                };
            }
            return (ops, layers.ToArray());
        }

        /// <summary>Per image, the operation its choice [N] (float, 0..ops - 1; other values keep the image) names, applied to x.</summary>
        internal static Tensor Choose(Tensor x, Tensor choice, Func<Tensor, Tensor>[] ops)
        {
            var which = NF.Reshape(choice, [-1, 1, 1, 1]);
            var y = x;
            for (int k = 0; k < ops.Length; k++)
                y = NF.Where(NF.Equal(which, (double)k), ops[k](x), y);
            return y;
        }
    }
}
