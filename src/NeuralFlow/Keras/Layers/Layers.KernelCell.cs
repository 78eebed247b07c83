namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What the built-in cells share (<see cref="RecurrentCell"/>'s SimpleRNN, LSTM and GRU cells, and
    /// <see cref="ConvLSTMCell"/>): Keras' three weights kernel, recurrent_kernel and bias, each with a
    /// regularizer (kernel_regularizer, recurrent_regularizer, bias_regularizer) and a constraint
    /// (kernel_constraint, recurrent_constraint, bias_constraint) under Keras' config keys. The
    /// shapes are each kind's (see the cells).
    /// </summary>
    public abstract class KernelCell : RNNCell
    {
        private protected KernelCell(string? name, Regularizers.Regularizer? kernelRegularizer, Regularizers.Regularizer? recurrentRegularizer,
                                     Regularizers.Regularizer? biasRegularizer)
            : base(name) =>
            (KernelRegularizer, RecurrentRegularizer, BiasRegularizer) = (kernelRegularizer, recurrentRegularizer, biasRegularizer);

        /// <summary>The input kernel, once built.</summary>
        public Variable? Kernel { get; private protected set; }

        /// <summary>The recurrent kernel, once built.</summary>
        public Variable? RecurrentKernel { get; private protected set; }

        /// <summary>The bias, once built (null without bias).</summary>
        public Variable? Bias { get; private protected set; }

        /// <summary>A penalty on the input kernel, added to <see cref="Layer.Losses"/> (Keras' kernel_regularizer).</summary>
        public Regularizers.Regularizer? KernelRegularizer { get; set; }

        /// <summary>A penalty on the recurrent kernel (Keras' recurrent_regularizer).</summary>
        public Regularizers.Regularizer? RecurrentRegularizer { get; set; }

        /// <summary>A penalty on the bias (Keras' bias_regularizer).</summary>
        public Regularizers.Regularizer? BiasRegularizer { get; set; }

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
        [
            new("kernel_regularizer", Kernel, KernelRegularizer, r => KernelRegularizer = r),
            new("recurrent_regularizer", RecurrentKernel, RecurrentRegularizer, r => RecurrentRegularizer = r),
            new("bias_regularizer", Bias, BiasRegularizer, r => BiasRegularizer = r),
        ];

        /// <summary>
        /// A projection of the input kernel after each optimizer step (Keras' kernel_constraint), set in
        /// an initializer: <c>new Layers.LSTMCell(8) { KernelConstraint = new Constraints.MaxNorm(3) }</c>.
        /// </summary>
        public Constraints.Constraint? KernelConstraint { get; set { field = value; SyncConstraints(); } }

        /// <summary>A projection of the recurrent kernel after each optimizer step (Keras' recurrent_constraint).</summary>
        public Constraints.Constraint? RecurrentConstraint { get; set { field = value; SyncConstraints(); } }

        /// <summary>A projection of the bias after each optimizer step (Keras' bias_constraint).</summary>
        public Constraints.Constraint? BiasConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots =>
        [
            new("kernel_constraint", Kernel, KernelConstraint, c => KernelConstraint = c),
            new("recurrent_constraint", RecurrentKernel, RecurrentConstraint, c => RecurrentConstraint = c),
            new("bias_constraint", Bias, BiasConstraint, c => BiasConstraint = c),
        ];
    }
}
