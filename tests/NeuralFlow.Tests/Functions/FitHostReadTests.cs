using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Fit reads values back to the host (each read makes the device wait) only when something needs
/// them, as Keras with verbose=0: the loss and metrics once at the end of each epoch, after each
/// step only for a callback that handles batch ends; and the replayed step itself reads nothing
/// (the sparse accuracy does not read back labels the sparse cross-entropy already checked).
/// Counted with Engine.HostReads (eager reads and a replay's host reads, this thread).
/// </summary>
public abstract class FitHostReadTests(string backend) : BackendTest(backend)
{
    private const int Steps = 6; // 96 examples in batches of 16

    private static (Sequential Model, Tensor X, Tensor Y) Setup()
    {
        NF.Random.SetSeed(31);
        var model = new Sequential(new Layers.Dense(4, activation: "relu"), new Layers.Dense(3, activation: "softmax"));
        model.Compile(new Optimizers.SGD(0.05f), "sparse_categorical_crossentropy", ["accuracy"]);
        return (model, NF.Random.Normal([96, 5]), NF.Random.Uniform([96], 0, 3, DType.Int32));
    }

    private static long Reads(Action fit)
    {
        long before = Engine.HostReads;
        fit();
        return Engine.HostReads - before;
    }

    private sealed class BatchLogs : Callbacks.Callback
    {
        public int Calls;
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => Calls++;
    }

    [SkippableFact]
    public void Verbose_0_reads_the_loss_and_metrics_once_per_epoch_and_a_batch_callback_after_each_step()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0); // traces the step
        // Two numbers (total and count) for each of loss and accuracy, at the end of each epoch only.
        Assert.Equal(3 * 2 * 2, Reads(() => model.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0)));
        Assert.True(model.TrainFunction!.LastCallReplayed);
        Assert.DoesNotContain(model.TrainFunction.LatestPlan!.Ops, op => op.Kind == FunctionTrace.OpKind.HostRead);
        // verbose 2: one line per epoch, still no read per step.
        var quiet = new StringWriter();
        Assert.Equal(2 * 2, Reads(() => model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 2, callbacks: [new Callbacks.ProgbarLogger(quiet)])));
        // A callback that handles batch ends gets the running values after every step.
        var batches = new BatchLogs();
        Assert.Equal((Steps + 1) * 2 * 2, Reads(() => model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, callbacks: [batches])));
        Assert.Equal(Steps, batches.Calls);
    }

    [SkippableFact]
    public void Bad_labels_still_fail_the_replayed_step_and_the_accuracy_alone_still_checks_them()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        var bad = NF.Concat([y[..95], NF.Constant(new[] { 7 })], 0);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, bad, batchSize: 16, epochs: 1, verbose: 0));
        Assert.Contains("7", e.Message);
        // Labels a loss checked for 3 classes are not taken as checked for 2 (y holds a 2).
        Assert.Contains(2, y.ToArray<int>());
        new Losses.SparseCategoricalCrossentropy().Call(y, NF.Softmax(NF.Random.Normal([96, 3]))).Dispose();
        var accuracy = new Metrics.SparseCategoricalAccuracy();
        Assert.Throws<ArgumentException>(() => accuracy.UpdateState(y, NF.Softmax(NF.Random.Normal([96, 2]))));
        // The accuracy alone checks labels no loss checked.
        Assert.Throws<ArgumentException>(() => accuracy.UpdateState(bad, NF.Softmax(NF.Random.Normal([96, 3]))));
    }
}

public sealed class ManagedFitHostReadTests() : FitHostReadTests("managed");

public sealed class NativeCpuFitHostReadTests() : FitHostReadTests("cpu");

public sealed class CudaFitHostReadTests() : FitHostReadTests("cuda");
