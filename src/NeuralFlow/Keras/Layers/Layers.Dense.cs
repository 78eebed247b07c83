namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// A fully connected layer: activation(x @ kernel + bias) (<c>tf.keras.layers.Dense</c>).
    /// Keras defaults: Glorot-uniform kernel, zero bias.
    /// </summary>
    public sealed class Dense(int units, ActivationFunction? activation = null, bool useBias = true,
                              Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null)
        : Layer(name)
    {
        /// <summary>Output width.</summary>
        public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), units, "Dense: units must be positive.");

        /// <summary>The activation, or null for linear.</summary>
        public ActivationFunction? Activation { get; } = activation;

        /// <summary>The [inputs, units] weight matrix, once built.</summary>
        public Variable? Kernel { get; private set; }

        /// <summary>The [units] bias, once built (null without bias).</summary>
        public Variable? Bias { get; private set; }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            if (inputShape.Rank < 1)
                throw new ArgumentException($"Dense needs inputs with at least one dimension, got shape {inputShape}.");
            Kernel = AddWeight("kernel", [inputShape[-1], Units], kernelInitializer ?? Initializer.GlorotUniform);
            if (useBias) Bias = AddWeight("bias", [Units], biasInitializer ?? Initializer.Zeros);
        }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            if (x.Shape[-1] != Kernel!.Shape[0])
                throw new ArgumentException($"{Name}: expects inputs with last dimension {Kernel.Shape[0]}, got shape {x.Shape}.");
            var input = x.DType == Kernel.DType ? x : NF.Cast(x, Kernel.DType);
            var y = NF.MatMul(input, Kernel);
            if (Bias is not null) y = y + Bias;
            return Activation is null ? y : Activation.Apply(y);
        }
    }
}
