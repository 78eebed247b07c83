// A rank whose part of a global batch is empty (a batch smaller than the world) runs the step on a
// stand-in example with gradient weight 0 (Distributed/UnevenFitTests.cs runs this in a job of 2
// ranks, where rank 0's part of a batch of 1 is empty, and in a job of 1). That step must leave
// BatchNormalization's moving mean and variance as they were, as it leaves the metrics: the example
// is not this rank's. Before, the stand-in step moved them towards the stand-in example.
// Prints each rank's moving mean then moving variance after TrainOnBatch of one example, and after
// Fit of 3 examples in batches of 2 (rank 0's part of the last batch empty; at the end of the epoch
// every rank takes rank 0's moving statistics), and after Fit of 1 example (rank 0's part of every batch
// empty: every rank takes rank 1's).
using NeuralFlow;
using NeuralFlow.Keras;

internal sealed class UnevenBatchNormalization(Action<string, object> say)
{
    private static (Sequential Model, Layers.BatchNormalization Norm) Compiled()
    {
        NF.Random.SetSeed(5);
        var norm = new Layers.BatchNormalization();
        var model = new Sequential(Layers.Input([3]), norm, new Layers.Dense(1));
        model.Compile(new Optimizers.SGD(0.1f), "mse");
        return (model, norm);
    }

    private static string Moving(Layers.BatchNormalization norm) =>
        string.Join(",", norm.MovingMean!.ToArray<float>().Concat(norm.MovingVariance!.ToArray<float>()).Select(v => Tutorials.R(v)));

    public void Run()
    {
        var x = NF.Constant(new[,] { { 2f, 4f, 6f }, { 20f, 40f, 60f }, { -2f, -4f, -6f } });
        var y = NF.Constant(new[,] { { 1f }, { 0f }, { 1f } });

        var (onBatch, onBatchNorm) = Compiled();
        onBatch.TrainOnBatch(x[..1], y[..1]);
        say("bn_on_batch", Moving(onBatchNorm));

        var (fit, fitNorm) = Compiled();
        fit.Fit(x, y, batchSize: 2, epochs: 1, shuffle: false, verbose: 0);
        say("bn_fit", Moving(fitNorm));

        // Fit of one example in batches of 1: rank 0's part of every batch is empty, so the epoch's
        // moving statistics are rank 1's (before, rank 0's unmoved ones overwrote them on every rank).
        var (alone, aloneNorm) = Compiled();
        alone.Fit(x[..1], y[..1], batchSize: 1, epochs: 1, shuffle: false, verbose: 0);
        say("bn_fit_rank0_empty", Moving(aloneNorm));
    }
}
