// Fit under DataParallel on data whose last global batch (or whole data) is smaller than the
// world (Distributed/UnevenFitTests.cs runs it in a job of 2 ranks and one of 1, and compares):
// N examples in batches of B. Keras trains such a batch: the replicas without examples add
// nothing, and the gradient is the mean over the examples that exist, so every rank must print
// the numbers of one process. Before, Fit dropped the batch (and 1 example over 2 ranks was an
// ArgumentException). Covered: Fit on shuffled tensors with sample weights, on a Dataset of
// (x, y, sample_weight), with stepsPerExecution, and TrainOnBatch of the small batch.
using NeuralFlow;
using NeuralFlow.Keras;

internal sealed class UnevenFit(Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    private static string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => Tutorials.R(v)));

    private static string Weights(Model model) => Join(model.Variables.SelectMany(v => v.ToArray<float>()).Select(f => (double)f));

    private static string History(History history) =>
        string.Join(";", Enumerable.Range(0, history.Epochs).Select(e => $"{Tutorials.R(history["loss"][e])}:{Tutorials.R(history["accuracy"][e])}"));

    private static Sequential Compiled(int stepsPerExecution = 1)
    {
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Compile(optimizer: new Optimizers.Adam(learningRate: 0.02f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"],
                      weightedMetrics: ["accuracy"], stepsPerExecution: stepsPerExecution);
        return model;
    }

    public void Run(int n, int batchSize)
    {
        var (x, y) = blobs(n, 3);
        // Weights 0.5, 1, 1.5, 2, 0.5, ...: a weighted loss whose mean is not the unweighted one.
        var w = NF.Constant(Enumerable.Range(0, n).Select(i => 0.5f * (1 + i % 4)).ToArray());

        // Shuffled tensors: every rank draws rank 0's order; the stand-in is an example of the global batch.
        NF.Random.SetSeed(11);
        var tensors = Compiled();
        var history = tensors.Fit(x, y, batchSize: batchSize, epochs: 3, verbose: 0, sampleWeight: w);
        say("tensors_history", History(history));
        say("tensors_weighted_accuracy", Join(history["weighted_accuracy"].Select(v => (double)v)));
        say("tensors_weights", Weights(tensors));

        // A dataset of (x, y, sample_weight) batched with the global batch size, blocks of 2 steps.
        NF.Random.SetSeed(11);
        var dataset = Compiled(stepsPerExecution: 2);
        var batches = new List<string>();
        var logged = new Callbacks.LambdaCallback(onBatchEnd: (b, l) => batches.Add($"{b}={Tutorials.R(l["loss"])}"));
        history = dataset.Fit(NeuralFlow.Data.Dataset.FromTensorSlices(x, y, w).Batch(batchSize), epochs: 2, verbose: 0, callbacks: [logged]);
        say("dataset_history", History(history));
        say("dataset_batch_logs", string.Join(";", batches));
        say("dataset_weights", Weights(dataset));

        // TrainOnBatch of the last (small) global batch, passed whole on every rank.
        int last = (n - 1) / batchSize * batchSize;
        var onBatch = Compiled();
        var result = onBatch.TrainOnBatch(x[last..], y[last..], sampleWeight: w[last..]);
        say("train_on_batch", $"{Tutorials.R(result["loss"])}:{Tutorials.R(result["accuracy"])}");
        say("train_on_batch_weights", Weights(onBatch));
    }
}
