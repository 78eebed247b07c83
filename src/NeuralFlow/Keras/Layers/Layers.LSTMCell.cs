using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// One step of a long short-term memory (<c>keras.layers.LSTMCell</c>), Keras' equations:
    /// z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias, split into the gate blocks i, f, c, o (in
    /// that order); c_t = f * c_{t-1} + i * activation(c̃), h_t = o * activation(c_t), with
    /// recurrent_activation on i, f and o. The states are [h, c], the output h. The arguments,
    /// weights and defaults of <see cref="LSTM"/>, which runs this cell.
    /// </summary>
    public sealed class LSTMCell(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
                                 Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
                                 bool unitForgetBias = true, double dropout = 0, double recurrentDropout = 0, string? name = null,
                                 Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null, Regularizers.Regularizer? biasRegularizer = null)
        : RecurrentCell(units, 4, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, dropout, recurrentDropout, name,
                        kernelRegularizer, recurrentRegularizer, biasRegularizer)
    {
        /// <summary>The activation of the gates i, f and o (Keras' default sigmoid; null means sigmoid).</summary>
        public ActivationFunction RecurrentActivation { get; } = recurrentActivation ?? "sigmoid";

        /// <summary>Whether the bias starts with ones in the forget-gate block (Jozefowicz et al. 2015; Keras' default).</summary>
        public bool UnitForgetBias { get; } = unitForgetBias;

        /// <inheritdoc/>
        public override IReadOnlyList<int> StateSize => [Units, Units];

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["recurrent_activation"] = ConfigName(RecurrentActivation);
            c["unit_forget_bias"] = UnitForgetBias;
            return c;
        }

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
