namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What <see cref="ConvLSTM1D"/>, <see cref="ConvLSTM2D"/> and <see cref="ConvLSTM3D"/> share
    /// (Keras' <c>ConvLSTM</c> base): an <see cref="RNN"/> around a <see cref="ConvLSTMCell"/> made
    /// from the layer's arguments. Inputs are sequences of feature maps [batch, timesteps,
    /// spatial..., channels] (or [batch, timesteps, channels, spatial...] channels_first); the
    /// output is h, [batch, spatial'..., filters] (every step's with returnSequences), the spatial
    /// size that of the input convolution (its strides, padding and dilation). The states h and c
    /// have that shape too. Masks, initial states, return_state, go_backwards and stateful work as
    /// for <see cref="LSTM"/> (see <see cref="RNN"/>). The cell takes the layer's name, and the
    /// layer's config holds the cell's arguments flat, as Keras' ConvLSTM2D config does.
    /// </summary>
    public abstract class ConvLSTM : RNN
    {
        private protected ConvLSTM(int rank, int filters, int[] kernelSize, int[]? strides, string padding, string dataFormat, int[]? dilationRate,
                                   ActivationFunction? activation, ActivationFunction? recurrentActivation, bool useBias,
                                   Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer, bool unitForgetBias,
                                   Regularizers.Regularizer? kernelRegularizer, Regularizers.Regularizer? recurrentRegularizer, Regularizers.Regularizer? biasRegularizer,
                                   Regularizers.Regularizer? activityRegularizer, double dropout, double recurrentDropout, int? seed,
                                   bool returnSequences, bool returnState, bool goBackwards, bool stateful, string? name)
            : base(n => new ConvLSTMCell(rank, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias,
                                         kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias,
                                         kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, seed, n),
                   returnSequences, returnState, goBackwards, stateful, name, activityRegularizer) { }

        // The layer around a cell made elsewhere (from a saved config: KerasSerialization reads the cell's
        // arguments once for the three ranks); the activity regularizer comes with the config's regularizers.
        private protected ConvLSTM(Func<string, ConvLSTMCell> cellFor, bool returnSequences, bool returnState, bool goBackwards, bool stateful, string? name)
            : base(cellFor, returnSequences, returnState, goBackwards, stateful, name, null) { }

        /// <summary>
        /// The ConvLSTM1D/2D/3D of <paramref name="rank"/> spatial axes around the cell
        /// <paramref name="cellFor"/> makes (given the layer's name; a cell of that rank).
        /// </summary>
        internal static ConvLSTM Create(int rank, Func<string, ConvLSTMCell> cellFor, bool returnSequences, bool returnState, bool goBackwards,
                                        bool stateful, string? name) => rank switch
        {
            1 => new ConvLSTM1D(cellFor, returnSequences, returnState, goBackwards, stateful, name),
            2 => new ConvLSTM2D(cellFor, returnSequences, returnState, goBackwards, stateful, name),
            3 => new ConvLSTM3D(cellFor, returnSequences, returnState, goBackwards, stateful, name),
            _ => throw new ArgumentOutOfRangeException(nameof(rank), rank, "ConvLSTM: rank must be 1, 2 or 3 (the spatial axes)."),
        };

        private ConvLSTMCell Own => (ConvLSTMCell)Cell;

        private protected override bool CellIsOwn => true;

        private protected override string InputLayout
        {
            get
            {
                string spatial = Own.Rank switch { 1 => "steps", 2 => "rows, cols", _ => "depth, rows, cols" };
                return Own.DataFormat == "channels_first" ? $"[batch, timesteps, channels, {spatial}] (channels_first)" : $"[batch, timesteps, {spatial}, channels]";
            }
        }

        /// <summary>The output channels (of h and c).</summary>
        public int Filters => Own.Filters;

        /// <summary>The window per spatial axis (of both kernels).</summary>
        public int[] KernelSize => Own.KernelSize;

        /// <summary>The input convolution's strides per spatial axis.</summary>
        public int[] Strides => Own.Strides;

        /// <summary>The input convolution's padding, "valid" or "same" (the recurrent convolution's is "same").</summary>
        public string Padding => Own.Padding;

        /// <summary>"channels_last" or "channels_first" (each step [channels, spatial...]).</summary>
        public string DataFormat => Own.DataFormat;

        /// <summary>The input convolution's dilation per spatial axis.</summary>
        public int[] DilationRate => Own.DilationRate;

        /// <summary>The activation of the candidate and of the carry on output (tanh).</summary>
        public ActivationFunction Activation => Own.Activation;

        /// <summary>The activation of the gates i, f and o (sigmoid).</summary>
        public ActivationFunction RecurrentActivation => Own.RecurrentActivation;

        /// <summary>Whether the layer has a bias.</summary>
        public bool UseBias => Own.UseBias;

        /// <summary>How the kernel starts (Glorot uniform).</summary>
        public Initializer KernelInitializer => Own.KernelInitializer;

        /// <summary>How the recurrent kernel starts (orthogonal).</summary>
        public Initializer RecurrentInitializer => Own.RecurrentInitializer;

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer => Own.BiasInitializer;

        /// <summary>Whether the bias starts with ones in the forget-gate block.</summary>
        public bool UnitForgetBias => Own.UnitForgetBias;

        /// <summary>A penalty on the input kernel, added to <see cref="Layer.Losses"/> (Keras' kernel_regularizer).</summary>
        public Regularizers.Regularizer? KernelRegularizer { get => Own.KernelRegularizer; set => Own.KernelRegularizer = value; }

        /// <summary>A penalty on the recurrent kernel (Keras' recurrent_regularizer).</summary>
        public Regularizers.Regularizer? RecurrentRegularizer { get => Own.RecurrentRegularizer; set => Own.RecurrentRegularizer = value; }

        /// <summary>A penalty on the bias (Keras' bias_regularizer).</summary>
        public Regularizers.Regularizer? BiasRegularizer { get => Own.BiasRegularizer; set => Own.BiasRegularizer = value; }

        /// <summary>A projection of the input kernel after each optimizer step (Keras' kernel_constraint), set in an initializer.</summary>
        public Constraints.Constraint? KernelConstraint { get => Own.KernelConstraint; set => Own.KernelConstraint = value; }

        /// <summary>A projection of the recurrent kernel after each optimizer step (Keras' recurrent_constraint).</summary>
        public Constraints.Constraint? RecurrentConstraint { get => Own.RecurrentConstraint; set => Own.RecurrentConstraint = value; }

        /// <summary>A projection of the bias after each optimizer step (Keras' bias_constraint).</summary>
        public Constraints.Constraint? BiasConstraint { get => Own.BiasConstraint; set => Own.BiasConstraint = value; }

        /// <summary>Fraction of the input dropped while training, one mask per sequence.</summary>
        public double Dropout => Own.Dropout;

        /// <summary>Fraction of h dropped before the recurrent convolution while training, one mask per sequence.</summary>
        public double RecurrentDropout => Own.RecurrentDropout;

        /// <summary>The seed of the dropout masks, or null (NF.Random's).</summary>
        public int? Seed => Own.Seed;

        /// <summary>The [k..., channels, 4 * filters] input kernel, once built.</summary>
        public Variable? Kernel => Own.Kernel;

        /// <summary>The [k..., filters, 4 * filters] recurrent kernel, once built.</summary>
        public Variable? RecurrentKernel => Own.RecurrentKernel;

        /// <summary>The [4 * filters] bias, once built (null without bias).</summary>
        public Variable? Bias => Own.Bias;

        /// <summary>
        /// A copy with another name and direction and fresh weights (what Bidirectional runs backwards):
        /// rebuilt from this layer's config, regularizers included, as Keras' Bidirectional does.
        /// </summary>
        internal override RNN Clone(string name, bool goBackwards)
        {
            var entry = KerasSerialization.Serialize(this);
            entry.Remove("build_input_shape");
            var config = entry["config"]!.AsObject();
            config["name"] = name;
            config["go_backwards"] = goBackwards;
            return (RNN)KerasSerialization.Deserialize(entry, $"{Name}'s copy");
        }
    }
}
