using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// What <see cref="SimpleRNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> share (Keras 3's
    /// <c>RNN</c> layer around its cell): the weights in Keras' layout (kernel [features, k * units],
    /// recurrent_kernel [units, k * units], bias [k * units], the k gate blocks side by side), the
    /// loop over the time steps, dropout masks, and return_sequences / return_state / go_backwards.
    /// Inputs are [batch, timesteps, features]. The input projection of every step is one MatMul
    /// of x reshaped to [batch * timesteps, features]; only the recurrent MatMul runs per step.
    /// The whole loop is ordinary NF ops, so the tape, NF.Function replay (Fit) and every engine
    /// work without kernels of their own. A mask [batch, timesteps] (from Embedding(maskZero),
    /// Masking, or given to Call) skips padded steps as Keras' backend rnn does: a masked step
    /// carries every state over unchanged, and outputs the previous step's output (zeros with
    /// <see cref="ZeroOutputForMask"/>), so post-padding leaves the final state as it was at the
    /// last real step. Masked and unmasked rows are picked by NF.Where, so Fit's replay recomputes them.
    /// </summary>
    public abstract class Recurrent : Layer
    {
        private protected Recurrent(int units, int gates, ActivationFunction? activation, bool useBias,
                                    Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
                                    double dropout, double recurrentDropout, bool returnSequences, bool returnState, bool goBackwards, string? name,
                                    Regularizers.Regularizer? kernelRegularizer, Regularizers.Regularizer? recurrentRegularizer, Regularizers.Regularizer? biasRegularizer, Regularizers.Regularizer? activityRegularizer)
            : base(name, activityRegularizer)
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
            ReturnSequences = returnSequences;
            ReturnState = returnState;
            GoBackwards = goBackwards;
            (KernelRegularizer, RecurrentRegularizer, BiasRegularizer) = (kernelRegularizer, recurrentRegularizer, biasRegularizer);
        }

        private static double Rate(string kind, string name, double rate) => rate is >= 0 and < 1 ? rate
            : throw new ArgumentOutOfRangeException(name, rate, $"{kind}: {name} must be in [0, 1) (the fraction of units dropped while training).");

        /// <summary>The width of the output and of each state.</summary>
        public int Units { get; }

        /// <summary>How many blocks of <see cref="Units"/> columns the kernels hold (1 SimpleRNN, 4 LSTM, 3 GRU).</summary>
        private protected int Gates { get; }

        /// <summary>The activation of the candidate (and, in an LSTM, of the cell state on output); Keras' default tanh (null means tanh; "linear" for none).</summary>
        public ActivationFunction Activation { get; }

        /// <summary>Whether the layer has a bias.</summary>
        public bool UseBias { get; }

        /// <summary>How the kernel starts (Keras' default: Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the recurrent kernel starts (Keras' default: orthogonal).</summary>
        public Initializer RecurrentInitializer { get; }

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>Fraction of the input features dropped while training, one mask per sequence (the same features at every step).</summary>
        public double Dropout { get; }

        /// <summary>Fraction of the previous output's units dropped in the recurrent MatMul while training, one mask per sequence.</summary>
        public double RecurrentDropout { get; }

        /// <summary>True: the output of every step [batch, timesteps, units]; false: the last one [batch, units].</summary>
        public bool ReturnSequences { get; }

        /// <summary>
        /// What a masked step outputs (Keras' zero_output_for_mask): false (Keras' default), the
        /// previous step's output; true, zeros. Bidirectional sets it to returnSequences on its two
        /// layers, as Keras does. States carry over through masked steps either way.
        /// </summary>
        public bool ZeroOutputForMask { get; set; }

        /// <inheritdoc/>
        public override bool SupportsMasking => true;

        /// <summary>The input's mask with returnSequences (each output step is the input step's), none without (Keras' RNN.compute_mask).</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

        /// <summary>True: the layer also returns its final states, through <see cref="CallWithStates(Tensor, IReadOnlyList{Tensor}?, Tensor?)"/>.</summary>
        public bool ReturnState { get; }

        /// <summary>True: the steps are processed last to first, and a returned sequence is in that (reversed) order, as Keras'.</summary>
        public bool GoBackwards { get; }

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

        /// <summary>The [features, gates * units] input kernel, once built.</summary>
        public Variable? Kernel { get; private set; }

        /// <summary>The [units, gates * units] recurrent kernel, once built.</summary>
        public Variable? RecurrentKernel { get; private set; }

        /// <summary>The bias, once built (null without bias).</summary>
        public Variable? Bias { get; private set; }

        /// <summary>How many state tensors the layer carries (an LSTM's h and c; h alone otherwise).</summary>
        public virtual int StateCount => 1;

        /// <summary>The bias's shape (GRU's reset_after keeps two rows, one per kernel).</summary>
        private protected virtual Shape BiasShape => [Gates * Units];

        /// <summary>The bias's starting value (LSTM's unit_forget_bias puts ones in the forget block).</summary>
        private protected virtual Tensor InitialBias(Shape shape) => BiasInitializer.Create(shape, shape[0], shape[-1]);

        /// <summary>The bias added to the input projection once for all steps (all of it, or GRU reset_after's first row).</summary>
        private protected virtual Tensor? InputBias(Variable? bias) => bias;

        /// <summary>A copy of this layer's arguments with another name and direction, fresh weights (what Bidirectional runs backwards).</summary>
        internal Recurrent Clone(string name, bool goBackwards)
        {
            var copy = CloneArguments(name, goBackwards);
            // The regularizers too, as Keras' Bidirectional builds its backward layer from the forward one's whole config.
            (copy.KernelRegularizer, copy.RecurrentRegularizer, copy.BiasRegularizer, copy.ActivityRegularizer) =
                (KernelRegularizer, RecurrentRegularizer, BiasRegularizer, ActivityRegularizer);
            return copy;
        }

        /// <summary>A new layer of this kind with this one's constructor arguments but <paramref name="name"/> and <paramref name="goBackwards"/>.</summary>
        private protected abstract Recurrent CloneArguments(string name, bool goBackwards);

        /// <summary>
        /// One step: the states after reading step t, whose input projection
        /// (x_t @ kernel + input bias) is <paramref name="projected"/> [batch, gates * units];
        /// <paramref name="hForRecurrent"/> is the previous output with the recurrent dropout mask
        /// applied (what multiplies the recurrent kernel). The first state returned is the step's output.
        /// </summary>
        private protected abstract Tensor[] Step(Tensor projected, Tensor hForRecurrent, Tensor[] states, object? perCall);

        /// <summary>What a call computes once before its loop and every step reads (GRU's parts of the recurrent kernel and bias), or null.</summary>
        private protected virtual object? BeginSequence() => null;

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
            c["return_sequences"] = ReturnSequences;
            c["return_state"] = ReturnState;
            c["go_backwards"] = GoBackwards;
            c["stateful"] = false;
            c["zero_output_for_mask"] = ZeroOutputForMask;
            c["unroll"] = false;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            CheckRank(inputShape);
            int features = inputShape[2];
            Kernel = AddWeight("kernel", [features, Gates * Units], KernelInitializer);
            RecurrentKernel = AddWeight("recurrent_kernel", [Units, Gates * Units], RecurrentInitializer);
            if (UseBias) Bias = AddWeight("bias", BiasShape, new Initializer(BiasInitializer.Name, (s, _, _) => InitialBias(s)));
        }

        private void CheckRank(Shape shape)
        {
            if (shape.Rank != 3)
                throw new ArgumentException($"{Name}: {GetType().Name} needs inputs [batch, timesteps, features], got shape {shape} (rank {shape.Rank}).", "x");
            if (shape[1] == 0)
                throw new ArgumentException($"{Name}: {GetType().Name} needs at least one timestep, got shape {shape}.", "x");
        }

        /// <summary>
        /// The output (the last step's, or every step's with <see cref="ReturnSequences"/>). A layer
        /// made with <c>returnState: true</c> returns more than one tensor: call <see cref="CallWithStates(Tensor, IReadOnlyList{Tensor}?, Tensor?)"/>.
        /// </summary>
        public override Tensor Call(Tensor x)
        {
            if (ReturnState)
                throw new InvalidOperationException(
                    $"{Name}: a {GetType().Name} made with returnState: true returns its output and {StateCount} state(s), which one tensor cannot hold: " +
                    "call CallWithStates(x) for [output, states...] (Keras' output, *states = layer(x)); on symbolic tensors of the functional API too. " +
                    "A Sequential model carries one tensor from layer to layer: use a functional or subclassed model.");
            return base.Call(x);
        }

        /// <summary>
        /// Runs the layer and returns [output, final states...] (h, or an LSTM's h and c), as Keras'
        /// <c>layer(x, initial_state=...)</c> with return_state; <paramref name="initialState"/>
        /// (one [batch, units] tensor per state) replaces the zeros the loop otherwise starts from.
        /// <paramref name="mask"/> ([batch, timesteps], Keras' mask=) skips padded steps; without it,
        /// the mask x carries (from Embedding(maskZero) or Masking), if any.
        /// </summary>
        public IReadOnlyList<Tensor> CallWithStates(Tensor x, IReadOnlyList<Tensor>? initialState = null, Tensor? mask = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            EnsureBuilt(x.Shape);
            var given = mask is null ? InputMask(x) : CheckedMask(x, mask, Name);
            var result = Run(x, initialState, given);
            if (ComputeMask(x, given) is { } outputMask) SetMask(result[0], outputMask);
            OutputShape = result[0].Shape;
            // As Layer.Call records it: Bidirectional and return_state calls come here, and their activity penalty must count too.
            if (ActivityRegularizer is not null) RecordActivity(result[0]);
            return result;
        }

        /// <summary>
        /// Calls the layer on a symbolic tensor starting from <paramref name="initialState"/> (symbolic
        /// [batch, units] tensors, e.g. an encoder's states), as Keras' <c>layer(x, initial_state=[h, c])</c>;
        /// returns the output. A layer made with <c>returnState: true</c> returns its states too: call
        /// <see cref="CallWithStates(KerasTensor, IReadOnlyList{KerasTensor}?)"/>.
        /// </summary>
        public KerasTensor Call(KerasTensor x, IReadOnlyList<KerasTensor> initialState)
        {
            if (ReturnState)
                throw new InvalidOperationException(
                    $"{Name}: a {GetType().Name} made with returnState: true returns its output and {StateCount} state(s): call CallWithStates(x, initialState).");
            ArgumentNullException.ThrowIfNull(initialState);
            return CallWithInitialState(x, initialState)[0];
        }

        /// <summary>
        /// Calls a layer made with <c>returnState: true</c> on a symbolic tensor and returns
        /// [output, final states...] (an LSTM's h and c), as Keras' <c>output, h, c = lstm(x, initial_state=...)</c>
        /// in the functional API; <paramref name="initialState"/>, when given, holds symbolic [batch, units] states to start from.
        /// </summary>
        public IReadOnlyList<KerasTensor> CallWithStates(KerasTensor x, IReadOnlyList<KerasTensor>? initialState = null)
        {
            if (!ReturnState)
                throw new InvalidOperationException(
                    $"{Name}: a {GetType().Name} made with returnState: false returns only its output in a functional graph (as in Keras); " +
                    "make it with returnState: true to get its states (Keras' return_state=True), or call Call(x, initialState).");
            return CallWithInitialState(x, initialState);
        }

        private IReadOnlyList<KerasTensor> CallWithInitialState(KerasTensor x, IReadOnlyList<KerasTensor>? initialState)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (initialState is null) return CallOutputs(x);
            if (initialState.Count != StateCount)
                throw new ArgumentException($"{Name}: a {GetType().Name} has {StateCount} state(s), but initialState holds {initialState.Count}.", nameof(initialState));
            if (initialState.Any(s => s is null)) throw new ArgumentNullException(nameof(initialState), $"{Name}: an initial state is null.");
            return CallSymbolic([x, .. initialState], InitialStateArgs(initialState.Count));
        }

        internal override IReadOnlyList<Tensor> CallNode(Tensor[] inputs, CallArgs args)
        {
            var all = CallWithStates(OneInput(this, inputs, args), args.Named(inputs, InitialState) is { Length: > 0 } states ? states : null);
            return ReturnState ? all : [all[0]];
        }

        // Keras' call keyword of an RNN's starting states.
        internal const string InitialState = "initial_state";

        internal static CallArgs InitialStateArgs(int count) => new(listCall: false, Enumerable.Repeat(InitialState, count).ToArray());

        // The one positional input of an RNN (or its wrapper) call, with nothing else but initial states.
        internal static Tensor OneInput(Layer layer, Tensor[] inputs, CallArgs args)
        {
            var positional = args.Positional(inputs);
            if (positional.Length != 1 || args.Keywords.Any(k => k != InitialState) || args.Options.Count != 0)
                throw new ArgumentException($"{layer.Name} ({layer.GetType().Name}) takes one input and, as keywords, only initial_state.", nameof(inputs));
            return positional[0];
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => Run(x, null, null)[0];

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x, Tensor? mask) => Run(x, null, mask)[0];

        private Tensor[] Run(Tensor x, IReadOnlyList<Tensor>? initialState, Tensor? mask)
        {
            CheckRank(x.Shape);
            if (mask is not null && (mask.Rank != 2 || mask.Shape[0] != x.Shape[0] || mask.Shape[1] != x.Shape[1]))
                throw new ArgumentException($"{Name}: a {GetType().Name} needs a mask [batch, timesteps] = ({x.Shape[0]}, {x.Shape[1]}), got shape {mask.Shape}.", nameof(mask));
            int features = Kernel!.Shape[0];
            if (x.Shape[2] != features)
                throw new ArgumentException($"{Name}: was built for {features} features per step, got inputs of shape {x.Shape}.", nameof(x));
            int batch = x.Shape[0], steps = x.Shape[1];
            var input = x.DType == Kernel.DType ? x : NF.Cast(x, Kernel.DType);
            bool training = IsTraining;
            if (training && Dropout > 0) input = input * NF.ExpandDims(DropoutMask([batch, features], Dropout, input.DType), 1);
            var states = StartStates(initialState, batch, input);
            var recurrentMask = training && RecurrentDropout > 0 ? DropoutMask([batch, Units], RecurrentDropout, input.DType) : null;

            // Time-major, so each step's rows are one contiguous block: [steps * batch, features] @ kernel.
            var timeMajor = NF.Reshape(NF.Transpose(input, [1, 0, 2]), [steps * batch, features]);
            var projected = NF.MatMul(timeMajor, Kernel);
            if (InputBias(Bias) is { } inputBias) projected = projected + inputBias;
            var perStep = Unstack(NF.Reshape(projected, [steps, batch, Gates * Units]));
            var perCall = BeginSequence();

            // Each step's mask as [batch, 1], to pick whole rows of a [batch, units] state.
            var stepMasks = mask is null ? null : Unstack(NF.Transpose(NF.ExpandDims(CheckedMask(x, mask, Name), 2), [1, 0, 2]));
            var outputs = ReturnSequences ? new Tensor[steps] : null;
            // Keras' backend rnn starts the "previous output" of a masked step at zeros, not at the initial state.
            var previous = stepMasks is null ? null : NF.Fill([batch, Units], 0, input.DType, input.Backend);
            Tensor lastOutput = states[0];
            for (int i = 0; i < steps; i++)
            {
                int t = GoBackwards ? steps - 1 - i : i;
                var h = states[0];
                var next = Step(perStep[t], recurrentMask is null ? h : h * recurrentMask, states, perCall);
                var output = next[0];
                if (stepMasks is not null)
                {
                    var real = stepMasks[t];
                    output = ZeroOutputForMask ? NF.Where(real, output, 0) : NF.Where(real, output, previous!);
                    for (int s = 0; s < next.Length; s++) next[s] = NF.Where(real, next[s], states[s]);
                    previous = output;
                }
                states = next;
                if (outputs is not null) outputs[i] = output;
                lastOutput = output;
            }
            var result = outputs is null ? lastOutput : NF.Stack(outputs, 1);
            return [result, .. states];
        }

        private Tensor[] StartStates(IReadOnlyList<Tensor>? initialState, int batch, Tensor like)
        {
            if (initialState is null)
                return Enumerable.Range(0, StateCount).Select(_ => NF.Fill([batch, Units], 0, like.DType, like.Backend)).ToArray();
            if (initialState.Count != StateCount)
                throw new ArgumentException($"{Name}: a {GetType().Name} has {StateCount} state(s), but initialState holds {initialState.Count}.", nameof(initialState));
            var states = new Tensor[StateCount];
            for (int i = 0; i < states.Length; i++)
            {
                var s = initialState[i] ?? throw new ArgumentNullException(nameof(initialState), $"{Name}: initial state {i} is null.");
                if (s.Shape != new Shape(batch, Units))
                    throw new ArgumentException($"{Name}: initial state {i} must be [batch, units] = ({batch}, {Units}), got shape {s.Shape}.", nameof(initialState));
                states[i] = s.DType == like.DType ? s : NF.Cast(s, like.DType);
            }
            return states;
        }

        // Keras' dropout mask of an RNN: drawn once per call and used at every step, kept units scaled by 1 / (1 - rate).
        private static Tensor DropoutMask(Shape shape, double rate, DType dtype) =>
            NF.Cast(NF.GreaterEqual(NF.Random.Uniform(shape), rate), dtype) / (1 - rate);

        /// <summary>
        /// The [batch, width] blocks of a [steps, batch, width] tensor, as views. Split in halves,
        /// recursively: a slice's gradient is zeros of its parent's shape with the slice's part
        /// written in, so T slices of the whole would cost T full-size tensors in the backward
        /// pass; halving costs two per level, log2(T) levels.
        /// </summary>
        private static Tensor[] Unstack(Tensor x)
        {
            var pieces = new Tensor[x.Shape[0]];
            Fill(x, 0);
            return pieces;

            void Fill(Tensor part, int first)
            {
                int n = part.Shape[0];
                if (n == 1)
                {
                    pieces[first] = NF.Reshape(part, [part.Shape[1], part.Shape[2]]);
                    return;
                }
                var halves = NF.Split(part, [n / 2, n - n / 2], 0);
                Fill(halves[0], first);
                Fill(halves[1], first + n / 2);
            }
        }
    }
}
