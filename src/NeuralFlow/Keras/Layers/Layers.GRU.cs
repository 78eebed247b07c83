namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Gated recurrent unit (<c>keras.layers.GRU</c>, Cho et al. 2014): an <see cref="RNN"/> of a
    /// <see cref="GRUCell"/> (Keras' equations and weight layout, gate blocks z, r, h), with
    /// <c>resetAfter</c> (Keras 3's default, bias [2, 3 * units]) or without (bias [3 * units]).
    /// Keras 3's defaults: tanh, sigmoid, Glorot-uniform kernel, orthogonal recurrent kernel, zero
    /// bias. See <see cref="RNN"/> for the loop, masks, stateful mode and what the outputs hold.
    /// </summary>
    public sealed class GRU(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
                            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
                            double dropout = 0, double recurrentDropout = 0,
                            bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool resetAfter = true, string? name = null,
                            Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                            Regularizers.Regularizer? activityRegularizer = null, bool stateful = false)
        : Recurrent(n => new GRUCell(units, activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                                     dropout, recurrentDropout, resetAfter, n, kernelRegularizer, recurrentRegularizer, biasRegularizer),
                    returnSequences, returnState, goBackwards, stateful, name, activityRegularizer)
    {
        private GRUCell Own => (GRUCell)Cell;

        /// <summary>The activation of the gates z and r (Keras' default sigmoid).</summary>
        public ActivationFunction RecurrentActivation => Own.RecurrentActivation;

        /// <summary>Whether the reset gate multiplies h_{t-1} @ R_h (true, Keras 3's default) or h_{t-1} before it.</summary>
        public bool ResetAfter => Own.ResetAfter;

        private protected override Recurrent CloneArguments(string name, bool goBackwards) =>
            new GRU(Units, Activation, RecurrentActivation, UseBias, KernelInitializer, RecurrentInitializer, BiasInitializer,
                    Dropout, RecurrentDropout, ReturnSequences, ReturnState, goBackwards, ResetAfter, name, stateful: Stateful);
    }
}
