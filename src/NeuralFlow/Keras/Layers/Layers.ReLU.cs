using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Keras' rectifier layer (<c>keras.layers.ReLU(max_value, negative_slope, threshold)</c>):
    /// x above <paramref name="threshold"/>, capped at <paramref name="maxValue"/>, and
    /// <paramref name="negativeSlope"/> * (x - threshold) below. The defaults are max(x, 0).
    /// </summary>
    public sealed class ReLU(double? maxValue = null, double negativeSlope = 0, double threshold = 0, string? name = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>A plain ReLU layer with a name.</summary>
        public ReLU(string? name) : this(null, 0, 0, name) { }

        /// <summary>The cap (null: none).</summary>
        public double? MaxValue { get; } = maxValue is < 0 ? throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, "ReLU: maxValue must be >= 0.") : maxValue;
        /// <summary>The slope below the threshold.</summary>
        public double NegativeSlope { get; } = negativeSlope < 0 ? throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "ReLU: negativeSlope must be >= 0.") : negativeSlope;
        /// <summary>Where the output starts to follow x.</summary>
        public double Threshold { get; } = threshold;

        internal bool IsPlain => MaxValue is null && NegativeSlope == 0 && Threshold == 0;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["max_value"] = MaxValue;
            c["negative_slope"] = NegativeSlope;
            c["threshold"] = Threshold;
            return c;
        }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => IsPlain ? NF.Relu(x) : NF.Relu(x, NegativeSlope, MaxValue, Threshold);

        // The input's shape (Keras' compute_output_shape).
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape;
    }

    // A layer config with its one option added.
    private static JsonObject With(JsonObject config, string key, double value)
    {
        config[key] = value;
        return config;
    }

    /// <summary>x for x &gt;= 0, negativeSlope * x below (<c>keras.layers.LeakyReLU</c>; Keras' default slope 0.3).</summary>
    public sealed class LeakyReLU(double negativeSlope = 0.3, string? name = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>The slope for negative inputs.</summary>
        public double NegativeSlope { get; } = negativeSlope < 0 ? throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "LeakyReLU: negativeSlope must be >= 0.") : negativeSlope;

        /// <inheritdoc/>
        public override JsonObject GetConfig() => With(base.GetConfig(), "negative_slope", NegativeSlope);

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => NF.LeakyRelu(x, NegativeSlope);

        // The input's shape (Keras' compute_output_shape).
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape;
    }

    /// <summary>x for x &gt; 0, alpha * (e^x - 1) below (<c>keras.layers.ELU</c>).</summary>
    public sealed class ELU(double alpha = 1.0, string? name = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>The scale of the negative part.</summary>
        public double Alpha { get; } = alpha;

        /// <inheritdoc/>
        public override JsonObject GetConfig() => With(base.GetConfig(), "alpha", Alpha);

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => NF.Elu(x, Alpha);

        // The input's shape (Keras' compute_output_shape).
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape;
    }
}
