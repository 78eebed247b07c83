namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What <see cref="SimpleRNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> share: an <see cref="RNN"/>
    /// around a cell of their kind (<see cref="RecurrentCell"/>: the weights in Keras' layout, the
    /// dropouts, the step formula), made from the same arguments, as Keras 3's layers make theirs.
    /// The cell takes the layer's name, so the weights are named "lstm/kernel" and so on, and the
    /// layer's config holds the cell's arguments flat (Keras' LSTM config, not RNN's nested one).
    /// Inputs are [batch, timesteps, features]; see <see cref="RNN"/> for masks and states.
    /// </summary>
    public abstract class Recurrent : RNN
    {
        private protected Recurrent(Func<string, RecurrentCell> cellFor, bool returnSequences, bool returnState, bool goBackwards, bool stateful,
                                    string? name, Regularizers.Regularizer? activityRegularizer)
            : base(cellFor, returnSequences, returnState, goBackwards, stateful, name, activityRegularizer) { }

        private RecurrentCell Own => (RecurrentCell)Cell;

        /// <summary>The width of the output and of each state.</summary>
        public int Units => Own.Units;

        /// <summary>The activation of the candidate (and, in an LSTM, of the cell state on output); Keras' default tanh.</summary>
        public ActivationFunction Activation => Own.Activation;

        /// <summary>Whether the layer has a bias.</summary>
        public bool UseBias => Own.UseBias;

        /// <summary>How the kernel starts (Keras' default: Glorot uniform).</summary>
        public Initializer KernelInitializer => Own.KernelInitializer;

        /// <summary>How the recurrent kernel starts (Keras' default: orthogonal).</summary>
        public Initializer RecurrentInitializer => Own.RecurrentInitializer;

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer => Own.BiasInitializer;

        /// <summary>Fraction of the input features dropped while training, one mask per sequence (the same features at every step).</summary>
        public double Dropout => Own.Dropout;

        /// <summary>Fraction of the previous output's units dropped in the recurrent MatMul while training, one mask per sequence.</summary>
        public double RecurrentDropout => Own.RecurrentDropout;

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

        /// <summary>The [features, gates * units] input kernel, once built.</summary>
        public Variable? Kernel => Own.Kernel;

        /// <summary>The [units, gates * units] recurrent kernel, once built.</summary>
        public Variable? RecurrentKernel => Own.RecurrentKernel;

        /// <summary>The bias, once built (null without bias).</summary>
        public Variable? Bias => Own.Bias;

        /// <summary>A copy of this layer's arguments with another name and direction, fresh weights (what Bidirectional runs backwards).</summary>
        internal override RNN Clone(string name, bool goBackwards)
        {
            var copy = CloneArguments(name, goBackwards);
            // The regularizers and constraints too, as Keras' Bidirectional builds its backward layer from the forward one's whole config.
            (copy.KernelRegularizer, copy.RecurrentRegularizer, copy.BiasRegularizer, copy.ActivityRegularizer) =
                (KernelRegularizer, RecurrentRegularizer, BiasRegularizer, ActivityRegularizer);
            (copy.KernelConstraint, copy.RecurrentConstraint, copy.BiasConstraint) = (KernelConstraint, RecurrentConstraint, BiasConstraint);
            copy.ZeroOutputForMask = ZeroOutputForMask;
            return copy;
        }

        /// <summary>A new layer of this kind with this one's constructor arguments but <paramref name="name"/> and <paramref name="goBackwards"/>.</summary>
        private protected abstract Recurrent CloneArguments(string name, bool goBackwards);

        private protected override bool CellIsOwn => true;

        /// <summary>
        /// (batch, timesteps, units) with <see cref="RNN.ReturnSequences"/>, else (batch, units) (Keras'
        /// compute_output_shape), for inputs of (batch, timesteps, features); builds nothing. With
        /// <see cref="RNN.ReturnState"/> the layer returns several tensors: see <see cref="Layer.ComputeOutputShapes"/>.
        /// </summary>
        public override int?[] ComputeOutputShape(int?[] inputShape)
        {
            if (ReturnState) return base.ComputeOutputShape(inputShape);
            var shape = CheckedShape(inputShape, 3, "(batch, timesteps, features)");
            if (shape.Length != 3)
                throw new ArgumentException($"{Name} ({GetType().Name}) needs inputs of shape (batch, timesteps, features), got {KerasTensor.Format(shape)}.", nameof(inputShape));
            return ReturnSequences ? [shape[0], shape[1], Units] : [shape[0], Units];
        }
    }
}
