using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Long short-term memory (<c>keras.layers.LSTM</c>, Hochreiter 1997), Keras' equations and
    /// weight layout: z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias, split into the gate
    /// blocks i, f, c, o (in that order); c_t = f * c_{t-1} + i * activation(c̃),
    /// h_t = o * activation(c_t), with recurrent_activation on i, f and o. Kernel
    /// [features, 4 * units], recurrent_kernel [units, 4 * units], bias [4 * units]. Keras 3's
    /// defaults: tanh, sigmoid, Glorot-uniform kernel, orthogonal recurrent kernel, zero bias
    /// with ones in the forget block (unit_forget_bias). The states are [h, c]. See
    /// <see cref="Recurrent"/> for the loop, the dropouts and what the outputs hold.
    /// </summary>
    public sealed class LSTM(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
                             Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
                             bool unitForgetBias = true, double dropout = 0, double recurrentDropout = 0,
                             bool returnSequences = false, bool returnState = false, bool goBackwards = false, string? name = null,
                             Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                             Regularizers.Regularizer? activityRegularizer = null)
        : Recurrent(units, 4, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                    dropout, recurrentDropout, returnSequences, returnState, goBackwards, name,
                    kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer)
    {
        /// <summary>The activation of the gates i, f and o (Keras' default sigmoid; null means sigmoid).</summary>
        public ActivationFunction RecurrentActivation { get; } = recurrentActivation ?? "sigmoid";

        /// <summary>Whether the bias starts with ones in the forget-gate block (Jozefowicz et al. 2015; Keras' default).</summary>
        public bool UnitForgetBias { get; } = unitForgetBias;

        /// <inheritdoc/>
        public override int StateCount => 2;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["recurrent_activation"] = ConfigName(RecurrentActivation);
            c["unit_forget_bias"] = UnitForgetBias;
            return c;
        }

        private protected override Recurrent CloneArguments(string name, bool goBackwards) =>
            new LSTM(Units, Activation, RecurrentActivation, UseBias, KernelInitializer, RecurrentInitializer, BiasInitializer,
                     UnitForgetBias, Dropout, RecurrentDropout, ReturnSequences, ReturnState, goBackwards, name);

        // Keras: concat(bias_initializer(units), ones(units), bias_initializer(2 * units)).
        private protected override Tensor InitialBias(Shape shape)
        {
            if (!UnitForgetBias) return base.InitialBias(shape);
            using var input = BiasInitializer.Create([Units], Units, Units);
            using var forget = NF.Ones([Units]);
            using var rest = BiasInitializer.Create([2 * Units], 2 * Units, 2 * Units);
            return NF.Concat([input, forget, rest]);
        }

        private protected override Tensor[] Step(Tensor projected, Tensor hForRecurrent, Tensor[] states, object? perCall)
        {
            var z = projected + NF.MatMul(hForRecurrent, RecurrentKernel!);
            var gates = NF.Split(z, 4, 1);
            var i = RecurrentActivation.Apply(gates[0]);
            var f = RecurrentActivation.Apply(gates[1]);
            var o = RecurrentActivation.Apply(gates[3]);
            var c = f * states[1] + i * Activation.Apply(gates[2]);
            return [o * Activation.Apply(c), c];
        }
    }
}
