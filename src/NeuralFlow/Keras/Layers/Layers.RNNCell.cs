namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// One step of a recurrent network (Keras 3's cell protocol, <c>keras.layers.*Cell</c>): given one
    /// step's input [batch, features] and the states [batch, size] for each entry of
    /// <see cref="StateSize"/>, it returns the step's output [batch, <see cref="OutputSize"/>] and the new
    /// states. <see cref="RNN"/> runs a cell over a sequence. A user cell derives from this class,
    /// creates its weights in <c>Build(inputShape)</c> (inputShape = [batch, features]) with
    /// <c>AddWeight</c>, and computes the step in <see cref="Forward(Tensor, IReadOnlyList{Tensor})"/>,
    /// as the Keras guide's <c>MinimalRNNCell</c> does in <c>build</c> and <c>call</c>.
    /// </summary>
    public abstract class RNNCell : Layer
    {
        /// <summary>A cell named <paramref name="name"/>, or after its type.</summary>
        protected RNNCell(string? name = null) : base(name) { }

        /// <summary>The width of each state, in the order the states are passed (Keras' <c>state_size</c>).</summary>
        public abstract IReadOnlyList<int> StateSize { get; }

        /// <summary>The width of each step's output (Keras' <c>output_size</c>); the first state's by default.</summary>
        public virtual int OutputSize => StateSize[0];

        /// <summary>
        /// Runs one step (Keras' <c>cell(inputs, states)</c>), building the weights on the first call:
        /// <paramref name="input"/> [batch, features], one [batch, size] tensor per <see cref="StateSize"/>
        /// entry; returns the output and the new states.
        /// </summary>
        public (Tensor Output, Tensor[] States) Call(Tensor input, IReadOnlyList<Tensor> states)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(states);
            if (input.Rank != StepRank)
                throw new ArgumentException($"{Name}: a {GetType().Name} takes one step's input {StepLayout}, got shape {input.Shape}; a sequence goes through Layers.RNN.", nameof(input));
            CheckStates(states, input.Shape[0], nameof(states));
            EnsureBuilt(input.Shape);
            return Checked(Forward(input, [.. states]), input.Shape[0]);
        }

        /// <summary>Zeros for every state, [batchSize, size] each (a convolutional cell's [batchSize, spatial..., filters]; Keras' <c>get_initial_state</c>).</summary>
        public Tensor[] GetInitialState(int batchSize, DType? dtype = null) =>
            StateSize.Select((_, i) => NF.Zeros(StateShape(batchSize, i), dtype ?? StateDType)).ToArray();

        /// <summary>The rank of one step's input, batch included: 2 ([batch, features]); a convolutional cell's rank + 2.</summary>
        internal virtual int StepRank => 2;

        /// <summary>How one step's input is laid out, for errors.</summary>
        internal virtual string StepLayout => "[batch, features]";

        /// <summary>
        /// The shape of state <paramref name="index"/> for <paramref name="batch"/> samples:
        /// [batch, size]; a convolutional cell's states are feature maps, whose spatial size its build fixed.
        /// </summary>
        internal virtual Shape StateShape(int batch, int index) => new(batch, StateSize[index]);

        /// <summary>State <paramref name="index"/>'s shape in words, for errors: "[batch, size] = (2, 3)" (<paramref name="width"/> names the size).</summary>
        internal string DescribeState(int batch, int index, string width) => StepRank == 2
            ? $"[batch, {width}] = ({batch}, {StateSize[index]})"
            : $"[batch, spatial..., filters] = {StateShape(batch, index)}";

        /// <summary>The shape of one step's output for <paramref name="batch"/> samples: [batch, <see cref="OutputSize"/>], or a convolutional cell's feature map.</summary>
        internal virtual Shape StepOutputShape(int batch) => new(batch, OutputSize);

        /// <summary>
        /// The step: the output and the new states (as many as <see cref="StateSize"/>, each [batch, size]).
        /// The weights exist (built from the input's shape); the states have been checked.
        /// </summary>
        protected abstract (Tensor Output, Tensor[] States) Forward(Tensor input, IReadOnlyList<Tensor> states);

        /// <summary>A cell has no one-tensor call: it takes an input and states.</summary>
        public override Tensor Call(Tensor x) =>
            throw new InvalidOperationException($"{Name}: a {GetType().Name} takes one step's input and its states: call Call(input, states), or run it over a sequence in Layers.RNN.");

        /// <summary>The float type the cell computes in (its weights'); inputs and states are cast to it.</summary>
        internal virtual DType StateDType => VariableDType;

        /// <summary>
        /// The steps of one call over <paramref name="x"/> [batch, timesteps, features] (in time order,
        /// cast by the caller): a function from (t, states) to (output, states). What a cell computes
        /// once per sequence (an input projection of all steps, dropout masks) it computes here; the
        /// default feeds each step's slice to <see cref="BeginSteps(int)"/>.
        /// </summary>
        internal virtual Func<int, Tensor[], (Tensor Output, Tensor[] States)> BeginSequence(Tensor x)
        {
            var steps = Unstack(NF.Transpose(x, [1, 0, 2]));
            var step = BeginSteps(x.Shape[0]);
            return (t, states) => step(steps[t], states);
        }

        /// <summary>
        /// The steps of one sequence given one input at a time (inside a stack, each cell reads the
        /// one before's output): what is drawn once per sequence (dropout masks) is drawn here.
        /// The default runs <see cref="Forward(Tensor, IReadOnlyList{Tensor})"/>, its result checked.
        /// </summary>
        internal virtual Func<Tensor, Tensor[], (Tensor Output, Tensor[] States)> BeginSteps(int batch) =>
            (input, states) => Checked(Forward(input, states), batch);

        internal void CheckStates(IReadOnlyList<Tensor> states, int batch, string paramName)
        {
            if (states.Count != StateSize.Count)
                throw new ArgumentException($"{Name}: a {GetType().Name} has {StateSize.Count} state(s), but {states.Count} were given.", paramName);
            for (int i = 0; i < states.Count; i++)
            {
                var s = states[i] ?? throw new ArgumentNullException(paramName, $"{Name}: state {i} is null.");
                if (s.Shape != StateShape(batch, i))
                    throw new ArgumentException($"{Name}: state {i} must be {DescribeState(batch, i, "size")}, got shape {s.Shape}.", paramName);
            }
        }

        // What a user's Forward returned, checked: a wrong count or shape would otherwise fail steps later, far from its cause.
        private (Tensor Output, Tensor[] States) Checked((Tensor Output, Tensor[] States) step, int batch)
        {
            if (step.Output is null || step.States is null)
                throw new InvalidOperationException($"{Name}: {GetType().Name}.Forward returned a null output or states.");
            if (step.Output.Shape != StepOutputShape(batch))
                throw new InvalidOperationException($"{Name}: {GetType().Name}.Forward returned an output of shape {step.Output.Shape}, but OutputSize says {StepOutputShape(batch)}.");
            if (step.States.Length != StateSize.Count || step.States.Where((s, i) => s is null || s.Shape != StateShape(batch, i)).Any())
                throw new InvalidOperationException(
                    $"{Name}: {GetType().Name}.Forward returned states of shapes [{string.Join(", ", step.States.Select(s => s?.Shape.ToString() ?? "null"))}], " +
                    $"but StateSize says [{string.Join(", ", StateSize.Select((_, i) => StateShape(batch, i).ToString()))}].");
            return step;
        }

        /// <summary>
        /// The [batch, ...] blocks of a [steps, batch, ...] tensor, as views. Split in halves,
        /// recursively: a slice's gradient is zeros of its parent's shape with the slice's part
        /// written in, so T slices of the whole would cost T full-size tensors in the backward
        /// pass; halving costs two per level, log2(T) levels.
        /// </summary>
        internal static Tensor[] Unstack(Tensor x)
        {
            var pieces = new Tensor[x.Shape[0]];
            Fill(x, 0);
            return pieces;

            void Fill(Tensor part, int first)
            {
                int n = part.Shape[0];
                if (n == 1)
                {
                    pieces[first] = NF.Reshape(part, part.Shape.ToArray()[1..]);
                    return;
                }
                var halves = NF.Split(part, [n / 2, n - n / 2], 0);
                Fill(halves[0], first);
                Fill(halves[1], first + n / 2);
            }
        }
    }
}
