namespace NeuralFlow.Keras;

public partial class Model
{
    private readonly FunctionalGraph? _graph;

    /// <summary>A subclassed model (override <see cref="Layer.Call(Tensor)"/>) named <paramref name="name"/>.</summary>
    protected Model(string? name = null) : base(name) { }

    /// <summary>
    /// A functional model from <paramref name="inputs"/> (made by <c>Layers.Input</c>) to
    /// <paramref name="outputs"/> (made by calling layers on them), as Keras'
    /// <c>keras.Model(inputs, outputs)</c>. Throws, naming the tensors, when an output does not
    /// follow from the inputs or an input leads to no output.
    /// </summary>
    public Model(KerasTensor inputs, KerasTensor outputs, string? name = null) : this([inputs], [outputs], name) { }

    /// <summary>A functional model of one input and several outputs: <c>new Model(inputs, [out1, out2])</c>.</summary>
    public Model(KerasTensor inputs, IReadOnlyList<KerasTensor> outputs, string? name = null) : this([inputs], outputs, name) { }

    /// <summary>A functional model of several inputs and one output: <c>new Model([a, b], output)</c>.</summary>
    public Model(IReadOnlyList<KerasTensor> inputs, KerasTensor outputs, string? name = null) : this(inputs, [outputs], name) { }

    /// <summary>A functional model of several inputs and/or outputs: <c>new Model([a, b], [out1, out2])</c>.</summary>
    public Model(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string? name = null) : base(name ?? NextName("functional"))
    {
        _graph = FunctionalGraph.Build(Name, inputs, outputs);
    }

    /// <summary>
    /// A functional model of named inputs (Keras' <c>keras.Model(inputs_dict, outputs)</c>, as the
    /// CSV and structured-data tutorials build one input per column). Fit, Evaluate and Predict match
    /// a dictionary's keys to the input names, so each key must be its input's name (Keras warns
    /// when they differ; here it is an error naming both).
    /// </summary>
    public Model(IReadOnlyDictionary<string, KerasTensor> inputs, KerasTensor outputs, string? name = null) : this(NamedInputs(inputs), [outputs], name) { }

    /// <summary>A functional model of named inputs and several outputs.</summary>
    public Model(IReadOnlyDictionary<string, KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string? name = null) : this(NamedInputs(inputs), outputs, name) { }

    /// <summary>
    /// A functional model of named outputs, Keras' <c>keras.Model(inputs, {"pitch": p, "step": s})</c> (the music
    /// generation tutorial's three heads). As Keras' tree.flatten, the outputs are taken in sorted key order; losses,
    /// loss weights, metrics, targets and history entries are keyed by those names, so each key must be its output
    /// layer's name (an error naming both otherwise). <see cref="PredictByName(ModelData, int, int, IEnumerable{Callbacks.Callback}?)"/>
    /// returns the predictions as a dictionary, as Keras' predict does for such a model.
    /// </summary>
    public Model(KerasTensor inputs, IReadOnlyDictionary<string, KerasTensor> outputs, string? name = null) : this([inputs], NamedOutputs(outputs), name) { }

    /// <summary>A functional model of several inputs and named outputs (see the one-input form).</summary>
    public Model(IReadOnlyList<KerasTensor> inputs, IReadOnlyDictionary<string, KerasTensor> outputs, string? name = null) : this(inputs, NamedOutputs(outputs), name) { }

    /// <summary>A functional model of named inputs and named outputs.</summary>
    public Model(IReadOnlyDictionary<string, KerasTensor> inputs, IReadOnlyDictionary<string, KerasTensor> outputs, string? name = null) : this(NamedInputs(inputs), NamedOutputs(outputs), name) { }

    // tree.flatten's order: a dictionary's values by sorted key (ordinal, as Python sorts str keys).
    private static KerasTensor[] NamedOutputs(IReadOnlyDictionary<string, KerasTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count == 0) throw new ArgumentException("Model: the dictionary of outputs is empty; a model needs at least one output.", nameof(outputs));
        foreach (var (key, output) in outputs)
        {
            ArgumentNullException.ThrowIfNull(output, nameof(outputs));
            if (output.Layer.Name != key)
                throw new ArgumentException($"Model: the output under key '{key}' comes from the layer '{output.Layer.Name}'; name the layer after its key " +
                                            $"(name: \"{key}\"), since losses, targets and logs are matched to the outputs by name.", nameof(outputs));
        }
        return outputs.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value).ToArray();
    }

    private static KerasTensor[] NamedInputs(IReadOnlyDictionary<string, KerasTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var (key, input) in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            if (input.Layer.Name != key)
                throw new ArgumentException($"Model: the input under key '{key}' is the Input layer '{input.Layer.Name}'; name it after its key " +
                                            $"(Layers.Input(..., name: \"{key}\")), since a dictionary of data is matched to the inputs by name.", nameof(inputs));
        }
        return inputs.Values.ToArray();
    }

    /// <summary>True for a model made from inputs and outputs (<c>new Model(inputs, outputs)</c>).</summary>
    public bool IsFunctional => _graph is not null;

    /// <summary>The layer calls of a functional model (null for Sequential and subclassed models).</summary>
    internal FunctionalGraph? Graph => _graph;

    /// <summary>
    /// The symbolic inputs of a functional model (Keras' <c>model.inputs</c>), or of a Sequential
    /// that starts from <c>Layers.Input</c> or was built with <c>Build</c>; empty otherwise.
    /// </summary>
    public IReadOnlyList<KerasTensor> Inputs => _graph?.Inputs ?? (this is Sequential s ? s.SymbolicEnds().Inputs : []);

    /// <summary>The symbolic outputs of a functional model (Keras' <c>model.outputs</c>), or of a Sequential as for <see cref="Inputs"/>; empty otherwise.</summary>
    public IReadOnlyList<KerasTensor> Outputs => _graph?.Outputs ?? (this is Sequential s ? s.SymbolicEnds().Outputs : []);

    /// <summary>
    /// The model's one symbolic output (Keras' <c>model.output</c>): its graph's, not that of a call
    /// of the model as a layer of another model (those are <see cref="Layer.GetOutputsAt(int)"/>).
    /// </summary>
    public override KerasTensor Output => Outputs.Count > 0 ? One(Outputs, nameof(Output), nameof(Outputs)) : base.Output;

    /// <summary>The model's one symbolic input (Keras' <c>model.input</c>); see <see cref="Output"/>.</summary>
    public override KerasTensor Input => Inputs.Count > 0 ? One(Inputs, nameof(Input), nameof(Inputs)) : base.Input;

    /// <summary>
    /// The names of the outputs' layers (Keras' <c>output_names</c>), which key losses, targets and
    /// history entries. A name repeats where a layer's several calls or outputs are outputs; the
    /// later ones get <c>_1</c>, <c>_2</c>, ... as tf.keras numbers them (before, the repeats keyed
    /// one history entry between them and wrote an ONNX file with two outputs of one name).
    /// </summary>
    public IReadOnlyList<string> OutputNames => _graph is { } g ? _outputNames ??= UniqueNames(g.Outputs.Select(o => o.Layer.Name)) : [];

    // Computed once (the graph is fixed at construction): Fit keys every logged value by these names.
    private string[]? _outputNames;

    // tf.keras' _set_output_names: a repeated name takes the next free "name_k", k counted per name.
    private static string[] UniqueNames(IEnumerable<string> names)
    {
        var taken = new HashSet<string>();
        var next = new Dictionary<string, int>();
        var unique = new List<string>();
        foreach (var name in names)
        {
            var proposal = name;
            while (!taken.Add(proposal))
            {
                int k = next.GetValueOrDefault(name, 1);
                proposal = $"{name}_{k}";
                next[name] = k + 1;
            }
            unique.Add(proposal);
        }
        return [.. unique];
    }

    /// <summary>The names of the input layers (Keras' <c>input_names</c>), which key a dictionary of inputs.</summary>
    public IReadOnlyList<string> InputNames => _graph?.Inputs.Select(o => o.Layer.Name).ToArray() ?? [];

    // A nested model in a functional graph returns all its outputs (Keras' a, b = model(x)).
    internal override IReadOnlyList<Tensor> CallNode(Tensor[] inputs, CallArgs args) =>
        _graph is null || !args.Plain ? base.CallNode(inputs, args) : CallOutputs(inputs);

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> SubLayers => _graph is { } g ? g.Layers : base.SubLayers;

    // What Keras' model.layers lists (a property of that name here would hide the Layers class in
    // subclassed models): a functional model's layers in graph order with its input layers, a
    // Sequential's without its input layer, a subclassed model's layers held in fields.
    private IReadOnlyList<Layer> ListedLayers => this is Sequential sequential ? sequential.Layers : SubLayers;

    /// <summary>
    /// The layer named <paramref name="name"/> (Keras' <c>model.get_layer(name)</c>), or an error
    /// listing the names there are. A functional model's layers are <see cref="Layer.SubLayers"/>
    /// (input layers included, as Keras' <c>model.layers</c>); a Sequential's, <see cref="Sequential.Layers"/>.
    /// </summary>
    public Layer GetLayer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var layers = ListedLayers;
        return layers.FirstOrDefault(l => l.Name == name) ?? throw new ArgumentException(
            $"No such layer: {name}. Existing layers are: [{string.Join(", ", layers.Select(l => $"'{l.Name}'"))}].", nameof(name));
    }

    /// <summary>The layer at <paramref name="index"/> in the model's layers (Keras' <c>model.get_layer(index=i)</c>).</summary>
    public Layer GetLayer(int index)
    {
        var layers = ListedLayers;
        if (index < 0 || index >= layers.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Was asked to retrieve layer at index {index} but model only has {layers.Count} layers.");
        return layers[index];
    }

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public override Tensor Call(Tensor x)
    {
        if (_graph is null) return base.Call(x);
        ArgumentNullException.ThrowIfNull(x);
        return Single(CallOutputs([x]));
    }

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public override Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        if (_graph is null) return base.Call(inputs);
        return Single(CallOutputs(inputs));
    }

    /// <summary>
    /// Runs the model on inputs by name (Keras' <c>model({"title": t, "body": b})</c>): a functional
    /// model takes them by its input names. A subclassed model that takes named inputs overrides
    /// this; Fit, Evaluate and Predict given a dictionary x (or a dataset of dictionaries) call it
    /// with each batch's tensors under the same keys, as Keras hands its call the dictionary.
    /// </summary>
    public virtual Tensor Call(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_graph is null)
            throw new NotImplementedException(
                $"{Name} ({GetType().Name}) was given a dictionary of inputs ({string.Join(", ", inputs.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"))}); " +
                "override Call(IReadOnlyDictionary<string, Tensor>) to take them, as a Keras subclassed model's call takes the dictionary it is given, or give the tensors in order.");
        return Single(CallOutputs(new ModelData(inputs).Resolve(nameof(Call), nameof(inputs), InputNames)));
    }

    /// <summary>
    /// Calls a functional model of named inputs on symbolic tensors by name, as Keras'
    /// <c>x = preprocessor(inputs)</c> on the dictionary of Inputs it was built from (the pandas
    /// tutorial's preprocessor nested in the full model): each input takes the tensor under its name;
    /// keys the model does not read are ignored, as Keras ignores extra features.
    /// </summary>
    /// <exception cref="ArgumentException">An input's name is missing from <paramref name="inputs"/>.</exception>
    public KerasTensor Call(IReadOnlyDictionary<string, KerasTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_graph is null)
            throw new NotSupportedException($"{Name} ({GetType().Name}) was given a dictionary of symbolic inputs; only a functional model (whose inputs have names) takes one.");
        var missing = InputNames.Where(n => !inputs.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"{Name}: the dictionary has keys {string.Join(", ", inputs.Keys.Select(k => $"'{k}'"))}, but the model's inputs are " +
                                        $"{string.Join(", ", InputNames.Select(n => $"'{n}'"))}; missing {string.Join(", ", missing.Select(n => $"'{n}'"))}.", nameof(inputs));
        return Call(InputNames.Select(n => inputs[n]).ToList());
    }

    private Tensor Single(IReadOnlyList<Tensor> outputs) => outputs.Count == 1 ? outputs[0] : throw new InvalidOperationException(
        $"Model {Name} has {outputs.Count} outputs ({string.Join(", ", OutputNames)}); call CallOutputs (or PredictOutputs) to get them all.");

    /// <summary>
    /// Runs a functional model on <paramref name="inputs"/> (one tensor per input, in the order of
    /// <see cref="Inputs"/>) and returns every output, in the order of <see cref="Outputs"/>. A
    /// subclassed or Sequential model returns its one output.
    /// </summary>
    public IReadOnlyList<Tensor> CallOutputs(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        // A subclassed model overriding ForwardOutputs returns all its tensors; Call would refuse them as one.
        if (_graph is null && this is not Sequential && ReturnsSeveral && inputs.Count == 1) return CallSeveral(inputs[0]);
        using var call = EnterCall();   // Fit's steps call a subclassed model here too: its pass begins
        // A subclassed model fed a dictionary gets it back by name (the batch holds its tensors in key order).
        if (_graph is not { } graph)
            return [_dataInputNames is { } names && names.Length == inputs.Count && this is not Sequential
                ? Call(names.Zip(inputs).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))
                : Call(inputs)];
        // Keras 3 adjusts each input's rank first (Functional._adjust_input_rank): a 1-D column (N,)
        // for Input([1]) gains its trailing axis, so the regression tutorial's one-feature model built
        // on Input([1]) fits and predicts on a column whether it is Sequential or functional.
        var fedInputs = FedInputs(graph);   // a text input is fed its vectorizer's output
        inputs = FeedRagged(nameof(Call), fedInputs, inputs);
        bool ragged = inputs.Any(x => x is not null && RaggedInputs.Of(x) is not null);
        List<Tensor>? converted = null;
        Tensor[]? fed = null;
        for (int i = 0; i < inputs.Count && i < fedInputs.Length; i++)
        {
            if (inputs[i] is not { } x) continue;
            var expected = fedInputs[i].Shape;
            var adjusted = Layers.InputLayer.AdjustRank(x, expected.Count, expected.Count > 0 ? expected[^1] : null);
            if (ReferenceEquals(adjusted, x)) continue;
            fed ??= [.. inputs];
            (converted ??= []).Add(fed[i] = adjusted);
        }
        if (fed is not null) inputs = fed;
        CheckInputs(graph, fedInputs, inputs);
        // Each input in its Input's dtype, as Keras' Functional converts them
        // (_convert_inputs_to_tensors): float64 data or int32 ids fed to a float32 Input run as
        // float32, where a layer joining them with float32 values (Concatenate) refused the mix.
        // Nothing is allocated when every input already has its dtype (the usual case, every step).
        fed = null;
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i].DType != fedInputs[i].DType)
            {
                fed ??= [.. inputs];
                (converted ??= []).Add(fed[i] = NF.Cast(inputs[i], fedInputs[i].DType));
            }
        if (fed is not null) inputs = fed;
        var values = new Dictionary<KerasTensor, Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Count; i++) values[fedInputs[i]] = inputs[i];
        var remaining = new Dictionary<KerasTensor, int>(graph.Uses, ReferenceEqualityComparer.Instance);
        // Under a tape the backward pass needs every activation; otherwise each is freed after its last reader.
        bool free = !Tape.AnyRecording;
        var keep = new HashSet<KerasTensor>(graph.Outputs.Concat(graph.Inputs), ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Nodes)
        {
            // A text input's vectorizer ran on the host (HostInputs): its output is what was fed.
            if (IsTextFront(graph, node)) continue;
            var args = node.Inputs.Select(t => values[t]).ToArray();
            var ys = ragged ? RaggedInputs.Run(node.Layer, args, node.Run) : node.Run(args);
            for (int k = 0; k < ys.Count; k++) values[node.Outputs[k]] = ys[k];
            if (!free) continue;
            // An output nothing reads (an RNN's state the model leaves unused) is dead at once.
            foreach (var t in node.Outputs)
                if (!remaining.ContainsKey(t) && !keep.Contains(t) && values.Remove(t, out var unread))
                    Free(unread, values.Values, inputs);
            foreach (var t in node.Inputs)
                if (--remaining[t] == 0 && !keep.Contains(t) && values.Remove(t, out var dead))
                    Free(dead, values.Values, inputs);
        }
        var outputs = graph.Outputs.Select(o => values[o]).ToArray();
        OutputShape = outputs[0].Shape;
        if (free && converted is not null)
            foreach (var cast in converted)
                if (!outputs.Any(o => ReferenceEquals(o, cast))) cast.Dispose();
        return outputs;
    }

    // A value no node reads any more, unless a layer passed it through (Dropout at inference,
    // an identity) so that it is also a live value, an input or a weight.
    private static void Free(Tensor dead, IEnumerable<Tensor> live, IReadOnlyList<Tensor> inputs)
    {
        if (dead is Variable || live.Any(v => ReferenceEquals(v, dead)) || inputs.Any(v => ReferenceEquals(v, dead))) return;
        dead.Dispose();
    }

    // What the tensor call is fed for each input: the input itself, or for a text input (dtype
    // string) the output of the text layer that reads it, which runs on the host (Model.TextInputs).
    // Found once per call (a text input's reader is a scan of the nodes); a model of numeric
    // inputs, the usual one, gets its own inputs back without an allocation.
    private static KerasTensor[] FedInputs(FunctionalGraph graph)
    {
        if (!Array.Exists(graph.Inputs, t => t.DType == DType.String)) return graph.Inputs;
        return graph.Inputs.Select(t => t.DType == DType.String && TextFrontNode(graph, t) is { } front ? front.Outputs[0] : t).ToArray();
    }

    // The right number of inputs, each of the shape its Layers.Input declared (any batch size unless fixed).
    private void CheckInputs(FunctionalGraph graph, KerasTensor[] fedInputs, IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != graph.Inputs.Length)
            throw new ArgumentException(
                $"Model {Name} expects {graph.Inputs.Length} input(s) ({string.Join(", ", InputNames)}), but it received {inputs.Count}.", nameof(inputs));
        for (int i = 0; i < inputs.Count; i++)
        {
            var x = inputs[i] ?? throw new ArgumentNullException(nameof(inputs), $"Model {Name}: input '{graph.Inputs[i].Name}' is null.");
            var expected = fedInputs[i].Shape;
            bool fits = x.Rank == expected.Count;
            for (int d = 0; fits && d < expected.Count; d++) fits = expected[d] is not { } e || e == x.Shape[d];
            if (!fits)
                throw new ArgumentException(
                    $"Model {Name}: input '{graph.Inputs[i].Name}' expects shape {KerasTensor.Format(expected)}, but it received a tensor of shape {x.Shape}.", nameof(inputs));
        }
    }
}
