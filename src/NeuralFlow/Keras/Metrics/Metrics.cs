namespace NeuralFlow.Keras;

/// <summary>
/// The Keras metrics (<c>tf.keras.metrics</c>): stateful accumulators with <c>UpdateState</c>
/// (optionally weighted), <c>Result</c> and <c>ResetState</c>. Their state lives on the device,
/// in non-trainable variables updated in place; only <c>Result</c> reads it back.
/// An instance is a model's list of metrics (<c>model.Metrics</c>, Keras' <c>model.metrics</c>); see
/// <see cref="ListView{T}"/> for why the list and the metric classes share the name.
/// </summary>
public partial class Metrics : ListView<Metrics.Metric>
{
    internal Metrics(IReadOnlyList<Metric> metrics) : base(metrics) { }

    /// <summary>A metric: device-resident state updated batch by batch, and a result computed from it.</summary>
    public abstract class Metric(string name)
    {
        private readonly List<MetricVariable> _states = [];

        /// <summary>The Keras name, used in <c>History</c> and progress lines ("accuracy", "loss", ...).</summary>
        public string Name { get; set; } = name;

        /// <summary>The current value (Keras returns a scalar tensor; this returns the number).</summary>
        public abstract float Result();

        /// <summary>
        /// The result when Keras' is a vector (F1Score/FBetaScore with average null: one score per class; R2Score
        /// with classAggregation null; a confusion metric given several thresholds), else null: <see cref="Result"/> refuses those.
        /// </summary>
        internal virtual double[]? VectorResult() => null;

        /// <summary>
        /// Puts <paramref name="metric"/>'s result into Fit's or Evaluate's logs under <paramref name="name"/>; a vector
        /// result (Keras logs the array) as one entry per element, "name[0]", "name[1]", ..., since logs hold numbers.
        /// </summary>
        internal static void Log(IDictionary<string, float> logs, string name, Metric metric)
        {
            if (metric.VectorResult() is { } values)
                for (int i = 0; i < values.Length; i++) logs[$"{name}[{i}]"] = (float)values[i];
            else logs[name] = metric.Result();
        }

        /// <summary>
        /// The state variables (<c>metric.variables</c>, named as Keras names them: "total",
        /// "true_positives", ...), on the device of the data; made by the first update, so empty before it.
        /// </summary>
        public IReadOnlyList<Variable> Variables => _states.Select(s => s.Value).OfType<Variable>().ToList();

        /// <summary>The state variables' holders, made or not (DataParallel.GlobalResult sums them across ranks).</summary>
        internal IReadOnlyList<MetricVariable> States => _states;

        /// <summary>True once every state variable exists (the first update makes them).</summary>
        internal bool IsBuilt => _states.TrueForAll(s => s.Value is not null);

        /// <summary>Forgets everything seen (<c>reset_state</c>): every state variable back to zero, on the device.</summary>
        public virtual void ResetState()
        {
            foreach (var s in _states) s.Reset();
        }

        /// <summary>
        /// A state variable of this metric (float64, zero until updated). <paramref name="shape"/>
        /// null takes the shape of the first update (a per-class count whose class number the
        /// first batch tells).
        /// </summary>
        private protected MetricVariable AddState(string stateName, Shape? shape = null)
        {
            var s = new MetricVariable(stateName, shape);
            _states.Add(s);
            return s;
        }

        /// <summary>
        /// A state variable of a metric written by hand (Keras' <c>self.add_weight(name=..., initializer="zeros")</c>
        /// in a custom metric's <c>__init__</c>): made now, on the current device, and updated by the metric's own
        /// <c>AssignAdd</c>/<c>Assign</c>. Being the metric's state, it is what <see cref="ResetState"/> sets back to
        /// zero (Keras 3's default reset_state), what a mid-epoch BackupAndRestore checkpoint carries, and what
        /// <c>DataParallel</c> sums over the ranks before <see cref="Result"/> is read (Keras' aggregation="sum",
        /// the default for metric variables: counts and totals).
        /// </summary>
        /// <param name="name">The variable's name (Keras' <c>name</c>).</param>
        /// <param name="shape">Its shape; null: a scalar (Keras' default <c>shape=()</c>).</param>
        /// <param name="initializer">Its first value; null: zeros.</param>
        /// <param name="dtype">Its dtype (Keras: the metric's dtype, float32).</param>
        protected Variable AddWeight(string name, Shape? shape = null, Initializer? initializer = null, DType dtype = DType.Float32)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (!dtype.IsFloating() && !dtype.IsInteger())
                throw new ArgumentException($"AddWeight: metric '{Name}' state '{name}' cannot be {dtype.Name()}; a metric's state is a number (a count or a total).", nameof(dtype));
            shape ??= Shape.Scalar;
            Variable made;
            using (var first = (initializer ?? Initializer.Zeros).Create(shape, 1, 1))
            using (var typed = first.DType == dtype ? null : NF.Cast(first, dtype))
                made = new Variable(typed ?? first, trainable: false, name: name);
            _states.Add(MetricVariable.Of(made));
            return made;
        }

        /// <summary>
        /// The state of every variable (its shape and values, null where no update made it yet),
        /// for a checkpoint taken mid-epoch (BackupAndRestore) to carry the running values.
        /// </summary>
        internal (Shape Shape, double[] Values)?[] SaveState() =>
            _states.Select(s => s.Value is null ? ((Shape, double[])?)null : (s.Value.Shape, s.Read())).ToArray();

        /// <summary>Puts back a <see cref="SaveState"/> (variables it has no value for are reset), on the current device.</summary>
        internal void RestoreState(IReadOnlyList<(Shape Shape, double[] Values)?> state)
        {
            if (state.Count != _states.Count)
                throw new InvalidDataException($"the metric '{Name}' has {_states.Count} state variables, but the checkpoint holds {state.Count}.");
            for (int i = 0; i < state.Count; i++)
                if (state[i] is { } saved) _states[i].Restore(saved.Shape, saved.Values);
                else _states[i].Reset();
        }

        /// <inheritdoc/>
        public override string ToString() => $"{Name}: {Result():0.####}";

        /// <summary><see cref="Result"/> for a <c>Call</c>, which Keras' <c>metric(...)</c> is (see <see cref="CallResult"/>).</summary>
        private protected CallResult CalledResult() => CallResult.Of(this);
    }

    /// <summary>
    /// One piece of a metric's state: a float64 variable made on the device of the first update
    /// (so a metric made before <c>NF.UseBackend</c> still lives where its data does), added to in
    /// place; read only by <see cref="Read"/>.
    /// </summary>
    internal sealed class MetricVariable(string name, Shape? shape)
    {
        private Variable? _value;

        /// <summary>The variable, once an update made it.</summary>
        public Variable? Value => _value;

        /// <summary>The variable's shape, once known.</summary>
        public Shape? Shape { get; private set; } = shape;

        /// <summary>Adds <paramref name="delta"/> (broadcast to the state's shape) on the device.</summary>
        public void Add(Tensor delta)
        {
            using var scope = TensorScope.Begin();
            var d = delta.DType == DType.Float64 ? delta : NF.Cast(delta, DType.Float64);
            Shape ??= d.Shape;
            if (_value is null || !ReferenceEquals(_value.Backend, d.Backend))
            {
                // First update, or data now on another device: the state follows it.
                var old = _value?.ToArray<double>();
                using (NF.UseBackend(d.Backend))
                    _value = new Variable(old is null ? NF.Zeros(Shape, DType.Float64) : NF.Constant(old, Shape), trainable: false, name: name);
            }
            _value.AssignAddBroadcast(d);
        }

        /// <summary>A state made by the metric itself (<see cref="Metric.AddWeight"/>), in its own dtype.</summary>
        public static MetricVariable Of(Variable made) => new(made.Name ?? "state", made.Shape) { _value = made };

        /// <summary>The values (zeros before any update; empty when the shape is not known yet).</summary>
        public double[] Read() => _value is null ? new double[Shape?.Count ?? 0] : _value.ToDoubleArray();

        /// <summary>
        /// Takes saved values: assigned in place when the variable exists with that shape (a
        /// traced step reads that variable), else made on the current device.
        /// </summary>
        public void Restore(Shape shape, double[] values)
        {
            if (values.Length != shape.Count || (Shape is { } known && known != shape))
                throw new InvalidDataException($"the metric state '{name}' is saved with shape {shape} and {values.Length} values, but it has shape {Shape?.ToString() ?? "(not yet known)"}.");
            using var scope = TensorScope.Begin();
            if (_value is not null && _value.Shape == shape)
            {
                using (NF.UseBackend(_value.Backend)) _value.Assign(NF.Cast(NF.Constant(values, shape), _value.DType));
                return;
            }
            Shape = shape;
            _value = new Variable(NF.Constant(values, shape), trainable: false, name: name);
        }

        /// <summary>Zero again, on the device.</summary>
        public void Reset()
        {
            if (_value is null) return;
            using var scope = TensorScope.Begin();
            using (NF.UseBackend(_value.Backend)) _value.Assign(NF.ZerosLike(_value));
        }
    }

    /// <summary>A metric fed (yTrue, yPred) pairs, as <c>Compile</c>'s metrics are.</summary>
    public abstract class PredictionMetric(string name) : Metric(name)
    {
        /// <summary>
        /// Accumulates one batch; <paramref name="sampleWeight"/> (a scalar, or one weight per
        /// example or per element) weighs each example's contribution, as in Keras.
        /// </summary>
        public abstract void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null);

        /// <summary>Keras' <c>metric(y_true, y_pred, sample_weight)</c>: updates the state, then returns the result so far.</summary>
        public CallResult Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            UpdateState(yTrue, yPred, sampleWeight);
            return CalledResult();
        }

        /// <summary>The constructor arguments under Keras' names (<c>get_config</c>); <see cref="FromConfig"/> rebuilds the metric.</summary>
        public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name };
    }

    /// <summary>
    /// A metric that averages a per-example value (Keras' <c>MeanMetricWrapper</c>): a weighted
    /// total and a weighted count.
    /// </summary>
    public abstract class MeanMetricWrapper : PredictionMetric
    {
        private readonly MetricVariable _total, _count;

        /// <summary>A running mean named <paramref name="name"/>.</summary>
        protected MeanMetricWrapper(string name) : base(name)
        {
            _total = AddState("total", Shape.Scalar);
            _count = AddState("count", Shape.Scalar);
        }

        /// <summary>Per-example values: a bool tensor of hits for accuracies, or numbers to average.</summary>
        protected abstract Tensor Matches(Tensor yTrue, Tensor yPred);

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            using var scope = TensorScope.Begin();
            var values = Matches(yTrue, yPred);
            // A masked prediction (Embedding(maskZero), Masking) counts only its real positions: the
            // mask joins the sample weights, as tf.keras' compiled metrics apply it (Keras 3's MeanMetricWrapper does with sample weights).
            if (Layer.MaskOf(yPred) is { } mask) sampleWeight = MaskedWeights(mask, sampleWeight, values);
            var (total, count) = WeightedSums(values, sampleWeight, Name, mean: true);
            _total.Add(total);
            _count.Add(count);
        }

        /// <summary>The weighted mean so far (0 before any update).</summary>
        protected double RunningMean()
        {
            double count = _count.Read()[0];
            return count == 0 ? 0 : _total.Read()[0] / count;
        }

        /// <inheritdoc/>
        public override float Result() => (float)RunningMean();
    }

    /// <summary>
    /// The weighted total and count one batch adds (Keras' <c>reduce_to_samplewise_values</c>):
    /// weights are squeezed or expanded to the values' rank, values are reduced (mean, or sum
    /// for <c>Sum</c>) over the axes the weights lack, then both over all but the batch axis.
    /// Without weights, every example counts 1.
    /// </summary>
    private static (Tensor Total, Tensor Count) WeightedSums(Tensor values, Tensor? sampleWeight, string who, bool mean)
    {
        var v = values.DType == DType.Float64 ? values : NF.Cast(values, DType.Float64);
        Tensor Reduce(Tensor x, int from) => x.Rank <= from ? x
            : mean ? NF.ReduceMean(x, Enumerable.Range(from, x.Rank - from).ToArray()) : NF.ReduceSum(x, Enumerable.Range(from, x.Rank - from).ToArray());
        if (sampleWeight is null)
        {
            v = Reduce(v, 1);
            return (NF.ReduceSum(v), NF.Constant((double)(v.Rank == 0 ? 1 : v.Shape[0])));
        }
        var w = NF.Cast(sampleWeight, DType.Float64);
        (v, w) = Losses.SqueezeOrExpand(v, w);
        if (w.Rank > v.Rank || !w.Shape.BroadcastsTo(new Shape(v.Shape.ToArray()[..w.Rank])))
            throw new ArgumentException(
                $"{who}: sampleWeight has shape {sampleWeight.Shape}, which does not match the values of shape {values.Shape}; give a scalar or one weight per example.", nameof(sampleWeight));
        int weightRank = w.Rank;
        v = Reduce(v, weightRank);
        w = NF.BroadcastTo(w, v.Shape);
        v = Reduce(v * w, 1);
        return (NF.ReduceSum(v), NF.ReduceSum(Reduce(w, 1)));
    }

    // The mask as weights (with the sample weights), after checking it covers the values' positions.
    private static Tensor MaskedWeights(Tensor mask, Tensor? sampleWeight, Tensor values)
    {
        bool fits = mask.Rank <= values.Rank;
        for (int d = 0; fits && d < mask.Rank; d++) fits = mask.Shape[d] == values.Shape[d];
        if (!fits)
            throw new ArgumentException(
                $"The prediction carries a mask of shape {mask.Shape}, which does not match the metric's values of shape {values.Shape}; " +
                "a mask [batch, timesteps] needs predictions [batch, timesteps, ...].", "yPred");
        return Layer.MaskWeights(mask, sampleWeight, DType.Float64);
    }

    /// <summary>Divides, giving 0 where the divisor is 0 (<c>divide_no_nan</c>).</summary>
    internal static double DivideNoNan(double a, double b) => b == 0 ? 0 : a / b;
}
