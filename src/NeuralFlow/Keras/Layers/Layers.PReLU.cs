using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Parametric ReLU (<c>keras.layers.PReLU</c>): max(x, 0) - alpha * max(-x, 0), with a learned
    /// alpha per input element (the shape of an input without its batch axis). The axes in
    /// <paramref name="sharedAxes"/> (counted with the batch axis as 0, as Keras) share one alpha,
    /// e.g. [1, 2] for one slope per channel of NHWC images. Alpha starts at
    /// <paramref name="alphaInitializer"/> (zeros: a plain ReLU) and may carry a regularizer.
    /// </summary>
    public sealed class PReLU(Initializer? alphaInitializer = null, Regularizers.Regularizer? alphaRegularizer = null,
                              int[]? sharedAxes = null, string? name = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>How alpha starts (Keras' default: zeros).</summary>
        public Initializer AlphaInitializer { get; } = alphaInitializer ?? Initializer.Zeros;

        /// <summary>A penalty on alpha, added to <see cref="Layer.Losses"/> (Keras' alpha_regularizer).</summary>
        public Regularizers.Regularizer? AlphaRegularizer { get; set; } = alphaRegularizer;

        /// <summary>The axes (1 = the first after the batch axis) along which alpha is shared; null: none.</summary>
        public IReadOnlyList<int>? SharedAxes { get; } = sharedAxes?.ToArray();

        /// <summary>The slopes, shaped like an input without its batch axis (1 along shared axes), once built.</summary>
        public Variable? Alpha { get; private set; }

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots => [new("alpha_regularizer", Alpha, AlphaRegularizer, r => AlphaRegularizer = r)];

        /// <summary>A projection of alpha after each optimizer step (Keras' alpha_constraint), set in an initializer.</summary>
        public Constraints.Constraint? AlphaConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots => [new("alpha_constraint", Alpha, AlphaConstraint, c => AlphaConstraint = c)];

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["alpha_initializer"] = AlphaInitializer.ToConfig();
            if (AlphaConstraint is null) c["alpha_constraint"] = null;   // Keras writes the key always
            c["shared_axes"] = SharedAxes is null ? null : new JsonArray(SharedAxes.Select(a => (JsonNode)a).ToArray());
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            if (inputShape.Rank < 2)
                throw new ArgumentException($"{Name} (PReLU) needs inputs of shape (batch, ...) with at least one axis besides the batch axis, got {inputShape}.");
            var shape = inputShape.ToArray()[1..];
            foreach (int axis in SharedAxes ?? [])
            {
                if (axis < 1 || axis >= inputShape.Rank)
                    throw new ArgumentException($"{Name} (PReLU): shared axis {axis} is not an axis of inputs of shape {inputShape} other than the batch axis (0); use 1 to {inputShape.Rank - 1}.");
                shape[axis - 1] = 1;
            }
            Alpha = AddWeight("alpha", new Shape(shape), AlphaInitializer);
        }

        // The input's shape (Keras' compute_output_shape), where alpha's shape is known: Build checks the shared axes.
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape.Length >= 2 && inputShape.Skip(1).All(d => d is not null) ? inputShape : null;

        /// <summary>True: reads alpha as float16 under a mixed policy (<see cref="Layer.ReadWeight"/>).</summary>
        private protected override bool ComputesWithMixedWeights => true;

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            var alpha = ReadWeight(Alpha!);
            var expected = BuildInputShape!.ToArray()[1..];
            if (x.Rank != expected.Length + 1 || !x.Shape.ToArray()[1..].SequenceEqual(expected))
                throw new ArgumentException($"{Name} (PReLU): was built for inputs of shape (batch, {string.Join(", ", expected)}), got {x.Shape}.");
            var input = x.DType == alpha.DType ? x : NF.Cast(x, alpha.DType);
            // Keras: relu(x) + (-alpha * relu(-x)); the gradients are Relu's, Multiply's and Subtract's.
            return NF.Relu(input) - alpha * NF.Relu(-input);
        }
    }
}
