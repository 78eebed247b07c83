using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// RandAugment while training (<c>keras.layers.RandAugment</c>, Cubuk et al. 2019): <see cref="NumOps"/> times,
    /// each image goes through one operation chosen uniformly from Keras' eleven (RandomShear, RandomTranslation,
    /// RandomRotation, RandomBrightness, RandomColorDegeneration, RandomContrast, RandomSharpness,
    /// RandomPosterization, Solarization, AutoContrast, Equalization), each built from <see cref="Factor"/> as
    /// Keras builds it (the geometric ones with "reflect" fill and <see cref="Interpolation"/>, the others on
    /// <see cref="ValueRange"/>). Keras picks one operation per batch; each image picks its own here (every
    /// operation is computed and each image takes its pick, so a replayed step draws afresh). The identity at
    /// inference.
    /// </summary>
    public sealed class RandAugment : RandomImageLayer
    {
        private readonly Func<Tensor, Tensor>[] _ops;
        private readonly RandomImageLayer[] _layers;

        /// <summary>Operation strengths from [0, factor] (factor in [0, 1], Keras' default 0.5).</summary>
        public RandAugment((double Low, double High)? valueRange = null, int numOps = 2, double factor = 0.5, string interpolation = "bilinear", int? seed = null, string? name = null,
                           string dataFormat = "channels_last")
            : this(valueRange, numOps, factor is >= 0 and <= 1 ? (0, factor)
                : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"RandAugment: factor must lie in [0, 1], got {factor}."), interpolation, seed, name, dataFormat) { }

        /// <summary>Operation strengths from [factor.Lower, factor.Upper], both in [0, 1].</summary>
        public RandAugment((double Low, double High)? valueRange, int numOps, (double Lower, double Upper) factor, string interpolation = "bilinear", int? seed = null, string? name = null,
                           string dataFormat = "channels_last")
            : base(seed, name)
        {
            SetDataFormat(dataFormat);
            ValueRange = CheckedValueRange(nameof(RandAugment), valueRange);
            NumOps = numOps >= 0 ? numOps : throw new ArgumentOutOfRangeException(nameof(numOps), numOps, $"RandAugment: numOps must be >= 0, got {numOps}.");
            Factor = CheckedFactor(nameof(RandAugment), nameof(factor), factor, 0, 1);
            Interpolation = NF.Image.TransformInterpolation(nameof(RandAugment), interpolation);
            (_ops, _layers) = AugmentationOps.Build(AugmentationOps.RandAugmentOrder, Name, Factor, ValueRange, Interpolation, seed);
        }

        /// <inheritdoc/>
        public override IReadOnlyList<Layer> SubLayers => _layers;

        /// <summary>The pixel range of the images.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <summary>How many operations each image goes through.</summary>
        public int NumOps { get; }

        /// <summary>The strength range every operation is built from.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>"bilinear" or "nearest", for the geometric operations.</summary>
        public string Interpolation { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["value_range"] = Json(ValueRange);
            c["num_ops"] = NumOps;
            c["factor"] = Json(Factor);
            c["interpolation"] = Interpolation;
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            for (int i = 0; i < NumOps; i++)
                images = AugmentationOps.Choose(images, Choice(images.Shape[0], _ops.Length), _ops);
            return images;
        }
    }
}
