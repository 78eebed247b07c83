using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What <see cref="SimpleRNNCell"/>, <see cref="LSTMCell"/> and <see cref="GRUCell"/> share: the
    /// weights in Keras' layout (kernel [features, k * units], recurrent_kernel [units, k * units],
    /// bias [k * units], the k gate blocks side by side), the dropout masks, and the input
    /// projection x_t @ kernel + bias that feeds each kind's step formula (<see cref="Step"/>, written
    /// once: the layers <see cref="SimpleRNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> run these
    /// cells). Over a sequence, the projection of every step is one MatMul of x reshaped to
    /// [timesteps * batch, features]; only the recurrent MatMul runs per step. Dropout follows Keras'
    /// DropoutRNNCell: one mask per sequence in an RNN (the same features at every step), a fresh one
    /// per call of a cell on its own, kept units scaled by 1 / (1 - rate), only while training.
    /// </summary>
    public abstract class RecurrentCell : KernelCell
    {
        private protected RecurrentCell(int units, int gates, ActivationFunction? activation, bool useBias,
                                        Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
                                        double dropout, double recurrentDropout, string? name,
                                        Regularizers.Regularizer? kernelRegularizer, Regularizers.Regularizer? recurrentRegularizer, Regularizers.Regularizer? biasRegularizer)
            : base(name, kernelRegularizer, recurrentRegularizer, biasRegularizer)
        {
            string kind = GetType().Name;
            Units = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), units, $"{kind}: units must be positive.");
            Gates = gates;
            Activation = activation ?? "tanh";
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            RecurrentInitializer = recurrentInitializer ?? Initializer.Orthogonal;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
            Dropout = Rate(kind, nameof(dropout), dropout);
            RecurrentDropout = Rate(kind, nameof(recurrentDropout), recurrentDropout);
        }

        internal static double Rate(string kind, string name, double rate) => rate is >= 0 and < 1 ? rate
            : throw new ArgumentOutOfRangeException(name, rate, $"{kind}: {name} must be in [0, 1) (the fraction of units dropped while training).");

        /// <summary>The width of the output and of each state.</summary>
        public int Units { get; }

        /// <summary>How many blocks of <see cref="Units"/> columns the kernels hold (1 SimpleRNN, 4 LSTM, 3 GRU).</summary>
        private protected int Gates { get; }

        /// <summary>The activation of the candidate (and, in an LSTM, of the cell state on output); Keras' default tanh (null means tanh; "linear" for none).</summary>
        public ActivationFunction Activation { get; }

        /// <summary>Whether the cell has a bias.</summary>
        public bool UseBias { get; }

        /// <summary>How the kernel starts (Keras' default: Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the recurrent kernel starts (Keras' default: orthogonal).</summary>
        public Initializer RecurrentInitializer { get; }

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>Fraction of the input features dropped while training (one mask per sequence in an RNN).</summary>
        public double Dropout { get; }

        /// <summary>Fraction of the previous output's units dropped in the recurrent MatMul while training (one mask per sequence in an RNN).</summary>
        public double RecurrentDropout { get; }

        /// <inheritdoc/>
        public override IReadOnlyList<int> StateSize => [Units];

        internal override DType StateDType => Kernel?.DType ?? VariableDType;

        /// <summary>The bias's shape (GRU's reset_after keeps two rows, one per kernel).</summary>
        private protected virtual Shape BiasShape => [Gates * Units];

        /// <summary>The bias's starting value (LSTM's unit_forget_bias puts ones in the forget block).</summary>
        private protected virtual Tensor InitialBias(Shape shape) => BiasInitializer.Create(shape, shape[0], shape[-1]);

        /// <summary>The bias added to the input projection (all of it, or GRU reset_after's first row).</summary>
        private protected virtual Tensor? InputBias(Variable? bias) => bias;

        /// <summary>
        /// One step of this kind's formula: the states after reading a step whose input projection
        /// (x_t @ kernel + input bias) is <paramref name="projected"/> [batch, gates * units];
        /// <paramref name="hForRecurrent"/> is the previous output with the recurrent dropout mask
        /// applied (what multiplies the recurrent kernel). The first state returned is the step's output.
        /// </summary>
        private protected abstract Tensor[] Step(Tensor projected, Tensor hForRecurrent, Tensor[] states, object? perCall);

        /// <summary>What a call computes once before its steps and every step reads (GRU's parts of the recurrent kernel and bias), or null.</summary>
        private protected virtual object? BeginSteps() => null;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["units"] = Units;
            c["activation"] = ConfigName(Activation);
            c["use_bias"] = UseBias;
            c["kernel_initializer"] = KernelInitializer.ToConfig();
            c["recurrent_initializer"] = RecurrentInitializer.ToConfig();
            c["bias_initializer"] = BiasInitializer.ToConfig();
            c["dropout"] = Dropout;
            c["recurrent_dropout"] = RecurrentDropout;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            int features = inputShape[-1];
            Kernel = AddWeight("kernel", [features, Gates * Units], KernelInitializer);
            RecurrentKernel = AddWeight("recurrent_kernel", [Units, Gates * Units], RecurrentInitializer);
            if (UseBias) Bias = AddWeight("bias", BiasShape, new Initializer(BiasInitializer.Name, (s, _, _) => InitialBias(s)));
        }

        /// <inheritdoc/>
        protected override (Tensor Output, Tensor[] States) Forward(Tensor input, IReadOnlyList<Tensor> states) =>
            BeginSteps(input.Shape[0])(input, [.. states]);

        // One input at a time (a cell called on its own, or inside a stack): x_t @ kernel per step, the dropout masks drawn once.
        internal override Func<Tensor, Tensor[], (Tensor Output, Tensor[] States)> BeginSteps(int batch)
        {
            var (inputMask, recurrentMask) = DropoutMasks(batch);
            var perCall = BeginSteps();
            return (x, states) =>
            {
                var input = Projectable(x, x.Shape);
                if (inputMask is not null) input = input * inputMask;
                var projected = NF.MatMul(input, Kernel!);
                if (InputBias(Bias) is { } inputBias) projected = projected + inputBias;
                return Next(projected, states, recurrentMask, perCall);
            };
        }

        // A whole sequence: the input projection of every step in one MatMul, then the steps.
        internal override Func<int, Tensor[], (Tensor Output, Tensor[] States)> BeginSequence(Tensor x)
        {
            int batch = x.Shape[0], steps = x.Shape[1], features = Kernel!.Shape[0];
            var input = Projectable(x, x.Shape);
            var (inputMask, recurrentMask) = DropoutMasks(batch);
            if (inputMask is not null) input = input * NF.ExpandDims(inputMask, 1);
            // Time-major, so each step's rows are one contiguous block: [steps * batch, features] @ kernel.
            var timeMajor = NF.Reshape(NF.Transpose(input, [1, 0, 2]), [steps * batch, features]);
            var projected = NF.MatMul(timeMajor, Kernel);
            if (InputBias(Bias) is { } inputBias) projected = projected + inputBias;
            var perStep = Unstack(NF.Reshape(projected, [steps, batch, Gates * Units]));
            var perCall = BeginSteps();
            return (t, states) => Next(perStep[t], states, recurrentMask, perCall);
        }

        private (Tensor Output, Tensor[] States) Next(Tensor projected, Tensor[] states, Tensor? recurrentMask, object? perCall)
        {
            var h = states[0];
            var next = Step(projected, recurrentMask is null ? h : h * recurrentMask, states, perCall);
            return (next[0], next);
        }

        // The input checked against the kernel's features and cast to its type.
        private Tensor Projectable(Tensor x, Shape shape)
        {
            int features = Kernel!.Shape[0];
            if (shape[-1] != features)
                throw new ArgumentException($"{Name}: was built for {features} features per step, got inputs of shape {shape}.", nameof(x));
            return x.DType == Kernel.DType ? x : NF.Cast(x, Kernel.DType);
        }

        // The input and recurrent dropout masks of one call ([batch, features] and [batch, units]), while training and only for a rate.
        private (Tensor? Input, Tensor? Recurrent) DropoutMasks(int batch)
        {
            if (!IsTraining) return (null, null);
            var dtype = Kernel!.DType;
            return (Dropout > 0 ? DropoutMask([batch, Kernel.Shape[0]], Dropout, dtype) : null,
                    RecurrentDropout > 0 ? DropoutMask([batch, Units], RecurrentDropout, dtype) : null);
        }

        // Keras' dropout mask of an RNN: drawn once per sequence and used at every step, kept units scaled by 1 / (1 - rate)
        // (from a seeded cell's own stream, or NF.Random's).
        internal static Tensor DropoutMask(Shape shape, double rate, DType dtype, RandomStream? stream = null) =>
            NF.Cast(NF.GreaterEqual(NF.Random.Uniform(shape, 0, 1, DType.Float32, stream), rate), dtype) / (1 - rate);
    }
}
