using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
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

        private protected override Tensor InitialBias(Shape shape) =>
            UnitForgetBias ? ForgetOnes(BiasInitializer, Units) : base.InitialBias(shape);

        /// <summary>
        /// Keras' unit_forget_bias start of a [4 * units] LSTM bias (LSTMCell's and ConvLSTMCell's):
        /// concat(initializer(units), ones(units), initializer(2 * units)), the forget block at one.
        /// </summary>
        internal static Tensor ForgetOnes(Initializer initializer, int units)
        {
            using var input = initializer.Create([units], units, units);
            using var forget = NF.Ones([units]);
            using var rest = initializer.Create([2 * units], 2 * units, 2 * units);
            return NF.Concat([input, forget, rest]);
        }

        private protected override Tensor[] Step(Tensor projected, Tensor hForRecurrent, Tensor[] states, object? perCall) =>
            LstmUpdate(projected + NF.MatMul(hForRecurrent, RecurrentKernel!), states[1], 1, Activation, RecurrentActivation);

        /// <summary>
        /// The LSTM update from the pre-activations <paramref name="z"/> (the blocks i, f, c, o along
        /// <paramref name="axis"/>: LSTMCell's units, ConvLSTMCell's channels) and the previous carry:
        /// c = f * c_prev + i * activation(c̃), h = o * activation(c), recurrent activation on i, f, o. Returns [h, c].
        /// </summary>
        internal static Tensor[] LstmUpdate(Tensor z, Tensor carry, int axis, ActivationFunction activation, ActivationFunction recurrentActivation)
        {
            var gates = NF.Split(z, 4, axis);
            var i = recurrentActivation.Apply(gates[0]);
            var f = recurrentActivation.Apply(gates[1]);
            var o = recurrentActivation.Apply(gates[3]);
            var c = f * carry + i * activation.Apply(gates[2]);
            return [o * activation.Apply(c), c];
        }
    }
}
