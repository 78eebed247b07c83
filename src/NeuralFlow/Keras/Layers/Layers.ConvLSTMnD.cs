namespace NeuralFlow.Keras;

// Each rank takes Keras' two forms of the window, strides and dilation: a single int (every
// spatial axis) or one value per axis (an int[] of one value, or of the rank's count), as Conv1D/2D/3D do.
public partial class Layers
{
    /// <summary>
    /// A convolutional LSTM over sequences of 1-D maps (<c>keras.layers.ConvLSTM1D</c>): inputs
    /// [batch, timesteps, steps, channels] (channels_first: [batch, timesteps, channels, steps]),
    /// kernel [k, channels, 4 * filters], recurrent_kernel [k, filters, 4 * filters]. See
    /// <see cref="ConvLSTM"/> and <see cref="ConvLSTMCell"/> for the equations and the outputs.
    /// </summary>
    public sealed class ConvLSTM1D : ConvLSTM
    {
        /// <summary>A window of <paramref name="kernelSize"/> steps (Keras' single-int arguments).</summary>
        public ConvLSTM1D(int filters, int kernelSize, int strides = 1, string padding = "valid", string dataFormat = "channels_last",
                          int dilationRate = 1, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null,
                          bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
                          Initializer? biasInitializer = null, bool unitForgetBias = true,
                          Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null,
                          Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null,
                          double dropout = 0, double recurrentDropout = 0, int? seed = null,
                          bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, string? name = null)
            : this(filters, [kernelSize], [strides], padding, dataFormat, [dilationRate], activation, recurrentActivation, useBias,
                   kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer,
                   activityRegularizer, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, name) { }

        /// <summary>Window, strides and dilation as lists of one value (Keras' tuple form, <c>kernel_size=(3,)</c>).</summary>
        public ConvLSTM1D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", string dataFormat = "channels_last",
                          int[]? dilationRate = null, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null,
                          bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
                          Initializer? biasInitializer = null, bool unitForgetBias = true,
                          Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null,
                          Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null,
                          double dropout = 0, double recurrentDropout = 0, int? seed = null,
                          bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, string? name = null)
            : base(1, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias,
                   kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer,
                   activityRegularizer, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, name) { }

        // The layer around a cell a saved config describes (see ConvLSTM.Create).
        internal ConvLSTM1D(Func<string, ConvLSTMCell> cellFor, bool returnSequences, bool returnState, bool goBackwards, bool stateful, string? name)
            : base(cellFor, returnSequences, returnState, goBackwards, stateful, name) { }
    }

    /// <summary>
    /// A convolutional LSTM over sequences of images (<c>keras.layers.ConvLSTM2D</c>, the layer of
    /// Keras' next-frame video prediction example): inputs [batch, timesteps, rows, cols, channels]
    /// (channels_first: [batch, timesteps, channels, rows, cols]), kernel [kh, kw, channels, 4 * filters],
    /// recurrent_kernel [kh, kw, filters, 4 * filters]. See <see cref="ConvLSTM"/> and <see cref="ConvLSTMCell"/>.
    /// </summary>
    public sealed class ConvLSTM2D : ConvLSTM
    {
        /// <summary>A square window, stride and dilation (Keras' single-int arguments, <c>ConvLSTM2D(filters=8, kernel_size=3)</c>).</summary>
        public ConvLSTM2D(int filters, int kernelSize, int strides = 1, string padding = "valid", string dataFormat = "channels_last",
                          int dilationRate = 1, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null,
                          bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
                          Initializer? biasInitializer = null, bool unitForgetBias = true,
                          Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null,
                          Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null,
                          double dropout = 0, double recurrentDropout = 0, int? seed = null,
                          bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, string? name = null)
            : this(filters, [kernelSize], [strides], padding, dataFormat, [dilationRate], activation, recurrentActivation, useBias,
                   kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer,
                   activityRegularizer, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, name) { }

        /// <summary>Window, strides and dilation as (rows, cols), or one value for both.</summary>
        public ConvLSTM2D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", string dataFormat = "channels_last",
                          int[]? dilationRate = null, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null,
                          bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
                          Initializer? biasInitializer = null, bool unitForgetBias = true,
                          Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null,
                          Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null,
                          double dropout = 0, double recurrentDropout = 0, int? seed = null,
                          bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, string? name = null)
            : base(2, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias,
                   kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer,
                   activityRegularizer, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, name) { }

        // The layer around a cell a saved config describes (see ConvLSTM.Create).
        internal ConvLSTM2D(Func<string, ConvLSTMCell> cellFor, bool returnSequences, bool returnState, bool goBackwards, bool stateful, string? name)
            : base(cellFor, returnSequences, returnState, goBackwards, stateful, name) { }
    }

    /// <summary>
    /// A convolutional LSTM over sequences of volumes (<c>keras.layers.ConvLSTM3D</c>): inputs
    /// [batch, timesteps, depth, rows, cols, channels] (channels_first: [batch, timesteps, channels,
    /// depth, rows, cols]), kernel [kd, kh, kw, channels, 4 * filters], recurrent_kernel
    /// [kd, kh, kw, filters, 4 * filters]. See <see cref="ConvLSTM"/> and <see cref="ConvLSTMCell"/>.
    /// </summary>
    public sealed class ConvLSTM3D : ConvLSTM
    {
        /// <summary>A cubic window, stride and dilation (Keras' single-int arguments).</summary>
        public ConvLSTM3D(int filters, int kernelSize, int strides = 1, string padding = "valid", string dataFormat = "channels_last",
                          int dilationRate = 1, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null,
                          bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
                          Initializer? biasInitializer = null, bool unitForgetBias = true,
                          Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null,
                          Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null,
                          double dropout = 0, double recurrentDropout = 0, int? seed = null,
                          bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, string? name = null)
            : this(filters, [kernelSize], [strides], padding, dataFormat, [dilationRate], activation, recurrentActivation, useBias,
                   kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer,
                   activityRegularizer, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, name) { }

        /// <summary>Window, strides and dilation as (depth, rows, cols), or one value for all three.</summary>
        public ConvLSTM3D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", string dataFormat = "channels_last",
                          int[]? dilationRate = null, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null,
                          bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
                          Initializer? biasInitializer = null, bool unitForgetBias = true,
                          Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null,
                          Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null,
                          double dropout = 0, double recurrentDropout = 0, int? seed = null,
                          bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, string? name = null)
            : base(3, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias,
                   kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer,
                   activityRegularizer, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, name) { }

        // The layer around a cell a saved config describes (see ConvLSTM.Create).
        internal ConvLSTM3D(Func<string, ConvLSTMCell> cellFor, bool returnSequences, bool returnState, bool goBackwards, bool stateful, string? name)
            : base(cellFor, returnSequences, returnState, goBackwards, stateful, name) { }
    }
}
