using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Runs a cell over the time steps of [batch, timesteps, features] inputs (<c>keras.layers.RNN</c>):
    /// a <see cref="RNNCell"/> (a built-in one, a user's, or a list of cells, stacked as
    /// <see cref="StackedRNNCells"/>), starting from zero states or the given initial ones.
    /// <see cref="SimpleRNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> are this layer around their
    /// cells, as in Keras. The loop is ordinary NF ops, so the tape, NF.Function replay (Fit) and every
    /// engine work without kernels of their own. A mask [batch, timesteps] (from Embedding(maskZero),
    /// Masking, or given to Call) skips padded steps as Keras' backend rnn does: a masked step carries
    /// every state over unchanged, and outputs the previous step's output (zeros with
    /// <see cref="ZeroOutputForMask"/>), so post-padding leaves the final state as it was at the last
    /// real step. With <c>stateful</c>, the final states of a call are the next call's initial states,
    /// sample i to sample i (Keras' stateful=True): see <see cref="Stateful"/>.
    /// </summary>
    public partial class RNN : Layer
    {
        /// <summary>An RNN layer running <paramref name="cell"/> (Keras' <c>RNN(cell, ...)</c>).</summary>
        public RNN(RNNCell cell, bool returnSequences = false, bool returnState = false, bool goBackwards = false,
                   bool stateful = false, bool zeroOutputForMask = false, string? name = null)
            : this(_ => cell ?? throw new ArgumentNullException(nameof(cell)), returnSequences, returnState, goBackwards, stateful, name, null) =>
            ZeroOutputForMask = zeroOutputForMask;

        /// <summary>An RNN layer running <paramref name="cells"/> stacked, each reading the one before's output (Keras' <c>RNN([cell, ...])</c>).</summary>
        public RNN(IReadOnlyList<RNNCell> cells, bool returnSequences = false, bool returnState = false, bool goBackwards = false,
                   bool stateful = false, bool zeroOutputForMask = false, string? name = null)
            : this(new StackedRNNCells(cells), returnSequences, returnState, goBackwards, stateful, zeroOutputForMask, name) { }

        /// <summary>The layer around a cell made for it alone (the built-in layers' cells take the layer's name, and so their weights' names).</summary>
        private protected RNN(Func<string, RNNCell> cellFor, bool returnSequences, bool returnState, bool goBackwards, bool stateful,
                              string? name, Regularizers.Regularizer? activityRegularizer)
            : base(name, activityRegularizer)
        {
            Cell = cellFor(Name);
            ReturnSequences = returnSequences;
            ReturnState = returnState;
            GoBackwards = goBackwards;
            Stateful = stateful;
        }

        /// <summary>The cell run at each step (Keras' <c>layer.cell</c>).</summary>
        public RNNCell Cell { get; }

        /// <summary>True: the output of every step [batch, timesteps, output size]; false: the last one.</summary>
        public bool ReturnSequences { get; }

        /// <summary>True: the layer also returns its final states, through <see cref="CallWithStates(Tensor, IReadOnlyList{Tensor}?, Tensor?)"/>.</summary>
        public bool ReturnState { get; }

        /// <summary>True: the steps are processed last to first, and a returned sequence is in that (reversed) order, as Keras'.</summary>
        public bool GoBackwards { get; }

        /// <summary>
        /// What a masked step outputs (Keras' zero_output_for_mask): false (Keras' default), the
        /// previous step's output; true, zeros. Bidirectional sets it to returnSequences on its two
        /// layers, as Keras does. States carry over through masked steps either way.
        /// </summary>
        public bool ZeroOutputForMask { get; set; }

        /// <summary>How many state tensors the layer carries (an LSTM's h and c; h alone for SimpleRNN and GRU).</summary>
        public int StateCount => Cell.StateSize.Count;

        /// <summary>The width of each step's output (the cell's <see cref="RNNCell.OutputSize"/>).</summary>
        public int OutputSize => Cell.OutputSize;

        /// <inheritdoc/>
        public override bool SupportsMasking => true;

        /// <summary>The input's mask with returnSequences (each output step is the input step's), none without (Keras' RNN.compute_mask).</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            AddCellConfig(c);
            c["return_sequences"] = ReturnSequences;
            c["return_state"] = ReturnState;
            c["go_backwards"] = GoBackwards;
            c["stateful"] = Stateful;
            c["zero_output_for_mask"] = ZeroOutputForMask;
            c["unroll"] = false;
            return c;
        }

        /// <summary>
        /// Whether the cell is the layer's own, made from the layer's arguments (LSTM's, ConvLSTM2D's):
        /// it takes the layer's weight dtype, and the layer's config holds the cell's arguments flat
        /// (Keras' LSTM and ConvLSTM configs), not RNN's nested cell.
        /// </summary>
        private protected virtual bool CellIsOwn => false;

        /// <summary>The cell's part of the config: Keras 3's nested { "cell": { "class_name", "config" } }, or an own cell's arguments at the top level.</summary>
        private void AddCellConfig(JsonObject c)
        {
            if (!CellIsOwn)
            {
                c["cell"] = KerasSerialization.Serialize(Cell);
                return;
            }
            foreach (var (key, value) in Cell.GetConfig())
                if (key is not ("name" or "trainable" or "dtype")) c[key] = value?.DeepClone();
        }

        /// <summary>
        /// A copy of this layer's arguments with another name and direction and fresh weights (what
        /// Bidirectional runs backwards): the cell is rebuilt from its config, so a user's cell must be
        /// registered (KerasSerialization.Register), as Keras' Bidirectional rebuilds it from_config.
        /// </summary>
        internal virtual RNN Clone(string name, bool goBackwards)
        {
            var cell = (RNNCell)KerasSerialization.Deserialize(KerasSerialization.Serialize(Cell), $"{Name}'s cell");
            return new RNN(cell, ReturnSequences, ReturnState, goBackwards, Stateful, ZeroOutputForMask, name) { ActivityRegularizer = ActivityRegularizer };
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            CheckRank(inputShape);
            // An own cell's weights take the layer's type (Keras' dtype argument).
            if (CellIsOwn && !Cell.Built) Cell.VariableDType = VariableDType;
            // The cell is built for one step: the input without its time axis.
            Cell.EnsureBuilt(new Shape([inputShape[0], .. inputShape.ToArray()[2..]]));
        }

        /// <summary>How the layer's inputs are laid out, for errors: [batch, timesteps, features], or a convolutional layer's.</summary>
        private protected virtual string InputLayout => "[batch, timesteps, features]";

        private void CheckRank(Shape shape)
        {
            if (shape.Rank != Cell.StepRank + 1)
                throw new ArgumentException($"{Name}: {GetType().Name} needs inputs {InputLayout}, got shape {shape} (rank {shape.Rank}).", "x");
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
        /// (one [batch, size] tensor per state) replaces the zeros (or a stateful layer's kept states)
        /// the loop otherwise starts from. <paramref name="mask"/> ([batch, timesteps], Keras' mask=)
        /// skips padded steps; without it, the mask x carries (from Embedding(maskZero) or Masking), if any.
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

        // Call(x, initialState) returns the output alone: refused for a returnState layer, as its states would be lost.
        private void RefuseInitialStateCall(object initialState)
        {
            if (ReturnState)
                throw new InvalidOperationException(
                    $"{Name}: a {GetType().Name} made with returnState: true returns its output and {StateCount} state(s): call CallWithStates(x, initialState).");
            ArgumentNullException.ThrowIfNull(initialState);
        }

        /// <summary>
        /// Runs the layer from <paramref name="initialState"/> (one [batch, size] tensor per state, e.g.
        /// another layer's <see cref="States"/>) and returns the output, as Keras'
        /// <c>new_lstm_layer(x, initial_state=existing_state)</c>; with <c>returnState: true</c> call
        /// <see cref="CallWithStates(Tensor, IReadOnlyList{Tensor}?, Tensor?)"/>.
        /// </summary>
        public Tensor Call(Tensor x, IReadOnlyList<Tensor> initialState)
        {
            RefuseInitialStateCall(initialState);
            return CallWithStates(x, initialState)[0];
        }

        /// <summary>
        /// Calls the layer on a symbolic tensor starting from <paramref name="initialState"/> (symbolic
        /// [batch, size] tensors, e.g. an encoder's states), as Keras' <c>layer(x, initial_state=[h, c])</c>;
        /// returns the output. A layer made with <c>returnState: true</c> returns its states too: call
        /// <see cref="CallWithStates(KerasTensor, IReadOnlyList{KerasTensor}?)"/>.
        /// </summary>
        public KerasTensor Call(KerasTensor x, IReadOnlyList<KerasTensor> initialState)
        {
            RefuseInitialStateCall(initialState);
            return CallWithInitialState(x, initialState)[0];
        }

        /// <summary>
        /// Calls a layer made with <c>returnState: true</c> on a symbolic tensor and returns
        /// [output, final states...] (an LSTM's h and c), as Keras' <c>output, h, c = lstm(x, initial_state=...)</c>
        /// in the functional API; <paramref name="initialState"/>, when given, holds symbolic [batch, size] states to start from.
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
    }
}
