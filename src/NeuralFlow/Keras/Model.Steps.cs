namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// Keras' <c>run_eagerly</c>: false (the default) makes Fit, Evaluate and Predict trace their
    /// step once per batch shape and replay it (<see cref="NF.Function(Func{Tensor, Tensor}, int, bool, Data.TensorSpec[])"/>);
    /// true runs every step as C# code, op by op, for debugging (a breakpoint or a print inside a
    /// layer's Call is then hit at every step, not only when the step is traced).
    /// </summary>
    public bool RunEagerly { get; set; }

    /// <summary>
    /// Keras' <c>jit_compile</c> (true by default; Compile sets it): Fit, Evaluate and Predict
    /// replay their traced step with its kernels fused (<see cref="TracedFunction.JitCompile"/>);
    /// false replays the kernels as recorded, each op as its own kernel, the same numbers by another
    /// path (to rule fusion out when results look wrong). No effect while <see cref="RunEagerly"/>.
    /// </summary>
    public bool JitCompile
    {
        get => _jitCompile;
        set
        {
            if (value == _jitCompile) return;
            _jitCompile = value;
            ForgetSteps(); // the traced steps were planned the other way
        }
    }

    private bool _jitCompile = true;

    // Keras' compile: "auto" (null) is on unless the model runs eagerly; asked for together with
    // runEagerly, it is turned off with Keras' warning.
    private static bool ResolveJitCompile(bool? jitCompile, bool runEagerly)
    {
        if (jitCompile == true && runEagerly)
        {
            Console.Error.WriteLine("WARNING: If runEagerly is true, then jitCompile cannot also be true. Disabling jitCompile.");
            return false;
        }
        return jitCompile ?? AutoJitCompile(runEagerly);
    }

    /// <summary>What Keras' jit_compile="auto" resolves to: on, unless the model runs eagerly.</summary>
    internal static bool AutoJitCompile(bool runEagerly) => !runEagerly;

    /// <summary>
    /// Keras' <c>steps_per_execution</c> (1 by default; Compile sets it): Fit, Evaluate and Predict
    /// call the batch hooks of their callbacks once per block of this many steps, as Keras does:
    /// the begin hook with the block's first batch index, the end hook with its last (a shorter
    /// last block ends at the epoch's last batch) and the running logs, which are read from the
    /// device then only; Predict's end hook gets the block's outputs concatenated. Every step still
    /// runs and updates the weights; what is saved is the calls (and device reads) of callbacks that
    /// handle batches, such as the progress bar's. Logs and results are those of stepsPerExecution 1.
    /// </summary>
    public int StepsPerExecution
    {
        get => _stepsPerExecution;
        set => _stepsPerExecution = CheckStepsPerExecution(nameof(StepsPerExecution), value);
    }

    private int _stepsPerExecution = 1;

    private static int CheckStepsPerExecution(string method, int steps) =>
        steps >= 1 ? steps : throw new ArgumentOutOfRangeException("stepsPerExecution", steps, $"{method}: stepsPerExecution must be at least 1 (the steps run between two calls of the callbacks' batch hooks).");

    /// <summary>The traced function of the last Fit, Evaluate or Predict step (null when run eagerly), for its statistics.</summary>
    internal TracedFunction? LastStepFunction { get; private set; }

    /// <summary>The traced function Evaluate and Fit's validation replay (null before the first one), for tests of its reuse.</summary>
    internal TracedFunction? TestFunction => _testStep?.Function;

    /// <summary>The traced function Predict replays (null before the first Predict).</summary>
    internal TracedFunction? PredictFunction => _predictStep?.Function;

    /// <summary>The traced function Fit replays (null before the first Fit).</summary>
    internal TracedFunction? TrainFunction => _trainStep?.Function;

    // Keras keeps the results of make_train_function, make_test_function and make_predict_function
    // on the model: each step is built once and reused by every later epoch (validation runs after
    // each) and call, so its traced plans (one per batch signature, the partial last batch's too)
    // are traced once instead of once per call. The loss trackers the step adds to are part of it.
    // A step is made again after Compile, or when the model's layers or weights, or what the step
    // closes over, differ from what it was made for (its key), since a plan of the old model would
    // replay the old computation.
    private sealed class CachedStep(object[] extras, object[] key, Metrics.Mean lossMean, Metrics.Mean?[] outputLosses, List<Metrics.Metric> layerMetrics)
    {
        public readonly object[] Extras = extras;
        public object[] Key = key;
        public readonly Metrics.Mean LossMean = lossMean;
        public readonly Metrics.Mean?[] OutputLosses = outputLosses;
        // The metrics the model's layers hold, updated by their calls (LayerHeldMetrics).
        public readonly List<Metrics.Metric> LayerMetrics = layerMetrics;
        public Func<Tensor[], Tensor[]> Body = _ => [];
        public TracedFunction? Function;
        // An overridden TrainStep/TestStep's logs (their structure, from the traced call) and the
        // tensor values of the last call, kept until the next step or the logs are read.
        public StepLogs? CustomLogs;
        // Whether the step is an overridden TrainStep/TestStep: then CustomLogs is known only
        // once it ran, which under DataParallel a rank with no examples yet has not.
        public bool Custom;
        public Tensor[] LastLogTensors = [], KeptLogTensors = [];
        // The examples of the step call that gave LastLogTensors (this rank's part of the batch
        // under DataParallel; 0 when it ran none): the weight of its values in the ranks' mean.
        public int LastRows;
        // Fit's default train step, set before each call: the batch is the whole in-memory
        // examples followed by the batch's row numbers, and the step gathers the rows itself, so
        // that its traced plan can fuse the gather into the products that read the rows
        // (GatherMatMulFusion) instead of copying them. The two forms differ in input count, so
        // the traced function keeps a plan for each.
        public bool GatherRows;
    }

    private CachedStep? _trainStep, _testStep, _predictStep;

    // Batch share of this rank under data parallelism (the gradient weight), read by the train step.
    private double _batchShare = 1;

    // Compile changes what every step computes.
    private void ForgetSteps() => _trainStep = _testStep = _predictStep = null;

    // Keras hands a subclassed model's x to its call whole: Fit((a, b), y) calls it on [a, b]. A
    // functional model's inputs are its own; a subclassed one (no symbolic inputs) takes as many
    // as the data gave, remembered here so that the steps split each batch into inputs and targets
    // there (they took one input, and the second input then passed for the targets).
    private int _dataInputs = 1;

    // The keys of a dictionary x given to a subclassed model (Keras hands its call the dictionary
    // as given): each batch carries the tensors in this (sorted) order, and CallOutputs gives them
    // to Call(IReadOnlyDictionary) by name, and custom steps see them as StepData.NamedInputs.
    // Null for tensors given in order and for models with symbolic inputs (UseInputCount).
    private string[]? _dataInputNames;

    // The inputs at the head of each step's batch.
    private int BatchInputs => Inputs.Count > 0 ? Inputs.Count : _dataInputs;

    // Called with the x that Fit, Evaluate, Predict and *OnBatch were given (its count, and a
    // dictionary's keys); a new arrangement makes new steps.
    private void UseInputCount(int count, string[]? names = null)
    {
        if (Inputs.Count > 0 || count == _dataInputs && (names ?? []).SequenceEqual(_dataInputNames ?? [])) return;
        _dataInputs = count;
        _dataInputNames = names;
        ForgetSteps();
    }

    // x's tensors as the model takes them: a functional model's by its input names, a subclassed
    // model's as given (a dictionary's in sorted key order, as Keras flattens one), their count and
    // keys remembered for the steps (UseInputCount; a model with symbolic inputs keeps its own);
    // text, for a model that starts with a text layer, turned into numbers (HostInputs), or with
    // textPerBatch (x is all the examples, batched later) checked and left for each batch.
    private Tensor[] ResolveInputs(string method, ModelData x, bool textPerBatch = false)
    {
        var keys = IsSubclassed ? x.SortedKeys : null;
        var xs = x.Resolve(method, "x", keys ?? InputNames);
        UseInputCount(xs.Length, keys);
        if (!textPerBatch) return HostInputs(method, xs);
        CheckTextInputs(method, xs);
        return xs;
    }

    // A model whose structure is its C# Call: neither functional nor Sequential.
    private bool IsSubclassed => _graph is null && this is not Sequential;

    // How many inputs a subclassed model takes from a dataset's elements of tensors: the first part
    // of (x, y) or (x, y, sample_weight) whole, as Keras hands it to its call; else one.
    private static int SubclassedInputWidth(Data.Pipeline.ElementStructure schema) =>
        schema.Parts is { Count: 2 or 3 } parts && !parts[0].HasDictionary ? parts[0].Width : 1;

    // Stands for a null extra in a key (no class weights).
    private static readonly object NoExtra = new();

    // Stand for a weight's being trained or frozen in a key (freezing or thawing a layer makes a new step).
    private static readonly object Trained = new(), Frozen = new();

    // What a cached step depends on besides Compile: every layer of the model (depth first) and
    // every weight, then what the step closes over (compared by reference).
    private object[] StepKey(object[] extras)
    {
        var key = new List<object>(LayerTree());
        foreach (var (v, trained) in WeightsAndTraining())
        {
            key.Add(v);
            key.Add(trained ? Trained : Frozen);
        }
        key.AddRange(extras);
        return key.ToArray();
    }

    // The cached step in `slot` when its key still holds, else a new one made by `make`.
    // extras: what the step closes over (null: nothing; a fresh object: never reused).
    private CachedStep Cached(ref CachedStep? slot, object?[] extras, Func<CachedStep, Func<Tensor[], Tensor[]>> make)
    {
        var given = Array.ConvertAll(extras, e => e ?? NoExtra);
        var key = StepKey(given);
        if (slot is { } kept && kept.Key.AsSpan().SequenceEqual(key, ReferenceEqualityComparer.Instance)) return kept;
        var step = new CachedStep(given, key, new Metrics.Mean("loss"), OutputLossMeans(), LayerHeldMetrics());
        step.Body = make(step);
        return slot = step;
    }

    // After a call: a model that built its weights during the call keeps its step (the step
    // traced again once its weights existed, so it fits the model as it is now).
    private void KeepStep(CachedStep step) => step.Key = StepKey(step.Extras);

    // The step as a function of the batch's tensors: its traced function (made on first use), or
    // its body itself when the model runs eagerly.
    private Func<Tensor[], Tensor[]> Step(CachedStep step, string name, bool eager = false)
    {
        // A ragged batch runs eagerly: its row lengths ride with the padded tensor on the host, not as a traced input.
        if (RunEagerly || eager || HasRaggedInputs)
        {
            LastStepFunction = null;
            return step.Body;
        }
        step.Function ??= new TracedFunction(step.Body, $"{Name}.{name}", maxTraces: 8) { JitCompile = JitCompile };
        LastStepFunction = step.Function;
        return step.Function.Call;
    }

    // The step, except that its first call runs eagerly when that call makes variables (builds):
    // the model's weights on its first call, the state of the step's loss trackers and metrics at
    // their first update, an optimizer's at its first step. A trace that makes variables is
    // thrown away and traced again at the next call (TracedFunction), so tracing that call only
    // cost time: in a fresh process, one more eager pass with every op recorded and planned.
    // Keras also builds the model, metrics and optimizer before the first step.
    private static Func<Tensor[], Tensor[]> EagerFirst(CachedStep step, Func<Tensor[], Tensor[]> run, bool builds)
    {
        if (!builds || ReferenceEquals(run, step.Body)) return run;
        bool first = true;
        return batch =>
        {
            if (!first) return run(batch);
            first = false;
            return step.Body(batch);
        };
    }

    // Whether the next call of a Fit or Evaluate step makes variables (besides the optimizer's).
    private bool StepBuilds(CachedStep step) =>
        Variables.Count == 0 || !step.LossMean.IsBuilt || step.OutputLosses.Any(m => m is { IsBuilt: false }) ||
        _outputMetrics.Any(metrics => metrics.Any(m => !m.IsBuilt)) || step.LayerMetrics.Any(m => !m.IsBuilt);

    // Fit's step on one batch: inputs, then targets (and the sample-weight column, when carried).
    // The model's weights and penalized layers are looked up after the first call built them.
    // Under data parallelism it replays too: its gradient allreduce is recorded as collective
    // calls of the plan (DataParallel.GradientReduction), which read this rank's share of the
    // batch (the gradient weight, changed by the last batch) at each replay. A step traced under
    // one strategy is not reused without it, nor the other way round (the strategy is in its key).
    // Gathers: the step takes GatherRows batches (the default step; an overridden TrainStep sees its batches as given).
    private (CachedStep Step, Func<Tensor[], Tensor[]> Run, bool Gathers) MakeTrainStep(Optimizers.Optimizer optimizer, IReadOnlyDictionary<int, double>? classWeight)
    {
        if (StepIsCustom(nameof(TrainStep)))
        {
            var (custom, run) = MakeCustomStep(ref _trainStep, nameof(Fit), classWeight, TrainStep, [optimizer]);
            return (custom, run, false);
        }
        var step = Cached(ref _trainStep, [optimizer, classWeight, Distributed.DataParallel.Current], s =>
        {
            int inputs = BatchInputs;
            Func<double> share = () => _batchShare;
            IReadOnlyList<Variable> trainable = TrainableVariables;
            List<Layer>? penalized = null;
            return batch =>
            {
                if (s.GatherRows) batch = GatheredRows(batch[..^1], batch[^1]);  // the whole examples, then the batch's row numbers
                var (xb, yb) = (batch[..inputs], batch[inputs..]);
                var (targets, weights) = SplitWeights(yb, classWeight);
                Tensor?[] grads;
                IReadOnlyList<Tensor> yPred;
                Tensor lossValue;
                using (Layer.TrainingMode())
                using (var tape = new GradientTape())
                {
                    yPred = CallOutputs(xb);
                    penalized ??= LayersWithPenalties();   // built by the first call
                    lossValue = TotalLoss(nameof(Fit), CombinedLoss(targets, yPred, s.OutputLosses, weights), LossesOf(penalized));
                    if (trainable.Count == 0) trainable = TrainableVariables; // built on the first call
                    var reduction = BeginGradientReduction(tape, trainable, share);
                    // Keras' train_step differentiates optimizer.scale_loss(loss): the loss scale of a LossScaleOptimizer.
                    grads = tape.Gradient(optimizer.ScaleLoss(lossValue), trainable);
                    grads = AveragedGradients(grads, reduction);
                }
                optimizer.ApplyGradients(grads, trainable);
                s.LossMean.UpdateState(lossValue, BatchSizeOf(xb));
                UpdateMetrics(targets, yPred, weights);
                return [];
            };
        });
        return (step, EagerFirst(step, Step(step, nameof(Fit)), builds: optimizer.Iterations == 0 || StepBuilds(step)), true);
    }

    // Evaluate's step: the loss and metrics of one batch added to the running ones.
    private (CachedStep Step, Func<Tensor[], Tensor[]> Run) MakeTestStep()
    {
        if (StepIsCustom(nameof(TestStep)))
        {
            var (custom, run) = MakeCustomStep(ref _testStep, nameof(Evaluate), null, TestStep, []);
            return (custom, InInference(run));
        }
        var step = Cached(ref _testStep, [], s =>
        {
            int inputs = BatchInputs;
            List<Layer>? penalized = null;
            return batch =>
            {
                var (xb, yb) = (batch[..inputs], batch[inputs..]);
                var (targets, weights) = SplitWeights(yb, null);
                var yPred = CallOutputs(xb);
                // Each batch's loss counts as many times as it has examples (Keras' loss tracker), so
                // the result is the mean over examples, not over batches.
                penalized ??= LayersWithPenalties();
                s.LossMean.UpdateState(TotalLoss(nameof(Evaluate), CombinedLoss(targets, yPred, s.OutputLosses, weights), LossesOf(penalized)), BatchSizeOf(xb));
                UpdateMetrics(targets, yPred, weights);
                return [];
            };
        });
        return (step, InInference(EagerFirst(step, Step(step, nameof(Evaluate)), builds: StepBuilds(step))));
    }

    // Evaluate's and Predict's steps run in inference mode, as Keras' test_step and predict_step call
    // the model with training=False. Set, not left unset: a layer called with no phase set takes its
    // own default, and the image augmentation layers' is to augment.
    private static Func<Tensor[], Tensor[]> InInference(Func<Tensor[], Tensor[]> run) => batch =>
    {
        using (Layer.TrainingMode(false)) return run(batch);
    };

    // Predict's step: the model's outputs for one batch.
    private (CachedStep Step, Func<Tensor[], Tensor[]> Run) MakePredictStep()
    {
        var step = Cached(ref _predictStep, [], _ =>
        {
            var names = _dataInputNames;
            return xb => [.. PredictStep(new StepData(xb, [], null, names))];
        });
        return (step, InInference(EagerFirst(step, Step(step, nameof(Predict)), builds: Variables.Count == 0)));
    }
}
