using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A fully connected layer: activation(x @ kernel + bias) (<c>tf.keras.layers.Dense</c>).
    /// Keras defaults: Glorot-uniform kernel, zero bias.
    /// </summary>
    public sealed class Dense(int units, ActivationFunction? activation = null, bool useBias = true,
                              Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                              Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                              Regularizers.Regularizer? activityRegularizer = null,
                              Constraints.Constraint? kernelConstraint = null, Constraints.Constraint? biasConstraint = null)
        : Layer(name, activityRegularizer)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>True: reads its weights as float16 under a mixed policy (<see cref="Layer.ReadWeight"/>).</summary>
        private protected override bool ComputesWithMixedWeights => true;

        /// <summary>A penalty on the kernel, added to <see cref="Layer.Losses"/> (Keras' kernel_regularizer).</summary>
        public Regularizers.Regularizer? KernelRegularizer { get; set; } = kernelRegularizer;

        /// <summary>A penalty on the bias (Keras' bias_regularizer).</summary>
        public Regularizers.Regularizer? BiasRegularizer { get; set; } = biasRegularizer;

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
        [
            new("kernel_regularizer", Kernel, KernelRegularizer, r => KernelRegularizer = r),
            new("bias_regularizer", Bias, BiasRegularizer, r => BiasRegularizer = r),
        ];

        /// <summary>A projection of the kernel after each optimizer step (Keras' kernel_constraint), e.g. <c>new Constraints.MaxNorm(3)</c>.</summary>
        public Constraints.Constraint? KernelConstraint { get; set { field = value; SyncConstraints(); } } = kernelConstraint;

        /// <summary>A projection of the bias after each optimizer step (Keras' bias_constraint).</summary>
        public Constraints.Constraint? BiasConstraint { get; set { field = value; SyncConstraints(); } } = biasConstraint;

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots =>
        [
            new("kernel_constraint", Kernel, KernelConstraint, c => KernelConstraint = c),
            new("bias_constraint", Bias, BiasConstraint, c => BiasConstraint = c),
        ];

        /// <summary>Output width.</summary>
        public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), units, "Dense: units must be positive.");

        /// <summary>The activation, or null for linear.</summary>
        public ActivationFunction? Activation { get; } = activation;

        /// <summary>Whether the layer adds a bias.</summary>
        public bool UseBias { get; } = useBias;

        /// <summary>How the kernel starts (Keras' default: Glorot uniform).</summary>
        public Initializer KernelInitializer { get; } = kernelInitializer ?? Initializer.GlorotUniform;

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer { get; } = biasInitializer ?? Initializer.Zeros;

        /// <summary>The [inputs, units] weight matrix, once built.</summary>
        public Variable? Kernel { get; private set; }

        /// <summary>The [units] bias, once built (null without bias).</summary>
        public Variable? Bias { get; private set; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["units"] = Units;
            AddKernelConfig(c, Activation, UseBias, KernelInitializer, BiasInitializer);
            return c;
        }

        /// <summary>The input shape with its last axis <see cref="Units"/> wide (Keras' Dense.compute_output_shape); builds nothing.</summary>
        public override int?[] ComputeOutputShape(int?[] inputShape)
        {
            var shape = CheckedShape(inputShape, 2, "(batch, ..., features)");
            shape[^1] = Units;
            return shape;
        }

        // A functional call takes the shape from the formula too, where the features are known (else Build says what is wrong).
        private protected override int?[]? ShapeRule(int?[] inputShape) =>
            inputShape.Length >= 2 && inputShape[^1] is not null ? ComputeOutputShape(inputShape) : null;

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            if (inputShape.Rank < 1)
                throw new ArgumentException($"Dense needs inputs with at least one dimension, got shape {inputShape}.");
            Kernel = AddWeight("kernel", [inputShape[-1], Units], KernelInitializer);
            if (UseBias) Bias = AddWeight("bias", [Units], BiasInitializer);
        }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            if (x.Shape[-1] != Kernel!.Shape[0])
                throw new ArgumentException($"{Name}: expects inputs with last dimension {Kernel.Shape[0]}, got shape {x.Shape}.");
            var kernel = ReadWeight(Kernel);
            var input = x.DType == kernel.DType ? x : NF.Cast(x, kernel.DType);
            var y = NF.MatMul(input, kernel);
            if (Bias is not null) y = y + ReadWeight(Bias);
            return Activation is null ? y : Activation.Apply(y);
        }
    }
}
