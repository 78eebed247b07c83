using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What GaussianNoise and GaussianDropout share: active only in training (the identity at
    /// inference, and when the noise's standard deviation is 0); noise from NF.Random, as Dropout's
    /// masks (so <c>NF.Random.SetSeed</c> makes runs reproducible and an NF.Function replay draws
    /// afresh), or, with a seed, from the layer's own generator (Keras' seed_generator), the same
    /// whatever NF.Random's seed; float32 for integer inputs, as Keras' compute dtype.
    /// </summary>
    public abstract class NoiseLayer : Layer
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        private readonly RandomStream? _stream;

        private protected NoiseLayer(int? seed, string? name) : base(name)
        {
            Seed = seed;
            _stream = seed is { } s ? new RandomStream(s) : null;
        }

        /// <summary>The seed of the layer's own noise, or null (NF.Random's).</summary>
        public int? Seed { get; }

        private protected override RandomStream? OwnStream => _stream;

        /// <summary>The noise's mean and standard deviation (read in training only).</summary>
        private protected abstract (double Mean, double Stddev) Noise { get; }

        /// <summary>The input with <paramref name="noise"/> applied.</summary>
        private protected abstract Tensor Apply(Tensor input, Tensor noise);

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["seed"] = Seed;
            return c;
        }

        // The input's shape (Keras' compute_output_shape): the noise is drawn in training only.
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape;

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (!IsTraining) return x;
            var (mean, stddev) = Noise;   // after the training check: a rate that makes it infinite only fails in training
            if (stddev == 0) return x;
            var input = x.DType.IsFloating() ? x : NF.Cast(x, ComputeDType);
            return Apply(input, NF.Random.Normal(input.Shape, mean, stddev, input.DType, _stream));
        }
    }
}
