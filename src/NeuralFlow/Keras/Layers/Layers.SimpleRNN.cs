namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A fully connected recurrent layer (<c>keras.layers.SimpleRNN</c>): an <see cref="RNN"/> of a
    /// <see cref="SimpleRNNCell"/>, h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias),
    /// h_0 = 0. Kernel [features, units], recurrent_kernel [units, units], bias [units], as Keras'.
    /// Keras 3's defaults: tanh, Glorot-uniform kernel, orthogonal recurrent kernel, zero bias. See
    /// <see cref="RNN"/> for the loop, masks, stateful mode and what the outputs hold.
    /// </summary>
    public sealed class SimpleRNN(int units, ActivationFunction? activation = null, bool useBias = true,
                                  Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
                                  double dropout = 0, double recurrentDropout = 0,
                                  bool returnSequences = false, bool returnState = false, bool goBackwards = false, string? name = null,
                                  Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                                  Regularizers.Regularizer? activityRegularizer = null, bool stateful = false)
        : Recurrent(n => new SimpleRNNCell(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, dropout, recurrentDropout, n,
                                           kernelRegularizer, recurrentRegularizer, biasRegularizer),
                    returnSequences, returnState, goBackwards, stateful, name, activityRegularizer)
    {
        private protected override Recurrent CloneArguments(string name, bool goBackwards) =>
            new SimpleRNN(Units, Activation, UseBias, KernelInitializer, RecurrentInitializer, BiasInitializer,
                          Dropout, RecurrentDropout, ReturnSequences, ReturnState, goBackwards, name, stateful: Stateful);
    }
}
