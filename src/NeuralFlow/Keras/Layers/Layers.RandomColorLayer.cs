using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What RandomContrast, RandomBrightness, RandomHue, RandomSaturation, RandomSharpness and RandomInvert share: a (lower, upper) factor and the pixel range
    /// (Keras' value_range, default (0, 255)) that bounds their results.
    /// </summary>
    public abstract class RandomColorLayer : RandomImageLayer
    {
        private protected RandomColorLayer((double Lower, double Upper) factor, (double Low, double High)? valueRange, int? seed, string? name) : base(seed, name)
        {
            Factor = factor;
            ValueRange = CheckedValueRange(GetType().Name, valueRange, sorted: SortsValueRange.Contains(GetType().Name));
        }

        // The color layers whose Keras 3 constructor sorts value_range (see CheckedValueRange).
        private static readonly HashSet<string> SortsValueRange = [nameof(RandomBrightness), nameof(RandomSaturation), nameof(RandomSharpness), nameof(RandomColorDegeneration)];

        /// <summary>The (lower, upper) factor, as each layer defines it.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>The pixel range results are clipped to.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = Json(Factor);
            c["value_range"] = Json(ValueRange);
            return c;
        }
    }
}
