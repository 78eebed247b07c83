// A custom metric whose state is made by Metric.AddWeight (Keras' self.add_weight in a custom
// metric), under DataParallel (Distributed/DistCustomMetricTests.cs reads what this prints):
// each rank counts only its part of every batch, and the count every rank returns must be the
// one process's count over all the data (the state summed over the ranks, Keras' aggregation
// "sum"), in Evaluate and in Fit's history.
using NeuralFlow;
using NeuralFlow.Keras;

internal sealed class CustomMetricState(Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    // The built-in-methods guide's metric: examples whose argmax is the label.
    private sealed class CategoricalTruePositives : Metrics.PredictionMetric
    {
        private readonly Variable _truePositives;

        public CategoricalTruePositives() : base("categorical_true_positives") => _truePositives = AddWeight("ctp");

        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            var hits = NF.Equal(NF.Cast(NF.ArgMax(yPred, axis: 1), DType.Int32), NF.Cast(NF.Reshape(yTrue, [-1]), DType.Int32));
            _truePositives.AssignAdd(NF.ReduceSum(NF.Cast(hits, DType.Float32)));
        }

        public override float Result() => _truePositives.Item<float>();
    }

    public void Run(int n, int batchSize)
    {
        var (x, y) = blobs(n, 3);
        NF.Random.SetSeed(5);  // the same weights on every rank
        var model = Tutorials.Mlp();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.0f), loss: "sparse_categorical_crossentropy", metrics: [new CategoricalTruePositives()]);
        // One process's count, from the whole data here (Call is not sharded).
        var predicted = NF.ArgMax(model.Call(x, training: false), axis: 1).ToArray<long>();
        var labels = y.ToArray<int>();
        say("expected_tp", predicted.Zip(labels, (p, l) => p == l ? 1 : 0).Sum());
        say("eval_tp", Tutorials.R(model.Evaluate(x, y, batchSize: batchSize, verbose: 0)["categorical_true_positives"]));
        // Learning rate 0: the predictions stay these, so each epoch counts the same.
        var history = model.Fit(x, y, batchSize: batchSize, epochs: 2, verbose: 0, shuffle: false);
        say("fit_tp", string.Join(",", history["categorical_true_positives"].Select(v => Tutorials.R(v))));
    }
}
