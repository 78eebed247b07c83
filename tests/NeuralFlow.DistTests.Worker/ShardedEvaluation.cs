// Evaluate and Predict under DataParallel (Distributed/DistFailureShardingTests.cs reads what
// this prints): each rank must run only its part of every batch (a Lambda layer counts the rows
// this rank's model sees, the steps run eagerly so it runs every step), and every rank must
// return the global numbers: compared with the same model called on all the data in this
// process (Call is not sharded). RunningLogs: the running loss a callback reads after each batch
// of Fit, which the test compares with a job of one rank.
using NeuralFlow;
using NeuralFlow.Keras;

internal sealed class ShardedEvaluation(Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    public void Run(int n, int batchSize)
    {
        var (x, y) = blobs(n, 3);
        int rows = 0;
        NF.Random.SetSeed(5);  // the same weights on every rank
        var model = new Sequential(new Layers.Lambda(t =>
        {
            rows += t.Shape[0];
            return t;
        }), new Layers.Dense(16, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], runEagerly: true);
        var probabilities = model.Call(x, training: false);
        rows = 0;
        // One process's numbers, from the whole data here.
        var perExample = new Losses.SparseCategoricalCrossentropy(reduction: "none").Call(y, probabilities).ToArray<float>();
        var predicted = NF.ArgMax(probabilities, axis: 1).ToArray<long>();
        var labels = y.ToArray<int>();
        say("expected_loss", Tutorials.R(perExample.Average(v => (double)v)));
        say("expected_accuracy", Tutorials.R(predicted.Zip(labels, (p, l) => p == l ? 1.0 : 0.0).Average()));

        var evaluation = model.Evaluate(x, y, batchSize: batchSize);
        say("eval_loss", Tutorials.R(evaluation["loss"]));
        say("eval_accuracy", Tutorials.R(evaluation["accuracy"]));
        say("eval_rows", rows);

        rows = 0;
        var data = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Batch(batchSize);
        var evaluationOfDataset = model.Evaluate(data);
        say("eval_dataset_loss", Tutorials.R(evaluationOfDataset["loss"]));
        say("eval_dataset_rows", rows);

        rows = 0;
        var prediction = model.Predict(x, batchSize: batchSize);
        say("predict_rows", rows);
        say("predict_shape", prediction.Shape);
        say("predict_max_diff", Tutorials.R(MaxDiff(prediction, probabilities)));
        var predictionOfDataset = model.Predict(NeuralFlow.Data.Dataset.FromTensorSlices(x).Batch(batchSize));
        say("predict_dataset_max_diff", Tutorials.R(MaxDiff(predictionOfDataset, probabilities)));
    }

    public void RunningLogs()
    {
        var (x, y) = blobs(256, 3);
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var losses = new List<string>();
        var history = model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0, shuffle: false,
                                callbacks: [new Callbacks.LambdaCallback(onBatchEnd: (_, logs) => losses.Add(Tutorials.R(logs["loss"])))]);
        say("batch_losses", string.Join(",", losses));
        say("epoch_losses", string.Join(",", history["loss"].Select(v => Tutorials.R(v))));
    }

    private static double MaxDiff(Tensor a, Tensor b) =>
        a.Shape != b.Shape ? double.PositiveInfinity : a.ToArray<float>().Zip(b.ToArray<float>(), (p, q) => Math.Abs((double)p - q)).Max();
}
