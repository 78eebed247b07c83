using NeuralFlow.Distributed;

namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// The loss and metrics on (x, y), batch by batch (<c>model.evaluate</c>); for a model of
    /// several outputs also each output's loss and metrics ("head_loss", "head_accuracy").
    /// </summary>
    /// <param name="x">Inputs, first axis = examples.</param>
    /// <param name="y">Targets, first axis = examples.</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="verbose">0 silent, 1 a progress bar with the running loss and metrics (Keras' ProgbarLogger; its closing line only when output is redirected), 2 the closing line.</param>
    /// <param name="sampleWeight">One weight per example, as in <c>Fit</c> (Keras' sample_weight): the loss and the weightedMetrics of Compile are weighted means; its metrics are not (as Keras).</param>
    /// <param name="callbacks">Hooks called during the evaluation: their test hooks (<see cref="Callbacks.Callback.OnTestBegin"/> ...), as Keras' <c>evaluate(callbacks=)</c>.</param>
    public EvaluationResult Evaluate(ModelData x, ModelData y, int batchSize = 32, int verbose = 0, Tensor? sampleWeight = null,
                                     IEnumerable<Callbacks.Callback>? callbacks = null)
    {
        Compiled(nameof(Evaluate));
        var (xs, ys) = CheckData(nameof(Evaluate), x, y);
        ys = WithSampleWeight(nameof(Evaluate), ys, sampleWeight, null);
        CheckPositive(nameof(Evaluate), nameof(batchSize), batchSize);
        SameDataOnEveryRank(nameof(Evaluate), xs[0].Shape[0], batchSize);
        if (xs[0].Shape[0] == 0)
            throw new ArgumentException($"Evaluate: x and y have 0 examples (shapes {Shapes(xs)} and {Shapes(ys)}); there is nothing to evaluate.", nameof(x));
        return EvaluateBatches(Slices(nameof(Evaluate), xs, ys, batchSize), CallbackRun.ForOneRun(nameof(Evaluate), callbacks, this, BatchCount(xs, batchSize), verbose));
    }

    /// <summary>
    /// The loss and metrics over a dataset of (features, labels) batches; <paramref name="steps"/>
    /// batches of it when given (required for an infinite dataset); <paramref name="callbacks"/> as in Evaluate(x, y).
    /// </summary>
    public EvaluationResult Evaluate(Data.Dataset dataset, int verbose = 0, int? steps = null, IEnumerable<Callbacks.Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return EvaluateDataset(dataset, steps, CallbackRun.ForOneRun(nameof(Evaluate), callbacks, this, KnownSteps(dataset, steps), verbose));
    }

    // Evaluate on a dataset, alone or as Fit's validation (with Fit's callbacks).
    private EvaluationResult EvaluateDataset(Data.Dataset dataset, int? steps, CallbackRun callbacks)
    {
        Compiled(nameof(Evaluate));
        var pairs = Pairs(nameof(Evaluate), dataset);
        CheckSteps(nameof(Evaluate), dataset, steps, nameof(steps));
        return EvaluateBatches(steps is { } s ? pairs().Take(s) : pairs(), callbacks);
    }

    // The batches of in-memory examples (one for 0 rows, which Predict runs once), for Callback.Params.
    private static int BatchCount(Tensor[] xs, int batchSize) => Math.Max(1, (xs[0].Shape[0] + batchSize - 1) / batchSize);

    // The batches a dataset call runs, when known upfront (Keras' num_batches; null: unknown).
    private static int? KnownSteps(Data.Dataset dataset, int? steps) =>
        steps ?? (dataset.Cardinality >= 0 ? (int)Math.Min(dataset.Cardinality, int.MaxValue) : null);

    // Consecutive batches of every input and target together, text inputs run through their text
    // layer batch by batch (HostInputs), as Keras does.
    private IEnumerable<(Tensor[], Tensor[])> Slices(string method, Tensor[] xs, Tensor[] ys, int batchSize)
    {
        int n = xs[0].Shape[0];
        for (int start = 0; start < n; start += batchSize)
        {
            int end = Math.Min(n, start + batchSize);
            yield return (HostInputs(method, Rows(xs, start, end)), Rows(ys, start, end));
        }
    }

    // Keras' evaluate loop: on_test_begin, then per batch on_test_batch_begin and on_test_batch_end
    // with the running logs (read from the device only when a callback takes them), then
    // on_test_end with the logs Evaluate returns. Under DataParallel each rank evaluates its part
    // of every batch and the logs returned are those of all ranks' examples (Model.Distributed.cs).
    private EvaluationResult EvaluateBatches(IEnumerable<(Tensor[] X, Tensor[] Y)> batches, CallbackRun callbacks)
    {
        try
        {
            return EvaluateParts(ShardBatches(() => batches)(), callbacks);
        }
        catch (Exception e) when (LeftTheOtherRanks(e))
        {
            throw; // never taken: the filter only tells the other ranks
        }
    }

    private EvaluationResult EvaluateParts(IEnumerable<(Tensor[] X, Tensor[] Y)> batches, CallbackRun callbacks)
    {
        Compiled(nameof(Evaluate));
        using var placement = OnModelDevice(out var backend);
        var (cached, testStep) = MakeTestStep();
        ResetStepMetrics(cached); // Fit has already read the epoch's training values
        Func<Dictionary<string, float>> readLogs = () => ReadStepLogs(cached);
        StopEvaluating = false;
        callbacks.TestBegin();
        // Under a strategy, when a callback on any rank may read the running logs or stop the
        // evaluation, the ranks agree before each step (as Fit's do) on whether the logs are read
        // after it, which is then a reduction on every rank, and on stopping together.
        var agreeing = DataParallel.Current is { WorldSize: > 1 } s && s.AnyRank(callbacks.TestBatchHooksAct) ? s : null;
        using var items = batches.GetEnumerator();
        int count = 0;
        var blocks = new ExecutionBlocks(StepsPerExecution);
        while (true)
        {
            bool[]? wanted = agreeing is not null && blocks.EndsAt(count) ? callbacks.TestLogsWanted(count) : null;
            bool globalLogs = false;
            using (var scope = TensorScope.Begin())
            {
                bool has = items.MoveNext();
                if (agreeing is not null)
                {
                    var agreed = AgreeOnStep(agreeing, has, has ? 1 : 0, StopEvaluating, wanted?.Contains(true) == true);
                    if (agreed.AnyRanOut || agreed.Stop) break;
                    globalLogs = agreed.ReadLogs;
                }
                if (!has) break;
                if (blocks.Begins(count)) callbacks.TestBatchBegin(count);
                var (xb, yb) = (OnBackend(items.Current.X, backend), OnBackend(items.Current.Y, backend));
                // A rank's empty part of a batch smaller than the world adds nothing to the metrics.
                if (!IsEmptyPart(xb)) KeepStepLogs(cached, testStep([.. xb, .. yb]), BatchSizeOf(xb));
                else cached.LastRows = 0;
            }
            if (blocks.Ends(count))
            {
                var globalRunningLogs = globalLogs ? LogsOfAllRanks(cached) : null;  // a collective, on every rank alike
                callbacks.TestBatchEnd(count, globalRunningLogs is null ? readLogs : () => globalRunningLogs, wanted);
            }
            count++;
            if (StopEvaluating && agreeing is null) break;  // else the next agreement stops every rank
        }
        if (blocks.TakeUnfinished() is >= 0 and var last)
        {
            var lastWanted = callbacks.TestLogsWanted(last);
            callbacks.TestBatchEnd(last, LogsAfterShortBlock(cached, lastWanted, agreeing is not null, out _), lastWanted);
        }
        if (count == 0)
            throw new InvalidOperationException("Evaluate: the dataset produced no batches, so there is nothing to evaluate.");
        KeepStep(cached);
        var logs = LogsOfAllRanks(cached);
        var result = EvaluationResult.From(logs);
        KeepStepLogs(cached, []);
        callbacks.TestEnd(logs);
        return result;
    }

    /// <summary>
    /// The model's output for <paramref name="x"/> (one tensor, or one per input), computed batch
    /// by batch (<c>model.predict</c>). For 0 rows, the empty result of the right shape (0, outputs...).
    /// A model of several outputs: <see cref="PredictOutputs(ModelData, int, int, IEnumerable{Callbacks.Callback}?)"/>. <paramref name="verbose"/>
    /// 1 prints Keras' progress bar over the batches (its closing line only when output is redirected), 2 the closing line; 0, the default here, nothing.
    /// </summary>
    /// <param name="x">Inputs, first axis = examples.</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="verbose">0 silent, 1 a progress bar, 2 its closing line.</param>
    /// <param name="callbacks">Hooks called during the prediction: their predict hooks (<see cref="Callbacks.Callback.OnPredictBegin"/> ...), as Keras' <c>predict(callbacks=)</c>.</param>
    public Tensor Predict(ModelData x, int batchSize = 32, int verbose = 0, IEnumerable<Callbacks.Callback>? callbacks = null) =>
        Single(PredictOutputs(x, batchSize, verbose, callbacks));

    /// <summary>Every output of the model for <paramref name="x"/>, in the order of <see cref="Outputs"/> (Keras' predict of a multi-output model); the arguments are Predict's.</summary>
    public IReadOnlyList<Tensor> PredictOutputs(ModelData x, int batchSize = 32, int verbose = 0, IEnumerable<Callbacks.Callback>? callbacks = null)
    {
        var xs = ResolveInputs(nameof(Predict), x, textPerBatch: true);
        CheckPositive(nameof(Predict), nameof(batchSize), batchSize);
        CheckRows(nameof(Predict), xs, "x");
        int n = xs[0].Shape[0];
        // 0 rows: one call on the empty batch gives the output's shape (the model sees a batch of 0).
        IEnumerable<Tensor[]> Batches()
        {
            int start = 0;
            do yield return HostInputs(nameof(Predict), Rows(xs, start, Math.Min(n, start + batchSize)));
            while ((start += batchSize) < n);
        }
        SameDataOnEveryRank(nameof(Predict), n, batchSize);
        return PredictBatches(Batches(), nameof(Predict), CallbackRun.ForOneRun(nameof(Predict), callbacks, this, BatchCount(xs, batchSize), verbose), sharded: true);
    }

    /// <summary>
    /// The model's output for each element of a dataset of batches (the first tensors of each
    /// element, one per input); <paramref name="steps"/> batches of it when given (required for an
    /// infinite dataset). A model of several outputs: <see cref="PredictOutputs(Data.Dataset, int?, int, IEnumerable{Callbacks.Callback}?)"/>.
    /// <paramref name="callbacks"/> as in Predict(x).
    /// </summary>
    public Tensor Predict(Data.Dataset dataset, int? steps = null, int verbose = 0, IEnumerable<Callbacks.Callback>? callbacks = null) =>
        Single(PredictOutputs(dataset, steps, verbose, callbacks));

    /// <summary>Every output of the model for each element of a dataset of batches.</summary>
    public IReadOnlyList<Tensor> PredictOutputs(Data.Dataset dataset, int? steps = null, int verbose = 0, IEnumerable<Callbacks.Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        CheckSteps(nameof(Predict), dataset, steps, nameof(steps));
        // A subclassed model takes the first part of (x, y) elements whole, as Fit does.
        int inputs = Inputs.Count > 0 ? Inputs.Count : SubclassedInputWidth(dataset.Schema);
        IEnumerable<Tensor[]> elements;
        if (dataset.Schema.HasDictionary)
        {
            // Named features, alone or the first part of (features, targets) as Keras' predict reads them.
            var features = dataset.Schema.Parts is { } parts ? parts[0] : dataset.Schema;
            elements = dataset.EnumerateTensors(disposeEach: true).Select(e => ResolveInputs(nameof(Predict), ModelData.FromElement(features, e, 0)));
        }
        else
        {
            // Keras' predict reads the inputs alone: text in the targets is left unread.
            RefuseRaggedData(nameof(Predict), dataset);
            dataset.RefuseStrings(nameof(Predict), DataComponent, read: inputs, accepts: c => AcceptsText(dataset.Schema, c), takesRagged: HasRaggedInputs);
            if (IsSubclassed) UseInputCount(inputs);
            if (dataset.ComponentCount < inputs)
                throw new ArgumentException($"Predict: the model has {inputs} inputs, but the dataset's elements hold {dataset.ComponentCount} tensor(s).", nameof(dataset));
            elements = dataset.EnumerateTensors(disposeEach: true).Select(e => HostInputs(nameof(Predict), e.Take(inputs).ToArray()));
        }
        return PredictBatches(steps is { } s ? elements.Take(s) : elements, nameof(Predict),
                              CallbackRun.ForOneRun(nameof(Predict), callbacks, this, KnownSteps(dataset, steps), verbose), sharded: true);
    }

    // The end hook of the block of prediction steps ending at batch `last`: Keras passes the
    // block's outputs, each concatenated over its batches (a one-batch block's are the batch's own),
    // under a strategy those of every rank's parts (shards.GathersBlocks).
    private void PredictBlockEnd(CallbackRun callbacks, List<IReadOnlyList<Tensor>> outputs, int last, PredictionShards? shards)
    {
        int first = last - (last % StepsPerExecution);
        bool gathers = shards is { GathersBlocks: true };
        if (!gathers && (first == last || !callbacks.HandlesPredictBatchEnd))
        {
            callbacks.PredictBatchEnd(last, outputs[last]);
            return;
        }
        using var scope = TensorScope.Begin();
        var mine = first == last ? outputs[last] : ConcatBatches(outputs.GetRange(first, last - first + 1));
        if (gathers)
        {
            mine = shards!.GatherBlock(mine, first, last);
            foreach (var t in mine) scope.Keep(t);  // the result is made of them (PredictionShards.Gathered frees them)
        }
        callbacks.PredictBatchEnd(last, mine);
    }

    // Each output concatenated over the batches (axis 0), from the batches' lists of outputs.
    private static Tensor[] ConcatBatches(IReadOnlyList<IReadOnlyList<Tensor>> batches) =>
        Enumerable.Range(0, batches[0].Count).Select(i => NF.Concat(batches.Select(b => b[i]).ToArray(), axis: 0)).ToArray();

    // Keras' predict loop: on_predict_begin, per batch on_predict_batch_begin and
    // on_predict_batch_end({"outputs": the batch's outputs}), then on_predict_end. `sharded`
    // (Predict, not PredictOnBatch): under DataParallel each rank predicts its part of every
    // batch and every rank returns all the outputs in the batches' order (Model.Distributed.cs).
    private IReadOnlyList<Tensor> PredictBatches(IEnumerable<Tensor[]> batches, string method, CallbackRun callbacks, bool sharded = false)
    {
        try
        {
            var parts = sharded ? new PredictionShards(batches) : null;
            parts?.Agree(callbacks.PredictOutputsRead, callbacks.PredictBatchHooksAct);
            var outputs = PredictParts(parts?.Parts() ?? batches, method, callbacks, parts);
            return parts is null ? outputs : parts.Gathered(outputs);
        }
        catch (Exception e) when (LeftTheOtherRanks(e))
        {
            throw; // never taken: the filter only tells the other ranks
        }
    }

    private IReadOnlyList<Tensor> PredictParts(IEnumerable<Tensor[]> batches, string method, CallbackRun callbacks, PredictionShards? shards)
    {
        var outputs = new List<IReadOnlyList<Tensor>>();
        using var placement = OnModelDevice(out var backend);
        var (cached, predictStep) = MakePredictStep();
        try
        {
            StopPredicting = false;
            callbacks.PredictBegin();
            var blocks = new ExecutionBlocks(StepsPerExecution);
            using (var items = batches.GetEnumerator())
            {
                while (true)
                {
                    bool began;
                    using (var scope = TensorScope.Begin())
                    {
                        if (!items.MoveNext()) break;
                        began = blocks.Begins(outputs.Count);
                        if (began) callbacks.PredictBatchBegin(outputs.Count);
                        outputs.Add(predictStep(OnBackend(items.Current, backend)).Select(scope.Keep).ToArray());
                    }
                    // The outputs were kept past the step's scope: Predict frees them after concatenating.
                    bool blockEnded = blocks.Ends(outputs.Count - 1);
                    if (blockEnded) PredictBlockEnd(callbacks, outputs, outputs.Count - 1, shards);
                    // Stopped at this step, mid-block too (a begin hook's stop): the block's end hook then gets the steps run.
                    if (shards?.StopsAfter(began || blockEnded, blockEnded, StopPredicting) ?? StopPredicting) break;
                }
            }
            if (blocks.TakeUnfinished() is >= 0 and var last) PredictBlockEnd(callbacks, outputs, last, shards);
            KeepStep(cached);
            if (outputs.Count == 0)
                throw new InvalidOperationException($"{method}: the dataset produced no batches, so the shape of the outputs is unknown; predict on an empty tensor instead to get an empty result.");
            callbacks.PredictEnd();
            return ConcatBatches(outputs);
        }
        finally
        {
            foreach (var o in outputs.SelectMany(o => o)) o.Dispose();
        }
    }

    /// <summary>
    /// The overridden <see cref="TestStep(StepData)"/>'s logs over inputs alone (Keras'
    /// <c>model.evaluate(x)</c> without targets), for a model whose step needs none.
    /// </summary>
    public EvaluationResult Evaluate(ModelData x, int batchSize = 32, int verbose = 0, IEnumerable<Callbacks.Callback>? callbacks = null)
    {
        Compiled(nameof(Evaluate));
        var xs = CheckInputsAlone(nameof(Evaluate), x, nameof(TestStep));
        CheckPositive(nameof(Evaluate), nameof(batchSize), batchSize);
        if (xs[0].Shape[0] == 0)
            throw new ArgumentException($"Evaluate: x has 0 examples (shape {Shapes(xs)}); there is nothing to evaluate.", nameof(x));
        return EvaluateBatches(Slices(nameof(Evaluate), xs, [], batchSize), CallbackRun.ForOneRun(nameof(Evaluate), callbacks, this, BatchCount(xs, batchSize), verbose));
    }

    // Inputs without targets serve a step that needs none: an overridden one (TrainStep, TestStep),
    // or the default one of a model compiled without a loss or metrics, whose loss comes from its
    // layers (AddLoss, regularizers: Keras 3's compile(optimizer) then fit(x)).
    private bool TakesInputsAlone(string step) => Overrides(step) || (_loss is null && _outputMetrics.All(m => m.Count == 0));

    private Tensor[] CheckInputsAlone(string method, ModelData x, string step)
    {
        if (!TakesInputsAlone(step))
            throw new ArgumentException(
                $"{method}: y (the targets) is missing; only a model that overrides {step}, or one compiled without a loss and metrics whose layers add the loss " +
                "(AddLoss), can train or evaluate on x alone (Keras' fit(x) of an autoencoder).", "y");
        var xs = ResolveInputs(method, x, textPerBatch: true);
        CheckRows(method, xs, "the inputs");
        return xs;
    }

    // x and y resolved against the model's inputs and outputs, every tensor with the same number of
    // examples; text in x checked and left for each batch (ResolveInputs' textPerBatch).
    private (Tensor[] X, Tensor[] Y) CheckData(string method, ModelData x, ModelData y)
    {
        var xs = ResolveInputs(method, x, textPerBatch: true);
        var ys = y.Resolve(method, "y", OutputNames);
        int outputs = Math.Max(1, _losses.Length);
        if (ys.Length != outputs)
            throw new ArgumentException($"{method}: the model was compiled with {outputs} loss(es), but y holds {ys.Length} tensor(s).", nameof(y));
        CheckRows(method, [.. xs, .. ys], "x and y");
        return (xs, ys);
    }

    private static void CheckRows(string method, Tensor[] tensors, string what)
    {
        if (tensors.Any(t => t.Rank == 0 || t.Shape[0] != tensors[0].Shape[0]))
            throw new ArgumentException($"{method}: {what} need the same number of examples along their first axis, got shapes {Shapes(tensors)}.");
    }

    private static string Shapes(Tensor[] tensors) => string.Join(" and ", tensors.Select(t => t.Shape.ToString()));

    private static Tensor[] Rows(Tensor[] tensors, int start, int end) => tensors.Select(t => t[start..end]).ToArray();

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
    private static Tensor[] OnBackend(Tensor[] tensors, Backends.IBackend backend) =>
        tensors.Select(t => ReferenceEquals(t.Backend, backend) ? t : RaggedInputs.To(t, backend)).ToArray();
}
