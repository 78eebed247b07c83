namespace NeuralFlow.Keras;

public abstract partial class Model
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
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="verbose">0 silent, 1 progress bar (one line per epoch when output is redirected), 2 one line per epoch.</param>
    /// <param name="validationData">Data evaluated after each epoch ("val_" entries).</param>
    /// <param name="validationSplit">Fraction of the last examples held out for validation (before shuffling), as Keras.</param>
    /// <param name="shuffle">Shuffle the training examples each epoch.</param>
    /// <param name="callbacks">Hooks called during training.</param>
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1,
                       (Tensor X, Tensor Y)? validationData = null, double validationSplit = 0, bool shuffle = true,
                       IEnumerable<Callbacks.Callback>? callbacks = null)
    {
        Compiled(nameof(Fit));
        CheckData(nameof(Fit), x, y);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Fit: batchSize must be at least 1.");
        if (validationSplit is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "Fit: validationSplit must be in [0, 1).");
        int n = x.Shape[0];
        if (validationSplit > 0 && validationData is null)
        {
            int split = n - (int)(n * validationSplit);
            validationData = (x[split..], y[split..]);
            (x, y) = (x[..split], y[..split]);
            n = split;
        }
        var shuffler = new System.Random(unchecked((int)NF.Random.NextSeed()));
        int steps = (n + batchSize - 1) / batchSize;
        var (tx, ty) = (x, y);
        IEnumerable<(Tensor, Tensor)> EpochBatches()
        {
            var order = Enumerable.Range(0, n).ToArray();
            if (shuffle) shuffler.Shuffle(order);
            for (int step = 0; step < steps; step++)
                yield return Batch(tx, ty, order, step * batchSize, Math.Min(batchSize, n - step * batchSize), shuffle);
        }
        Func<EvaluationResult>? validate = validationData is { } val ? () => Evaluate(val.X, val.Y, batchSize) : null;
        return FitLoop(EpochBatches, steps, epochs, verbose, validate, callbacks);
    }

    /// <summary>
    /// Trains on a dataset of (features, labels) batches (<c>model.fit(dataset)</c>), one pass per
    /// epoch; batch, shuffle and prefetch it with the <see cref="Data.Dataset"/> methods.
    /// </summary>
    public History Fit(Data.Dataset dataset, int epochs = 1, int verbose = 1, Data.Dataset? validationData = null,
                       IEnumerable<Callbacks.Callback>? callbacks = null)
    {
        Compiled(nameof(Fit));
        var batches = Pairs(nameof(Fit), dataset);
        Func<EvaluationResult>? validate = validationData is null ? null : () => Evaluate(validationData);
        int steps = dataset.Cardinality > 0 ? (int)dataset.Cardinality : 0;
        return FitLoop(() => batches(), steps, epochs, verbose, validate, callbacks);
    }

    // The training loop shared by both Fit overloads: one TensorScope per step, so everything a
    // step makes (batch gathers, activations, gradients, optimizer temporaries) is freed when it ends.
    private History FitLoop(Func<IEnumerable<(Tensor X, Tensor Y)>> epochBatches, int steps, int epochs, int verbose,
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
        foreach (var c in hooks) c.OnTrainBegin();
        for (int epoch = 0; epoch < epochs && !StopTraining; epoch++)
        {
            if (verbose > 0) Console.WriteLine($"Epoch {epoch + 1}/{epochs}");
            foreach (var c in hooks) c.OnEpochBegin(epoch);
            lossMean.ResetState();
            foreach (var m in _metrics) m.ResetState();
            var bar = new ProgressBar(steps, verbose, Console.Out);
            var trainable = TrainableVariables;
            int step = 0;
            using (var batches = epochBatches().GetEnumerator())
            {
                while (true)
                {
                    using (var scope = TensorScope.Begin())
                    {
                        if (!batches.MoveNext()) break;
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
            }
            var epochLogs = Logs(lossMean);
            if (validate is not null)
                foreach (var (k, v) in validate().Values) epochLogs["val_" + k] = v;
            bar.Finish(step, epochLogs);
            history.Add(epochLogs);
            foreach (var c in hooks) c.OnEpochEnd(epoch, epochLogs);
        }
        foreach (var c in hooks) c.OnTrainEnd();
        return history;
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
        int n = x.Shape[0];
        IEnumerable<(Tensor, Tensor)> Batches()
        {
            for (int start = 0; start < n; start += batchSize)
                yield return (x[start..(start + batchSize)], y[start..(start + batchSize)]);
        }
        return EvaluateBatches(Batches(), verbose);
    }

    /// <summary>The loss and metrics over a dataset of (features, labels) batches.</summary>
    public EvaluationResult Evaluate(Data.Dataset dataset, int verbose = 0)
    {
        Compiled(nameof(Evaluate));
        return EvaluateBatches(Pairs(nameof(Evaluate), dataset)(), verbose);
    }

    private EvaluationResult EvaluateBatches(IEnumerable<(Tensor X, Tensor Y)> batches, int verbose)
    {
        var (_, loss) = Compiled(nameof(Evaluate));
        using var placement = OnModelDevice(out var backend);
        var lossMean = new Metrics.Mean("loss");
        foreach (var m in _metrics) m.ResetState(); // Fit has already read the epoch's training values
        using var items = batches.GetEnumerator();
        while (true)
        {
            using var scope = TensorScope.Begin();
            if (!items.MoveNext()) break;
            var (xb, yb) = OnBackend(items.Current, backend);
            var yPred = Call(xb);
            // Per example, so the result is the mean over examples, not over batches.
            lossMean.UpdateState(loss.PerExampleLoss(yb, yPred));
            foreach (var m in _metrics) m.UpdateState(yb, yPred);
        }
        var values = new List<KeyValuePair<string, float>> { new("loss", lossMean.Result()) };
        values.AddRange(_metrics.Select(m => new KeyValuePair<string, float>(m.Name, m.Result())));
        var result = new EvaluationResult(values);
        if (verbose > 0) Console.WriteLine(result);
        return result;
    }

    /// <summary>The model's outputs for <paramref name="x"/>, computed batch by batch (<c>model.predict</c>).</summary>
    public Tensor Predict(Tensor x, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) throw new ArgumentException("Predict: x needs a batch axis, got a scalar.", nameof(x));
        var outputs = new List<Tensor>();
        using var placement = OnModelDevice(out var backend);
        try
        {
            for (int start = 0; start < x.Shape[0]; start += batchSize)
            {
                using var scope = TensorScope.Begin();
                outputs.Add(scope.Keep(Call(OnBackend(x[start..(start + batchSize)], backend))));
            }
            return NF.Concat(outputs, axis: 0);
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
    }

    /// <summary>The model's outputs for each element (or the first tensor of each element) of a dataset of batches.</summary>
    public Tensor Predict(Data.Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var outputs = new List<Tensor>();
        using var placement = OnModelDevice(out var backend);
        try
        {
            foreach (var element in dataset.EnumerateTensors(disposeEach: true))
            {
                using var scope = TensorScope.Begin();
                outputs.Add(scope.Keep(Call(OnBackend(element[0], backend))));
            }
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
    private static Tensor OnBackend(Tensor t, Backends.IBackend backend) =>
        ReferenceEquals(t.Backend, backend) ? t : t.To(backend);

    private static (Tensor X, Tensor Y) OnBackend((Tensor X, Tensor Y) batch, Backends.IBackend backend) =>
        (OnBackend(batch.X, backend), OnBackend(batch.Y, backend));

    private Dictionary<string, float> Logs(Metrics.Mean lossMean)
    {
        var logs = new Dictionary<string, float> { ["loss"] = lossMean.Result() };
        foreach (var m in _metrics) logs[m.Name] = m.Result();
        return logs;
    }
}
