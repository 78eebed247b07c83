// BackupAndRestore under DataParallel with stepsPerExecution > 1, backing up at the end of a
// block that the data cuts short (Distributed/ShortBlockBackupTests.cs runs it): 200 examples in
// batches of 32 are 7 batches an epoch, in blocks of 3 that end at batches 2, 5 and, cut short,
// 6, where saveFreq 7 backs up. The backup must hold the running metrics of every rank's
// examples (as one at a full block's end does), so that a job whose chief died right after it
// resumes with the epoch logs of a job that never died. Before, it held the chief's own.
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

internal sealed class ShortBlockBackup(DataParallel strategy, Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    /// <summary>Fit of 2 epochs backed up in <paramref name="dir"/>; with <paramref name="crash"/> the chief dies at the end of the first epoch (after its last backup).</summary>
    public void Run(string dir, bool crash)
    {
        var (x, y) = blobs(200, 3);
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Compile(optimizer: new Optimizers.Adam(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], stepsPerExecution: 3);
        var dies = new Callbacks.LambdaCallback(onEpochEnd: (epoch, _) =>
        {
            if (crash && epoch == 0 && strategy.IsChief) throw new InvalidOperationException("simulated crash at the end of epoch 0");
        });
        var logs = new List<string>();
        var epochs = new Callbacks.LambdaCallback(onEpochEnd: (epoch, l) => logs.Add($"{epoch}={Tutorials.R(l["loss"])}:{Tutorials.R(l["accuracy"])}"));
        model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir, saveFreq: 7), dies, epochs]);
        say("epoch_logs", string.Join(";", logs));
        say("weights", string.Join(",", model.Variables.SelectMany(v => v.ToArray<float>()).Select(f => Tutorials.R(f))));
    }
}
