using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe3;

/// <summary>
/// Keras 3's LearningRateScheduler and ReduceLROnPlateau write the rate each epoch ran with into
/// that epoch's logs as "learning_rate" (their on_epoch_end), so history.history["learning_rate"]
/// exists and callbacks after them see it. Values by hand from Keras' rules.
/// </summary>
public abstract class LearningRateLogTests(string backend) : BackendTest(backend)
{
    // Zero data on zero weights: the loss is 0 every epoch, so it never improves after the first.
    private static Sequential Flat()
    {
        var model = new Sequential(new Layers.Dense(1, kernelInitializer: "zeros"));
        model.Compile(new Optimizers.SGD(0.5), new Losses.MeanSquaredError());
        return model;
    }

    [SkippableFact]
    public void LearningRateScheduler_rates_are_in_the_history()
    {
        RequireBackend();
        var model = Flat();
        var history = model.Fit(NF.Zeros([4, 2]), NF.Zeros([4, 1]), epochs: 3, verbose: 0,
            callbacks: [new Callbacks.LearningRateScheduler(epoch => 0.1 / (epoch + 1))]);
        Assert.Equal(["loss", "learning_rate"], history.Keys);
        Assert.Equal(new[] { 0.1f, 0.05f, (float)(0.1 / 3) }, history["learning_rate"]);
    }

    [SkippableFact]
    public void ReduceLROnPlateau_logs_the_rate_before_reducing_it()
    {
        RequireBackend();
        var model = Flat();
        var seen = new List<float>();
        var after = new Callbacks.LambdaCallback(onEpochEnd: (_, logs) => seen.Add(logs["learning_rate"]));
        var history = model.Fit(NF.Zeros([4, 2]), NF.Zeros([4, 1]), epochs: 4, verbose: 0,
            callbacks: [new Callbacks.ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1), after]);
        // Epoch 0 improves (from +inf); each later epoch waits 1 = patience and halves the rate after logging it.
        Assert.Equal(new[] { 0.5f, 0.5f, 0.25f, 0.125f }, history["learning_rate"]);
        Assert.Equal(history["learning_rate"], seen);
        Assert.Equal(0.0625, model.Optimizer!.CurrentLearningRate, 12);
    }
}

public sealed class ManagedLearningRateLogTests() : LearningRateLogTests("managed");

public sealed class NativeCpuLearningRateLogTests() : LearningRateLogTests("cpu");

public sealed class CudaLearningRateLogTests() : LearningRateLogTests("cuda");
