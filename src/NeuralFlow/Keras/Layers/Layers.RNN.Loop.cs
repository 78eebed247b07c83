namespace NeuralFlow.Keras;

public partial class Layers
{
    public partial class RNN
    {
        /// <summary>
        /// Whether the final states of a call are the initial states of the next (Keras' stateful=True):
        /// sample i of each batch continues sample i of the one before, so every batch must have the
        /// size of the first (a fixed batch: Layers.Input(batchSize:), or the first call's). The states
        /// live in non-trainable variables, which Fit's and NF.Function's compiled steps read and write
        /// as the eager calls do; they are not weights (not in <see cref="Layer.Variables"/>), but
        /// <c>Save</c> and <c>SaveWeights</c> keep them, so a loaded model continues where the saved one
        /// stopped. A functional model whose Input fixes the batch (<c>batchSize:</c>) sizes them at build, as Keras does.
        /// Fit keeps them across batches and epochs (pass shuffle: false so that the batches line up);
        /// <see cref="ResetStates"/> zeros them. An explicit initial state replaces them for one call.
        /// </summary>
        public bool Stateful { get; }

        // The kept states of a stateful layer, once its batch size is known. A holder type that Tracking
        // does not search, so that the states never count as weights.
        private sealed class Kept(Variable[] states) { public readonly Variable[] States = states; }

        private Kept? _kept;

        /// <summary>The states a stateful layer carries into its next call (null before its first call, and for a layer that is not stateful).</summary>
        public IReadOnlyList<Tensor>? States => _kept?.States;

        /// <summary>
        /// Sets a stateful layer's kept states to zeros, or to <paramref name="states"/> (one [batch, size]
        /// tensor per state), as Keras 3's <c>reset_states()</c> / <c>reset_state()</c>. Given values
        /// before the first call also fix the batch size.
        /// </summary>
        public void ResetStates(IReadOnlyList<Tensor>? states = null)
        {
            if (!Stateful)
                throw new InvalidOperationException($"{Name}: ResetStates needs a stateful layer (made with stateful: true); this {GetType().Name} starts every call from zeros or its initialState.");
            if (states is null)
            {
                foreach (var v in _kept?.States ?? []) v.Assign(NF.ZerosLike(v));
                return;
            }
            int batch = _kept?.States[0].Shape[0] ?? (states.Count > 0 && states[0] is { } first ? first.Shape[0] : 0);
            Cell.CheckStates(states, batch, nameof(states));
            if (_kept is null) { _kept = new Kept(states.Select((s, i) => new Variable(Typed(s), false, $"{Name}/state_{i}")).ToArray()); return; }
            for (int i = 0; i < states.Count; i++) Layer.AssignConverted(_kept.States[i], states[i]);
        }

        private Tensor Typed(Tensor t) => t.DType == Cell.StateDType ? t : NF.Cast(t, Cell.StateDType);

        private Tensor[] Run(Tensor x, IReadOnlyList<Tensor>? initialState, Tensor? mask)
        {
            CheckRank(x.Shape);
            if (mask is not null && (mask.Rank != 2 || mask.Shape[0] != x.Shape[0] || mask.Shape[1] != x.Shape[1]))
                throw new ArgumentException($"{Name}: a {GetType().Name} needs a mask [batch, timesteps] = ({x.Shape[0]}, {x.Shape[1]}), got shape {mask.Shape}.", nameof(mask));
            int batch = x.Shape[0], steps = x.Shape[1];
            var states = StartStates(initialState, batch, x);
            var input = x.DType.IsFloating() && x.DType != Cell.StateDType ? NF.Cast(x, Cell.StateDType) : x;
            var step = Cell.BeginSequence(input);

            // Each step's mask as [batch, 1, ...] (as many 1s as a step's feature axes), to pick whole samples of a state.
            int featureAxes = Cell.StepRank - 1;
            var stepMasks = mask is null ? null : RNNCell.Unstack(NF.Reshape(NF.Transpose(CheckedMask(x, mask, Name), [1, 0]), [steps, batch, .. Enumerable.Repeat(1, featureAxes)]));
            var outputs = ReturnSequences ? new Tensor[steps] : null;
            // Keras' backend rnn starts the "previous output" of a masked step at zeros, not at the initial state.
            var previous = stepMasks is null ? null : NF.Fill(Cell.StepOutputShape(batch), 0, states[0].DType, x.Backend);
            Tensor lastOutput = states[0];
            for (int i = 0; i < steps; i++)
            {
                int t = GoBackwards ? steps - 1 - i : i;
                var (output, next) = step(t, states);
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
            // A stateful layer keeps the final states for its next call; a shape probe of the functional API leaves them be.
            if (Stateful && !IsProbing)
                for (int s = 0; s < states.Length; s++) _kept!.States[s].Assign(states[s]);
            var result = outputs is null ? lastOutput : NF.Stack(outputs, 1);
            return [result, .. states];
        }

        private Tensor[] StartStates(IReadOnlyList<Tensor>? initialState, int batch, Tensor x)
        {
            var dtype = Cell.StateDType;
            if (Stateful && ProbeBatch is { } fixedBatch) FixBatch(fixedBatch, x);
            if (Stateful && !IsProbing)
            {
                if (_kept is null)
                    _kept = new Kept(Cell.StateSize.Select((_, i) => new Variable(NF.Fill(Cell.StateShape(batch, i), 0, dtype, x.Backend), false, $"{Name}/state_{i}")).ToArray());
                else if (_kept.States[0].Shape[0] != batch)
                    throw new InvalidOperationException(
                        $"{Name}: a stateful {GetType().Name} keeps states for batches of {_kept.States[0].Shape[0]} samples (sample i continues sample i of the batch before), " +
                        $"but got a batch of {batch} (input shape {x.Shape}). Feed batches of {_kept.States[0].Shape[0]} (in Fit and Predict: that batchSize, with a sample count it divides), " +
                        "or make a new layer for the new size.");
            }
            if (initialState is null)
                // A copy of the kept states, not the variables: the call assigns them at its end, while a tape may still need the values it started from.
                return Stateful && !IsProbing ? _kept!.States.Select(NF.Identity).ToArray() : Cell.StateSize.Select((_, i) => NF.Fill(Cell.StateShape(batch, i), 0, dtype, x.Backend)).ToArray();
            if (initialState.Count != StateCount)
                throw new ArgumentException($"{Name}: a {GetType().Name} has {StateCount} state(s), but initialState holds {initialState.Count}.", nameof(initialState));
            var states = new Tensor[StateCount];
            for (int i = 0; i < states.Length; i++)
            {
                var s = initialState[i] ?? throw new ArgumentNullException(nameof(initialState), $"{Name}: initial state {i} is null.");
                if (s.Shape != Cell.StateShape(batch, i))
                    throw new ArgumentException($"{Name}: initial state {i} must be {Cell.DescribeState(batch, i, StateWord)}, got shape {s.Shape}.", nameof(initialState));
                states[i] = Typed(s);
            }
            return states;
        }

        // Keras' build of a stateful RNN on a static batch: the states are made for that batch (so a
        // later call of another size is refused, not silently given states of its own size), and
        // states already kept for another batch (ResetStates' values, an earlier call) are refused here.
        private void FixBatch(int batch, Tensor x)
        {
            if (_kept is null)
            {
                using (TensorScope.Suspend())
                    _kept = new Kept(Cell.StateSize.Select((_, i) => new Variable(NF.Fill(Cell.StateShape(batch, i), 0, Cell.StateDType, x.Backend), false, $"{Name}/state_{i}")).ToArray());
            }
            else if (_kept.States[0].Shape[0] != batch)
                throw new InvalidOperationException(
                    $"{Name}: a stateful {GetType().Name} keeps states for batches of {_kept.States[0].Shape[0]} samples, but its input fixes batches of {batch} " +
                    $"(Layers.Input(batchSize: {batch})); give the Input the states' batch size, or ResetStates with states of {batch} rows before building.");
        }

        // What an error calls a state's width: units for the built-in layers, size for a cell's state.
        private string StateWord => this is Recurrent ? "units" : "size";
    }
}
