namespace NeuralFlow.Keras;

public partial class Model
{
    // One loss, weight and list of metrics per output (one for a model that is not functional).
    // An output a loss dictionary leaves out has no loss (null): Keras 3 neither computes nor
    // reports one for it, and trains it on nothing.
    private Losses.Loss?[] _losses = [];
    private float[] _lossWeights = [];
    private List<Metrics.PredictionMetric>[] _outputMetrics = [];
    // Each output's metrics are its `metrics` first, then its `weightedMetrics`: the first
    // _plainMetrics[i] ignore the sample and class weights, the rest take them (Keras'
    // compile(metrics=..., weighted_metrics=...): keras CompileMetrics.update_state passes
    // sample_weight to the weighted metrics only). _metricKeys[i][j] is each one's log name.
    private int[] _plainMetrics = [];
    private string[][] _metricKeys = [];
    // The names of the logs, in their order (see MetricsNames); set by Compile.
    private string[] _logNames = [];

    /// <summary>
    /// The names of what <c>Evaluate</c> returns and <c>Fit</c> logs, in that order (Keras'
    /// <c>model.metrics_names</c>, as tf.keras lists them): "loss", then each output's loss for a
    /// model of several outputs ("head_loss"; none for an output a loss dictionary leaves out), then each output's metrics ("accuracy", or
    /// "head_accuracy"), then the metrics the model's layers hold, by their names (Keras 3). Empty before
    /// <c>Compile</c>. Fit's validation logs are these with "val_".
    /// </summary>
    public IReadOnlyList<string> MetricsNames =>
        _logNames.Length == 0 ? _logNames : _logNames.Union(LayerHeldMetrics().Select(m => m.Name)).ToList();

    // Output i's `metrics` and its `weightedMetrics`, as Compile split them (one place knows the split).
    private List<Metrics.PredictionMetric> PlainMetrics(int i) => _outputMetrics[i].GetRange(0, _plainMetrics[i]);
    private List<Metrics.PredictionMetric> WeightedMetrics(int i) => _outputMetrics[i].GetRange(_plainMetrics[i], _outputMetrics[i].Count - _plainMetrics[i]);

    /// <summary>
    /// <see cref="Compile(Optimizers.Optimizer, Losses.Loss, IEnumerable{object}?, bool, IEnumerable{object}?, int, bool?)"/> for a model
    /// of several outputs: one loss per output, in the order of <see cref="Outputs"/>, each weighted
    /// by <paramref name="lossWeights"/> (1 when not given) in the loss that training minimizes,
    /// Keras' <c>compile(loss=[...], loss_weights=[...])</c>. The metrics, by name, are computed for
    /// every output; a list of lists (one list per output, Keras' <c>metrics=[[...], [...]]</c>)
    /// gives each output its own, names or metric objects. History keys are
    /// <c>&lt;output&gt;_&lt;metric&gt;</c> and <c>val_&lt;output&gt;_&lt;metric&gt;</c>, as Keras 3 names them.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">One loss per output.</param>
    /// <param name="metrics">Metric names or objects.</param>
    /// <param name="lossWeights">One weight per output's loss.</param>
    /// <param name="runEagerly">Keras' run_eagerly (see <see cref="RunEagerly"/>).</param>
    /// <param name="weightedMetrics">Metrics that take the sample and class weights (Keras' weighted_metrics); <paramref name="metrics"/> do not.</param>
    /// <param name="stepsPerExecution">Keras' steps_per_execution: the batch hooks of callbacks run once per this many steps (see <see cref="StepsPerExecution"/>).</param>
    /// <param name="jitCompile">Keras' jit_compile (see <see cref="JitCompile"/>); null is Keras' "auto".</param>
    public void Compile(Optimizers.Optimizer optimizer, IReadOnlyList<Losses.Loss> loss, IEnumerable<object>? metrics = null, IReadOnlyList<float>? lossWeights = null, bool runEagerly = false,
        IEnumerable<object>? weightedMetrics = null, int stepsPerExecution = 1, bool? jitCompile = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        CompileOutputs(optimizer, loss.ToArray(), lossWeights?.ToArray(), metrics, runEagerly, weightedMetrics, stepsPerExecution: stepsPerExecution, jitCompile: jitCompile);
    }

    /// <summary>
    /// the list form of Compile
    /// with the losses (and weights) keyed by output layer name, as Keras' <c>loss={"head": ...}</c>;
    /// an output without a loss is not trained on, and (as Keras 3) has no loss computed or logged.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">Losses keyed by output name.</param>
    /// <param name="metrics">Metric names or objects.</param>
    /// <param name="lossWeights">Loss weights keyed by output name.</param>
    /// <param name="runEagerly">Keras' run_eagerly (see <see cref="RunEagerly"/>).</param>
    /// <param name="weightedMetrics">Metrics that take the sample and class weights (Keras' weighted_metrics); <paramref name="metrics"/> do not.</param>
    /// <param name="stepsPerExecution">Keras' steps_per_execution: the batch hooks of callbacks run once per this many steps (see <see cref="StepsPerExecution"/>).</param>
    /// <param name="jitCompile">Keras' jit_compile (see <see cref="JitCompile"/>); null is Keras' "auto".</param>
    public void Compile(Optimizers.Optimizer optimizer, IReadOnlyDictionary<string, Losses.Loss> loss, IEnumerable<object>? metrics = null, IReadOnlyDictionary<string, float>? lossWeights = null, bool runEagerly = false,
        IEnumerable<object>? weightedMetrics = null, int stepsPerExecution = 1, bool? jitCompile = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var names = OutputNames;
        if (names.Count == 0) throw new ArgumentException("Compile: losses keyed by output name need a functional model (new Model(inputs, outputs)).", nameof(loss));
        foreach (var key in loss.Keys.Concat(lossWeights?.Keys ?? []))
            if (!names.Contains(key))
                throw new ArgumentException($"Compile: '{key}' is not an output of {Name}; its outputs are {string.Join(", ", names.Select(n => $"'{n}'"))}.", nameof(loss));
        var losses = names.Select(n => loss.TryGetValue(n, out var l) ? l : null).ToArray();
        var weights = names.Select(n => losses[names.ToList().IndexOf(n)] is null ? 0f : lossWeights?.GetValueOrDefault(n, 1f) ?? 1f).ToArray();
        CompileOutputs(optimizer, losses!, weights, metrics, runEagerly, weightedMetrics, stepsPerExecution: stepsPerExecution, jitCompile: jitCompile);
    }

    /// <summary>
    /// the list form of Compile
    /// with the metrics keyed by output layer name, Keras' <c>metrics={"head": ["accuracy"]}</c>:
    /// each output gets the metrics of its key (names or metric objects), an output without a key none.
    /// </summary>
    public void Compile<TMetrics>(Optimizers.Optimizer optimizer, IReadOnlyList<Losses.Loss> loss, IReadOnlyDictionary<string, TMetrics> metrics, IReadOnlyList<float>? lossWeights = null, bool runEagerly = false,
        IReadOnlyDictionary<string, TMetrics>? weightedMetrics = null, int stepsPerExecution = 1, bool? jitCompile = null) where TMetrics : IEnumerable<object>
    {
        ArgumentNullException.ThrowIfNull(loss);
        CompileOutputs(optimizer, loss.ToArray(), lossWeights?.ToArray(), MetricsByOutput(metrics), runEagerly,
            weightedMetrics is null ? null : MetricsByOutput(weightedMetrics), stepsPerExecution: stepsPerExecution, jitCompile: jitCompile);
    }

    /// <summary>
    /// the dictionary form of Compile
    /// with the metrics keyed by output layer name too (Keras' <c>metrics={"head": [...]}</c>).
    /// </summary>
    public void Compile<TMetrics>(Optimizers.Optimizer optimizer, IReadOnlyDictionary<string, Losses.Loss> loss, IReadOnlyDictionary<string, TMetrics> metrics,
        IReadOnlyDictionary<string, float>? lossWeights = null, bool runEagerly = false, IReadOnlyDictionary<string, TMetrics>? weightedMetrics = null,
        int stepsPerExecution = 1, bool? jitCompile = null)
        where TMetrics : IEnumerable<object> =>
        Compile(optimizer, loss, MetricsByOutput(metrics), lossWeights, runEagerly, weightedMetrics is null ? null : MetricsByOutput(weightedMetrics), stepsPerExecution, jitCompile);

    /// <summary>
    /// <see cref="PredictOutputs(ModelData, int, int, IEnumerable{Callbacks.Callback}?)"/> keyed by <see cref="OutputNames"/>: what
    /// Keras' predict returns for a model of named outputs (<c>predictions["pitch"]</c>).
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> PredictByName(ModelData x, int batchSize = 32, int verbose = 0, IEnumerable<Callbacks.Callback>? callbacks = null) =>
        ByOutputName(nameof(PredictByName), PredictOutputs(x, batchSize, verbose, callbacks));

    /// <summary><see cref="PredictOutputs(Data.Dataset, int?, int, IEnumerable{Callbacks.Callback}?)"/> keyed by <see cref="OutputNames"/>.</summary>
    public IReadOnlyDictionary<string, Tensor> PredictByName(Data.Dataset dataset, int? steps = null, int verbose = 0, IEnumerable<Callbacks.Callback>? callbacks = null) =>
        ByOutputName(nameof(PredictByName), PredictOutputs(dataset, steps, verbose, callbacks));

    private Dictionary<string, Tensor> ByOutputName(string method, IReadOnlyList<Tensor> outputs)
    {
        var names = OutputNames;
        if (names.Count != outputs.Count)
            throw new InvalidOperationException($"{method}: {Name} has no output names (a functional model has them); use PredictOutputs.");
        return names.Zip(outputs).ToDictionary(p => p.First, p => p.Second);
    }

    // Keras' dict of metrics as the list of lists CompileOutputs reads: one list per output, in order.
    private List<object> MetricsByOutput<TMetrics>(IReadOnlyDictionary<string, TMetrics> metrics) where TMetrics : IEnumerable<object>
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var names = OutputNames;
        if (names.Count == 0) throw new ArgumentException("Compile: metrics keyed by output name need a functional model (new Model(inputs, outputs)).", nameof(metrics));
        foreach (var key in metrics.Keys)
            if (!names.Contains(key))
                throw new ArgumentException($"Compile: metrics are given for '{key}', which is not an output of {Name}; its outputs are {string.Join(", ", names.Select(n => $"'{n}'"))}.", nameof(metrics));
        return names.Select(n => (object)(metrics.TryGetValue(n, out var m) ? m.ToList() : new List<object>())).ToList();
    }

    // The metric specs of each output: a flat list applies to every output; a list of lists
    // (every element a list, strings aside) is one list per output.
    private static List<object>[] MetricSpecs(List<object> specs, int outputs)
    {
        static bool IsList(object? m) => m is IEnumerable<object> && m is not string;
        if (!specs.Any(IsList)) return Enumerable.Range(0, outputs).Select(_ => specs).ToArray();
        if (!specs.All(IsList) || specs.Count != outputs)
            throw new ArgumentException($"Compile: metrics given per output need one list for each of the {outputs} output(s), got {specs.Count} entries{(specs.All(IsList) ? "" : " mixing lists and single metrics")}.", "metrics");
        return specs.Select(m => ((IEnumerable<object>)m).ToList()).ToArray();
    }

    private void CompileOutputs(Optimizers.Optimizer optimizer, Losses.Loss?[] losses, float[]? weights, IEnumerable<object>? metrics, bool runEagerly,
        IEnumerable<object>? weightedMetrics = null, bool withoutLoss = false, int stepsPerExecution = 1, bool? jitCompile = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        CheckStepsPerExecution("Compile", stepsPerExecution);
        int outputs = Math.Max(1, Outputs.Count);
        // Keras: one loss for a model of several outputs applies to each.
        if (losses.Length == 1 && outputs > 1) losses = Enumerable.Repeat(losses[0], outputs).ToArray();
        if (losses.Length != outputs)
            throw new ArgumentException($"Compile: {Name} has {outputs} output(s) ({string.Join(", ", OutputNames)}), but {losses.Length} losses were given.", "loss");
        if (!withoutLoss && losses.All(l => l is null)) throw new ArgumentNullException("loss", "Compile: no output has a loss.");
        weights ??= Enumerable.Repeat(1f, outputs).ToArray();
        if (weights.Length != outputs)
            throw new ArgumentException($"Compile: {Name} has {outputs} output(s), but {weights.Length} loss weights were given.", "lossWeights");
        var plainSpecs = MetricSpecs((metrics ?? []).ToList(), outputs);
        var weightedSpecs = MetricSpecs((weightedMetrics ?? []).ToList(), outputs);
        var specs = plainSpecs.Select((p, i) => p.Concat(weightedSpecs[i]).ToList()).ToArray();
        // A metric object keeps one output's running state: it may serve one output only.
        var objects = specs.SelectMany(s => s.OfType<Metrics.PredictionMetric>()).ToList();
        if (objects.Distinct(ReferenceEqualityComparer.Instance).Count() != objects.Count)
            throw new ArgumentException("Compile: a metric object keeps one output's running state; give each output its own object (metrics per output), or name the metrics (\"accuracy\", \"mae\") so each output gets its own.", nameof(metrics));
        // Keras' compile(auto_scale_loss=True): a model made under "mixed_float16" trains with dynamic loss scaling.
        _optimizer = Dtype.Name == "mixed_float16" && optimizer is not Optimizers.LossScaleOptimizer ? new Optimizers.LossScaleOptimizer(optimizer) : optimizer;
        _losses = losses;
        _lossWeights = weights;
        _outputMetrics = _losses.Select((l, i) => specs[i].Select(m => m switch
        {
            string name => Metrics.Get(name, l),
            Metrics.PredictionMetric metric => metric,
            Func<Tensor, Tensor, Tensor> fn => new Metrics.MeanFunctionMetric(fn),
            _ => throw new ArgumentException($"Compile: a metric must be a name, a Metrics.PredictionMetric or a function of (yTrue, yPred), got {m?.GetType().Name ?? "null"}.", nameof(metrics)),
        }).ToList()).ToArray();
        _plainMetrics = plainSpecs.Select(p => p.Count).ToArray();
        // A weighted metric named like a plain one of its output logs as "weighted_<name>" (tf.keras).
        _metricKeys = _outputMetrics.Select((ms, i) => ms.Select((m, j) =>
            j >= _plainMetrics[i] && PlainMetrics(i).Any(p => p.Name == m.Name) ? "weighted_" + m.Name : m.Name).ToArray()).ToArray();
        _logNames = ["loss",
            .. MultiOutput ? _losses.Select((l, i) => l is null ? null : OutputKey(i, "loss")).OfType<string>() : [],
            .. _metricKeys.SelectMany((keys, i) => keys.Select(key => OutputKey(i, key)))];
        _loss = _losses.FirstOrDefault(l => l is not null);
        _metrics = _outputMetrics[0];
        RunEagerly = runEagerly;
        JitCompile = ResolveJitCompile(jitCompile, runEagerly);
        StepsPerExecution = stepsPerExecution;
        ForgetSteps();
    }

    private bool MultiOutput => _losses.Length > 1;

    /// <summary>
    /// The loss training minimizes (the weighted sum over outputs), each output's loss as its
    /// <see cref="Losses.Loss.Call"/> reduces it with <paramref name="sampleWeight"/>; each output's
    /// own loss also goes to <paramref name="outputLosses"/>, counted once per example of the batch.
    /// An output without a loss adds nothing and is not computed; null when no output has one (a
    /// model compiled without a loss).
    /// </summary>
    [MethodImpl(Hot)]
    private Tensor? CombinedLoss(Tensor[] y, IReadOnlyList<Tensor> yPred, Metrics.Mean?[] outputLosses, Tensor? sampleWeight)
    {
        if (yPred.Count != _losses.Length)
            throw new InvalidOperationException($"{Name} returned {yPred.Count} outputs, but it was compiled with {_losses.Length} losses.");
        Tensor? total = null;
        for (int i = 0; i < _losses.Length; i++)
        {
            if (_losses[i] is not { } loss) continue;
            var li = loss.Call(y[i], yPred[i], sampleWeight);
            outputLosses[i]?.UpdateState(li, yPred[i].Rank > 0 ? yPred[i].Shape[0] : 1);
            if (_lossWeights[i] == 0) continue;
            var weighted = _lossWeights[i] == 1 ? li : li * _lossWeights[i];
            total = total is null ? weighted : total + weighted;
        }
        return total;
    }

    /// <summary>
    /// The loss a step minimizes or reports: Compile's (<paramref name="compiled"/>, null without
    /// one) plus the layers' penalties. Without either there is nothing to compute, which Keras 3's
    /// compute_loss refuses the same way; a model compiled without a loss trains on what its layers
    /// add (AddLoss, regularizers).
    /// </summary>
    private Tensor TotalLoss(string method, Tensor? compiled, IReadOnlyList<Tensor> penalties) =>
        SumOfLosses(compiled, penalties) ?? throw new InvalidOperationException(
            $"{method}: {Name} was compiled without a loss and none of its layers added one (AddLoss, a regularizer), so there is no loss to compute " +
            "(Keras: \"No loss to compute. Provide a `loss` argument in `compile()`\"): give Compile a loss, add one from a layer's call, or override TrainStep (and TestStep) to compute your own.");

    private void UpdateMetrics(Tensor[] y, IReadOnlyList<Tensor> yPred, Tensor? sampleWeight)
    {
        for (int i = 0; i < _outputMetrics.Length; i++)
        {
            if (_outputMetrics[i].Count == 0) continue;
            var scored = Keras.Losses.Scored(yPred[i]);
            for (int j = 0; j < _outputMetrics[i].Count; j++)
                _outputMetrics[i][j].UpdateState(y[i], scored, j < _plainMetrics[i] ? null : sampleWeight);
        }
    }

    // Sample weights travel as one more target column (so batching, shuffling and validationSplit
    // slice them with the targets); class weights become per-example weights from the first
    // target (Keras' class_weight, which it allows for one output only).
    private Tensor[] WithSampleWeight(string method, Tensor[] ys, Tensor? sampleWeight, IReadOnlyDictionary<int, double>? classWeight)
    {
        if (classWeight is not null && _losses.Length > 1)
            throw new ArgumentException($"{method}: classWeight is only supported for a model of one output (as Keras); give sampleWeight instead.", nameof(classWeight));
        if (sampleWeight is null) return ys;
        int n = ys[0].Shape[0];
        bool fits = sampleWeight.Rank is 1 or 2 && sampleWeight.Shape[0] == n && (sampleWeight.Rank == 1 || sampleWeight.Shape[1] == 1);
        if (!fits)
            throw new ArgumentException($"{method}: sampleWeight must hold one weight per example, shape ({n},) or ({n}, 1), got {sampleWeight.Shape}.", nameof(sampleWeight));
        if (!sampleWeight.DType.IsFloating())
            throw new ArgumentException($"{method}: sampleWeight must be float32 or float64, got {sampleWeight.DType.Name()}.", nameof(sampleWeight));
        return [.. ys, sampleWeight];
    }

    [MethodImpl(Hot)]
    private (Tensor[] Targets, Tensor? Weights) SplitWeights(Tensor[] yb, IReadOnlyDictionary<int, double>? classWeight)
    {
        bool carried = yb.Length > Math.Max(1, _losses.Length);
        var targets = carried ? yb[..^1] : yb;
        var weights = carried ? yb[^1] : null;
        if (classWeight is not null)
        {
            var byClass = Keras.Losses.ClassWeights(targets[0], classWeight, weights?.DType ?? DType.Float32);
            weights = weights is null ? byClass : NF.Reshape(weights, [weights.Shape[0]]) * byClass;
        }
        return (targets, weights);
    }

    private static int BatchSizeOf(Tensor[] xb) => xb[0].Rank > 0 ? xb[0].Shape[0] : 1;

    // One running mean per output loss of a model of several outputs (null where no loss is computed).
    private Metrics.Mean?[] OutputLossMeans() => _losses.Select((l, i) => MultiOutput && l is not null ? new Metrics.Mean(OutputKey(i, "loss")) : null).ToArray();

    // Keras' history keys: "loss", then "<output>_loss" per output, then "<output>_<metric>".
    private string OutputKey(int output, string name) => MultiOutput ? $"{OutputNames[output]}_{name}" : name;

    [MethodImpl(Hot)]
    private Dictionary<string, float> Logs(CachedStep step)
    {
        // The values in the order of _logNames, which names them, then the layers' metrics under
        // their own names (Keras' get_metrics_result: a later metric of the same name replaces).
        int k = 0;
        var logs = new Dictionary<string, float>(_logNames.Length) { [_logNames[k++]] = step.LossMean.Result() };
        foreach (var m in step.OutputLosses)
            if (m is not null) logs[_logNames[k++]] = m.Result();
        foreach (var metrics in _outputMetrics)
            foreach (var m in metrics) Metrics.Metric.Log(logs, _logNames[k++], m);
        foreach (var m in step.LayerMetrics) Metrics.Metric.Log(logs, m.Name, m);
        return logs;
    }
}
