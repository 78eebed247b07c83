namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Long short-term memory (<c>keras.layers.LSTM</c>, Hochreiter 1997): an <see cref="RNN"/> of an
    /// <see cref="LSTMCell"/> (Keras' equations and weight layout, gate blocks i, f, c, o). Kernel
    /// [features, 4 * units], recurrent_kernel [units, 4 * units], bias [4 * units]. Keras 3's
    /// defaults: tanh, sigmoid, Glorot-uniform kernel, orthogonal recurrent kernel, zero bias with
    /// ones in the forget block (unit_forget_bias). The states are [h, c]. See <see cref="RNN"/> for
    /// the loop, masks, stateful mode and what the outputs hold.
    /// </summary>
    public sealed class LSTM(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
                             Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
                             bool unitForgetBias = true, double dropout = 0, double recurrentDropout = 0,
                             bool returnSequences = false, bool returnState = false, bool goBackwards = false, string? name = null,
                             Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                             Regularizers.Regularizer? activityRegularizer = null, bool stateful = false)
        : Recurrent(n => new LSTMCell(units, activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                                      unitForgetBias, dropout, recurrentDropout, n, kernelRegularizer, recurrentRegularizer, biasRegularizer),
                    returnSequences, returnState, goBackwards, stateful, name, activityRegularizer)
    {
        private LSTMCell Own => (LSTMCell)Cell;

        /// <summary>The activation of the gates i, f and o (Keras' default sigmoid).</summary>
        public ActivationFunction RecurrentActivation => Own.RecurrentActivation;

        /// <summary>Whether the bias starts with ones in the forget-gate block (Jozefowicz et al. 2015; Keras' default).</summary>
        public bool UnitForgetBias => Own.UnitForgetBias;

        private protected override Recurrent CloneArguments(string name, bool goBackwards) =>
            new LSTM(Units, Activation, RecurrentActivation, UseBias, KernelInitializer, RecurrentInitializer, BiasInitializer,
                     UnitForgetBias, Dropout, RecurrentDropout, ReturnSequences, ReturnState, goBackwards, name, stateful: Stateful);
    }
}
