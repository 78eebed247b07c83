using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe11;

/// <summary>
/// Keras' "Customizing what happens in fit()" as its users extend it: a TrainStep override with
/// its own loss trackers, weight penalties, gradients clipped by their global norm, two optimizers
/// (one a schedule) over two halves of the weights, BatchNormalization and Dropout, and a TestStep
/// for validation and Evaluate. Fit's traced steps must give runEagerly's history, weights and
/// predictions bit for bit, the last, smaller batch of each epoch included.
/// </summary>
public abstract class FitTrainStepParityTests(string backend) : BackendTest(backend)
{
    private sealed class TwoOptimizerModel(KerasTensor inputs, KerasTensor outputs, Optimizers.Optimizer second) : Model(inputs, outputs)
    {
        public readonly Metrics.Mean LossTracker = new("loss");
        public readonly Metrics.SparseCategoricalAccuracy Accuracy = new("acc");
        public int TrainTraces;
        private readonly Losses.SparseCategoricalCrossentropy _loss = new(fromLogits: true);

        protected override StepLogs TrainStep(StepData data)
        {
            TrainTraces++;
            var (x, y) = data;
            Tensor loss, yPred;
            Tensor?[] grads;
            using (var tape = new GradientTape())
            {
                yPred = Call(x, training: true);
                loss = _loss.Call(y, yPred) + NF.AddN([.. Losses]);
                grads = tape.Gradient(loss, TrainableVariables);
            }
            var (clipped, _) = NF.ClipByGlobalNorm(grads, 1.0);
            int half = TrainableVariables.Count / 2;
            Optimizer!.ApplyGradients(clipped[..half], TrainableVariables.Take(half).ToList());
            second.ApplyGradients(clipped[half..], TrainableVariables.Skip(half).ToList());
            return Track(loss, y, yPred);
        }

        // Both steps feed the same trackers (Fit resets them per epoch and before validation).
        private StepLogs Track(Tensor loss, Tensor y, Tensor yPred)
        {
            LossTracker.UpdateState(loss);
            Accuracy.UpdateState(y, yPred);
            return new StepLogs { { "loss", LossTracker }, { "acc", Accuracy } };
        }

        protected override StepLogs TestStep(StepData data)
        {
            var (x, y) = data;
            var yPred = Call(x, training: false);
            return Track(_loss.Call(y, yPred), y, yPred);
        }

        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [LossTracker, Accuracy];
    }

    private static (Tensor X, Tensor Y) Data(int n, int seed)
    {
        NF.Random.SetSeed(seed);
        var x = NF.Random.Normal([n, 8]);
        var y = NF.Cast(NF.ArgMax(NF.MatMul(x, NF.Random.Normal([8, 3])), axis: 1), DType.Int32);
        return (x, y);
    }

    [SkippableFact]
    public void A_two_optimizer_train_step_with_validation_fits_as_run_eagerly_bit_for_bit()
    {
        RequireBackend();
        var (x, y) = Data(100, 3);           // batches of 16: the last holds 4
        var (vx, vy) = Data(37, 8);
        var runs = new List<float[]>[2];
        var logs = new List<string>[2];
        for (int k = 0; k < 2; k++)
        {
            bool eager = k == 0;
            NF.Random.SetSeed(5);
            var input = Layers.Input([8]);
            var h = new Layers.Dense(16, kernelRegularizer: new Regularizers.L2(0.01)).Call(input);
            h = new Layers.BatchNormalization().Call(h);
            h = new Layers.Activation("relu").Call(h);
            h = new Layers.Dropout(0.25).Call(h);
            var model = new TwoOptimizerModel(input, new Layers.Dense(3).Call(h), new Optimizers.SGD(0.05, momentum: 0.9));
            model.Compile(new Optimizers.Adam(new ExponentialDecay(0.01, 3, 0.9)), runEagerly: eager);
            NF.Random.SetSeed(21);
            var history = model.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, validationData: (vx, vy));
            var evaluation = model.Evaluate(vx, vy, batchSize: 10);
            logs[k] = [.. history.Keys.Select(key => key + "=" + string.Join(",", history[key].Select(v => v.ToString("R")))),
                       string.Join(",", evaluation.Values.Select(v => v.Key + "=" + v.Value.ToString("R")))];
            runs[k] = [.. model.Variables.Select(v => v.ToArray<float>()), model.Predict(vx, batchSize: 10).ToArray<float>()];
            if (!eager) Assert.True(model.TrainTraces <= 4, $"the override ran {model.TrainTraces} times: Fit did not replay it");
            else Assert.Equal(21, model.TrainTraces);   // 7 batches a epoch, as C# each time
        }
        Assert.Equal(logs[0], logs[1]);
        Assert.Contains(logs[1], l => l.StartsWith("val_acc=", StringComparison.Ordinal));
        Assert.Equal(runs[0].Count, runs[1].Count);
        for (int i = 0; i < runs[0].Count; i++) Assert.True(runs[0][i].AsSpan().SequenceEqual(runs[1][i]), $"entry {i} differs from runEagerly's");
    }
}

/// <summary>The override on the managed backend.</summary>
public sealed class ManagedFitTrainStepParityTests() : FitTrainStepParityTests("managed");

/// <summary>The override on the native CPU backend.</summary>
public sealed class NativeCpuFitTrainStepParityTests() : FitTrainStepParityTests("cpu");

/// <summary>The override on CUDA.</summary>
public sealed class CudaFitTrainStepParityTests() : FitTrainStepParityTests("cuda");
