namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>This layer's calls on symbolic tensors, in order (Keras' <c>_inbound_nodes</c>).</summary>
    internal List<Node> InboundNodes { get; } = [];

    /// <summary>
    /// Calls the layer on a symbolic tensor (Keras' functional API): records the call and returns
    /// the symbolic output, whose shape comes from running the layer once, in inference mode and
    /// unrecorded by any tape, on zeros of batch 1 (which also builds its weights). Calling the
    /// same layer again shares its weights.
    /// </summary>
    public KerasTensor Call(KerasTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Single(CallSymbolic([input], CallArgs.One));
    }

    /// <summary>
    /// Calls the layer on a symbolic tensor in a fixed learning phase, as Keras'
    /// <c>base_model(inputs, training=False)</c> in the transfer-learning guide: the graph runs this
    /// call (and every layer nested in it) in inference mode even inside Fit, so a BatchNormalization
    /// of the base keeps its moving statistics, unchanged, after the base is unfrozen for fine-tuning.
    /// The phase is saved with the model as Keras saves the call's <c>training</c> argument.
    /// </summary>
    public KerasTensor Call(KerasTensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Single(CallSymbolic([input], CallArgs.InPhase(listCall: false, training)));
    }

    /// <summary>
    /// Calls a layer of several inputs (<c>Layers.Add</c>, <c>Layers.Concatenate</c>, a model of
    /// several inputs) on symbolic tensors: <c>new Layers.Add().Call([a, b])</c>.
    /// </summary>
    public KerasTensor Call(IReadOnlyList<KerasTensor> inputs) => Single(CallOutputs(inputs));

    /// <summary>
    /// Calls a layer that returns several tensors on a symbolic tensor and returns them all, as
    /// Keras' <c>a, b = layer(x)</c>: a functional model of several outputs, an RNN made with
    /// <c>returnState: true</c> (see also its <c>CallWithStates</c>).
    /// </summary>
    public IReadOnlyList<KerasTensor> CallOutputs(KerasTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CallSymbolic([input], CallArgs.One);
    }

    /// <summary>Calls a layer of several inputs and several outputs on symbolic tensors and returns every output.</summary>
    public IReadOnlyList<KerasTensor> CallOutputs(IReadOnlyList<KerasTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new ArgumentException($"{Name} ({GetType().Name}): called on an empty list of tensors.", nameof(inputs));
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{Name} ({GetType().Name}): input {i} of the list is null.");
        return CallSymbolic(inputs.ToArray(), CallArgs.List);
    }

    private protected KerasTensor Single(IReadOnlyList<KerasTensor> outputs) => outputs.Count == 1 ? outputs[0] : throw new InvalidOperationException(
        $"{Name} ({GetType().Name}) returns {outputs.Count} tensors, which one KerasTensor cannot hold: call CallOutputs (Keras' a, b = layer(x))" +
        (this is Layers.Recurrent or Layers.Bidirectional ? " or CallWithStates." : "."));

    /// <summary>
    /// Runs one recorded call on concrete <paramref name="inputs"/>: in the learning phase the call
    /// fixed (<c>training=False</c>), else in the caller's, through <see cref="CallNode"/>.
    /// </summary>
    internal IReadOnlyList<Tensor> RunNode(Tensor[] inputs, CallArgs args)
    {
        if (args.Training is not bool phase) return CallNode(inputs, args);
        using (TrainingMode(phase)) return CallNode(inputs, args.WithoutTraining());
    }

    /// <summary>
    /// Runs one call of a functional graph on concrete <paramref name="inputs"/> (positional, then
    /// the keyword tensors <paramref name="args"/> names) and returns its outputs.
    /// </summary>
    internal virtual IReadOnlyList<Tensor> CallNode(Tensor[] inputs, CallArgs args)
    {
        if (!args.Plain) throw new InvalidOperationException($"{Name} ({GetType().Name}) takes no keyword arguments, got {string.Join(", ", args.Keywords.Concat(args.Options.Select(o => o.Key)).Distinct())}.");
        return args.ListCall ? [Call(inputs)] : CallOutputs(inputs[0]);
    }

    /// <summary>
    /// Records a call on symbolic tensors (positional, then the keyword tensors <paramref name="args"/>
    /// names) and returns its symbolic outputs, named after the layer as Keras names them
    /// (numbered by call for a shared layer).
    /// </summary>
    internal IReadOnlyList<KerasTensor> CallSymbolic(KerasTensor[] inputs, CallArgs args)
    {
        // A functional model on text replays its layer calls here, since text cannot flow through a nested model.
        if (this is Model model && args.Plain && model.TryReplayOnText(inputs, out var replayed)) return replayed;
        var outer = (_probeInputMasks, _probeOutputMasks);
        (_probeInputMasks, _probeOutputMasks) = (inputs.Select(t => t.MaskRank).ToArray(), null);
        try
        {
            var outputs = OwnOutputSpec(inputs) ?? DeclaredOutput(inputs, args) ?? RuledOutput(inputs, args) ?? InferOutputs(inputs.Select(t => t.Shape).ToArray(), inputs.Select(t => t.DType).ToArray(), args);
            var node = new Node(this, inputs, args);
            var name = node.Index == 0 ? Name : $"{Name}_{node.Index}";
            var masks = _probeOutputMasks;
            node.Outputs = outputs.Select((o, i) => new KerasTensor(o.Shape, o.DType, name, node, i) { MaskRank = masks?.ElementAtOrDefault(i) ?? 0 }).ToArray();
            return node.Outputs;
        }
        finally { (_probeInputMasks, _probeOutputMasks) = outer; }
    }

    /// <summary>
    /// The outputs' shapes and dtypes where the call computes them itself rather than by a probe
    /// on zeros (an <see cref="Operation"/>, whose shape rules keep an unknown batch unknown
    /// wherever the op moves it, as Keras' compute_output_spec); null for layers.
    /// </summary>
    private protected virtual (int?[] Shape, DType DType)[]? OwnOutputSpec(KerasTensor[] inputs) => null;

    // The mask ranks of the symbolic inputs being probed, and those the probe's outputs carried:
    // the probe's zeros carry all-true masks where the symbolic inputs carry masks, so that a layer
    // whose call reads its mask (Keras' TemporalSoftmax, asserting one) sees one, as Keras' symbolic call does.
    [ThreadStatic] private static int[]? _probeInputMasks;
    [ThreadStatic] private static int[]? _probeOutputMasks;

    /// <summary>
    /// The outputs' shapes and dtypes: the layer run once on zeros of batch 1 (or the inputs' fixed
    /// batch); see <see cref="Probe"/>. An unknown length (Keras' None) is probed at two lengths
    /// (powers of two, so that strided layers and their upsampling twins agree): an output length
    /// that follows it differs between the two and is unknown too.
    /// </summary>
    private protected (int?[] Shape, DType DType)[] InferOutputs(IReadOnlyList<int?>[] inputs, DType[] dtypes, CallArgs args)
    {
        Shape[] At(int length) => ProbeShapes(inputs, length);
        // The batch axis stays unknown unless every input fixed it (Layers.Input(batchSize:)).
        int? batch = inputs.Any(t => t[0] is null) ? null : inputs[0][0];
        int? outerBatch = _probeBatch;
        _probeBatch = batch;
        try { return InferOutputs(inputs, args, At, dtypes, batch); }
        finally { _probeBatch = outerBatch; }
    }

    /// <summary>Concrete shapes for symbolic ones: an unknown batch is 1, an unknown length <paramref name="length"/>.</summary>
    private static Shape[] ProbeShapes(IReadOnlyList<int?>[] inputs, int length) =>
        inputs.Select(t => new Shape([t[0] ?? 1, .. t.Skip(1).Select(d => d ?? length)])).ToArray();

    private (int?[] Shape, DType DType)[] InferOutputs(IReadOnlyList<int?>[] inputs, CallArgs args, Func<int, Shape[]> At, DType[] dtypes, int? batch)
    {
        if (!inputs.Any(t => t.Skip(1).Any(d => d is null)))
            return Known(Probe(At(UnknownLength), dtypes, args), null, batch);
        // Short lengths first: a probe's cost grows with the length squared for images (MobileNetV2 on [None, None, 3]
        // took 14 s to build at 64 and 128), and an output length follows an input length alike at 16 as at 64. A layer
        // that cannot run that short (a kernel or a crop longer than 16) is probed at the full lengths instead.
        (int[] Shape, DType DType)[] first;
        int length = ShortUnknownLength;
        try { first = Probe(At(length), dtypes, args); }
        catch (Exception)
        {
            length = UnknownLength;
            first = Probe(At(length), dtypes, args);
        }
        try { return Known(first, Probe(At(2 * length), dtypes, args), batch); }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"{Name} ({GetType().Name}): called on {string.Join(", ", inputs.Select(KerasTensor.Format))}, whose lengths are unknown (None); " +
                $"it ran with length {length} but not with {2 * length}: {e.Message} A layer whose weights depend on a length " +
                "(a Dense on that axis, a Flatten before a Dense) needs that length known in Layers.Input.", e);
        }
    }

    // The probe's output shapes, a length unknown where the second probe's differs, the batch as the inputs'.
    private static (int?[] Shape, DType DType)[] Known((int[] Shape, DType DType)[] first, (int[] Shape, DType DType)[]? second, int? batch) =>
        first.Select((p, i) =>
        {
            var other = second?[i] ?? p;
            var shape = p.Shape.Select((d, k) => other.Shape.Length == p.Shape.Length && other.Shape[k] == d ? (int?)d : null).ToArray();
            if (shape.Length > 0) shape[0] = batch;
            return (shape, p.DType);
        }).ToArray();

    /// <summary>The length an unknown length is probed at first, and twice it (powers of two, as <see cref="UnknownLength"/>).</summary>
    private const int ShortUnknownLength = 16;

    /// <summary>The length an unknown (None) input length is probed at; twice it too.</summary>
    private const int UnknownLength = 64;

    /// <summary>
    /// Runs the layer once on zeros of <paramref name="shapes"/> (which also builds its weights) and
    /// returns each output's shape and dtype: in inference mode, with every tape paused and every
    /// temporary freed, so an enclosing training step or eager code sees nothing of it.
    /// </summary>
    private protected (int[] Shape, DType DType)[] Probe(Shape[] shapes, DType[] dtypes, CallArgs args)
    {
        using var paused = Tape.Pause();
        using var inference = TrainingMode(false);
        using var scope = TensorScope.Begin();
        bool outer = _probing;
        _probing = true;
        try
        {
            RefuseText(dtypes);
            var zeros = shapes.Select((s, i) => NF.Zeros(s, dtypes[i])).ToArray();
            var masks = _probeInputMasks;
            _probeInputMasks = null;   // for this call's inputs only, not for a probe nested in it
            for (int i = 0; i < zeros.Length && masks is not null && i < masks.Length; i++)
                if (masks[i] > 0 && masks[i] <= zeros[i].Rank) SetMask(zeros[i], NF.Ones(new Shape(shapes[i].ToArray()[..masks[i]]), DType.Bool));
            IReadOnlyList<Tensor> ys;
            try { ys = RunNode(zeros, args); }
            finally { _probeInputMasks = masks; }
            _probeOutputMasks = ys.Select(y => MaskOf(y)?.Rank ?? 0).ToArray();
            return ys.Select(y => (y.Shape.ToArray(), y.DType)).ToArray();
        }
        finally { _probing = outer; }
    }

    // A text input (dtype string) reaches a layer that is not a text front (a StringLookup, TextVectorization...
    // computes its own symbolic output and never gets here): tensors hold no strings, so the call cannot run.
    // Said at the call, naming the layer, rather than failing inside the probe's zeros.
    private void RefuseText(DType[] dtypes)
    {
        int text = Array.IndexOf(dtypes, DType.String);
        if (text < 0) return;
        throw new NotSupportedException(
            $"{Name} ({GetType().Name}) was called on a text tensor (dtype string, input {text}); NeuralFlow runs text on the host, so a text Input must feed " +
            "a TextVectorization or StringLookup layer directly, whose output the rest of the model reads. " +
            (this is Model ? "A model called on text (Keras' x = preprocessor(inputs)) replays its layers on the text when it is functional and called without keyword arguments; " +
                             "otherwise build one model from the Inputs to the output (e.g. new Model(inputs, body.Call(preprocessedResult)))." : ""));
    }

    [ThreadStatic] private static bool _probing;
    [ThreadStatic] private static int? _probeBatch;

    /// <summary>
    /// While a symbolic call probes a layer, the batch size its inputs fix (Layers.Input(batchSize:)),
    /// else null: what Keras' build sees as a static batch dimension (a stateful RNN sizes its states by it).
    /// </summary>
    private protected static int? ProbeBatch => _probing ? _probeBatch : null;

    /// <summary>True while a layer runs on zeros only to learn its output shapes (a stateful RNN neither fixes its batch size nor keeps states then).</summary>
    private protected static bool IsProbing => _probing;
}
