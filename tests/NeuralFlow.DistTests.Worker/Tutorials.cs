// The programs of TensorFlow's "Distributed training with Keras", "Multi-worker training with
// Keras", "Custom training with tf.distribute.Strategy" and PyTorch's DDP tutorial, written against
// NeuralFlow, as scenarios of the worker (Program.cs dispatches to them). Each prints what a user
// would compare with a single-process run of the same global batch: the weights (every float, so
// that the test can compare them within a tolerance), the logged loss and metrics, Evaluate's and
// Predict's results.
using System.Globalization;
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

internal sealed class Tutorials(DataParallel strategy, Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    internal static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    internal static Sequential Mlp() => new(new Layers.Dense(16, activation: "relu"), new Layers.Dense(10, activation: "softmax"));

    /// <summary>
    /// The step of "Custom training with tf.distribute.Strategy": this rank's part of a batch of
    /// <paramref name="globalBatch"/>, its loss over the global batch, the gradients summed over
    /// the ranks, one optimizer step; returns the loss.
    /// </summary>
    internal static Func<Tensor, Tensor, Tensor> GlobalBatchStep(DataParallel strategy, Model model, Optimizers.Optimizer optimizer, int globalBatch)
    {
        var lossObject = new Losses.SparseCategoricalCrossentropy(reduction: "none");
        return (xs, ys) =>
        {
            Tensor loss;
            Tensor?[] grads;
            using (var tape = new GradientTape())
            {
                loss = strategy.ComputeAverageLoss(lossObject.Call(ys, model.Call(xs, training: true)), globalBatchSize: globalBatch);
                grads = [.. tape.Gradient(loss, model.TrainableVariables)];
            }
            optimizer.ApplyGradients(strategy.AllReduceGradients(grads, mean: false), model.TrainableVariables);
            return loss;
        };
    }

    private void SayWeights(Model model) =>
        say("weights", string.Join(",", model.Variables.SelectMany(v => v.ToArray<float>()).Select(f => R(f))));

    /// <summary>
    /// Model.Fit of a compiled model with the global batch split across the ranks (the Keras
    /// tutorials), validation data, then Evaluate and Predict on every rank, a ModelCheckpoint and
    /// the chief's Save into <paramref name="dir"/>.
    /// </summary>
    public void KerasFit(string dir, int n)
    {
        var (x, y) = blobs(n, 3);
        var (xv, yv) = blobs(60, 1003);
        NF.Random.SetSeed(5);
        var model = Mlp();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var checkpoint = new Callbacks.ModelCheckpoint(Path.Combine(dir, $"ckpt-world{strategy.WorldSize}.keras"));
        var history = model.Fit(x, y, batchSize: 64, epochs: 2, verbose: 0, validationData: (xv, yv), callbacks: [checkpoint]);
        foreach (var key in new[] { "loss", "accuracy", "val_loss", "val_accuracy" }) say("fit_" + key, R(history[key][^1]));
        var evaluation = model.Evaluate(xv, yv, batchSize: 16);
        say("eval_loss", R(evaluation["loss"]));
        say("eval_accuracy", R(evaluation["accuracy"]));
        var predicted = model.Predict(xv, batchSize: 16);
        say("predict_shape", predicted.Shape);
        say("predict_sum", R(NF.ReduceSum(NF.Cast(predicted, DType.Float64)).Item<double>()));
        SayWeights(model);
        if (strategy.IsChief) model.Save(Path.Combine(dir, $"model-world{strategy.WorldSize}.keras"));
        strategy.Barrier();
    }

    /// <summary>
    /// The multi-worker tutorial's Fit on a dataset batched with the global batch size (203
    /// examples, shuffled with a seed, in batches of 64: a last one of 11): the weights and logs.
    /// </summary>
    public void KerasFitDataset()
    {
        var (x, y) = blobs(203, 3);
        NF.Random.SetSeed(5);
        var model = Mlp();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var data = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Shuffle(203, seed: 3).Batch(64);
        int steps = 0;
        var history = model.Fit(data, epochs: 2, verbose: 0, callbacks: [new Callbacks.LambdaCallback(onBatchEnd: (_, _) => steps++)]);
        say("steps", steps);
        say("fit_loss", R(history["loss"][^1]));
        say("fit_accuracy", R(history["accuracy"][^1]));
        SayWeights(model);
    }

    /// <summary>
    /// "Customizing what happens in fit()" under a strategy: TrainStep overridden, with the
    /// optimizer applying the step's gradients (Keras aggregates them across the replicas).
    /// </summary>
    public void CustomTrainStep()
    {
        var (x, y) = blobs(192, 3);
        NF.Random.SetSeed(5);
        var model = new StepModel();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 64, epochs: 2, verbose: 0, shuffle: false);
        say("fit_loss", R(history["loss"][^1]));
        SayWeights(model);
    }

    internal sealed class StepModel() : Sequential(new Layers.Dense(16, activation: "relu"), new Layers.Dense(10, activation: "softmax"))
    {
        protected override StepLogs TrainStep(StepData data)
        {
            var (x, y) = data;
            IReadOnlyList<Tensor> yPred;
            Tensor loss;
            Tensor?[] grads;
            using (var tape = new GradientTape())
            {
                yPred = [Call(x, training: true)];
                loss = ComputeLoss(x, y, yPred[0]);
                grads = [.. tape.Gradient(loss, TrainableVariables)];
            }
            Optimizer!.ApplyGradients(grads, TrainableVariables);
            return ComputeMetrics(x, y, yPred[0]);
        }
    }

    /// <summary>
    /// Fit on a Dataset shuffled without a seed (and no NF.Random.SetSeed: each process's
    /// generator starts elsewhere), batched unevenly: the example numbers each rank trained on in
    /// each epoch, which must be disjoint across the ranks and cover the data once.
    /// </summary>
    public void DatasetShards()
    {
        const int n = 100;
        var x = NF.Constant(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), [n, 1]);
        var y = NF.Constant(Enumerable.Range(0, n).Select(i => i % 10).ToArray(), [n]);
        var data = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Shuffle(n).Batch(8);
        var model = new RecordingModel();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy");
        var epochs = new Callbacks.LambdaCallback(onEpochEnd: (epoch, _) =>
        {
            say($"seen{epoch}", string.Join(",", model.Seen.Order()));
            model.Seen.Clear();
        });
        model.Fit(data, epochs: 2, verbose: 0, callbacks: [epochs]);
    }

    private sealed class RecordingModel() : Sequential(new Layers.Dense(10, activation: "softmax"))
    {
        public List<int> Seen { get; } = [];

        protected override StepLogs TrainStep(StepData data)
        {
            Seen.AddRange(data.X.ToArray<float>().Select(f => (int)f));
            return base.TrainStep(data);
        }
    }

    /// <summary>
    /// A mistake on one rank only (<paramref name="kind"/>): rank 1 builds a wider model ("model"),
    /// passes another batch size ("batch"), has no examples ("empty"), or every rank passes a
    /// dataset of unknown length ("unknown"). Each rank prints the exception Fit threw, if any.
    /// </summary>
    public void Mismatch(string kind)
    {
        var (x, y) = blobs(128, 3);
        bool odd = strategy.Rank == 1;
        var model = new Sequential(new Layers.Dense(kind == "model" && odd ? 17 : 16, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
        model.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy");
        try
        {
            if (kind == "gradients")
            {
                // A custom loop whose rank 1 leaves the last variable out: the lists differ in length.
                using var tape = new GradientTape();
                var loss = NF.ReduceMean(model.Call(x[..8]));
                var vars = model.TrainableVariables;
                var grads = tape.Gradient(loss, odd ? vars.Take(vars.Count - 1).ToList() : vars);
                strategy.AllReduceGradients(grads);
            }
            else if (kind == "unknown")
            {
                var data = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Filter(_ => true).Batch(16);
                say("cardinality", data.Cardinality);
                model.Fit(data, epochs: 1, verbose: 0);
            }
            else
                model.Fit(kind == "empty" && odd ? x[..0] : x, kind == "empty" && odd ? y[..0] : y, batchSize: kind == "batch" && odd ? 32 : 64, epochs: 1, verbose: 0);
            say("fit", "none");
            SayWeights(model);
        }
        catch (Exception e) when (e is not DistributedException)
        {
            say("fit", $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// TrainOnBatch on every rank with the same global batch (as Keras' train_on_batch under a
    /// strategy splits it among the replicas), 3 times: the weights and the returned loss.
    /// </summary>
    public void TrainOnBatch()
    {
        var (x, y) = blobs(64, 3);
        NF.Random.SetSeed(5 + strategy.Rank);  // different initial weights per rank: rank 0's must win
        var model = Mlp();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        for (int i = 0; i < 3; i++)
        {
            var logs = model.TrainOnBatch(x, y);
            say($"loss{i}", R(logs["loss"]));
        }
        SayWeights(model);
    }

    /// <summary>
    /// The custom loop of "Custom training with tf.distribute.Strategy": each rank's part of the
    /// global batch, per-example losses averaged over the GLOBAL batch, the gradients summed across
    /// the ranks, one optimizer step on each, a metric reduced across the ranks; with
    /// <paramref name="compiled"/>, the step is an NF.Function.
    /// </summary>
    public void CustomLoop(bool compiled)
    {
        const int global = 64;
        var (x, y) = blobs(192, 3);
        NF.Random.SetSeed(5);
        var model = Mlp();
        model.Call(x[..1]);
        strategy.Broadcast(model.Variables);
        var optimizer = new Optimizers.SGD(learningRate: 0.1f);
        var lossObject = new Losses.SparseCategoricalCrossentropy(reduction: "none");
        var accuracy = new Metrics.SparseCategoricalAccuracy();
        Tensor Step(Tensor xs, Tensor ys)
        {
            Tensor loss;
            Tensor?[] grads;
            using (var tape = new GradientTape())
            {
                var predictions = model.Call(xs, training: true);
                loss = strategy.ComputeAverageLoss(lossObject.Call(ys, predictions), globalBatchSize: global);
                grads = [.. tape.Gradient(loss, model.TrainableVariables)];
                accuracy.UpdateState(ys, predictions);
            }
            optimizer.ApplyGradients(strategy.AllReduceGradients(grads, mean: false), model.TrainableVariables);
            return loss;
        }
        var step = compiled ? NF.Function(Step) : Step;
        double lastLoss = 0;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            accuracy.ResetState();
            for (int start = 0; start < 192; start += global)
            {
                int from = start + global * strategy.Rank / strategy.WorldSize, to = start + global * (strategy.Rank + 1) / strategy.WorldSize;
                var loss = step(x[from..to], y[from..to]);
                // tf.distribute's strategy.reduce(SUM, per_replica_losses): the global batch's mean loss.
                var total = new[] { (double)loss.Item<float>() };
                strategy.AllReduce(total);
                lastLoss = total[0];
            }
        }
        say("loss", R(lastLoss));
        say("accuracy", R(strategy.GlobalResult(accuracy)));
        say("local_accuracy", R(accuracy.Result()));
        if (compiled)
        {
            say("eager_reason", TracedFunction.Of(step).EagerReason ?? "none");
            say("replays", TracedFunction.Of(step).ReplayCount);
        }
        SayWeights(model);
    }
}
