// Predict stopped mid-block under DataParallel with stepsPerExecution 3 (Distributed/PredictStopsTests.cs
// runs it in a job of 2 ranks and one of 1, and compares): 100 examples in batches of 16 are 7
// batches, in blocks 0-2, 3-5 and 6. A begin hook that sets StopPredicting at batch 3 stops one
// process after that batch (the step it was set at, as Keras checks stop_predicting after each
// step), so every rank must stop there too: with a callback that reads each block's outputs
// (gathered over the ranks), without one, and when only the chief's callback stops (the other
// rank must follow, not wait or run on). A step limit cuts the last block short alike.
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

internal sealed class PredictStops(DataParallel strategy, Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    public void Run()
    {
        var (x, _) = blobs(100, 3);
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy", stepsPerExecution: 3);
        model.Build([20]);

        // What the end hook got (batch=rows:weighted sum) and what Predict returned (rows:sum).
        var ends = new List<string>();
        var reads = new Callbacks.LambdaCallback(onPredictBatchEnd: (b, l) =>
            ends.Add($"{b}={l["outputs"][0].Shape[0]}:{Tutorials.R(NF.ReduceSum(NF.Cast(l["outputs"][0], DType.Float64) * NF.Cast(NF.Range(1, 11), DType.Float64)).Item<double>())}"));
        string Of(Tensor predicted) =>
            $"{predicted.Shape[0]}:{Tutorials.R(NF.ReduceSum(NF.Cast(predicted, DType.Float64) * NF.Cast(NF.Range(1, 11), DType.Float64)).Item<double>())}";
        Callbacks.LambdaCallback StopsAt3(bool chiefOnly) => new(onPredictBatchBegin: b =>
        {
            if (b == 3 && (!chiefOnly || strategy.IsChief)) model.StopPredicting = true;
        });

        var predicted = model.Predict(x, batchSize: 16, callbacks: [StopsAt3(false), reads]);
        say("begin_stop_read", $"{Of(predicted)}|{string.Join(";", ends)}");
        ends.Clear();
        say("begin_stop", Of(model.Predict(x, batchSize: 16, callbacks: [StopsAt3(false)])));
        say("chief_stop", Of(model.Predict(x, batchSize: 16, callbacks: [StopsAt3(true)])));
        predicted = model.Predict(x, batchSize: 16, callbacks: [StopsAt3(true), reads]);
        say("chief_stop_read", $"{Of(predicted)}|{string.Join(";", ends)}");
        ends.Clear();
        // A step limit of 4: the second block ends at batch 3.
        predicted = model.Predict(NeuralFlow.Data.Dataset.FromTensorSlices(x).Batch(16), steps: 4, callbacks: [reads]);
        say("steps_limit", $"{Of(predicted)}|{string.Join(";", ends)}");
    }
}
