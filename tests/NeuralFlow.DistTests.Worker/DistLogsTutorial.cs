// TensorFlow's "Distributed training with Keras" (keras.ipynb) and "Save and load a model using a
// distribution strategy" (save_and_load.ipynb) as a NeuralFlow user writes them under
// DataParallel (Distributed/DistLogsTutorialTests.cs compares a job of 2 ranks with one of 1):
// Fit on a dataset batched with the global batch size, with a ModelCheckpoint of the weights per
// epoch (the chief writes), a LearningRateScheduler decaying the rate and a callback printing it;
// every rank then loads the last checkpoint and evaluates; the chief saves the model, every rank
// loads it under the strategy (its Predict the trained model's) and trains it on.
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

internal sealed class DistLogsTutorial(DataParallel strategy, Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    private static string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => Tutorials.R(v)));

    private static string Join(IEnumerable<float> values) => Join(values.Select(v => (double)v));

    private static string WeightsOf(Model model) => Join(model.Variables.SelectMany(v => v.ToArray<float>()).Select(f => (double)f));

    public void Run(string root)
    {
        // The chief's files, in a folder of this job (the 1-rank job writes its own).
        string dir = Path.Combine(root, $"world{strategy.WorldSize}");
        if (strategy.IsChief) Directory.CreateDirectory(dir);
        strategy.Barrier();
        var (x, y) = blobs(203, 3);
        var (xe, ye) = blobs(70, 1003);
        var train = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Shuffle(203, seed: 3).Batch(64);
        var eval = NeuralFlow.Data.Dataset.FromTensorSlices(xe, ye).Batch(64);
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var rates = new List<double>();
        var history = model.Fit(train, epochs: 3, verbose: 0, callbacks: [
            new Callbacks.ModelCheckpoint(Path.Combine(dir, "ckpt_{epoch}.weights.h5"), saveWeightsOnly: true),
            new Callbacks.LearningRateScheduler(epoch => epoch < 1 ? 0.1 : epoch < 2 ? 0.05 : 0.01),
            new Callbacks.LambdaCallback(onEpochEnd: (_, _) => rates.Add(model.Optimizer!.CurrentLearningRate))]);
        say("rates", Join(rates));
        say("history_loss", Join(history["loss"]));
        say("history_accuracy", Join(history["accuracy"]));
        say("history_learning_rate", Join(history["learning_rate"]));
        var trained = WeightsOf(model);
        say("trained_weights", trained);
        strategy.Barrier();  // the chief's checkpoint is written
        say("checkpoints", string.Join(",", Directory.GetFiles(dir, "ckpt_*").Select(Path.GetFileName).Order(StringComparer.Ordinal)));

        // model.load_weights(tf.train.latest_checkpoint(checkpoint_dir)); model.evaluate(eval_dataset)
        NF.Random.SetSeed(6);
        var restored = Tutorials.Mlp();
        restored.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        restored.Build([20]);
        restored.LoadWeights(Path.Combine(dir, "ckpt_3.weights.h5"));
        say("restored_is_trained", WeightsOf(restored) == trained);
        var evaluation = restored.Evaluate(eval);
        say("eval", $"{Tutorials.R(evaluation["loss"])}:{Tutorials.R(evaluation["accuracy"])}");

        // model.save(path) by the chief; load_model under the strategy on every rank, then train on.
        string saved = Path.Combine(dir, "model.keras");
        if (strategy.IsChief) model.Save(saved);
        strategy.Barrier();
        var loaded = Model.Load(saved);
        say("loaded_predict_sum", Tutorials.R(NF.ReduceSum(NF.Cast(loaded.Predict(xe), DType.Float64)).Item<double>()));
        var more = loaded.Fit(train, epochs: 1, verbose: 0);
        say("loaded_fit_loss", Join(more["loss"]));
        say("loaded_weights", WeightsOf(loaded));

        // input.ipynb: each rank batches its own shard with the per-replica batch size.
        say("per_replica_64", strategy.PerReplicaBatchSize(64));
        try
        {
            say("per_replica_63", strategy.PerReplicaBatchSize(63));
        }
        catch (ArgumentOutOfRangeException e)
        {
            say("per_replica_63", e.Message.Split(Environment.NewLine)[0]);
        }
    }
}
