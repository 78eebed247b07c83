namespace NeuralFlow.Keras;

public partial class Model
{
    private Optimizers.Optimizer? _optimizer;
    private Losses.Loss? _loss;
    private List<Metrics.PredictionMetric> _metrics = [];

    /// <summary>The optimizer given to Compile (wrapped in a <see cref="Optimizers.LossScaleOptimizer"/> for a "mixed_float16" model, as Keras compile does).</summary>
    public Optimizers.Optimizer? Optimizer => _optimizer;

    /// <summary>The loss given to Compile (a single-output model's).</summary>
    public Losses.Loss? Loss => _loss;

    /// <summary>
    /// Sets what <c>Fit</c> trains with (<c>model.compile</c>). Names and objects are
    /// interchangeable: <c>optimizer: "sgd"</c> or <c>new Optimizers.SGD(0.01f)</c>; metrics are
    /// names ("accuracy" picks the accuracy that fits the loss) or <see cref="Metrics.PredictionMetric"/> objects.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="metrics">Metric names or objects.</param>
    /// <param name="runEagerly">Keras' run_eagerly: true runs Fit, Evaluate and Predict step by step in C# instead of replaying a traced step (see <see cref="RunEagerly"/>).</param>
    /// <param name="weightedMetrics">
    /// Metrics that take Fit's and Evaluate's sampleWeight and classWeight (Keras'
    /// weighted_metrics); those given as <paramref name="metrics"/> are computed unweighted, as in Keras.
    /// </param>
    /// <param name="stepsPerExecution">
    /// Keras' steps_per_execution: the batch hooks of callbacks (and the progress bar) run once per
    /// this many training, evaluation or prediction steps instead of after each (see <see cref="StepsPerExecution"/>).
    /// </param>
    /// <param name="jitCompile">
    /// Keras' jit_compile: true or null (Keras' "auto") replays the traced step with its kernels
    /// fused (see <see cref="JitCompile"/>); false replays the kernels as recorded.
    /// </param>
    public void Compile(Optimizers.Optimizer optimizer, Losses.Loss loss, IEnumerable<object>? metrics = null, bool runEagerly = false,
        IEnumerable<object>? weightedMetrics = null, int stepsPerExecution = 1, bool? jitCompile = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        CompileOutputs(optimizer, [loss], null, metrics, runEagerly, weightedMetrics, stepsPerExecution: stepsPerExecution, jitCompile: jitCompile);
    }

    /// <summary>
    /// Compile with Keras' default optimizer, RMSprop (learning rate 0.001): <c>model.compile(loss=..., metrics=...)</c>,
    /// as the time-series tutorial compiles its baselines, which are evaluated and never trained.
    /// Written with the argument's name (<c>Compile(loss: new Losses.MeanSquaredError())</c>); a lone name,
    /// <c>Compile("adam")</c>, still picks the optimizer.
    /// </summary>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(-1)]
    public void Compile(Losses.Loss loss, IEnumerable<object>? metrics = null, bool runEagerly = false,
        IEnumerable<object>? weightedMetrics = null, int stepsPerExecution = 1, bool? jitCompile = null) =>
        Compile(new Optimizers.RMSprop(), loss, metrics, runEagerly, weightedMetrics, stepsPerExecution, jitCompile);

    /// <summary>
    /// Compile with a C# function of (yTrue, yPred) as the loss (Keras' <c>compile(loss=my_function)</c>):
    /// a method group or lambda, wrapped in a <see cref="Losses.LossFunctionWrapper"/> named after the method.
    /// Metrics may be functions of (yTrue, yPred) too (<see cref="Metrics.MeanFunctionMetric"/>).
    /// </summary>
    public void Compile(Optimizers.Optimizer optimizer, Func<Tensor, Tensor, Tensor> loss, IEnumerable<object>? metrics = null, bool runEagerly = false,
        IEnumerable<object>? weightedMetrics = null, int stepsPerExecution = 1, bool? jitCompile = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Compile(optimizer, new Losses.LossFunctionWrapper(loss), metrics, runEagerly, weightedMetrics, stepsPerExecution, jitCompile);
    }

    /// <summary>
    /// Compile without a loss (Keras' <c>model.compile(optimizer="adam")</c>): for a model whose
    /// overridden <see cref="TrainStep(StepData)"/> computes its own loss. Fit, Evaluate,
    /// TrainOnBatch and TestOnBatch of a model that does not override their step then say that
    /// there is no loss to compute.
    /// </summary>
    public void Compile(Optimizers.Optimizer optimizer, IEnumerable<object>? metrics = null, bool runEagerly = false, int stepsPerExecution = 1, bool? jitCompile = null)
    {
        CompileOutputs(optimizer, new Losses.Loss?[Math.Max(1, Outputs.Count)], null, metrics, runEagerly, withoutLoss: true, stepsPerExecution: stepsPerExecution, jitCompile: jitCompile);
    }

    /// <summary>
    /// Keras' <c>compile()</c> with every argument at its default: RMSprop (learning rate 0.001) and
    /// no loss, as a model whose overridden <see cref="TrainStep(StepData)"/> keeps its own
    /// optimizers calls <c>super().compile()</c> (keras.io's GAN examples).
    /// </summary>
    public void Compile() => Compile(new Optimizers.RMSprop());

    // The optimizer of Compile, which every training and evaluation call needs. A loss is not
    // checked here: compiled without one, the default steps train on what the layers add
    // (AddLoss, regularizers: Keras 3's compile(optimizer) then fit(x)), which is known only once
    // the model is called, so the step refuses when there is none (TotalLoss); an overridden step
    // computes its own (Keras: compile(optimizer) suffices for a custom train_step).
    private Optimizers.Optimizer Compiled(string method)
    {
        if (_optimizer is null)
            throw new InvalidOperationException($"{method} needs a compiled model: call model.Compile(optimizer: \"sgd\", loss: \"sparse_categorical_crossentropy\", metrics: [\"accuracy\"]) first.");
        return _optimizer;
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over (x, y) in batches (<c>model.fit</c>).
    /// Each step's temporaries are freed when the step ends. Returns the per-epoch history.
    /// </summary>
    /// <param name="x">Inputs, first axis = examples.</param>
    /// <param name="y">Targets, first axis = examples.</param>
    /// <param name="batchSize">Examples per step.</param>
    /// <param name="epochs">The epoch to train up to: epochs <paramref name="initialEpoch"/> to epochs - 1 run, as in Keras.</param>
    /// <param name="verbose">0 silent, 1 progress bar (one line per epoch when output is redirected), 2 one line per epoch.</param>
    /// <param name="validationData">Data evaluated after each epoch ("val_" entries).</param>
    /// <param name="validationSplit">Fraction of the last examples held out for validation (before shuffling), as Keras.</param>
    /// <param name="shuffle">Shuffle the training examples each epoch.</param>
    /// <param name="callbacks">Hooks called during training.</param>
    /// <param name="initialEpoch">The epoch to start at (to resume a run), as Keras' initial_epoch.</param>
    /// <param name="sampleWeight">
    /// One weight per example ((N,) or (N, 1)), Keras' sample_weight: each example's loss (and
    /// metric of Compile's weightedMetrics) counts that much; batched, shuffled and split with x and y.
    /// </param>
    /// <param name="classWeight">
    /// A weight per class id (Keras' class_weight): each example's loss is scaled by its class's
    /// weight (classes not listed weigh 1), times its <paramref name="sampleWeight"/> when both are given.
    /// </param>
    /// <param name="stepsPerEpoch">
    /// Batches per epoch (Keras' steps_per_epoch), or null for one pass over the examples. A pass
    /// is not restarted at an epoch's end: the next epoch continues it where the last one stopped.
    /// When a pass ends before the epoch's steps are done, the epoch ends there, with a warning to
    /// <see cref="NF.WarningLog"/> (once per Fit), and the next epoch starts a new (reshuffled)
    /// pass, as Keras 3's epoch iterator does for arrays.
    /// </param>
    /// <param name="validationBatchSize">Examples per validation step (Keras' validation_batch_size); null: <paramref name="batchSize"/>.</param>
    /// <param name="validationFreq">
    /// When to validate (Keras' validation_freq): an int n validates after every n-th epoch only (epochs 1-based,
    /// validated when epoch % n == 0, so 2 validates after epochs 2, 4, ...), a list of 1-based epochs after those
    /// epochs (<c>validationFreq: [1, 5, 10]</c>); the "val_" history lists hold only the validated epochs.
    /// </param>
    public History Fit(ModelData x, ModelData y, int batchSize = 32, int epochs = 1, int verbose = 1,
                       (ModelData X, ModelData Y)? validationData = null, double validationSplit = 0, bool shuffle = true,
                       IEnumerable<Callbacks.Callback>? callbacks = null, int initialEpoch = 0,
                       Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null, int? stepsPerEpoch = null,
                       int? validationBatchSize = null, ValidationFrequency validationFreq = default)
    {
        Compiled(nameof(Fit));
        var (xs, ys) = CheckData(nameof(Fit), x, y);
        ys = WithSampleWeight(nameof(Fit), ys, sampleWeight, classWeight);
        var validation = validationData is { } given ? CheckData(nameof(Fit) + " (validationData)", given.X, given.Y) : ((Tensor[], Tensor[])?)null;
        return FitTensors(xs, ys, batchSize, epochs, verbose, validation, validationSplit, shuffle, callbacks, initialEpoch, classWeight, stepsPerEpoch,
                          validationBatchSize, validationFreq);
    }

    /// <summary>
    /// Trains on inputs alone (Keras' <c>model.fit(x)</c> without targets), for a model whose
    /// overridden <see cref="TrainStep(StepData)"/> needs none (an autoencoder, a VAE): its
    /// <see cref="StepData.Targets"/> are empty. The other arguments are those of Fit(x, y).
    /// </summary>
    public History Fit(ModelData x, int batchSize = 32, int epochs = 1, int verbose = 1, ModelData? validationData = null,
                       double validationSplit = 0, bool shuffle = true, IEnumerable<Callbacks.Callback>? callbacks = null, int initialEpoch = 0,
                       int? stepsPerEpoch = null, int? validationBatchSize = null, ValidationFrequency validationFreq = default)
    {
        Compiled(nameof(Fit));
        var xs = CheckInputsAlone(nameof(Fit), x, nameof(TrainStep));
        (Tensor[], Tensor[])? validation = validationData is { } given ? (CheckInputsAlone(nameof(Fit) + " (validationData)", given, nameof(TestStep)), []) : null;
        return FitTensors(xs, [], batchSize, epochs, verbose, validation, validationSplit, shuffle, callbacks, initialEpoch, null, stepsPerEpoch,
                          validationBatchSize, validationFreq);
    }

    // Fit on in-memory examples, checked: inputs, targets (with the sample-weight column when carried).
    private History FitTensors(Tensor[] xs, Tensor[] ys, int batchSize, int epochs, int verbose, (Tensor[] X, Tensor[] Y)? validation,
                               double validationSplit, bool shuffle, IEnumerable<Callbacks.Callback>? callbacks, int initialEpoch,
                               IReadOnlyDictionary<int, double>? classWeight, int? stepsPerEpoch, int? validationBatchSize, ValidationFrequency validationFreq)
    {
        CheckPositive(nameof(Fit), nameof(batchSize), batchSize);
        if (validationBatchSize is { } givenValidationBatch) CheckPositive(nameof(Fit), nameof(validationBatchSize), givenValidationBatch);
        validationFreq.Check(nameof(Fit));
        if (stepsPerEpoch is { } givenSteps) CheckPositive(nameof(Fit), nameof(stepsPerEpoch), givenSteps);
        CheckEpochs(epochs, initialEpoch, verbose);
        if (validationSplit is < 0 or >= 1 || double.IsNaN(validationSplit))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "Fit: validationSplit must be in [0, 1).");
        if (validation is { } checkedValidation && checkedValidation.X[0].Shape[0] == 0)
            throw new ArgumentException("Fit: validationData has 0 examples; there is nothing to validate on.", "validationData");
        int n = xs[0].Shape[0];
        SameDataOnEveryRank(nameof(Fit), n, batchSize);
        if (n == 0)
            throw new ArgumentException($"Fit: x and y have 0 examples (shapes {Shapes([.. xs, .. ys])}); there is nothing to train on.", "x");
        if (validationSplit > 0 && validation is null)
        {
            // Keras' train_validation_split: the first floor(n * (1 - split)) examples train, of every input and target.
            int split = (int)Math.Floor(n * (1 - validationSplit));
            if (split == 0 || split == n)
                throw new ArgumentException(
                    $"Fit: training data contains {n} examples, which is not sufficient to split it into a validation and training set as specified by validationSplit = {validationSplit}. " +
                    "Either provide more data, or a different value for validationSplit.", "validationSplit");
            validation = (Rows(xs, split, n), Rows(ys, split, n));
            (xs, ys) = (Rows(xs, 0, split), Rows(ys, 0, split));
            n = split;
        }
        int steps = (n + batchSize - 1) / batchSize;
        Func<CallbackRun, EvaluationResult>? validate = validation is { } val
            ? hooks => EvaluateBatches(Slices(nameof(Fit), val.X, val.Y, validationBatchSize ?? batchSize), hooks)
            : null;
        // Keras' EpochIterator for arrays: with steps_per_epoch the pass goes on across epochs and
        // restarts once it is used up; without, each epoch is one pass.
        Func<IEnumerable<FitBatch>> epochBatches = () => EpochBatches(xs, ys, n, batchSize, steps, shuffle);
        // Text inputs run through their text layer batch by batch, as Keras does (a batch's texts pad to its own longest).
        if (xs.Any(Data.Pipeline.StringCarrier.IsText))
        {
            var tensorBatches = epochBatches;
            epochBatches = () => tensorBatches().Select(b =>
            {
                var (bx, by) = b.Batched();
                return new FitBatch(HostInputs(nameof(Fit), bx), by, standIn: b.StandIn);
            });
        }
        return FitLoop(epochBatches, stepsPerEpoch ?? steps, stepsPerEpoch, recreateEachEpoch: stepsPerEpoch is null,
                       epochs, initialEpoch, verbose, validate, callbacks, validationFreq, classWeight, passLength: steps);
    }

    /// <summary>
    /// Trains on a dataset of (features, labels) batches (<c>model.fit(dataset)</c>), one pass per
    /// epoch; batch, shuffle and prefetch it with the <see cref="Data.Dataset"/> methods.
    /// </summary>
    /// <param name="dataset">(features, labels) batches.</param>
    /// <param name="epochs">The epoch to train up to: epochs <paramref name="initialEpoch"/> to epochs - 1 run.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="validationData">A dataset evaluated after each epoch ("val_" entries).</param>
    /// <param name="callbacks">Hooks called during training.</param>
    /// <param name="initialEpoch">The epoch to start at (to resume a run).</param>
    /// <param name="stepsPerEpoch">
    /// Batches per epoch (Keras' steps_per_epoch), required for an infinite dataset
    /// (<c>Repeat()</c>). Unless it equals the dataset's length, the next epoch continues where
    /// the last one stopped instead of restarting the dataset, and training stops early (with a
    /// warning) if the data runs out, as in Keras.
    /// </param>
    /// <param name="validationSteps">Batches of <paramref name="validationData"/> per evaluation; required when it is infinite.</param>
    /// <param name="validationFreq">When to validate (Keras' validation_freq): every n-th epoch (an int) or after the 1-based epochs listed, as in Fit(x, y).</param>
    public History Fit(Data.Dataset dataset, int epochs = 1, int verbose = 1, Data.Dataset? validationData = null,
                       IEnumerable<Callbacks.Callback>? callbacks = null, int? stepsPerEpoch = null, int? validationSteps = null,
                       int initialEpoch = 0, ValidationFrequency validationFreq = default)
    {
        Compiled(nameof(Fit));
        validationFreq.Check(nameof(Fit));
        CheckEpochs(epochs, initialEpoch, verbose);
        var batches = FitParts(Pairs(nameof(Fit), dataset));
        CheckSteps(nameof(Fit), dataset, stepsPerEpoch, nameof(stepsPerEpoch));
        if (validationData is not null)
        {
            Pairs(nameof(Fit) + " (validationData)", validationData);
            CheckSteps(nameof(Fit) + " (validationData)", validationData, validationSteps, nameof(validationSteps));
        }
        Func<CallbackRun, EvaluationResult>? validate = validationData is null ? null : hooks => EvaluateDataset(validationData, validationSteps, hooks);
        long cardinality = dataset.Cardinality;
        int steps = stepsPerEpoch ?? (int)Math.Min(Math.Max(cardinality, 0), int.MaxValue);
        // Keras' DataHandler.should_recreate_iterator: restart each epoch unless steps cut the dataset.
        bool recreate = stepsPerEpoch is null || cardinality == stepsPerEpoch;
        return FitLoop(batches, steps, stepsPerEpoch, recreate, epochs, initialEpoch, verbose, validate, callbacks,
                       validationFreq);
    }

    // The training loop shared by both Fit overloads: one TensorScope per step, so everything a
    // step makes (batch gathers, activations, gradients, optimizer temporaries) is freed when it
    // ends. An epoch is one pass of epochBatches, or stepsPerEpoch batches of it; without
    // recreateEachEpoch the next epoch continues the same pass. A passLength (in-memory examples,
    // whose passes have a known number of batches) makes a used-up pass end its epoch early and
    // the next epoch start a new one (Keras' EpochIterator); without it (a dataset) running out
    // with stepsPerEpoch ends training.
    private History FitLoop(Func<IEnumerable<FitBatch>> epochBatches, int steps, int? stepsPerEpoch, bool recreateEachEpoch,
                            int epochs, int initialEpoch, int verbose,
                            Func<CallbackRun, EvaluationResult>? validate, IEnumerable<Callbacks.Callback>? callbacks, ValidationFrequency validationFreq,
                            IReadOnlyDictionary<int, double>? classWeight = null, int? passLength = null)
    {
        var optimizer = Compiled(nameof(Fit));
        // Everything a step makes (and the variables, when the first step builds the model) lives
        // on the model's device; each batch is moved there once, whatever device the data is on.
        using var placement = OnModelDevice(out var backend);
        var hooks = CallbacksOfThisRank((callbacks ?? []).ToList());
        bool distributed = Distributed.DataParallel.Current is { WorldSize: > 1 };
        verbose = CallbackRun.VerboseOfThisRank(verbose);
        var progbar = CallbackRun.WithProgbar(hooks, verbose).OfType<Callbacks.ProgbarLogger>().FirstOrDefault();
        // Keras' CallbackList(model=self, epochs=, steps=, verbose=): every callback gets both before OnTrainBegin.
        var callbackList = new CallbackRun(hooks, this, new Callbacks.CallbackParams(epochs, steps > 0 ? steps : null, verbose));
        var history = new History();
        // Keras' on_train_end(logs=training_logs): the last epoch's logs (none when no epoch ran).
        IReadOnlyDictionary<string, float> trainingLogs = new Dictionary<string, float>();
        StopTraining = false;
        IEnumerator<FitBatch>? batches = null;
        int seenInPass = 0;
        bool warnedShortEpoch = false;
        // Where this Fit is, for a checkpoint to resume from (BackupAndRestore); pass numbers count from this call's first.
        var position = _fitPosition = new FitPosition();
        try
        {
            // A callback that restores weights (BackupAndRestore) needs them to exist: a model
            // that builds on its first call runs once, forward only, on the first batch.
            if ((hooks.Any(c => c.NeedsWeightsAtStart) || Distributed.DataParallel.Current is not null) && Variables.Count == 0)
            {
                using var scope = TensorScope.Begin();
                using var first = epochBatches().GetEnumerator();
                if (first.MoveNext()) CallOutputs(OnBackend(first.Current.Batched().X, backend));
            }
            var (cached, trainStep, gathers) = MakeTrainStep(optimizer, classWeight);
            Func<Dictionary<string, float>> readLogs = () => ReadStepLogs(cached);
            _fitMetrics = () => SaveStepMetrics(cached);
            foreach (var c in hooks) c.OnTrainBegin();
            var resume = ResumeFrom(hooks, initialEpoch);
            int requestedEpoch = initialEpoch;
            if (resume is not null) initialEpoch = resume.Epoch;
            initialEpoch = StartTogether(initialEpoch);
            if (resume is { Pass: >= 0 })
            {
                // A checkpoint that knows its pass (and maybe its batch): the data is put back there.
                (batches, seenInPass) = Reposition(epochBatches, resume, recreateEachEpoch, passLength, stepsPerEpoch);
                (position.Pass, position.PassRandom) = (resume.Pass, resume.PassRandom);
            }
            else if (recreateEachEpoch)
            {
                // An epoch-only checkpoint (or none): one pass per epoch before the one resumed.
                OpenPasses(epochBatches, initialEpoch - requestedEpoch);
                position.Pass = initialEpoch - requestedEpoch - 1;
            }
            for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
            {
                // A checkpoint taken mid-epoch continues that epoch, in its pass, with its running metrics.
                bool midEpoch = epoch == initialEpoch && resume is { Step: > 0 };
                if (batches is null || (!midEpoch && (recreateEachEpoch || seenInPass >= passLength)))
                {
                    batches?.Dispose();
                    position.PassRandom = NF.Random.State; // a shuffled pass draws its order from here on its first batch
                    position.Pass++;
                    batches = epochBatches().GetEnumerator();
                    seenInPass = 0;
                }
                position.Epoch = epoch;
                foreach (var c in hooks) c.OnEpochBegin(epoch);
                ResetStepMetrics(cached);
                int step = 0;
                if (midEpoch)
                {
                    if (resume!.Metrics is { } metrics) RestoreStepMetrics(cached, metrics);
                    step = resume.Step;
                }
                var blocks = new ExecutionBlocks(StepsPerExecution, step);
                bool ranOut = false, ownExamples = false;
                while (stepsPerEpoch is not { } limit || step < limit)
                {
                    // Under a strategy, which callbacks read this step's logs is asked before it (MoveNextTogether).
                    bool[]? wanted = distributed && blocks.EndsAt(step) ? callbackList.TrainLogsWanted(step) : null;
                    bool globalLogs;
                    using (var scope = TensorScope.Begin())
                    {
                        if (!MoveNextTogether(batches, wanted?.Contains(true) == true, out _batchShare, out globalLogs))
                        {
                            ranOut = !StopTraining;
                            break;
                        }
                        seenInPass++;
                        if (blocks.Begins(step)) callbackList.TrainBatchBegin(step);
                        var batch = batches.Current;
                        var restoreMetrics = batch.StandIn ? StandInStep(cached) : null;
                        ownExamples |= !batch.StandIn;
                        // Shuffled rows of examples on the model's device: the step gathers them (see GatherRows).
                        cached.GatherRows = gathers && batch.Rows is { } rows && ReferenceEquals(rows.Backend, backend) && GathersInStep(backend);
                        if (cached.GatherRows) KeepStepLogs(cached, trainStep([.. batch.X, .. batch.Y, batch.Rows!]), batch.Count);
                        else
                        {
                            var (xs, ys) = batch.Batched();
                            KeepStepLogs(cached, trainStep([.. OnBackend(xs, backend), .. OnBackend(ys, backend)]), batch.Count);
                        }
                        restoreMetrics?.Invoke();
                    }
                    // The running loss and metrics are read from the device only for a callback that
                    // wants them after this step (the progress bar only when it redraws).
                    (position.Step, position.SeenInPass) = (step + 1, seenInPass);
                    if (blocks.Ends(step))
                    {
                        var globalRunningLogs = globalLogs ? LogsOfAllRanks(cached) : null;  // a collective, on every rank alike
                        _fitMetricsOfAllRanks = globalLogs ? MetricStatesOfAllRanks(cached) : null;  // for a checkpoint (FitPositionNow)
                        callbackList.TrainBatchEnd(step, globalRunningLogs is null ? readLogs : () => globalRunningLogs, wanted);
                        _fitMetricsOfAllRanks = null;
                    }
                    step++;
                    if (StopTraining && Distributed.DataParallel.Current is null) break; // else MoveNextTogether stops every rank
                }
                if (blocks.TakeUnfinished() is >= 0 and var last)
                {
                    var lastWanted = callbackList.TrainLogsWanted(last);
                    var shortLogs = LogsAfterShortBlock(cached, lastWanted, agreeing: true, out bool global);
                    // As after a full block: a checkpoint here holds every rank's running metrics.
                    _fitMetricsOfAllRanks = global ? MetricStatesOfAllRanks(cached) : null;
                    callbackList.TrainBatchEnd(last, shortLogs, lastWanted);
                    _fitMetricsOfAllRanks = null;
                }
                if (step == 0 && epoch == initialEpoch)
                    throw new InvalidOperationException("Fit: the dataset produced no batches, so there is nothing to train on (an empty dataset, or one filtered or skipped to nothing).");
                if (ranOut && stepsPerEpoch is not null && passLength is { } pass)
                {
                    // Keras 3 warns and ends the epoch short; the next one starts a new pass.
                    if (!warnedShortEpoch)
                        Warn($"Fit: your input ran out of data after {step} of stepsPerEpoch = {stepsPerEpoch} batches in epoch {epoch + 1}: one pass over x is {pass} batches, so this epoch ends here and the next starts a new pass. " +
                                "Choose a stepsPerEpoch that divides the batches of a pass (or pass stepsPerEpoch: null for one pass per epoch) to keep epochs the same length.");
                    warnedShortEpoch = true;
                }
                else if (ranOut && stepsPerEpoch is not null && !recreateEachEpoch)
                {
                    // Keras: "Your input ran out of data; interrupting training.", a warning whatever the verbosity.
                    Warn($"Fit: your input ran out of data; interrupting training. Make sure that your dataset can generate at least stepsPerEpoch * epochs batches ({stepsPerEpoch} * {epochs - initialEpoch}); you may need Repeat().");
                    StopTraining = true;
                    if (step == 0) break; // nothing ran this epoch: no entry in the history
                }
                var epochLogs = ReadStepLogs(cached);
                EndEpochTogether(cached, epochLogs, ownExamples);
                (position.Epoch, position.Step, position.SeenInPass) = (epoch + 1, 0, seenInPass);
                // Keras' _should_eval; the validation calls the test hooks of Fit's callbacks.
                if (validate is not null && validationFreq.After(epoch))
                    foreach (var (k, v) in validate(callbackList).Items) epochLogs["val_" + k] = v;
                Callbacks.Callback.EndEpoch(hooks, epoch, epochLogs);
                history.Add(epoch, epochLogs); // after the callbacks, as Keras' History comes last: it keeps what they added
                trainingLogs = epochLogs;
            }
            KeepStep(cached);
            KeepStepLogs(cached, []);
            // Keras: with use_ema the weights take their moving averages when training ends.
            optimizer.FinalizeVariableValues(TrainableVariables);
            foreach (var c in hooks) c.OnTrainEnd(trainingLogs);
        }
        catch (Exception e) when (LeftTheOtherRanks(e))
        {
            throw; // never taken: the filter only records the exception for the strategy
        }
        finally
        {
            batches?.Dispose();
            _fitPosition = null;
            _fitMetrics = null;
            _fitMetricsOfAllRanks = null;
        }
        return history;

        // A warning mid-epoch (to NF.WarningLog, as Keras' warnings.warn) on its own line: the
        // progress bar drawn in place so far is erased first, and the epoch's closing line follows.
        void Warn(string message)
        {
            progbar?.ClearLine();
            NF.Warn(message);
        }
    }

    // Where a train step gathers its shuffled rows itself: the CPU engines, whose replay plans read
    // the rows in the products (GatherMatMulFusion). On a GPU the gather stays outside the step:
    // a CUDA graph's inputs are copied into the graph's own buffers before each launch
    // (GraphReplay), which for the whole example set would be a copy of all of it per step.
    private static bool GathersInStep(Backends.IBackend backend) =>
        backend is Backends.Native.NativeCpuBackend or Backends.Managed.ManagedBackend;

    // Keras' checks of epochs and initial_epoch (and verbose, which is 0, 1 or 2).
    private static void CheckEpochs(int epochs, int initialEpoch, int verbose)
    {
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fit: epochs must be at least 0.");
        if (initialEpoch < 0) throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch, "Fit: initialEpoch must be at least 0.");
        CallbackRun.CheckVerbose(nameof(Fit), verbose);
    }

    private static void CheckPositive(string method, string name, int value)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{method}: {name} must be at least 1.");
    }

    // A step count must be positive when given and is required for an infinite dataset, which
    // would otherwise never end (Keras refuses it the same way).
    private static void CheckSteps(string method, Data.Dataset dataset, int? steps, string name)
    {
        if (steps is { } s) CheckPositive(method, name, s);
        else if (dataset.Cardinality == Data.Dataset.Infinite)
            throw new ArgumentException(
                $"{method}: the dataset is infinite (Repeat() without a count), so {name} must say how many batches to run; " +
                "it can be any number, e.g. the number of batches in one pass of the data. If you did not intend an infinite dataset, do not call Repeat() on it.", name);
    }

    // A dataset's elements as (x, y) pairs, each side one tensor per model input (output): for a
    // functional model of k inputs and m outputs, elements of k + m tensors, inputs first. Each
    // pair is freed when the next is requested.
    private Func<IEnumerable<(Tensor[], Tensor[])>> Pairs(string method, Data.Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        RefuseRaggedData(method, dataset);
        dataset.RefuseStrings(method, DataComponent, accepts: c => AcceptsText(dataset.Schema, c), takesRagged: HasRaggedInputs);
        if (dataset.Schema.HasDictionary) return NamedPairs(method, dataset);
        // A subclassed model takes the first part of (inputs, targets) elements whole, as Keras hands it to its call.
        UseInputCount(Inputs.Count == 0 ? SubclassedInputWidth(dataset.Schema) : 1);
        int inputs = BatchInputs, outputs = Math.Max(1, Outputs.Count);
        // Inputs alone (Keras' fit(dataset_of_x)) serve a step that needs no targets (TakesInputsAlone).
        if (dataset.ComponentCount == inputs && TakesInputsAlone(method == nameof(Fit) ? nameof(TrainStep) : nameof(TestStep)))
            outputs = 0;
        // A third part after the targets is one weight per example (Keras' (x, y, sample_weight) elements).
        bool weighted = outputs > 0 && dataset.ComponentCount == inputs + outputs + 1;
        if (dataset.ComponentCount != inputs + outputs && !weighted)
            throw new ArgumentException(
                $"{method}: the dataset's elements need {inputs + outputs} tensors ({(inputs == 1 ? "features" : $"{inputs} inputs")}, then {(outputs == 1 ? "labels" : $"{outputs} targets")}), and optionally sample weights after them, but they have {dataset.ComponentCount}.", nameof(dataset));
        return () => dataset.EnumerateTensors(disposeEach: true).Select(e =>
        {
            var (xs, ys) = SameBatch(method, HostInputs(method, e.Take(inputs).ToArray()), e.Skip(inputs).Take(outputs).ToArray());
            return (xs, weighted ? WithSampleWeight(method, ys, e[^1], null) : ys);
        });
    }

    // What component c of a dataset's flat elements is to this model, for the refusal of strings: an input by name, else the targets.
    private string? DataComponent(int c)
    {
        var inputs = Inputs;   // a Sequential's too (InputNames is a functional graph's)
        return c < inputs.Count ? $"the model's input '{inputs[c].Layer.Name}'" : inputs.Count > 0 ? "the targets" : null;
    }

    // A dataset of dictionaries (tf.data's dict elements): each element is (x, y), each side a
    // dictionary keyed by input names (output layer names), a tensor or a tuple of tensors,
    // matched to the model as Fit(x, y) matches tensors. The keys of a Map's dictionaries are
    // known from the first element on, so each element is matched as it comes.
    private Func<IEnumerable<(Tensor[], Tensor[])>> NamedPairs(string method, Data.Dataset dataset)
    {
        var schema = dataset.Schema;
        // Named inputs alone serve a model whose overridden step needs no targets (as tensors do in Pairs).
        if (schema.Parts is null && Overrides(method == nameof(Fit) ? nameof(TrainStep) : nameof(TestStep)))
            return () => dataset.EnumerateTensors(disposeEach: true).Select(e => (ResolveInputs(method, ModelData.FromElement(schema, e, 0)), Array.Empty<Tensor>()));
        if (schema.Parts is not { Count: 2 or 3 } parts || parts.Count == 3 && (parts[2].HasDictionary || parts[2].Parts is not null))
            throw new ArgumentException(
                $"{method}: the dataset's elements are {schema}, but {method} needs (features, targets) pairs, e.g. Dataset.FromTensorSlices(features, targets) with the targets keyed by output layer name, " +
                "or (features, targets, sampleWeights) with one weight tensor.", nameof(dataset));
        return () => dataset.EnumerateTensors(disposeEach: true).Select(e =>
        {
            var (xs, ys) = SameBatch(method, ResolveInputs(method, ModelData.FromElement(parts[0], e, 0)),
                                     ModelData.FromElement(parts[1], e, parts[0].Width).Resolve(method, "y", OutputNames));
            return (xs, parts.Count == 3 ? WithSampleWeight(method, ys, e[^1], null) : ys);
        });
    }

    // A dataset batch whose features and targets differ in examples is named here, as Fit(x, y)
    // names it (CheckRows); it surfaced from inside the loss (MeanSquaredError's broadcast).
    // Scalars (an unbatched element) have no example axis to compare.
    private static (Tensor[] X, Tensor[] Y) SameBatch(string method, Tensor[] xs, Tensor[] ys)
    {
        var batched = xs.Concat(ys).Where(t => t.Rank > 0).ToArray();
        if (ys.Length > 0 && batched.Length > 1)
            CheckRows(method, batched, "a dataset batch's features and targets");
        return (xs, ys);
    }
}
