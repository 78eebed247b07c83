// TensorFlow's "Custom training loop with Keras and MultiWorkerMirroredStrategy"
// (multi_worker_with_ctl.ipynb) as a NeuralFlow user writes it under DataParallel
// (Distributed/CtlTutorialTests.cs runs it): dataset_fn's per-replica batches of a shuffled
// dataset sharded by worker, a CNN with L2 regularizers (Reshape, Conv2D, Flatten, Dense) trained
// by RMSprop in a compiled step (tf.function) whose loss is compute_average_loss plus
// scale_regularization_loss of model.losses, gradients summed over the workers, the per-replica
// losses reduced with SUM, train_accuracy read over every worker; a Train.Checkpoint of the model,
// epoch and step_in_epoch managed by a CheckpointManager (max_to_keep 1) in the chief's folder and
// in temporary folders the other workers delete, restored from latest_checkpoint when a job starts.
// The global batch is fixed (the tutorial's grows with the workers) so that a job of 1 rank trains
// on the same global batches: the ranks' shards of the one shuffle (NF.Random agrees) are its halves.
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

internal sealed class CtlTutorial(DataParallel strategy, Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    private static string Weights(Model model) => string.Join(",", model.Variables.SelectMany(v => v.ToArray<float>()).Select(f => Tutorials.R(f)));

    /// <summary>The tutorial's program; the chief dies after saving epoch <paramref name="crashAfterEpoch"/> (-1: never).</summary>
    public void Run(string root, int crashAfterEpoch)
    {
        const int globalBatchSize = 32, numEpochs = 3, numStepsPerEpoch = 3;
        var (x, y) = blobs(96, 3);
        var images = NF.Reshape(x, [96, 4, 5]);
        int perReplicaBatchSize = globalBatchSize / strategy.WorldSize;   // input_context.get_per_replica_batch_size
        var dataset = NeuralFlow.Data.Dataset.FromTensorSlices(images, NF.Cast(y, DType.Int64)).Shuffle(96, seed: 7)
                                             .Shard(strategy.WorldSize, strategy.Rank).Batch(perReplicaBatchSize);

        NF.Random.SetSeed(5);
        var regularizer = new Regularizers.L2(1e-3);
        var model = new Sequential(
            new Layers.InputLayer([4, 5]),
            new Layers.Reshape([4, 5, 1]),
            new Layers.Conv2D(4, 3, activation: "relu", kernelRegularizer: regularizer),
            new Layers.Flatten(),
            new Layers.Dense(16, activation: "relu", kernelRegularizer: regularizer),
            new Layers.Dense(10, kernelRegularizer: regularizer));
        var optimizer = new Optimizers.RMSprop(learningRate: 0.01);
        var trainAccuracy = new Metrics.SparseCategoricalAccuracy(name: "train_accuracy");
        var lossObject = new Losses.SparseCategoricalCrossentropy(fromLogits: true, reduction: "none");
        Tensor StepFn(Tensor xs, Tensor ys)
        {
            Tensor loss, predictions;
            Tensor?[] grads;
            using (var tape = new GradientTape())
            {
                predictions = model.Call(xs, training: true);
                loss = strategy.ComputeAverageLoss(lossObject.Call(ys, predictions));
                var modelLosses = model.Losses;
                if (modelLosses.Count > 0) loss += strategy.ScaleRegularizationLoss(NF.AddN([.. modelLosses]));
                grads = [.. tape.Gradient(loss, model.TrainableVariables)];
            }
            optimizer.ApplyGradients(strategy.AllReduceGradients(grads, mean: false), model.TrainableVariables);
            trainAccuracy.UpdateState(ys, predictions);
            return loss;
        }
        var trainStep = NF.Function(StepFn);

        var epoch = new Variable(NF.Constant(0L), name: "epoch");
        var stepInEpoch = new Variable(NF.Constant(0L), name: "step_in_epoch");
        string checkpointDir = Path.Combine(root, "ckpt");
        // write_filepath: the chief writes to checkpoint_dir, the others to a temporary folder of theirs.
        string writeCheckpointDir = strategy.IsChief ? checkpointDir : Path.Combine(checkpointDir, $"workertemp_{strategy.Rank}");
        model.Build([4, 5]);
        var checkpoint = new NeuralFlow.Train.Checkpoint(new Dictionary<string, object> { ["model"] = model, ["epoch"] = epoch, ["step_in_epoch"] = stepInEpoch });
        var manager = new NeuralFlow.Train.CheckpointManager(checkpoint, writeCheckpointDir, maxToKeep: 1);
        if (NeuralFlow.Train.Checkpoint.LatestCheckpoint(checkpointDir) is { } latest)
        {
            checkpoint.Restore(latest);
            say("restored_epoch", epoch.ToArray<long>()[0]);
            say("restored_weights", Weights(model));
        }

        var logs = new List<string>();
        while (epoch.ToArray<long>()[0] < numEpochs)
        {
            using var iterator = dataset.EnumerateTensors(disposeEach: true).GetEnumerator();
            double totalLoss = 0;
            int numBatches = 0;
            while (stepInEpoch.ToArray<long>()[0] < numStepsPerEpoch)
            {
                iterator.MoveNext();
                // strategy.reduce(SUM, per_replica_losses): the global batch's loss.
                totalLoss += strategy.Reduce("SUM", trainStep(iterator.Current[0], iterator.Current[1])).Item<float>();
                numBatches++;
                stepInEpoch.AssignAdd(NF.Constant(1L));
            }
            long e = epoch.ToArray<long>()[0];
            logs.Add($"{e}={Tutorials.R(strategy.GlobalResult(trainAccuracy))}:{Tutorials.R(totalLoss / numBatches)}");
            trainAccuracy.ResetState();
            manager.Save();
            if (!strategy.IsChief) Directory.Delete(writeCheckpointDir, recursive: true);
            say($"weights_{e}", Weights(model));
            if (e == crashAfterEpoch && strategy.IsChief) throw new InvalidOperationException($"simulated crash after epoch {e}");
            strategy.Barrier();
            epoch.AssignAdd(NF.Constant(1L));
            stepInEpoch.Assign(NF.Constant(0L));
        }
        say("epoch_logs", string.Join(";", logs));
        say("weights", Weights(model));
        try { strategy.Reduce("MAX", NF.Constant(1f)); }
        catch (ArgumentException error) { say("reduce_max_error", error.Message); }
        say("checkpoint_files", string.Join(",", Directory.GetFileSystemEntries(checkpointDir).Select(Path.GetFileName).Order(StringComparer.Ordinal)));
    }
}
