// TensorFlow's "Multi-worker training with Keras" (multi_worker_with_keras.ipynb) as a NeuralFlow
// user writes it under DataParallel (Distributed/MultiWorkerTutorialTests.cs runs it): Fit on a
// shuffled, repeated dataset batched with the global batch size, stepsPerEpoch batches per epoch,
// with BackupAndRestore backing up every few batches (save_freq=N), so that a job that died
// mid-epoch resumes there; every worker saves the model (the non-chief ranks to a temporary
// folder of their own, which they delete: the tutorial's write_filepath), the chief's file is
// loaded and trained on; Evaluate after Fit.
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

internal sealed class MultiWorkerTutorial(DataParallel strategy, Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    private static string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => Tutorials.R(v)));

    /// <summary>
    /// The tutorial's program; rank 0 dies (an exception out of Fit) after global batch
    /// <paramref name="crashAfter"/> (counted over the epochs from 1; 0: never), leaving the backup
    /// in <paramref name="root"/> for the next job to resume from.
    /// </summary>
    public void Run(string root, int crashAfter)
    {
        var (x, y) = blobs(300, 3);
        var (xe, ye) = blobs(70, 1003);
        // mnist_setup.mnist_dataset(global_batch_size): shuffled, repeated, batched.
        var data = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Shuffle(300, seed: 3).Repeat().Batch(32);
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Compile(optimizer: new Optimizers.Adam(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        int seen = 0;
        var crash = new Callbacks.LambdaCallback(onBatchEnd: (_, _) =>
        {
            if (++seen == crashAfter && strategy.IsChief) throw new InvalidOperationException($"simulated crash after batch {seen}");
        });
        var logs = new List<string>();
        var epochs = new Callbacks.LambdaCallback(onEpochEnd: (epoch, l) => logs.Add($"{epoch}={Tutorials.R(l["loss"])}:{Tutorials.R(l["accuracy"])}"));
        model.Fit(data, epochs: 3, stepsPerEpoch: 7, verbose: 0,
                  callbacks: [new Callbacks.BackupAndRestore(Path.Combine(root, "backup"), saveFreq: 5), crash, epochs]);
        say("epoch_logs", string.Join(";", logs));
        say("weights", Join(model.Variables.SelectMany(v => v.ToArray<float>()).Select(f => (double)f)));
        var evaluation = model.Evaluate(xe, ye, batchSize: 32);
        say("eval", $"{Tutorials.R(evaluation["loss"])}:{Tutorials.R(evaluation["accuracy"])}");

        // Model saving and loading: every worker saves, the non-chief ones to a folder of their own.
        string modelPath = Path.Combine(root, "keras-model.keras");
        string write = strategy.IsChief ? modelPath : Path.Combine(root, $"workertemp_{strategy.Rank}", "keras-model.keras");
        Directory.CreateDirectory(Path.GetDirectoryName(write)!);
        model.Save(write);
        if (!strategy.IsChief) Directory.Delete(Path.GetDirectoryName(write)!, recursive: true);
        strategy.Barrier();
        var loaded = Model.Load(modelPath);
        var more = loaded.Fit(data, epochs: 1, stepsPerEpoch: 3, verbose: 0);
        say("loaded_fit_loss", Join(more["loss"].Select(v => (double)v)));
        say("loaded_weights", Join(loaded.Variables.SelectMany(v => v.ToArray<float>()).Select(f => (double)f)));
        Evaluation(data, xe, ye);
    }

    // The tutorial's "Evaluation": validation on a repeated dataset batched with the global batch
    // size, validationSteps batches of it each epoch; EarlyStopping (restoring the best weights)
    // and ReduceLROnPlateau decide on the global val_loss, alike on every rank.
    private void Evaluation(NeuralFlow.Data.Dataset data, Tensor xe, Tensor ye)
    {
        NF.Random.SetSeed(7);
        var model = Tutorials.Mlp();
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.8f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var validation = NeuralFlow.Data.Dataset.FromTensorSlices(xe, ye).Repeat().Batch(32);
        var history = model.Fit(data, epochs: 8, stepsPerEpoch: 5, verbose: 0, validationData: validation, validationSteps: 2,
                                callbacks: [new Callbacks.EarlyStopping(patience: 1, restoreBestWeights: true), new Callbacks.ReduceLROnPlateau(factor: 0.5, patience: 0)]);
        say("validated_epochs", history.Epochs);
        say("val_loss", Join(history["val_loss"].Select(v => (double)v)));
        say("val_accuracy", Join(history["val_accuracy"].Select(v => (double)v)));
        say("learning_rate", Join(history["learning_rate"].Select(v => (double)v)));
        say("best_weights", Join(model.Variables.SelectMany(v => v.ToArray<float>()).Select(f => (double)f)));
    }
}
