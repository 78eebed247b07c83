using System.Globalization;
using System.Text;

namespace NeuralFlow.Keras;

/// <summary>
/// A model (<c>tf.keras.Model</c>): a layer that holds layers and can be trained with
/// <c>Compile</c>/<c>Fit</c>. Build it from symbolic tensors (<c>new Model(inputs, outputs)</c>,
/// the functional API), or subclass it and override <see cref="Layer.Call(Tensor)"/>; the layers
/// and variables held in its fields are found without registration.
/// </summary>
public partial class Model : Layer
{
    /// <summary>
    /// The model's layers, as Keras 3's <c>model.layers</c>: a Sequential's after its input, a functional
    /// model's in graph order with its <c>InputLayer</c>s (so <c>model.Layers[1]</c> is the first layer
    /// after a single input, as in Keras), a subclassed model's the layers held in its fields. Its type is
    /// the <see cref="Keras.Layers"/> class, so inside a Model subclass <c>Layers</c> still names the
    /// layer classes too (<see cref="ListView{T}"/>).
    /// </summary>
    public virtual Layers Layers => new(SubLayers);

    /// <summary>Set by a callback to end <c>Fit</c> after the current epoch (Keras' stop_training).</summary>
    public bool StopTraining { get; set; }

    /// <summary>
    /// Set by a callback to end <c>Evaluate</c> (and a validation in Fit) after the current batch
    /// (Keras' stop_evaluating): the result, and OnTestEnd's logs, cover the batches run. Each evaluation starts with it false.
    /// </summary>
    public bool StopEvaluating { get; set; }

    /// <summary>
    /// Set by a callback to end <c>Predict</c> after the current batch (Keras' stop_predicting):
    /// the result holds the rows of the batches run. Each prediction starts with it false.
    /// </summary>
    public bool StopPredicting { get; set; }

    /// <summary>
    /// A model never builds through <see cref="Layer.EnsureBuilt"/> (its Call runs its layers): a
    /// functional model is built when made, another once every layer it holds is, so a Sequential
    /// nested in a model counts as built after its first call, for Save and ExportOnnx.
    /// </summary>
    public override bool Built => IsFunctional || (SubLayers.Count > 0 && SubLayers.All(l => l is Layers.InputLayer || l.Built));

    /// <summary>
    /// Prints the model's table of layers, output shapes and parameter counts: Keras 3's box table (a
    /// functional model's with its input layers and, unless it is a chain, a "Connected to" column), then the totals with the bytes the weights hold (<c>Total params: 34,826 (136.04 KB)</c>)
    /// and, once the optimizer is built (a step taken), Keras 3's <c>Optimizer params</c> line, counted in the total.
    /// </summary>
    public void Summary(TextWriter? writer = null) => (writer ?? Console.Out).Write(SummaryText());

    // The class Keras' summary shows: a model built from inputs and outputs is a "Functional" there.
    internal static string SummaryClass(Layer layer) =>
        layer is Operation op ? op.ClassName
        : layer is Model { _graph: not null } && layer.GetType() == typeof(Model) ? "Functional" : layer.GetType().Name;

    /// <summary>
    /// The text <see cref="Summary"/> prints; a functional model that is not a chain has Keras' "Connected to"
    /// column naming each call's inbound tensors (<c>conv2d[0][0]</c>).
    /// </summary>
    public string SummaryText() => SummaryText(withOptimizer: true);

    // withOptimizer false: the weights' totals alone, as Keras' summary reads before the optimizer is built
    // (TensorBoard's, which Keras writes as training begins and NeuralFlow once the layers are built).
    internal string SummaryText(bool withOptimizer)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{Name}\"");
        if (_graph is { } graph) sb.Append(FunctionalTable(graph));
        else
        {
            // Keras 3 treats a Sequential (and a subclassed model) as a sequence of layers: three
            // columns, its input not a row, an unbuilt layer's shape "?" and its count "0 (unbuilt)".
            var rows = SubLayers.Where(l => l is not Layers.InputLayer).Select(l => (Layer: l, Params: l.CountParams())).Select(r => new[]
            {
                $"{r.Layer.Name} ({SummaryClass(r.Layer)})",
                this is Sequential sequential && sequential.SymbolicOutput(r.Layer) is { } symbolic ? KerasTensor.Format(symbolic.Shape)
                    : r.Layer.OutputShape is { } s ? "(None" + string.Concat(s.ToArray().Skip(1).Select(d => $", {d}")) + ")" : "?",
                r.Layer.Built || r.Params > 0 ? r.Params.ToString("N0", CultureInfo.InvariantCulture) : "0 (unbuilt)",
            }).ToList();
            sb.Append(SummaryTable.Render(["Layer (type)", "Output Shape", "Param #"], [0.45, 0.80, 1.0], [false, false, true], rows));
        }
        // Keras 3's totals: each count with the bytes its weights hold; once the optimizer is built (a step
        // taken), its variables too, in the total and on a line of their own.
        long trainable = TrainableVariables.Sum(v => v.Count), weights = CountParams();
        double trainableBytes = TrainableVariables.Sum(v => (double)v.Count * v.DType.SizeInBytes());
        double frozenBytes = NonTrainableVariables.Sum(v => (double)v.Count * v.DType.SizeInBytes());
        var optimizer = _optimizer is null || !withOptimizer ? null : Saving.Keras3OptimizerState.SummaryParams(_optimizer, this);
        sb.AppendLine($" Total params: {(weights + (optimizer?.Count ?? 0)).ToString("N0", CultureInfo.InvariantCulture)} " +
                      $"({SummaryTable.MemorySize(trainableBytes + frozenBytes + (optimizer?.Bytes ?? 0))})");
        sb.AppendLine($" Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)} ({SummaryTable.MemorySize(trainableBytes)})");
        sb.AppendLine($" Non-trainable params: {(weights - trainable).ToString("N0", CultureInfo.InvariantCulture)} ({SummaryTable.MemorySize(frozenBytes)})");
        if (optimizer is { } built)
            sb.AppendLine($" Optimizer params: {built.Count.ToString("N0", CultureInfo.InvariantCulture)} ({SummaryTable.MemorySize(built.Bytes)})");
        return sb.ToString();
    }

    // A functional model's table as Keras 3 prints it: every operation a row (its inputs too); a chain of
    // single-input calls is "sequential-like" and has Sequential's three columns, any other graph gets
    // Keras' fourth, "Connected to", naming each call's inbound tensors (conv2d[0][0]), "-" for an input.
    private static string FunctionalTable(FunctionalGraph graph)
    {
        bool chain = SequentialLike(graph);
        var rows = graph.Operations.Select(l =>
        {
            var nodes = l is Layers.InputLayer input ? [input.Output.Node] : graph.Nodes.Where(n => ReferenceEquals(n.Layer, l)).ToList();
            // A call of several outputs shows each, as Keras: [(None, 8), (None, 4)].
            var outs = nodes[0].Outputs;
            var shape = outs.Length == 1 ? KerasTensor.Format(outs[0].Shape) : $"[{string.Join(", ", outs.Select(o => KerasTensor.Format(o.Shape)))}]";
            string[] row = [$"{l.Name} ({SummaryClass(l)})", shape, l.CountParams().ToString("N0", CultureInfo.InvariantCulture)];
            if (chain) return row;
            var inbound = nodes.SelectMany(n => n.Inputs).Select(t => $"{t.Layer.Name}[{t.Node.Index}][{t.Index}]").ToList();
            return [.. row, inbound.Count == 0 ? "-" : string.Join(", ", inbound)];
        }).ToList();
        return chain
            ? SummaryTable.Render(["Layer (type)", "Output Shape", "Param #"], [0.45, 0.80, 1.0], [false, false, true], rows)
            : SummaryTable.Render(["Layer (type)", "Output Shape", "Param #", "Connected to"], [0.3, 0.56, 0.74, 1.0], [false, false, true, false], rows);
    }

    // Keras 3's test (summary_utils.print_summary): one call at each depth (the longest path to an output),
    // none of them on more than one tensor, and no layer called twice.
    private static bool SequentialLike(FunctionalGraph graph)
    {
        var depth = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        foreach (var t in graph.Outputs) depth[t.Node] = 0;
        foreach (var node in graph.Nodes.Reverse())
        {
            int d = depth.GetValueOrDefault(node);
            foreach (var t in node.Inputs) depth[t.Node] = Math.Max(depth.GetValueOrDefault(t.Node), d + 1);
        }
        foreach (var t in graph.Inputs) depth.TryAdd(t.Node, 0);
        return depth.GroupBy(kv => kv.Value).All(g => g.Count() == 1 && g.Single().Key.Inputs.Count <= 1)
               && graph.Nodes.GroupBy(n => n.Layer, ReferenceEqualityComparer.Instance).All(g => g.Count() == 1);
    }
}

/// <summary>A plain stack of layers, each feeding the next (<c>tf.keras.Sequential</c>).</summary>
public partial class Sequential : Model
{
    private readonly List<Layer> _layers = [];

    /// <summary>A model of <paramref name="layers"/>, in order.</summary>
    public Sequential(params Layer[] layers) : this(layers, null) { }

    /// <summary>
    /// A model that starts with <paramref name="input"/> (<c>keras.Sequential([keras.Input(shape=...), ...])</c>,
    /// Keras 3's way of giving a Sequential its input shape), then <paramref name="layers"/>, in order.
    /// </summary>
    public Sequential(KerasTensor input, params Layer[] layers) : this([InputOf(input), .. layers], null) { }

    /// <summary>
    /// A named model that starts with <paramref name="input"/>, then <paramref name="layers"/>
    /// (<c>keras.Sequential([keras.Input(shape=...), ...], name=...)</c>):
    /// <c>new Sequential(Layers.Input([8]), [new Layers.Dense(4)], name: "mlp")</c>.
    /// </summary>
    public Sequential(KerasTensor input, IEnumerable<Layer> layers, string? name = null)
        : this([InputOf(input), .. layers ?? throw new ArgumentNullException(nameof(layers))], name) { }

    private static Layer InputOf(KerasTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Layer as Layers.InputLayer ?? throw new ArgumentException(
            $"A Sequential starts from the tensor of Layers.Input(shape), not from {input}; build other graphs with new Model(inputs, outputs).", nameof(input));
    }

    /// <summary>A named model of <paramref name="layers"/>.</summary>
    public Sequential(IEnumerable<Layer> layers, string? name = null) : base(name)
    {
        foreach (var l in layers) Add(l);
    }

    // After a first InputLayer: the symbolic output so far. Each layer added is called on it, so it is
    // built (weights, output shape, Summary's counts) as soon as it is added, as Keras builds a
    // Sequential that starts with an Input.
    private KerasTensor? _symbolic;

    // Each layer's symbolic output in this model, which Summary shows (None where a length is unknown).
    private readonly Dictionary<Layer, KerasTensor> _symbolicOutputs = new(ReferenceEqualityComparer.Instance);

    // Calls the layer on the symbolic output so far (building it) and records its output.
    private void CallSymbolic(Layer layer) => _symbolic = _symbolicOutputs[layer] = layer.Call(_symbolic!);

    // Its input and last output as symbolic tensors (Model.Inputs / Outputs), when it has them.
    internal (KerasTensor[] Inputs, KerasTensor[] Outputs) SymbolicEnds() =>
        _symbolic is not null && _layers is [Keras.Layers.InputLayer first, ..] ? ([first.Output], [_symbolic]) : ([], []);

    /// <summary>The symbolic output of <paramref name="layer"/> in this model, when it started from an input.</summary>
    internal KerasTensor? SymbolicOutput(Layer layer) => _symbolicOutputs.GetValueOrDefault(layer);

    /// <summary>Appends a layer; after a first <see cref="Layers.InputLayer"/>, builds it at once.</summary>
    /// <exception cref="ArgumentException">An input layer that would not come first (Keras: a Sequential has one input, its first entry).</exception>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is Layers.InputLayer && _layers.Count > 0)
            throw new ArgumentException(_layers[0] is Keras.Layers.InputLayer first
                ? $"Add: {Name} already starts with the input {first.Name} of shape {BatchFormat(first.ExampleShape)}; a Sequential model has one input (Keras raises here too)."
                : $"Add: an input goes first in a Sequential model, but {Name} already holds {_layers.Count} layer(s); start it with the input, or call Build(shape).", nameof(layer));
        if (_layers.Count == 0 && layer is Layers.InputLayer input) _symbolic = input.Output;
        else if (_layers.Count == 0 && ImpliedInput(layer) is { } start)
        {
            _layers.Add(start);
            _symbolic = start.Output;
            CallSymbolic(layer);
        }
        else if (_symbolic is not null) CallSymbolic(layer);
        _layers.Add(layer);
    }

    // The input Keras 3 starts a Sequential with when its first layer knows its input: a model made
    // on an input (the image tutorial's data_augmentation Sequential made with an input shape), or
    // a layer given Keras' input_shape. Then Summary shows every shape and count, and ExportOnnx
    // has an input, before any call.
    private static Layers.InputLayer? ImpliedInput(Layer first) => first switch
    {
        Model { Inputs: [var known] } => new Layers.InputLayer([.. known.Shape.Skip(1)], known.DType, known.Shape[0]),
        { InputShape: { } exampleShape } => new Layers.InputLayer(exampleShape),
        _ => null,
    };

    /// <summary>
    /// Starts the model with <paramref name="input"/>, the tensor of <c>Layers.Input(shape)</c>
    /// (Keras' <c>model.add(keras.Input(shape=(4,)))</c>), so each layer added after it is built at
    /// once and <see cref="Model.Summary"/> shows the output shapes so far. The input is not one of <see cref="Layers"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The model already holds layers, or the tensor is not an input's.</exception>
    public void Add(KerasTensor input) => Add(InputOf(input));

    /// <summary>
    /// Keras' Sequential.build: puts an input layer of <paramref name="inputShape"/> (one example, no
    /// batch axis) first and calls every layer on it, as if the model had been made with that input.
    /// See <see cref="Model.Build"/>.
    /// </summary>
    public override void Build(int[] inputShape, DType dtype = DType.Float32)
    {
        CheckBuildShape(inputShape);
        if (_layers.Count > 0 && _layers[0] is Layers.InputLayer first)
        {
            if (first.ExampleShape.SequenceEqual(inputShape)) return;
            throw new ArgumentException($"Build: {Name} starts with the input {first.Name} of shape {BatchFormat(first.ExampleShape)}; it cannot be built for {BatchFormat(inputShape)}.", nameof(inputShape));
        }
        var input = new Layers.InputLayer(inputShape, dtype);
        var x = input.Output;
        _symbolic = input.Output;
        foreach (var layer in _layers) BuildingLayer(layer, _symbolic.TrailingDims, () => { CallSymbolic(layer); return 0; });
        _layers.Insert(0, input);
    }

    /// <summary>
    /// The layers, in order, without the input layer that <c>Layers.Input</c> or <see cref="Build"/>
    /// puts first (Keras' <c>model.layers</c>), so <c>Layers[0]</c> is the first layer added.
    /// </summary>
    public override Layers Layers => new(_layers is [Keras.Layers.InputLayer, ..] ? _layers.GetRange(1, _layers.Count - 1) : _layers);

    /// <summary>The layers with the input layer, if any (what config.json lists, as Keras writes it).</summary>
    internal IReadOnlyList<Layer> AllLayers => _layers;

    /// <summary>
    /// Removes and returns the last layer (Keras' <c>model.pop()</c>), e.g. to replace a
    /// classifier head; the model's steps are made again at the next Fit, Evaluate or Predict.
    /// </summary>
    public Layer Pop()
    {
        if (Layers.Count == 0) throw new InvalidOperationException($"Pop: {Name} has no layers to remove.");
        var last = _layers[^1];
        _layers.RemoveAt(_layers.Count - 1);
        if (_layers is [Keras.Layers.InputLayer input, ..])
        {
            _symbolic = input.Output;
            _symbolicOutputs.Clear();
            foreach (var layer in _layers.Skip(1)) CallSymbolic(layer);
        }
        return last;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> SubLayers => _layers;

    /// <summary>
    /// The first layer when the model may take text there (a TextVectorization: Keras' export model
    /// <c>Sequential([vectorize_layer, model, Activation("sigmoid")])</c>; a StringLookup; a Hashing,
    /// unless after an Input of numbers), else null: Fit, Evaluate and Predict take strings then.
    /// </summary>
    internal ITextInputLayer? TextEntry =>
        (_layers is [Keras.Layers.InputLayer, var second, ..] ? second : _layers is [var first, ..] ? first : null) is ITextInputLayer front &&
        (!front.TakesNumbers || _layers is not [Keras.Layers.InputLayer { InputDType: not DType.String }, ..]) ? front : null;

    /// <summary>
    /// The text layer Fit, Evaluate and Predict run on the host before each step (on each batch of
    /// strings), which <see cref="Call(Tensor)"/> starts after, at the numbers it returns: the
    /// <see cref="TextEntry"/>, and for a layer that takes numbers too (Hashing) only once the model
    /// takes text (after a string Input, or since it was given text: <see cref="Model.TakeText"/>);
    /// before, a Hashing first is an ordinary layer of numbers.
    /// </summary>
    internal ITextInputLayer? TextFrontLayer =>
        TextEntry is { } front && (!front.TakesNumbers || TakesText || _layers is [Keras.Layers.InputLayer { InputDType: DType.String }, ..]) ? front : null;

    /// <summary>Whether the model has been given text for a first layer that takes numbers too (Hashing): from then on that layer runs on the host.</summary>
    internal bool TakesText { get; set; }

    /// <inheritdoc/>
    /// <remarks>
    /// A model that starts with a text layer (<see cref="Layers.TextVectorization"/>) takes raw
    /// strings in Fit, Evaluate and Predict; as a tensor, it takes what that layer returns (the
    /// token ids), which it reads from the next layer on.
    /// </remarks>
    [MethodImpl(Hot)]
    public override Tensor Call(Tensor x)
    {
        using var call = EnterCall();
        var front = TextFrontLayer;
        foreach (var layer in _layers)
        {
            // The text input and the layer that vectorizes it ran on the host, before this call.
            if (front is not null && (ReferenceEquals(layer, front) || layer is Layers.InputLayer)) continue;
            // A ragged batch (padded, its row lengths riding along) goes through each layer as tf.keras 2 runs it on the rows.
            x = RaggedInputs.Of(x) is null ? layer.Call(x) : RaggedInputs.Run(layer, [x], xs => [layer.Call(xs[0])])[0];
        }
        OutputShape = x.Shape;
        return x;
    }
}
