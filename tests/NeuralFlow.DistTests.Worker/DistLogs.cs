// What the callbacks see batch by batch under DataParallel (Distributed/DistLogsTests.cs runs it
// in a job of 2 ranks and in a job of 1, and compares): the running logs of Evaluate's test
// batches, of a Fit and an Evaluate whose stepsPerExecution blocks the data cuts short, of an
// overridden TrainStep and TestStep that return a metric and a tensor of their own, and the
// outputs Predict hands on_predict_batch_end. Keras reports the global values there (the reduced
// metric states, the replicas' outputs concatenated), so every rank must print one process's.
using NeuralFlow;
using NeuralFlow.Keras;

internal sealed class DistLogs(Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    private static string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => Tutorials.R(v)));

    // "loss:accuracy" (or every value of the logs, in name order) of one batch's logs.
    private static string Of(IReadOnlyDictionary<string, float> logs) =>
        string.Join(":", logs.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => Tutorials.R(kv.Value)));

    public void Run()
    {
        // 100 examples in batches of 16: 7 batches, the last of 4 (parts of 2 and 2); 200 in
        // batches of 32: 7 batches, the last of 8.
        var (x, y) = blobs(100, 3);
        var (xt, yt) = blobs(200, 4);

        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var logs = new List<string>();
        var test = new Callbacks.LambdaCallback(onTestBatchEnd: (b, l) => logs.Add($"{b}={Of(l)}"));
        model.Evaluate(x, y, batchSize: 16, callbacks: [test]);
        say("eval_batch_logs", string.Join(";", logs));

        // Blocks of 3 steps: the data cuts the last one short (Fit: 7 batches; Evaluate: 7).
        NF.Random.SetSeed(5);
        var blocked = Tutorials.Mlp();
        blocked.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], stepsPerExecution: 3);
        logs.Clear();
        blocked.Fit(xt, yt, batchSize: 32, epochs: 1, verbose: 0, shuffle: false,
                    callbacks: [new Callbacks.LambdaCallback(onBatchEnd: (b, l) => logs.Add($"{b}={Of(l)}"))]);
        say("fit_block_logs", string.Join(";", logs));
        logs.Clear();
        blocked.Evaluate(x, y, batchSize: 16, callbacks: [test]);
        say("eval_block_logs", string.Join(";", logs));

        // An overridden TrainStep and TestStep returning a tracked mean and the batch's loss tensor.
        NF.Random.SetSeed(5);
        var custom = new OwnLogsModel();
        custom.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy");
        logs.Clear();
        var history = custom.Fit(xt, yt, batchSize: 32, epochs: 1, verbose: 0, shuffle: false,
                                 callbacks: [new Callbacks.LambdaCallback(onBatchEnd: (b, l) => logs.Add($"{b}={Of(l)}"))]);
        say("custom_fit_logs", string.Join(";", logs));
        say("custom_fit_epoch", $"{Tutorials.R(history["batch_loss"][^1])}:{Tutorials.R(history["tracked_loss"][^1])}");
        logs.Clear();
        var result = custom.Evaluate(x, y, batchSize: 16, callbacks: [test]);
        say("custom_eval_logs", string.Join(";", logs));
        say("custom_eval_result", $"{Tutorials.R(result["batch_loss"])}:{Tutorials.R(result["tracked_loss"])}");
        say("custom_train_on_batch", Of(custom.TrainOnBatch(x[..15], y[..15]).Items.ToDictionary(kv => kv.Key, kv => kv.Value)));

        // Predict's batch-end hook: the rows of the whole global batch (Keras concatenates the replicas').
        var outputs = new List<string>();
        var predict = new Callbacks.LambdaCallback(onPredictBatchEnd: (b, l) =>
            outputs.Add($"{b}={l["outputs"][0].Shape[0]}:{Tutorials.R(NF.ReduceSum(NF.Cast(l["outputs"][0], DType.Float64) * NF.Cast(NF.Range(1, 11), DType.Float64)).Item<double>())}"));
        var predicted = model.Predict(x, batchSize: 16, callbacks: [predict]);
        say("predict_batch_outputs", string.Join(";", outputs));
        say("predict_sum", Tutorials.R(NF.ReduceSum(NF.Cast(predicted, DType.Float64)).Item<double>()));
        outputs.Clear();
        // Blocks of 3, and a callback that stops after the second block: the rows of 6 batches.
        var stopping = new Callbacks.LambdaCallback(onPredictBatchEnd: (b, _) => { if (b >= 5) blocked.StopPredicting = true; });
        var stopped = blocked.Predict(x, batchSize: 16, callbacks: [predict, stopping]);
        say("predict_block_outputs", string.Join(";", outputs));
        say("predict_stopped_rows", stopped.Shape[0]);
    }

    /// <summary>A model whose steps log a Mean of the batch losses (weighted by the batch's rows, as Keras' loss tracker) and the batch's loss itself.</summary>
    internal sealed class OwnLogsModel() : Sequential(new Layers.Dense(16, activation: "relu"), new Layers.Dense(10, activation: "softmax"))
    {
        private readonly Metrics.Mean _trainLoss = new("tracked_loss"), _testLoss = new("tracked_loss");

        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [_trainLoss, _testLoss];

        protected override StepLogs TrainStep(StepData data)
        {
            var (x, y) = data;
            Tensor loss;
            Tensor?[] grads;
            using (var tape = new GradientTape())
            {
                loss = ComputeLoss(x, y, Call(x, training: true));
                grads = [.. tape.Gradient(loss, TrainableVariables)];
            }
            Optimizer!.ApplyGradients(grads, TrainableVariables);
            _trainLoss.UpdateState(loss, NF.Constant((float)x.Shape[0]));
            return new StepLogs { { "tracked_loss", _trainLoss }, { "batch_loss", loss } };
        }

        protected override StepLogs TestStep(StepData data)
        {
            var (x, y) = data;
            var loss = ComputeLoss(x, y, Call(x, training: false), training: false);
            _testLoss.UpdateState(loss, NF.Constant((float)x.Shape[0]));
            return new StepLogs { { "tracked_loss", _testLoss }, { "batch_loss", loss } };
        }
    }
}
