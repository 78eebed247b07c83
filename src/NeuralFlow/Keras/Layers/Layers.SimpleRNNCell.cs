namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// One step of a fully connected recurrent network (<c>keras.layers.SimpleRNNCell</c>):
    /// h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias); the output is h_t, the one
    /// state. The arguments, weights and defaults of <see cref="SimpleRNN"/>, which runs this cell.
    /// </summary>
    public sealed class SimpleRNNCell(int units, ActivationFunction? activation = null, bool useBias = true,
                                      Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
                                      double dropout = 0, double recurrentDropout = 0, string? name = null,
                                      Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null, Regularizers.Regularizer? biasRegularizer = null)
        : RecurrentCell(units, 1, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, dropout, recurrentDropout, name,
                        kernelRegularizer, recurrentRegularizer, biasRegularizer)
    {
        private protected override Tensor[] Step(Tensor projected, Tensor hForRecurrent, Tensor[] states, object? perCall) =>
            [Activation.Apply(projected + NF.MatMul(hForRecurrent, RecurrentKernel!))];
    }
}
