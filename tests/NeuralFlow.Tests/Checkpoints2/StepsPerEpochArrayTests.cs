using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Checkpoints2;

/// <summary>
/// Fit(x, y, stepsPerEpoch: N) on in-memory examples, as Keras 3's EpochIterator runs arrays: a
/// pass goes on across epochs, and a pass used up before the epoch's steps are done ends the
/// epoch (with Keras' "ran out of data" warning) and the next epoch starts a new pass. Expected
/// counts: keras_checkpoint_names.py.
/// </summary>
public abstract class StepsPerEpochArrayTests(string backend) : BackendTest(backend)
{
    // 10 examples in batches of 4: a pass is 3 batches (4, 4, 2 examples).
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(21);
        return (NF.Random.Normal([10, 3]), NF.Random.Normal([10, 2]));
    }

    private static Sequential Compiled(bool runEagerly = false)
    {
        NF.Random.SetSeed(22);
        var model = new Sequential(new Layers.Dense(4, activation: "tanh"), new Layers.Dense(2));
        model.Compile(new Optimizers.SGD(0.1f), new Losses.MeanSquaredError(), runEagerly: runEagerly);
        return model;
    }

    // A callback that counts the batches each epoch runs.
    private static Callbacks.Callback BatchCounter(out List<int> perEpoch)
    {
        var counts = perEpoch = [];
        return new Callbacks.LambdaCallback(onEpochBegin: _ => counts.Add(0), onBatchEnd: (_, _) => counts[^1]++);
    }

    // Batches run per epoch, counted by a callback.
    private static (List<int> PerEpoch, History History, string Warnings) Counted(Model model, Tensor x, Tensor y, int? stepsPerEpoch, int epochs, bool shuffle = false)
    {
        var counter = BatchCounter(out var perEpoch);
        using var log = new WarningLogCapture();
        var history = model.Fit(x, y, batchSize: 4, epochs: epochs, verbose: 0, shuffle: shuffle, callbacks: [counter], stepsPerEpoch: stepsPerEpoch);
        return (perEpoch, history, log.Text);
    }

    [SkippableFact]
    public void Fewer_steps_than_a_pass_continue_it_and_end_the_epoch_where_it_runs_out()
    {
        RequireBackend();
        var (x, y) = Data();
        var (perEpoch, history, warnings) = Counted(Compiled(), x, y, stepsPerEpoch: 2, epochs: 4);
        Assert.Equal([2, 1, 2, 1], perEpoch);
        Assert.Equal(4, history.Epochs);
        Assert.Equal(4, history["loss"].Count);
        Assert.StartsWith("Fit: your input ran out of data after 1 of stepsPerEpoch = 2 batches in epoch 2: one pass over x is 3 batches", warnings);
        Assert.Single(warnings.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)); // once per Fit
    }

    [SkippableFact]
    public void The_next_epoch_trains_on_the_batches_after_the_last_ones()
    {
        RequireBackend();
        var (x, y) = Data();
        // Epochs of 2, 1 and 2 batches: the batches of rows 0-3, 4-7 | 8-9 | 0-3, 4-7 (in order, unshuffled).
        var model = Compiled();
        Counted(model, x, y, stepsPerEpoch: 2, epochs: 3);
        var byHand = Compiled();
        foreach (var (start, end) in new[] { (0, 4), (4, 8), (8, 10), (0, 4), (4, 8) })
            byHand.TrainOnBatch(x[start..end], y[start..end]);
        for (int i = 0; i < model.Variables.Count; i++)
        {
            float[] fitted = model.Variables[i].ToArray<float>(), expected = byHand.Variables[i].ToArray<float>();
            for (int j = 0; j < fitted.Length; j++) Assert.Equal(expected[j], fitted[j], 5);
        }
        // Restarting each epoch (rows 0-3, 4-7 three times) gives other weights.
        var restarted = Compiled();
        for (int epoch = 0; epoch < 3; epoch++)
            foreach (var (start, end) in new[] { (0, 4), (4, 8) })
                restarted.TrainOnBatch(x[start..end], y[start..end]);
        Assert.NotEqual(restarted.Variables[0].ToArray<float>(), model.Variables[0].ToArray<float>());
    }

    [SkippableFact]
    public void Steps_equal_to_a_pass_run_whole_passes_without_a_warning()
    {
        RequireBackend();
        var (x, y) = Data();
        var (perEpoch, history, warnings) = Counted(Compiled(), x, y, stepsPerEpoch: 3, epochs: 3, shuffle: true);
        Assert.Equal([3, 3, 3], perEpoch);
        Assert.Equal(3, history.Epochs);
        Assert.Equal("", warnings);

        // The same as no stepsPerEpoch at all, shuffles included.
        var (x2, y2) = Data();
        var withSteps = Compiled();
        NF.Random.SetSeed(9);
        withSteps.Fit(x2, y2, batchSize: 4, epochs: 3, verbose: 0, stepsPerEpoch: 3);
        var without = Compiled();
        NF.Random.SetSeed(9);
        without.Fit(x2, y2, batchSize: 4, epochs: 3, verbose: 0);
        for (int i = 0; i < without.Variables.Count; i++)
            Assert.Equal(without.Variables[i].ToArray<float>(), withSteps.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void More_steps_than_a_pass_run_one_pass_per_epoch_with_a_warning()
    {
        RequireBackend();
        var (x, y) = Data();
        var (perEpoch, history, warnings) = Counted(Compiled(), x, y, stepsPerEpoch: 5, epochs: 2);
        Assert.Equal([3, 3], perEpoch);
        Assert.Equal(2, history.Epochs);
        Assert.StartsWith("Fit: your input ran out of data after 3 of stepsPerEpoch = 5 batches in epoch 1", warnings);
    }

    [SkippableFact]
    public void Replay_equals_run_eagerly_bit_for_bit()
    {
        RequireBackend();
        var (x, y) = Data();
        var runs = new[] { false, true }.Select(eager =>
        {
            var model = Compiled(eager);
            NF.Random.SetSeed(31);
            var (perEpoch, history, _) = Counted(model, x, y, stepsPerEpoch: 2, epochs: 5, shuffle: true);
            return (perEpoch, Loss: history["loss"].ToArray(), Weights: model.Variables.Select(v => v.ToArray<float>()).ToArray());
        }).ToArray();
        Assert.Equal([2, 1, 2, 1, 2], runs[0].perEpoch);
        Assert.Equal(runs[0].perEpoch, runs[1].perEpoch);
        Assert.Equal(runs[0].Loss, runs[1].Loss);
        for (int i = 0; i < runs[0].Weights.Length; i++) Assert.Equal(runs[0].Weights[i], runs[1].Weights[i]);
    }

    // A model trained on inputs alone (Fit(x)): reconstructs x through a bottleneck.
    private sealed class AutoEncoder : Model
    {
        private readonly Sequential _net = new(new Layers.Dense(2, activation: "tanh"), new Layers.Dense(3));
        private readonly Metrics.Mean _loss = new("loss");

        protected override StepLogs TrainStep(StepData data)
        {
            Tensor loss;
            Tensor[] grads;
            using (var tape = new GradientTape())
            {
                loss = NF.ReduceMean(NF.Square(_net.Call(data.X, training: true) - data.X));
                grads = tape.Gradient(loss, TrainableVariables);
            }
            Optimizer!.ApplyGradients(grads, TrainableVariables);
            _loss.UpdateState(loss);
            return GetMetricsResult();
        }

        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [_loss];
    }

    [SkippableFact]
    public void Fit_on_inputs_alone_takes_steps_per_epoch_too()
    {
        RequireBackend();
        var (x, _) = Data();
        NF.Random.SetSeed(3);
        var model = new AutoEncoder();
        model.Compile(new Optimizers.SGD(0.1f));
        var counter = BatchCounter(out var perEpoch);
        using var log = new WarningLogCapture();
        var history = model.Fit(x, batchSize: 4, epochs: 4, verbose: 0, callbacks: [counter], stepsPerEpoch: 2);
        Assert.Equal([2, 1, 2, 1], perEpoch);
        Assert.Equal(4, history["loss"].Count);
        Assert.Contains("ran out of data", log.Text);
    }

    [SkippableFact]
    public void Steps_below_one_are_refused()
    {
        RequireBackend();
        var (x, y) = Data();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Compiled().Fit(x, y, batchSize: 4, verbose: 0, stepsPerEpoch: 0));
        Assert.StartsWith("Fit: stepsPerEpoch must be at least 1.", e.Message);
        Assert.Equal("stepsPerEpoch", e.ParamName);
    }
}

public sealed class ManagedStepsPerEpochArrayTests() : StepsPerEpochArrayTests("managed");
public sealed class NativeCpuStepsPerEpochArrayTests() : StepsPerEpochArrayTests("cpu");
public sealed class CudaStepsPerEpochArrayTests() : StepsPerEpochArrayTests("cuda");
