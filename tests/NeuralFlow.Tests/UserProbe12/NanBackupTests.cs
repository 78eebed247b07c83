using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe12;

/// <summary>
/// A loss that blows up mid-run beside BackupAndRestore: TerminateOnNaN's graceful stop ends the
/// epoch and the run (so the backup is written with the bad weights and then deleted, as in
/// Keras), while <c>raiseError: true</c> (Keras' raise_error) throws at the batch and keeps the
/// last good backup, from which a rerun resumes.
/// </summary>
public abstract class NanBackupTests(string backend) : BackendFileTest(backend)
{
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(1);
        var x = NF.Random.Normal([24, 4]);
        return (x, NF.Random.Normal([24, 1]));
    }

    private static Sequential Compiled()
    {
        NF.Random.SetSeed(7);
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(3, activation: "relu"), new Layers.Dense(1));
        m.Compile(new Optimizers.SGD(0.01), "mse");
        return m;
    }

    // From epoch 2 on the rate is absurd: the first step of that epoch sends the weights to infinity.
    private static Callbacks.LambdaCallback BlowUpAt(Model m, int epoch) =>
        new(onEpochBegin: e => { if (e == epoch) m.Optimizer!.LearningRate = 1e30; });

    [SkippableFact]
    public void Raise_error_throws_at_the_batch_and_keeps_the_last_good_backup()
    {
        RequireBackend();
        var (x, y) = Data();
        string dir = Temp.File("backup");
        var m = Compiled();
        var e = Assert.Throws<ArithmeticException>(() => m.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0,
            callbacks: [new Callbacks.BackupAndRestore(dir), BlowUpAt(m, 2), new Callbacks.TerminateOnNaN(raiseError: true)]));
        Assert.Contains("NaN or Inf loss encountered at batch", e.Message);
        Assert.Single(Directory.GetFiles(dir));
        var again = Compiled();
        var h = again.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir), new Callbacks.TerminateOnNaN(raiseError: true)]);
        Assert.Equal(new[] { 2, 3 }, h.Epoch);
        Assert.All(h["loss"], l => Assert.True(float.IsFinite(l)));
        Assert.All(again.Variables, v => Assert.All(v.ToArray<float>(), w => Assert.True(float.IsFinite(w))));
    }

    [SkippableFact]
    public void The_graceful_stop_ends_the_epoch_and_the_run()
    {
        RequireBackend();
        var (x, y) = Data();
        string dir = Temp.File("backup");
        var m = Compiled();
        var h = m.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0,
                      callbacks: [new Callbacks.BackupAndRestore(dir), BlowUpAt(m, 2), new Callbacks.TerminateOnNaN()]);
        Assert.Equal(new[] { 0, 1, 2 }, h.Epoch);
        Assert.False(float.IsFinite(h["loss"][2]));
        Assert.False(Directory.Exists(dir));   // OnTrainEnd ran: the backup is gone, as in Keras
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedNanBackupTests() : NanBackupTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuNanBackupTests() : NanBackupTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaNanBackupTests() : NanBackupTests("cuda");
