using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Writing your own callbacks" guide in C#: EarlyStoppingAtMinLoss (reads the loss,
/// keeps the best weights with GetWeights, stops with StopTraining and puts them back) and
/// CustomLearningRateScheduler (reads and sets the optimizer's learning rate at each epoch's start,
/// which the replayed training step must then use: checked against plain SGD steps computed by hand).
/// </summary>
public abstract class GuidesCallbacksTests(string backend) : BackendTest(backend)
{
    // The guide's get_model: one Dense unit, SGD(0.1), mean squared error, mean absolute error.
    private static Sequential GetModel(double learningRate = 0.1)
    {
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(1));
        model.Compile(new Optimizers.SGD((float)learningRate), new Losses.MeanSquaredError(), metrics: ["mean_absolute_error"]);
        return model;
    }

    private static (Tensor X, Tensor Y) Data(int seed)
    {
        NF.Random.SetSeed(seed);
        var x = NF.Random.Normal([32, 4]);
        return (x, NF.MatMul(x, NF.Constant(new[,] { { 1f }, { -2f }, { 0.5f }, { 3f } })) + 0.3f);
    }

    // The guide's EarlyStoppingAtMinLoss, which also records each epoch's loss and weights to check it by.
    private sealed class EarlyStoppingAtMinLoss(int patience = 0) : Callbacks.Callback
    {
        private int _wait;
        private double _best;
        private IReadOnlyList<float[]>? _bestWeights;
        public int StoppedEpoch;
        public readonly List<(double Loss, IReadOnlyList<float[]> Weights)> Seen = [];

        public override void OnTrainBegin()
        {
            _wait = 0;
            StoppedEpoch = 0;
            _best = double.PositiveInfinity;
        }

        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            double current = logs["loss"];
            var weights = Model!.GetWeights().Select(w => w.ToArray<float>()).ToList();
            Seen.Add((current, weights));
            if (current < _best)
            {
                _best = current;
                _wait = 0;
                _bestWeights = weights;
            }
            else if (++_wait >= patience)
            {
                StoppedEpoch = epoch;
                Model.StopTraining = true;
                Model.SetWeights([.. _bestWeights!.Select((w, i) => NF.Constant(w, Model.Variables[i].Shape))]);
            }
        }
    }

    [SkippableFact]
    public void Early_stopping_at_min_loss_stops_and_restores_the_best_weights()
    {
        RequireBackend();
        var (x, y) = Data(31);
        // A rate too high for this problem: the loss grows from the second epoch, so training stops early.
        var model = GetModel(learningRate: 0.6);
        var stopper = new EarlyStoppingAtMinLoss(patience: 1);
        var history = model.Fit(x, y, batchSize: 8, epochs: 30, verbose: 0, callbacks: [stopper]);
        Assert.InRange(stopper.StoppedEpoch, 1, 28);
        Assert.Equal(stopper.StoppedEpoch + 1, history["loss"].Count);
        var best = stopper.Seen.MinBy(s => s.Loss);
        var now = model.GetWeights();
        for (int i = 0; i < now.Count; i++) Assert.Equal(best.Weights[i], now[i].ToArray<float>());
    }

    // The guide's schedule table: (epoch to start, learning rate).
    private static readonly (int Epoch, double Rate)[] LrSchedule = [(1, 0.05), (2, 0.01), (3, 0.005)];

    private static double LrScheduleAt(int epoch, double lr)
    {
        if (epoch < LrSchedule[0].Epoch || epoch > LrSchedule[^1].Epoch) return lr;
        foreach (var (start, rate) in LrSchedule) if (epoch == start) return rate;
        return lr;
    }

    private sealed class CustomLearningRateScheduler(Func<int, double, double> schedule) : Callbacks.Callback
    {
        public readonly List<double> Rates = [];

        public override void OnEpochBegin(int epoch)
        {
            var optimizer = Model!.Optimizer!;
            double lr = optimizer.CurrentLearningRate;
            double scheduled = schedule(epoch, lr);
            optimizer.LearningRate = scheduled;
            Rates.Add(scheduled);
        }
    }

    [SkippableFact]
    public void A_learning_rate_set_at_an_epochs_start_is_the_rate_its_steps_use()
    {
        RequireBackend();
        var (x, y) = Data(32);
        var model = GetModel();
        var start = model.GetWeights().Select(w => w.ToArray<float>()).ToArray();
        var scheduler = new CustomLearningRateScheduler(LrScheduleAt);
        model.Fit(x, y, batchSize: 32, epochs: 5, shuffle: false, verbose: 0, callbacks: [scheduler]);
        // The first epoch reads SGD's float32 0.1.
        Reference.AssertClose([0.1, 0.05, 0.01, 0.005, 0.005], [.. scheduler.Rates], rtol: 1e-7, atol: 0);

        // Plain SGD on the whole batch with those rates, from the same start.
        var kernel = new Variable(NF.Constant(start[0], [4, 1]));
        var bias = new Variable(NF.Constant(start[1], [1]));
        foreach (var rate in scheduler.Rates)
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceMean(NF.Square(y - (NF.MatMul(x, kernel) + bias)));
            var grads = tape.Gradient(loss, [kernel, bias]);
            kernel.AssignSub((float)rate * grads[0]);
            bias.AssignSub((float)rate * grads[1]);
        }
        GuideAssert.Close(kernel, model.GetWeights()[0], 1e-5);
        GuideAssert.Close(bias, model.GetWeights()[1], 1e-5);
    }
}

/// <summary>The callbacks guide on the managed backend.</summary>
public sealed class ManagedGuidesCallbacksTests() : GuidesCallbacksTests("managed");

/// <summary>The callbacks guide on the native CPU backend.</summary>
public sealed class NativeCpuGuidesCallbacksTests() : GuidesCallbacksTests("cpu");

/// <summary>The callbacks guide on CUDA.</summary>
public sealed class CudaGuidesCallbacksTests() : GuidesCallbacksTests("cuda");
