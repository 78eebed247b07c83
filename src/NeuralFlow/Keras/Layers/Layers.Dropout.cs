using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Zeroes a fraction <see cref="Rate"/> of the inputs during training and scales the rest
    /// by 1/(1-rate); the identity at inference (<c>keras.layers.Dropout</c>). With a
    /// <see cref="NoiseShape"/> one draw is shared along the axes where it holds 1 (Keras'
    /// noise_shape: [null, 1, null] drops the same features at every time step); null entries
    /// take the input's size. Masks come from NF.Random, or with a seed from the layer's own
    /// generator (Keras' seed_generator), the same whatever NF.Random's seed.
    /// </summary>
    public class Dropout : Layer
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        private readonly RandomStream? _stream;
        private readonly int?[]? _noiseShape;

        /// <summary>A dropout of <paramref name="rate"/>, its mask shaped by <paramref name="noiseShape"/> (null: the input's), drawn with <paramref name="seed"/>.</summary>
        public Dropout(double rate, string? name = null, int?[]? noiseShape = null, int? seed = null) : base(name)
        {
            Rate = DropoutRate.Checked(GetType().Name, rate);
            if (noiseShape is not null && noiseShape.Any(d => d is < 1))
                throw new ArgumentException($"Dropout: noiseShape entries must be positive or null (the input's size), got {Describe(noiseShape)}.", nameof(noiseShape));
            _noiseShape = noiseShape?.ToArray();
            Seed = seed;
            _stream = seed is { } s ? new RandomStream(s) : null;
        }

        /// <summary>Fraction of inputs dropped while training, in [0, 1] (Keras 3's rule): 1 drops everything (zeros).</summary>
        public double Rate { get; }

        /// <summary>The mask's shape (null entries: the input's size), or null for the input's whole shape.</summary>
        public IReadOnlyList<int?>? NoiseShape => _noiseShape;

        /// <summary>The seed of the layer's own masks, or null (NF.Random's).</summary>
        public int? Seed { get; }

        private protected override RandomStream? OwnStream => _stream;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["rate"] = Rate;
            c["seed"] = Seed;
            if (this is not SpatialDropout)   // Keras' spatial dropouts fix theirs, and do not write it
                c["noise_shape"] = _noiseShape is null ? null : new JsonArray(_noiseShape.Select(d => (JsonNode?)d).ToArray());
            return c;
        }

        /// <summary>The mask's shape for <paramref name="input"/>: <see cref="NoiseShape"/> with its nulls filled, checked to broadcast.</summary>
        private protected virtual Shape MaskShape(Shape input)
        {
            if (_noiseShape is null) return input;
            if (_noiseShape.Length != input.Rank)
                throw new ArgumentException($"{Name}: noiseShape {Describe(_noiseShape)} has {_noiseShape.Length} entries, but the input {input} has rank {input.Rank}.", "x");
            var dims = new int[input.Rank];
            for (int i = 0; i < dims.Length; i++)
            {
                dims[i] = _noiseShape[i] ?? input[i];
                if (dims[i] != 1 && dims[i] != input[i])
                    throw new ArgumentException($"{Name}: noiseShape {Describe(_noiseShape)} does not broadcast to the input {input}: axis {i} must be 1, null or {input[i]}.", "x");
            }
            return new Shape(dims);
        }

        // The input's shape (Keras' compute_output_shape); a noise shape, which the run checks against the input, is left to the run.
        private protected override int?[]? ShapeRule(int?[] inputShape) => _noiseShape is null ? inputShape : null;

        private static string Describe(int?[] shape) => $"[{string.Join(", ", shape.Select(d => d?.ToString() ?? "null"))}]";

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            var maskShape = MaskShape(x.Shape);   // checked in inference too, so a wrong noiseShape fails at once
            return IsTraining ? NF.Random.Dropout(x, Rate, maskShape, _stream) : x;
        }

        /// <summary>1 where an element (or a block of <paramref name="maskShape"/>) is kept, with probability 1 - rate; else 0.</summary>
        private protected Tensor KeepMask(Tensor x, Shape maskShape) => NF.Random.KeepMask(x, Rate, maskShape, _stream);
    }
}
