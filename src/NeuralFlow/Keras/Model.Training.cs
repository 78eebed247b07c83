namespace NeuralFlow.Keras;

public partial class Model
{
    private Optimizers.Optimizer? _optimizer;
    private Losses.Loss? _loss;
    private List<Metrics.PredictionMetric> _metrics = [];

    /// <summary>The optimizer given to <see cref="Compile"/>.</summary>
    public Optimizers.Optimizer? Optimizer => _optimizer;

    /// <summary>The loss given to <see cref="Compile"/>.</summary>
    public Losses.Loss? Loss => _loss;

    /// <summary>
    /// Sets what <c>Fit</c> trains with (<c>model.compile</c>). Names and objects are
    /// interchangeable: <c>optimizer: "sgd"</c> or <c>new Optimizers.SGD(0.01f)</c>; metrics are
    /// names ("accuracy" picks the accuracy that fits the loss) or <see cref="Metrics.PredictionMetric"/> objects.
    /// </summary>
    public void Compile(Optimizers.Optimizer optimizer, Losses.Loss loss, IEnumerable<object>? metrics = null)
    {
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _metrics = (metrics ?? []).Select(m => m switch
        {
            string name => Metrics.Get(name, loss),
            Metrics.PredictionMetric metric => metric,
            _ => throw new ArgumentException($"Compile: a metric must be a name or a Metrics.PredictionMetric, got {m?.GetType().Name ?? "null"}.", nameof(metrics)),
        }).ToList();
    }

    private (Optimizers.Optimizer, Losses.Loss) Compiled(string method) =>
        _optimizer is not null && _loss is not null
            ? (_optimizer, _loss)
            : throw new InvalidOperationException($"{method} needs a compiled model: call model.Compile(optimizer: \"sgd\", loss: \"sparse_categorical_crossentropy\", metrics: [\"accuracy\"]) first.");

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
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1,
                       (Tensor X, Tensor Y)? validationData = null, double validationSplit = 0, bool shuffle = true,
                       IEnumerable<Callbacks.Callback>? callbacks = null, int initialEpoch = 0)
    {
        Compiled(nameof(Fit));
        CheckData(nameof(Fit), x, y);
        CheckPositive(nameof(Fit), nameof(batchSize), batchSize);
        CheckEpochs(epochs, initialEpoch, verbose);
        if (validationSplit is < 0 or >= 1 || double.IsNaN(validationSplit))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "Fit: validationSplit must be in [0, 1).");
        if (validationData is { } given)
        {
            CheckData(nameof(Fit) + " (validationData)", given.X, given.Y);
            if (given.X.Shape[0] == 0)
                throw new ArgumentException("Fit: validationData has 0 examples; there is nothing to validate on.", nameof(validationData));
        }
        int n = x.Shape[0];
        if (n == 0)
            throw new ArgumentException($"Fit: x and y have 0 examples (shapes {x.Shape} and {y.Shape}); there is nothing to train on.", nameof(x));
        if (validationSplit > 0 && validationData is null)
        {
            // Keras' train_validation_split: the first floor(n * (1 - split)) examples train.
            int split = (int)Math.Floor(n * (1 - validationSplit));
            if (split == 0 || split == n)
                throw new ArgumentException(
                    $"Fit: training data contains {n} examples, which is not sufficient to split it into a validation and training set as specified by validationSplit = {validationSplit}. " +
                    "Either provide more data, or a different value for validationSplit.", nameof(validationSplit));
            validationData = (x[split..], y[split..]);
            (x, y) = (x[..split], y[..split]);
            n = split;
        }
        int steps = (n + batchSize - 1) / batchSize;
        var (tx, ty) = (x, y);
        IEnumerable<(Tensor, Tensor)> EpochBatches()
        {
            var order = Enumerable.Range(0, n).ToArray();
            // Each epoch's order is drawn from NF.Random when the epoch starts, so a run resumed
            // from a checkpoint (which restores NF.Random's position) shuffles as the original did.
            if (shuffle) new System.Random(unchecked((int)NF.Random.NextSeed())).Shuffle(order);
            for (int step = 0; step < steps; step++)
                yield return Batch(tx, ty, order, step * batchSize, Math.Min(batchSize, n - step * batchSize), shuffle);
        }
        Func<EvaluationResult>? validate = validationData is { } val ? () => Evaluate(val.X, val.Y, batchSize) : null;
        return FitLoop(EpochBatches, steps, stepsPerEpoch: null, recreateEachEpoch: true, epochs, initialEpoch, verbose, validate, callbacks);
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
    public History Fit(Data.Dataset dataset, int epochs = 1, int verbose = 1, Data.Dataset? validationData = null,
                       IEnumerable<Callbacks.Callback>? callbacks = null, int? stepsPerEpoch = null, int? validationSteps = null,
                       int initialEpoch = 0)
    {
        Compiled(nameof(Fit));
        CheckEpochs(epochs, initialEpoch, verbose);
        var batches = Pairs(nameof(Fit), dataset);
        CheckSteps(nameof(Fit), dataset, stepsPerEpoch, nameof(stepsPerEpoch));
        if (validationData is not null)
        {
            Pairs(nameof(Fit) + " (validationData)", validationData);
            CheckSteps(nameof(Fit) + " (validationData)", validationData, validationSteps, nameof(validationSteps));
        }
        Func<EvaluationResult>? validate = validationData is null ? null : () => Evaluate(validationData, steps: validationSteps);
        long cardinality = dataset.Cardinality;
        int steps = stepsPerEpoch ?? (cardinality > 0 ? (int)Math.Min(cardinality, int.MaxValue) : 0);
        // Keras' DataHandler.should_recreate_iterator: restart each epoch unless steps cut the dataset.
        bool recreate = stepsPerEpoch is null || cardinality == stepsPerEpoch;
        return FitLoop(() => batches(), steps, stepsPerEpoch, recreate, epochs, initialEpoch, verbose, validate, callbacks);
    }

    // The training loop shared by both Fit overloads: one TensorScope per step, so everything a
    // step makes (batch gathers, activations, gradients, optimizer temporaries) is freed when it
    // ends. An epoch is one pass of epochBatches, or stepsPerEpoch batches of it; without
    // recreateEachEpoch the next epoch continues the same pass.
    private History FitLoop(Func<IEnumerable<(Tensor X, Tensor Y)>> epochBatches, int steps, int? stepsPerEpoch, bool recreateEachEpoch,
                            int epochs, int initialEpoch, int verbose,
                            Func<EvaluationResult>? validate, IEnumerable<Callbacks.Callback>? callbacks)
    {
        var (optimizer, loss) = Compiled(nameof(Fit));
        // Everything a step makes (and the variables, when the first step builds the model) lives
        // on the model's device; each batch is moved there once, whatever device the data is on.
        using var placement = OnModelDevice(out var backend);
        var hooks = (callbacks ?? []).ToList();
        foreach (var c in hooks) c.Model = this;
        var history = new History();
        var lossMean = new Metrics.Mean("loss");
        StopTraining = false;
        IEnumerator<(Tensor X, Tensor Y)>? batches = null;
        try
        {
            // A callback that restores weights (BackupAndRestore) needs them to exist: a model
            // that builds on its first call runs once, forward only, on the first batch.
            if (hooks.Any(c => c.NeedsWeightsAtStart) && Variables.Count == 0)
            {
                using var scope = TensorScope.Begin();
                using var first = epochBatches().GetEnumerator();
                if (first.MoveNext()) Call(OnBackend(first.Current, backend).X);
            }
            foreach (var c in hooks) c.OnTrainBegin();
            foreach (var c in hooks)
                if (c.ResumeEpoch is { } resume) initialEpoch = Math.Max(initialEpoch, resume);
            for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
            {
                if (batches is null || recreateEachEpoch)
                {
                    batches?.Dispose();
                    batches = epochBatches().GetEnumerator();
                }
                if (verbose > 0) Console.WriteLine($"Epoch {epoch + 1}/{epochs}");
                foreach (var c in hooks) c.OnEpochBegin(epoch);
                lossMean.ResetState();
                foreach (var m in _metrics) m.ResetState();
                var bar = new ProgressBar(steps, verbose, Console.Out);
                var trainable = TrainableVariables;
                int step = 0;
                bool ranOut = false;
                while (stepsPerEpoch is not { } limit || step < limit)
                {
                    using (var scope = TensorScope.Begin())
                    {
                        if (!batches.MoveNext())
                        {
                            ranOut = true;
                            break;
                        }
                        var (xb, yb) = OnBackend(batches.Current, backend);
                        Tensor[] grads;
                        Tensor yPred, lossValue;
                        using (Layer.TrainingMode())
                        using (var tape = new GradientTape())
                        {
                            yPred = Call(xb);
                            lossValue = loss.Call(yb, yPred);
                            if (trainable.Count == 0) trainable = TrainableVariables; // built on the first call
                            grads = tape.Gradient(lossValue, trainable);
                        }
                        optimizer.ApplyGradients(grads, trainable);
                        lossMean.UpdateState(lossValue);
                        foreach (var m in _metrics) m.UpdateState(yb, yPred);
                    }
                    var logs = Logs(lossMean);
                    bar.Update(++step, logs);
                    foreach (var c in hooks) c.OnBatchEnd(step - 1, logs);
                    if (StopTraining) break;
                }
                if (step == 0 && epoch == initialEpoch)
                    throw new InvalidOperationException("Fit: the dataset produced no batches, so there is nothing to train on (an empty dataset, or one filtered or skipped to nothing).");
                if (ranOut && stepsPerEpoch is not null && !recreateEachEpoch)
                {
                    // Keras: "Your input ran out of data; interrupting training."
                    if (verbose > 0)
                        Console.WriteLine($"WARNING: Your input ran out of data; interrupting training. Make sure that your dataset can generate at least stepsPerEpoch * epochs batches ({stepsPerEpoch} * {epochs - initialEpoch}); you may need Repeat().");
                    StopTraining = true;
                    if (step == 0) break; // nothing ran this epoch: no entry in the history
                }
                var epochLogs = Logs(lossMean);
                if (validate is not null)
                    foreach (var (k, v) in validate().Values) epochLogs["val_" + k] = v;
                bar.Finish(step, epochLogs);
                history.Add(epochLogs);
                foreach (var c in hooks) c.OnEpochEnd(epoch, epochLogs);
            }
            foreach (var c in hooks) c.OnTrainEnd();
        }
        finally
        {
            batches?.Dispose();
        }
        return history;
    }

    // Keras' checks of epochs and initial_epoch (and verbose, which is 0, 1 or 2).
    private static void CheckEpochs(int epochs, int initialEpoch, int verbose)
    {
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fit: epochs must be at least 0.");
        if (initialEpoch < 0) throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch, "Fit: initialEpoch must be at least 0.");
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "Fit: verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch).");
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

    // A dataset's elements as (x, y) pairs; each pair is freed when the next is requested.
    private static Func<IEnumerable<(Tensor, Tensor)>> Pairs(string method, Data.Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.ComponentCount != 2)
            throw new ArgumentException($"{method}: the dataset's elements need two tensors (features, labels), but they have {dataset.ComponentCount}.", nameof(dataset));
        return () => dataset.EnumerateTensors(disposeEach: true).Select(e => (e[0], e[1]));
    }

    /// <summary>The loss and metrics on (x, y), batch by batch (<c>model.evaluate</c>).</summary>
    public EvaluationResult Evaluate(Tensor x, Tensor y, int batchSize = 32, int verbose = 0)
    {
        Compiled(nameof(Evaluate));
        CheckData(nameof(Evaluate), x, y);
        CheckPositive(nameof(Evaluate), nameof(batchSize), batchSize);
        int n = x.Shape[0];
        if (n == 0)
            throw new ArgumentException($"Evaluate: x and y have 0 examples (shapes {x.Shape} and {y.Shape}); there is nothing to evaluate.", nameof(x));
        IEnumerable<(Tensor, Tensor)> Batches()
        {
            for (int start = 0; start < n; start += batchSize)
                yield return (x[start..(start + batchSize)], y[start..(start + batchSize)]);
        }
        return EvaluateBatches(Batches(), verbose);
    }

    /// <summary>
    /// The loss and metrics over a dataset of (features, labels) batches; <paramref name="steps"/>
    /// batches of it when given (required for an infinite dataset).
    /// </summary>
    public EvaluationResult Evaluate(Data.Dataset dataset, int verbose = 0, int? steps = null)
    {
        Compiled(nameof(Evaluate));
        var pairs = Pairs(nameof(Evaluate), dataset);
        CheckSteps(nameof(Evaluate), dataset, steps, nameof(steps));
        return EvaluateBatches(steps is { } s ? pairs().Take(s) : pairs(), verbose);
    }

    private EvaluationResult EvaluateBatches(IEnumerable<(Tensor X, Tensor Y)> batches, int verbose)
    {
        var (_, loss) = Compiled(nameof(Evaluate));
        using var placement = OnModelDevice(out var backend);
        var lossMean = new Metrics.Mean("loss");
        foreach (var m in _metrics) m.ResetState(); // Fit has already read the epoch's training values
        using var items = batches.GetEnumerator();
        int count = 0;
        while (true)
        {
            using var scope = TensorScope.Begin();
            if (!items.MoveNext()) break;
            count++;
            var (xb, yb) = OnBackend(items.Current, backend);
            var yPred = Call(xb);
            // Per example, so the result is the mean over examples, not over batches.
            lossMean.UpdateState(loss.PerExampleLoss(yb, yPred));
            foreach (var m in _metrics) m.UpdateState(yb, yPred);
        }
        if (count == 0)
            throw new InvalidOperationException("Evaluate: the dataset produced no batches, so there is nothing to evaluate.");
        var values = new List<KeyValuePair<string, float>> { new("loss", lossMean.Result()) };
        values.AddRange(_metrics.Select(m => new KeyValuePair<string, float>(m.Name, m.Result())));
        var result = new EvaluationResult(values);
        if (verbose > 0) Console.WriteLine(result);
        return result;
    }

    /// <summary>
    /// The model's outputs for <paramref name="x"/>, computed batch by batch (<c>model.predict</c>).
    /// For 0 rows, the empty result of the right shape (0, outputs...).
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) throw new ArgumentException("Predict: x needs a batch axis, got a scalar.", nameof(x));
        CheckPositive(nameof(Predict), nameof(batchSize), batchSize);
        int n = x.Shape[0];
        // 0 rows: one call on the empty batch gives the output's shape (the model sees a batch of 0).
        IEnumerable<Tensor> Batches()
        {
            int start = 0;
            do yield return x[start..Math.Min(n, start + batchSize)];
            while ((start += batchSize) < n);
        }
        return PredictBatches(Batches(), nameof(Predict));
    }

    /// <summary>
    /// The model's outputs for each element (or the first tensor of each element) of a dataset of
    /// batches; <paramref name="steps"/> batches of it when given (required for an infinite dataset).
    /// </summary>
    public Tensor Predict(Data.Dataset dataset, int? steps = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        CheckSteps(nameof(Predict), dataset, steps, nameof(steps));
        var elements = dataset.EnumerateTensors(disposeEach: true).Select(e => e[0]);
        return PredictBatches(steps is { } s ? elements.Take(s) : elements, nameof(Predict));
    }

    private Tensor PredictBatches(IEnumerable<Tensor> batches, string method)
    {
        var outputs = new List<Tensor>();
        using var placement = OnModelDevice(out var backend);
        try
        {
            using (var items = batches.GetEnumerator())
            {
                while (true)
                {
                    using var scope = TensorScope.Begin();
                    if (!items.MoveNext()) break;
                    outputs.Add(scope.Keep(Call(OnBackend(items.Current, backend))));
                }
            }
            if (outputs.Count == 0)
                throw new InvalidOperationException($"{method}: the dataset produced no batches, so the shape of the outputs is unknown; predict on an empty tensor instead to get an empty result.");
            return NF.Concat(outputs, axis: 0);
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
    }

    private static void CheckData(string method, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank == 0 || y.Rank == 0 || x.Shape[0] != y.Shape[0])
            throw new ArgumentException($"{method}: x and y need the same number of examples along their first axis, got shapes {x.Shape} and {y.Shape}.");
    }

    // One batch: contiguous rows when not shuffling (a view), else a gather of the shuffled rows
    // (on the data's device; FitLoop then moves the batch to the model's).
    private static (Tensor X, Tensor Y) Batch(Tensor x, Tensor y, int[] order, int start, int count, bool shuffled)
    {
        if (!shuffled) return (x[start..(start + count)], y[start..(start + count)]);
        Tensor idx;
        using (NF.UseBackend(x.Backend)) idx = NF.Constant(order.AsSpan(start, count).ToArray());
        var ix = ReferenceEquals(y.Backend, x.Backend) ? idx : idx.To(y.Backend);
        return (NF.Gather(x, idx), NF.Gather(y, ix));
    }

    // Makes the model's device (where its variables are; if not built yet, the current scope's)
    // the scope's backend until disposed, so everything Fit, Evaluate and Predict make lands there.
    private IDisposable OnModelDevice(out Backends.IBackend backend)
    {
        backend = Variables is [var first, ..] ? first.Backend : NF.Backend;
        return NF.UseBackend(backend);
    }

    // The batch on the model's backend: the same tensors when already there, else copies that the
    // step's TensorScope frees.
    [MethodImpl(Hot)]
    private static Tensor OnBackend(Tensor t, Backends.IBackend backend) =>
        ReferenceEquals(t.Backend, backend) ? t : t.To(backend);

    private static (Tensor X, Tensor Y) OnBackend((Tensor X, Tensor Y) batch, Backends.IBackend backend) =>
        (OnBackend(batch.X, backend), OnBackend(batch.Y, backend));

    [MethodImpl(Hot)]
    private Dictionary<string, float> Logs(Metrics.Mean lossMean)
    {
        var logs = new Dictionary<string, float> { ["loss"] = lossMean.Result() };
        foreach (var m in _metrics) logs[m.Name] = m.Result();
        return logs;
    }
}
