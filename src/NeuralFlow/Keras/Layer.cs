namespace NeuralFlow.Keras;

/// <summary>
/// A Keras layer: a computation with weights that it builds lazily from the shape of its first
/// input (<c>tf.keras.layers.Layer</c>). Subclasses implement <see cref="Forward(Tensor)"/> and, when
/// they have weights, <see cref="Build"/>; models and composite layers override <see cref="Call(Tensor)"/>.
/// </summary>
public abstract partial class Layer
{
    private static readonly Dictionary<string, int> Counters = [];
    // The learning phase a caller set (Fit's step, Predict and Evaluate, Call(x, training)), or null
    // where none was set: then each layer takes its own default, as Keras' call signature does.
    [ThreadStatic] private static bool? _training;
    private readonly List<Variable> _ownWeights = [];

    /// <summary>The weights this layer made with AddWeight, in order (a checkpoint names them by their short names).</summary>
    internal IReadOnlyList<Variable> OwnWeights => _ownWeights;

    /// <summary>A layer named <paramref name="name"/>, or after its type ("dense_3").</summary>
    protected Layer(string? name = null)
    {
        Name = name ?? AutoName(GetType().Name);
        _policy = InitialPolicy();
    }

    private DTypePolicy _policy;

    /// <summary>
    /// The float type of this layer's weights (Keras' <c>variable_dtype</c>): its <see cref="Dtype"/>
    /// policy's, which is <see cref="Config.DTypePolicy"/>'s (by default <see cref="Config.FloatX"/>) when the
    /// layer was made. Setting it gives the layer the plain policy of that type, before the layer builds its
    /// weights (e.g. one float64 layer in a float32 model). Float inputs of another type are cast to the
    /// computation's type, as Keras' autocast does. (An initializer that makes float64 values itself gives
    /// float64 weights in any layer.)
    /// </summary>
    public DType VariableDType
    {
        get => _policy.VariableDType;
        set
        {
            if (!value.IsFloating())
                throw new ArgumentException($"{Name}: VariableDType must be float16, float32 or float64, got {value.Name()}.", nameof(value));
            Dtype = DTypePolicy.Of(value);
        }
    }

    /// <summary>
    /// The layer's dtype policy (Keras' <c>dtype</c> argument and <c>dtype_policy</c>): a
    /// <see cref="Keras.DTypePolicy"/> or its name, e.g. <c>new Layers.Dense(10) { Dtype = "float32" }</c> for
    /// the float32 output layer of a mixed-precision model. Layers take <see cref="Config.DTypePolicy"/> when
    /// made. A policy that changes the weights' type must be set before the layer builds them.
    /// </summary>
    public DTypePolicy Dtype
    {
        get => _policy;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (_built && value.VariableDType != _policy.VariableDType)
                throw new InvalidOperationException(
                    $"{Name}: a dtype policy with {value.VariableDType.Name()} weights must be set before the layer builds its weights (they are {_policy.VariableDType.Name()}).");
            _policy = value;
        }
    }

    /// <summary>The float type this layer computes in and gives its outputs in (Keras' <c>compute_dtype</c>): float16 under "mixed_float16".</summary>
    public DType ComputeDType => _policy.ComputeDType;

    /// <summary>A layer with a penalty on its output (Keras' <c>activity_regularizer</c>).</summary>
    protected Layer(string? name, Regularizers.Regularizer? activityRegularizer) : this(name) => ActivityRegularizer = activityRegularizer;

    /// <summary>The layer's name (shown by <c>Summary()</c>).</summary>
    public string Name { get; }

    /// <summary>
    /// Whether training updates this layer's weights (Keras' <c>layer.trainable</c>). Setting it
    /// false freezes the layer and every layer inside it: their trainable weights become
    /// non-trainable (<see cref="Variable.Trainable"/> false, so tapes stop watching them and
    /// <see cref="TrainableVariables"/> leaves them out), and a frozen
    /// <see cref="Layers.BatchNormalization"/> runs in inference mode, using and keeping its moving
    /// statistics (Keras' fine-tuning rule). Setting it true thaws them again; weights made
    /// non-trainable (moving statistics) stay so. <c>Fit</c> picks the change up at its next call
    /// (Keras asks for <c>compile()</c> again; that works here too). Saved with the model.
    /// </summary>
    public bool Trainable
    {
        get => _trainable;
        set
        {
            foreach (var layer in LayerTree()) layer.SetOwnTrainable(value);
        }
    }

    private bool _trainable = true;

    /// <summary>
    /// Sets this layer's own flag alone (and its own weights'), as a saved model records it per
    /// layer: a layer thawed inside a frozen model loads thawed.
    /// </summary>
    internal void SetOwnTrainable(bool value)
    {
        _trainable = value;
        foreach (var v in _ownWeights.Concat(Tracking.InFields(this).Variables))
            if (v.CreatedTrainable) v.Trainable = value;
    }

    private bool _built;

    /// <summary>True once the weights exist (a model: once every layer it holds is built).</summary>
    public virtual bool Built => _built;

    /// <summary>Shape of the last output (for <c>Summary()</c>); null before the first call.</summary>
    public Shape? OutputShape { get; protected set; }

    /// <summary>
    /// True while <c>Fit</c> runs a training step (Keras' learning phase): <c>Dropout</c> is active
    /// only then. Use <see cref="TrainingMode"/> to set it in a custom loop.
    /// </summary>
    public static bool IsTraining => _training == true;

    /// <summary>
    /// The learning phase a caller set (<see cref="TrainingMode"/>, <c>Call(x, training)</c>, Fit's step,
    /// Predict and Evaluate), or null where none was set: Keras' call context, where a layer called
    /// without one takes the default of its own <c>training</c> argument (false for Dropout, true for
    /// the image augmentation layers).
    /// </summary>
    internal static bool? TrainingPhase => _training;

    /// <summary>
    /// Whether this call runs in training mode for a layer whose Keras <c>call</c> defaults
    /// <c>training</c> to <paramref name="callDefault"/>: the phase a caller set, else that default.
    /// </summary>
    private protected static bool TrainingOr(bool callDefault) => _training ?? callDefault;

    /// <summary>Sets the learning phase on this thread until the scope is disposed.</summary>
    [MethodImpl(Hot)]
    public static IDisposable TrainingMode(bool training = true)
    {
        var previous = _training;
        _training = training;
        return new Restore(() => _training = previous);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private Action? _undo = undo;
        [MethodImpl(Hot)]
        public void Dispose() { _undo?.Invoke(); _undo = null; }
    }

    /// <summary>Applies the layer (building its weights on the first call).</summary>
    [MethodImpl(Hot)]
    public virtual Tensor Call(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        RefuseSingleCall();
        using var call = EnterCall();
        var mask = InputMask(x);
        EnsureBuilt(x.Shape);
        var input = AutocastInput(x);
        var y = AutocastOutput(mask is null ? Forward(input) : Forward(input, mask));
        OutputShape = y.Shape;
        if (ActivityRegularizer is not null) RecordActivity(y);
        SetOutputMask(x, y, mask);
        return y;
    }

    /// <summary>
    /// Applies the layer in training (<paramref name="training"/> true) or inference mode, as Keras'
    /// <c>layer(x, training=...)</c>: Dropout drops and BatchNormalization uses the batch's
    /// statistics only in training mode. The mode holds for the nested layers of this call only.
    /// </summary>
    [MethodImpl(Hot)]
    public Tensor Call(Tensor x, bool training)
    {
        using (TrainingMode(training)) return Call(x);
    }

    /// <summary>
    /// Applies a layer that takes several inputs (the merge layers <c>Add</c>, <c>Concatenate</c>,
    /// <c>Multiply</c>, a functional model with several inputs), as Keras' <c>layer([a, b])</c>.
    /// A layer of one input accepts a list of one.
    /// </summary>
    [MethodImpl(Hot)]
    public virtual Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != 1)
            throw new ArgumentException($"{Name} ({GetType().Name}) takes one input, but a list of {inputs.Count} was given.", nameof(inputs));
        return Call(inputs[0]);
    }

    /// <summary><see cref="Call(IReadOnlyList{Tensor})"/> in training or inference mode.</summary>
    [MethodImpl(Hot)]
    public Tensor Call(IReadOnlyList<Tensor> inputs, bool training)
    {
        using (TrainingMode(training)) return Call(inputs);
    }

    /// <summary>The computation of a layer whose weights exist.</summary>
    protected virtual Tensor Forward(Tensor x)
    {
        // A layer that overrides only Forward(x, mask) runs there; when that override calls
        // base.Forward(x, mask), which comes back here, there is nothing to run (not a stack overflow).
        if (!ForwardTakesMask || _forwardingWithoutMask)
            throw new NotImplementedException($"{GetType().Name} must override Forward (a layer) or Call (a model); base.Forward has no computation of its own.");
        _forwardingWithoutMask = true;
        try { return Forward(x, null); }
        finally { _forwardingWithoutMask = false; }
    }

    private bool _forwardingWithoutMask;

    /// <summary>Creates the weights for inputs of <paramref name="inputShape"/>.</summary>
    protected virtual void Build(Shape inputShape) { }

    /// <summary>Builds the layer for <paramref name="inputShape"/> unless it is built.</summary>
    [MethodImpl(Hot)]
    public void EnsureBuilt(Shape inputShape)
    {
        if (_built) return;
        Build(inputShape);
        SyncConstraints();
        BuildInputShape = inputShape;
        _built = true;
        // A checkpoint restored before this layer had weights gives them their saved values now, before its first output.
        Train.Checkpoint.LayerBuilt(this);
    }

    /// <summary>The input shape the layer built its weights for (Keras' build config); null before.</summary>
    public Shape? BuildInputShape { get; private set; }

    /// <summary>
    /// Creates a weight of this layer (<c>add_weight</c>); a <paramref name="constraint"/> is applied
    /// by the optimizer after each step that updates it (Keras' <c>add_weight(constraint=...)</c>),
    /// and a <paramref name="regularizer"/>'s penalty of the weight is one of <see cref="Losses"/>
    /// (Keras' <c>add_weight(regularizer=...)</c>), which <c>Fit</c> adds to the loss: computed from
    /// the current values whenever the losses are read, and left out while the weight is not trainable.
    /// Without an <paramref name="initializer"/> the weight is drawn by glorot_uniform, Keras' default.
    /// A <paramref name="dtype"/> (Keras' <c>add_weight(dtype=...)</c>) holds the weight in that type
    /// whatever the layer's policy (a counter as int64); without one it is the layer's variable dtype.
    /// </summary>
    protected Variable AddWeight(string name, Shape shape, Initializer? initializer = null, bool trainable = true, Constraints.Constraint? constraint = null,
                                 Regularizers.Regularizer? regularizer = null, DType? dtype = null)
    {
        initializer ??= Initializer.GlorotUniform;
        // Keras' fans: a convolution kernel [KH, KW, in, out] counts its receptive field KH * KW.
        int receptive = 1;
        for (int i = 0; i < shape.Rank - 2; i++) receptive *= shape[i];
        var fanIn = shape.Rank >= 2 ? shape[-2] * receptive : shape.Rank == 1 ? shape[0] : 1;
        var fanOut = shape.Rank >= 1 ? shape[-1] * receptive : 1;
        Variable w;
        using (var value = initializer.Create(shape, fanIn, fanOut))
        // A float64 (float16) layer casts the initializers' float32 values up (down); an initializer that makes
        // float64 values itself keeps them in any layer (the way to a float64 weight before VariableDType existed).
        using (var typed = dtype is { } given ? (given == value.DType ? null : NF.Cast(value, given))
                           : VariableDType is DType.Float64 or DType.Float16 && value.DType == DType.Float32 ? NF.Cast(value, VariableDType) : null)
            w = new Variable(typed ?? value, trainable, $"{Name}/{name}");
        if (!Trainable) w.Trainable = false;   // Keras 3: a frozen layer's new weights are frozen too
        w.Constraint = constraint;
        if (regularizer is not null) (_addedWeightRegularizers ??= []).Add(new RegularizerSlot("", w, regularizer, _ => { }));
        _ownWeights.Add(w);
        return w;
    }

    /// <summary>
    /// All weights, each once, in Keras' order: this layer's own (made by <see cref="AddWeight"/>,
    /// then variables held in its fields), then those of the layers it holds, depth first. A
    /// cycle (a sublayer holding a reference back to its model) is visited once.
    /// </summary>
    public IReadOnlyList<Variable> Variables
    {
        get
        {
            var all = new List<Variable>();
            Gather(this, all, new HashSet<Variable>(ReferenceEqualityComparer.Instance), new HashSet<Layer>(ReferenceEqualityComparer.Instance), null, false);
            return all;
        }
    }

    // Every weight once, in Keras' order; those reached through a frozen layer (Trainable false)
    // also go to `frozen` when it is given.
    [MethodImpl(Hot)]
    private static void Gather(Layer layer, List<Variable> all, HashSet<Variable> seenVariables, HashSet<Layer> seenLayers,
                               HashSet<Variable>? frozen, bool frozenPath)
    {
        if (!seenLayers.Add(layer)) return;
        frozenPath |= !layer._trainable;
        foreach (var v in layer._ownWeights.Concat(Tracking.InFields(layer).Variables))
            if (seenVariables.Add(v))
            {
                all.Add(v);
                if (frozenPath) frozen?.Add(v);
            }
        foreach (var sub in layer.SubLayers)
            Gather(sub, all, seenVariables, seenLayers, frozen, frozenPath);
    }

    // The weights, each with whether training updates it: made trainable and in no frozen layer.
    // Loops rather than LINQ over (Variable, bool): Fit asks on its first step, and the framework's
    // LINQ over a tuple is not in the ReadyToRun image, so a cold process JIT-compiled a dozen
    // methods for it (fit_warmup).
    internal List<(Variable Variable, bool Trained)> WeightsAndTraining()
    {
        var all = new List<Variable>();
        var frozen = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
        Gather(this, all, new HashSet<Variable>(ReferenceEqualityComparer.Instance), new HashSet<Layer>(ReferenceEqualityComparer.Instance), frozen, false);
        var result = new List<(Variable, bool)>(all.Count);
        foreach (var v in all) result.Add((v, v.Trainable && !frozen.Contains(v)));
        return result;
    }

    private List<Variable> WeightsTrained(bool trained)
    {
        var result = new List<Variable>();
        foreach (var (v, t) in WeightsAndTraining())
            if (t == trained) result.Add(v);
        return result;
    }

    /// <summary>The weights that training updates: made trainable, and in no frozen layer (see <see cref="Trainable"/>).</summary>
    public IReadOnlyList<Variable> TrainableVariables => WeightsTrained(trained: true);

    /// <summary>
    /// The weights that training does not update by gradient (Keras' <c>non_trainable_variables</c>):
    /// BatchNormalization's moving statistics, weights made with <c>trainable: false</c>, and
    /// every weight of a frozen layer (<see cref="Trainable"/> false).
    /// They are saved with the model like any other weight.
    /// </summary>
    public IReadOnlyList<Variable> NonTrainableVariables => WeightsTrained(trained: false);

    /// <summary>
    /// Layers held by this one in fields (directly or in arrays, lists, dictionaries and other
    /// collections of layers), found without registration, in declaration order.
    /// </summary>
    public virtual IReadOnlyList<Layer> SubLayers => Tracking.InFields(this).Layers;

    /// <summary>This layer and every layer under it, each once (a cycle is visited once), depth first.</summary>
    internal List<Layer> LayerTree()
    {
        var found = new List<Layer>();
        var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        void Walk(Layer layer)
        {
            if (!seen.Add(layer)) return;
            found.Add(layer);
            foreach (var sub in layer.SubLayers) Walk(sub);
        }
        Walk(this);
        return found;
    }

    /// <summary>The layer's own random generator (a seeded noise layer's), whose position a saved model keeps; null for most layers.</summary>
    private protected virtual RandomStream? OwnStream => null;

    /// <summary>The generators of <see cref="LayerTree"/>'s layers that have one, with their layers' names, in that order.</summary>
    internal List<(string Layer, RandomStream Stream)> OwnStreams() =>
        LayerTree().Where(l => l.OwnStream is not null).Select(l => (l.Name, l.OwnStream!)).ToList();

    /// <summary>Number of scalars in the weights.</summary>
    public long CountParams() => Variables.Sum(v => v.Count);

    // Keras numbers names per kind: dense, dense_1, dense_2, ... One counter per process for every
    // kind of object Keras names (naming.uniquify's object_name_uids): layers, models, optimizers.
    private protected static string NextName(string kind)
    {
        lock (Counters)
        {
            Counters.TryGetValue(kind, out int n);
            Counters[kind] = n + 1;
            return n == 0 ? kind : $"{kind}_{n}";
        }
    }

    /// <summary>
    /// Keras' <c>naming.auto_name</c>: the default name of an object of class <paramref name="className"/>, its
    /// snake-case name numbered per process ("dense", "dense_1"; "adam", "adam_1").
    /// </summary>
    internal static string AutoName(string className) => NextName(ToSnakeCase(className));

    // Keras' to_snake_case, so default names match Keras': Conv2D -> conv2d, MaxPooling2D ->
    // max_pooling2d, BatchNormalization -> batch_normalization (weights saved by name line up).
    internal static string ToSnakeCase(string name)
    {
        name = System.Text.RegularExpressions.Regex.Replace(name, @"\W+", "");
        name = System.Text.RegularExpressions.Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
        return System.Text.RegularExpressions.Regex.Replace(name, "([a-z])([A-Z])", "$1_$2").ToLowerInvariant();
    }
}
