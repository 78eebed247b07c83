using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// The fast path: Fit and Evaluate read the running loss and metrics from the device only when a
/// callback takes them. A metric counts how often its result is read: Evaluate reads once at its
/// end unless a callback overrides OnTestBatchEnd (then once per batch more); Fit once per epoch
/// for a LambdaCallback without an onBatchEnd, which before read after every step because the
/// class overrides OnBatchEnd for every instance.
/// </summary>
public abstract class LogReadTests(string backend) : BackendTest(backend)
{
    private sealed class CountedMae() : Metrics.MeanMetricWrapper("counted_mae")
    {
        public int Reads;

        protected override Tensor Matches(Tensor yTrue, Tensor yPred) => NF.Abs(yTrue - yPred);

        public override float Result()
        {
            Reads++;
            return base.Result();
        }
    }

    private sealed class EndOnly : Callbacks.Callback
    {
        public override void OnTestEnd(IReadOnlyDictionary<string, float> logs) { }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Logs_are_read_only_for_a_callback_that_takes_them(bool eager)
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var m = new Sequential(Layers.Input([3]), new Layers.Dense(1));
        var counted = new CountedMae();
        m.Compile(new Optimizers.SGD(0.05), new Losses.MeanSquaredError(), [counted], runEagerly: eager);
        var (x, y) = EvaluateCallbackTests.MakeData();
        m.Evaluate(x, y, batchSize: 4, callbacks: [new EndOnly()]);
        Assert.Equal(1, counted.Reads);
        counted.Reads = 0;
        m.Evaluate(x, y, batchSize: 4, callbacks: [new HookRecorder()]);
        Assert.Equal(3 + 1, counted.Reads);
        counted.Reads = 0;
        m.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [new Callbacks.LambdaCallback(onEpochEnd: (_, _) => { })]);
        Assert.Equal(2, counted.Reads);
        counted.Reads = 0;
        var ends = 0;
        m.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [new Callbacks.LambdaCallback(onBatchEnd: (_, _) => ends++)]);
        Assert.Equal(6, ends);
        Assert.Equal(6 + 2, counted.Reads);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedLogReadTests() : LogReadTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuLogReadTests() : LogReadTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaLogReadTests() : LogReadTests("cuda");
