// Overridden steps under DataParallel when the data does not split evenly among the ranks
// (Distributed/UnevenCustomStepsTests.cs runs it in a job of 2 ranks and one of 1, and compares):
// N examples in batches of B, where a batch smaller than the world leaves a rank an empty part,
// and data smaller than the world leaves a rank with no part of any batch (it never runs the
// step, so it never learns what the step logs). Keras 3's test_step (a Mean weighed by the rows,
// the compiled metrics, a tensor of the batch) under Evaluate, on tensors and on a dataset; a
// TrainStep under Fit, then Evaluate; a PredictStep under Predict. Every rank must print the
// numbers of one process.
using NeuralFlow;
using NeuralFlow.Keras;

internal sealed class UnevenCustomSteps(Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    private static string Of(EvaluationResult result) =>
        string.Join(":", result.Items.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Tutorials.R(kv.Value)}"));

    public void Run(int n, int batchSize)
    {
        var (x, y) = blobs(n, 3);

        // Keras 3's test_step returning its own trackers and the batch's loss.
        NF.Random.SetSeed(5);
        var own = new DistLogs.OwnLogsModel();
        own.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy");
        // Not built: a rank with no examples never builds it (the others build the same weights from the seed).
        say("own_eval", Of(own.Evaluate(x, y, batchSize: batchSize)));
        say("own_eval_dataset", Of(own.Evaluate(NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Batch(batchSize))));
        // A callback reading every batch's logs makes the ranks agree before each step.
        var batches = new List<string>();
        own.Evaluate(x, y, batchSize: batchSize, callbacks: [new Callbacks.LambdaCallback(onTestBatchEnd: (b, l) => batches.Add($"{b}={Tutorials.R(l["tracked_loss"])}"))]);
        say("own_eval_batches", string.Join(";", batches));

        // A test_step returning compute_metrics(...): the compiled loss and metrics.
        NF.Random.SetSeed(5);
        var metrics = new MetricsStepModel();
        metrics.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        metrics.Build([20]);
        say("metrics_eval", Of(metrics.Evaluate(x, y, batchSize: batchSize)));
        var predicted = metrics.PredictOutputs(x, batchSize: batchSize);
        say("predict_sum", Tutorials.R(NF.ReduceSum(NF.Cast(predicted[0], DType.Float64) * NF.Cast(NF.Range(1, 11), DType.Float64)).Item<double>()));
        say("predict_classes", $"{predicted[1].Shape}:{string.Join(",", predicted[1].ToArray<long>())}");

        // TrainStep under Fit (shuffle off: the same batches), then Evaluate of the trained model.
        NF.Random.SetSeed(5);
        var trained = new DistLogs.OwnLogsModel();
        trained.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy");
        trained.Build([20]);
        try
        {
            var history = trained.Fit(x, y, batchSize: batchSize, epochs: 2, verbose: 0, shuffle: false);
            say("fit_tracked_loss", string.Join(",", history["tracked_loss"].Select(v => Tutorials.R(v))));
            say("fit_weights", string.Join(",", trained.Variables.SelectMany(v => v.ToArray<float>()).Select(f => Tutorials.R(f))));
            say("fit_eval", Of(trained.Evaluate(x, y, batchSize: batchSize)));
        }
        catch (ArgumentException e)
        {
            say("fit_error", e.Message);
        }
    }

    /// <summary>A model whose TestStep is Keras' written out (compute_loss, then compute_metrics), and whose PredictStep also gives the class.</summary>
    private sealed class MetricsStepModel() : Sequential(new Layers.Dense(16, activation: "relu"), new Layers.Dense(10, activation: "softmax"))
    {
        protected override StepLogs TestStep(StepData data)
        {
            var (x, y) = data;
            var yPred = Call(x, training: false);
            ComputeLoss(x, y, yPred, training: false);
            return ComputeMetrics(x, y, yPred);
        }

        protected override IReadOnlyList<Tensor> PredictStep(StepData data)
        {
            var probabilities = Call(data.X, training: false);
            return [probabilities, NF.ArgMax(probabilities, axis: 1)];
        }
    }
}
