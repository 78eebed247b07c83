using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe12;

/// <summary>
/// Pins of what the probe found exact: a two-input, two-output model (loss weights, per-output
/// metrics named as Keras names them) with AdamW on an ExponentialDecay schedule, weight decay and
/// EMA, killed and resumed by BackupAndRestore; and an LSTM text model with RMSprop saved by
/// ModelCheckpoint to ".keras", loaded and trained on from initialEpoch. Both end on the weights
/// of the uninterrupted run, bit for bit, with its step count and learning rate.
/// </summary>
public abstract class ResumeExactnessTests(string backend) : BackendFileTest(backend)
{
    private static Model TwoHeads()
    {
        NF.Random.SetSeed(7);
        var a = Layers.Input([4], name: "a");
        var b = Layers.Input([3], name: "b");
        var h = new Layers.Dense(6, activation: "relu").Call(new Layers.Concatenate().Call([a, b]));
        var o1 = new Layers.Dense(1, activation: "sigmoid", name: "out1").Call(h);
        var o2 = new Layers.Dense(1, name: "out2").Call(h);
        var m = new Model([a, b], [o1, o2]);
        m.Compile(new Optimizers.AdamW(new ExponentialDecay(0.01, 3, 0.9), weightDecay: 0.01, useEma: true, emaOverwriteFrequency: 2),
                  ["binary_crossentropy", "mse"], ["accuracy"], lossWeights: [1f, 0.3f]);
        return m;
    }

    private static Model TextModel()
    {
        NF.Random.SetSeed(7);
        var m = new Sequential(Layers.Input([6], dtype: DType.Int32), new Layers.Embedding(20, 5), new Layers.LSTM(4), new Layers.Dense(1, activation: "sigmoid"));
        m.Compile(new Optimizers.RMSprop(0.01), "binary_crossentropy", ["accuracy"]);
        return m;
    }

    private static void AssertSameTraining(Model straight, Model resumed)
    {
        Assert.Equal(straight.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        Assert.Equal(straight.Optimizer.CurrentLearningRate, resumed.Optimizer.CurrentLearningRate);
        for (int i = 0; i < straight.Variables.Count; i++)
            Assert.Equal(straight.Variables[i].ToArray<float>(), resumed.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void Two_heads_with_adamw_ema_and_a_schedule_resume_from_a_backup_bit_for_bit()
    {
        RequireBackend();
        var (x, y) = ProbeData.SignOfSum(24);
        NF.Random.SetSeed(2);
        var x2 = NF.Random.Normal([24, 3]);
        ModelData inputs = (x, x2), targets = (y, NF.ReduceSum(x2, [1], keepDims: true));
        var straight = TwoHeads();
        var full = straight.Fit(inputs, targets, batchSize: 8, epochs: 4, verbose: 0, validationData: (inputs, targets),
                                callbacks: [new Callbacks.BackupAndRestore(Temp.File("a"))]);
        string dir = Temp.File("b");
        var kill = new Callbacks.LambdaCallback(onEpochBegin: e => { if (e == 2) throw new TimeoutException("killed"); });
        Assert.Throws<TimeoutException>(() => TwoHeads().Fit(inputs, targets, batchSize: 8, epochs: 4, verbose: 0, validationData: (inputs, targets),
                                                             callbacks: [new Callbacks.BackupAndRestore(dir), kill]));
        var resumed = TwoHeads();
        var rest = resumed.Fit(inputs, targets, batchSize: 8, epochs: 4, verbose: 0, validationData: (inputs, targets),
                               callbacks: [new Callbacks.BackupAndRestore(dir)]);
        Assert.Equal(full["val_out1_accuracy"].Skip(2), rest["val_out1_accuracy"]);
        Assert.Equal(full["out2_loss"].Skip(2), rest["out2_loss"]);
        AssertSameTraining(straight, resumed);
    }

    [SkippableFact]
    public void An_lstm_checkpointed_to_keras_continues_from_initial_epoch_bit_for_bit()
    {
        RequireBackend();
        var (_, y) = ProbeData.SignOfSum(24);
        NF.Random.SetSeed(3);
        var tokens = NF.Random.Uniform([24, 6], 0, 20, DType.Int32);
        var straight = TextModel();
        var full = straight.Fit(tokens, y, batchSize: 8, epochs: 4, verbose: 0, shuffle: false);
        string path = Temp.File("text model ü/{epoch:02d}.keras");
        TextModel().Fit(tokens, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false, callbacks: [new Callbacks.ModelCheckpoint(path)]);
        var resumed = Model.Load(Temp.File("text model ü/02.keras"));
        var rest = resumed.Fit(tokens, y, batchSize: 8, epochs: 4, initialEpoch: 2, verbose: 0, shuffle: false);
        Assert.Equal(new[] { 2, 3 }, rest.Epoch);
        Assert.Equal(full["loss"].Skip(2), rest["loss"]);
        AssertSameTraining(straight, resumed);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedResumeExactnessTests() : ResumeExactnessTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuResumeExactnessTests() : ResumeExactnessTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaResumeExactnessTests() : ResumeExactnessTests("cuda");
