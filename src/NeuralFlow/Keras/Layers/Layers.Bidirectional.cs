using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Runs a recurrent layer over the sequence both ways and merges the two outputs
    /// (<c>keras.layers.Bidirectional</c>): a forward copy of <c>layer</c> ("forward_" + its name)
    /// and a backward one ("backward_" + its name, go_backwards flipped), each with its own
    /// weights, forward's first. A backward sequence is put back in time order before the merge.
    /// <c>mergeMode</c>: "concat" (Keras' default, along the last axis), "sum", "mul", "ave", or
    /// null for both outputs unmerged (through <see cref="CallWithStates(Tensor, IReadOnlyList{Tensor}?, Tensor?)"/>, as with return_state,
    /// whose states are the forward layer's, then the backward's).
    /// </summary>
    public sealed class Bidirectional : Layer
    {
        private static readonly string?[] MergeModes = ["concat", "sum", "mul", "ave", null];

        /// <summary>Wraps <paramref name="layer"/>; <paramref name="backwardLayer"/> (optional) is the layer to run backwards instead of a copy.</summary>
        public Bidirectional(RNN layer, string? mergeMode = "concat", RNN? backwardLayer = null, string? name = null)
            : base(name)
        {
            ArgumentNullException.ThrowIfNull(layer);
            if (!MergeModes.Contains(mergeMode))
                throw new ArgumentException($"Bidirectional: mergeMode must be \"concat\", \"sum\", \"mul\", \"ave\" or null, got \"{mergeMode}\".", nameof(mergeMode));
            MergeMode = mergeMode;
            // Keras re-creates the forward layer from the wrapped one's config (fresh weights), and the backward one the same way, reversed.
            ForwardLayer = layer.Clone("forward_" + RemovePrefix(layer.Name, "forward_"), layer.GoBackwards);
            if (backwardLayer is null)
                BackwardLayer = layer.Clone("backward_" + RemovePrefix(layer.Name, "backward_"), !layer.GoBackwards);
            else
            {
                if (backwardLayer.GoBackwards == layer.GoBackwards)
                    throw new ArgumentException($"Bidirectional: backwardLayer {backwardLayer.Name} must run the other way from {layer.Name} (goBackwards {!layer.GoBackwards}).", nameof(backwardLayer));
                if (backwardLayer.ReturnSequences != layer.ReturnSequences || backwardLayer.ReturnState != layer.ReturnState)
                    throw new ArgumentException($"Bidirectional: backwardLayer {backwardLayer.Name} must have the returnSequences and returnState of {layer.Name}.", nameof(backwardLayer));
                if (backwardLayer.OutputSize != layer.OutputSize && mergeMode is "sum" or "mul" or "ave")
                    throw new ArgumentException($"Bidirectional: mergeMode \"{mergeMode}\" needs outputs of one width, but {layer.Name} has {layer.OutputSize} units and backwardLayer {backwardLayer.Name} {backwardLayer.OutputSize}.", nameof(backwardLayer));
                BackwardLayer = backwardLayer;
            }
            // Keras forces zero_output_for_mask = return_sequences on both: a masked step of a returned sequence outputs zeros.
            ForwardLayer.ZeroOutputForMask = BackwardLayer.ZeroOutputForMask = ForwardLayer.ReturnSequences;
        }

        /// <inheritdoc/>
        public override bool SupportsMasking => true;

        /// <summary>The input's mask when the layers return sequences (Keras' Bidirectional.compute_mask); none otherwise.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ForwardLayer.ReturnSequences ? mask : null;

        private static string RemovePrefix(string name, string prefix) => name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;

        /// <summary>The layer that reads the sequence in the wrapped layer's direction.</summary>
        public RNN ForwardLayer { get; }

        /// <summary>The layer that reads it the other way.</summary>
        public RNN BackwardLayer { get; }

        /// <summary>Resets the kept states of both layers when they are stateful (Keras' Bidirectional.reset_states), to zeros or to <paramref name="states"/> (the forward layer's, then the backward's).</summary>
        public void ResetStates(IReadOnlyList<Tensor>? states = null)
        {
            int n = ForwardLayer.StateCount;
            if (states is not null) CheckStateCount("ResetStates", states.Count, nameof(states));
            ForwardLayer.ResetStates(states?.Take(n).ToArray());
            BackwardLayer.ResetStates(states?.Skip(n).ToArray());
        }

        // States come as the forward layer's, then the backward's: a count that does not add up names both.
        private void CheckStateCount(string what, int count, string argument)
        {
            if (count != ForwardLayer.StateCount + BackwardLayer.StateCount)
                throw new ArgumentException($"{Name}: {what} needs {ForwardLayer.StateCount} state(s) for the forward layer and {BackwardLayer.StateCount} for the backward one, got {count}.", argument);
        }

        /// <summary>How the two outputs are combined: "concat", "sum", "mul", "ave", or null (not combined).</summary>
        public string? MergeMode { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["merge_mode"] = MergeMode;
            c["layer"] = KerasSerialization.Serialize(ForwardLayer);
            c["backward_layer"] = KerasSerialization.Serialize(BackwardLayer);
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            ForwardLayer.EnsureBuilt(inputShape);
            BackwardLayer.EnsureBuilt(inputShape);
        }

        /// <summary>The merged output; with return_state or mergeMode null there is more than one tensor: call <see cref="CallWithStates(Tensor, IReadOnlyList{Tensor}?, Tensor?)"/>.</summary>
        public override Tensor Call(Tensor x)
        {
            if (MergeMode is null || ForwardLayer.ReturnState)
                throw new InvalidOperationException(
                    $"{Name}: a Bidirectional layer with {(MergeMode is null ? "mergeMode null" : "returnState: true")} returns more than one tensor: call CallWithStates(x) " +
                    "(on symbolic tensors of the functional API too). A Sequential model carries one tensor from layer to layer.");
            return base.Call(x);
        }

        /// <summary>
        /// [output, forward states..., backward states...] (the output being the forward and the
        /// backward outputs, two tensors, when mergeMode is null), as Keras' Bidirectional with
        /// return_state; <paramref name="initialState"/> holds the forward layer's initial states, then the backward's.
        /// Both layers skip the steps <paramref name="mask"/> (or the mask x carries) marks as padding.
        /// </summary>
        public IReadOnlyList<Tensor> CallWithStates(Tensor x, IReadOnlyList<Tensor>? initialState = null, Tensor? mask = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            EnsureBuilt(x.Shape);
            mask = mask is null ? InputMask(x) : CheckedMask(x, mask, Name);
            int n = ForwardLayer.StateCount;
            if (initialState is not null) CheckStateCount("initialState", initialState.Count, nameof(initialState));
            var forward = ForwardLayer.CallWithStates(x, initialState?.Take(n).ToArray(), mask);
            var backward = BackwardLayer.CallWithStates(x, initialState?.Skip(n).ToArray(), mask);
            var outputs = Merge(forward[0], backward[0]);
            if (ComputeMask(x, mask) is { } outputMask)
                foreach (var output in outputs) SetMask(output, outputMask);
            OutputShape = outputs[0].Shape;
            return [.. outputs, .. forward.Skip(1), .. backward.Skip(1)];
        }

        /// <summary>
        /// Calls the layer on a symbolic tensor and returns every output: [forward, backward] with mergeMode
        /// null, or the merged output, then (with returnState) the forward layer's final states and the
        /// backward layer's, as Keras' <c>Bidirectional(LSTM(..., return_state=True))(x)</c>;
        /// <paramref name="initialState"/> (symbolic) holds the forward layer's initial states, then the backward's.
        /// </summary>
        public IReadOnlyList<KerasTensor> CallWithStates(KerasTensor x, IReadOnlyList<KerasTensor>? initialState = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (initialState is null) return CallOutputs(x);
            CheckStateCount("initialState", initialState.Count, nameof(initialState));
            int states = initialState.Count;
            if (initialState.Any(s => s is null)) throw new ArgumentNullException(nameof(initialState), $"{Name}: an initial state is null.");
            return CallSymbolic([x, .. initialState], RNN.InitialStateArgs(states));
        }

        internal override IReadOnlyList<Tensor> CallNode(Tensor[] inputs, CallArgs args)
        {
            var states = args.Named(inputs, RNN.InitialState);
            var all = CallWithStates(RNN.OneInput(this, inputs, args), states.Length > 0 ? states : null);
            // The states only with return_state, as Keras' call returns them.
            return ForwardLayer.ReturnState ? all : all.Take(MergeMode is null ? 2 : 1).ToArray();
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => Forward(x, null);

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x, Tensor? mask) =>
            Merge(ForwardLayer.CallWithStates(x, null, mask)[0], BackwardLayer.CallWithStates(x, null, mask)[0])[0];

        private Tensor[] Merge(Tensor forward, Tensor backward)
        {
            // A returned sequence of the backward layer runs last step first: back to time order.
            if (BackwardLayer.ReturnSequences) backward = NF.Reverse(backward, 1);
            return MergeMode switch
            {
                "concat" => [NF.Concat([forward, backward], -1)],
                "sum" => [forward + backward],
                "mul" => [forward * backward],
                "ave" => [(forward + backward) * 0.5f],
                _ => [forward, backward],
            };
        }
    }
}
