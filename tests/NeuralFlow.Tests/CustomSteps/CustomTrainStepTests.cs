using NeuralFlow.Keras;

namespace NeuralFlow.Tests.CustomSteps;

/// <summary>
/// Keras' guide "Customizing what happens in fit()" in C#: a Model subclass overrides TrainStep
/// (and TestStep) and keeps Fit, its callbacks, History and the traced, replayed step. Before,
/// Model had no step to override: a GAN or a VAE had to give up Fit for a hand-written loop.
/// </summary>
public abstract class CustomTrainStepTests(string backend) : BackendTest(backend)
{
    // The guide's first CustomModel: the default step written out with the public pieces.
    private sealed class GuideModel(KerasTensor inputs, KerasTensor outputs) : Model(inputs, outputs)
    {
        public int Traces;

        protected override StepLogs TrainStep(StepData data)
        {
            Traces++;
            var (x, y) = data;
            Tensor loss;
            Tensor yPred;
            Tensor[] grads;
            using (var tape = new GradientTape())
            {
                yPred = Call(x, training: true);
                loss = ComputeLoss(x, y, yPred);
                grads = tape.Gradient(loss, TrainableVariables);
            }
            Optimizer!.ApplyGradients(grads, TrainableVariables);
            foreach (var metric in TrackedMetrics)
                if (metric is Metrics.Mean { Name: "loss" } tracker) tracker.UpdateState(loss);
                else if (metric is Metrics.PredictionMetric m) m.UpdateState(y, yPred);
            return GetMetricsResult();
        }
    }

    // The guide's lower-level model: Compile(optimizer) only, its own trackers listed in TrackedMetrics
    // (also the mid-epoch resume test's model with trackers of its own).
    internal sealed class LowLevelModel(KerasTensor inputs, KerasTensor outputs) : Model(inputs, outputs)
    {
        public readonly Metrics.Mean LossTracker = new("loss");
        public readonly Metrics.MeanAbsoluteError Mae = new("mae");

        protected override StepLogs TrainStep(StepData data)
        {
            var (x, y) = data;
            Tensor loss;
            Tensor yPred;
            Tensor[] grads;
            using (var tape = new GradientTape())
            {
                yPred = Call(x, training: true);
                loss = NF.ReduceMean(NF.Square(yPred - y));
                grads = tape.Gradient(loss, TrainableVariables);
            }
            Optimizer!.ApplyGradients(grads, TrainableVariables);
            LossTracker.UpdateState(loss);
            Mae.UpdateState(y, yPred);
            return new StepLogs { { "loss", LossTracker }, { "mae", Mae } };
        }

        protected override StepLogs TestStep(StepData data)
        {
            var (x, y) = data;
            var yPred = Call(x, training: false);
            LossTracker.UpdateState(NF.ReduceMean(NF.Square(yPred - y)));
            Mae.UpdateState(y, yPred);
            return GetMetricsResult();
        }

        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [LossTracker, Mae];
    }

    // Two losses and two optimizers, the last batch's values as logs (the GAN example's shape).
    private sealed class TwoLossModel(KerasTensor inputs, KerasTensor outputs, Optimizers.Optimizer second, bool record) : Model(inputs, outputs)
    {
        public float LastB; // read on the host at each step (only when running eagerly: a read would stop the replay)

        protected override StepLogs TrainStep(StepData data)
        {
            var (x, y) = data;
            var first = TrainableVariables.Take(2).ToList();   // the first Dense's kernel and bias
            var rest = TrainableVariables.Skip(2).ToList();
            Tensor a, b;
            Tensor[] ga, gb;
            using (var tape = new GradientTape())
            {
                a = NF.ReduceMean(NF.Square(Call(x, training: true) - y));
                ga = tape.Gradient(a, first);
            }
            Optimizer!.ApplyGradients(ga, first);
            using (var tape = new GradientTape())
            {
                b = NF.ReduceMean(NF.Abs(Call(x, training: true) - y));
                gb = tape.Gradient(b, rest);
            }
            second.ApplyGradients(gb, rest);
            if (record) LastB = b.ToArray<float>()[0];
            return new Dictionary<string, Tensor> { ["a_loss"] = a, ["b_loss"] = b };
        }
    }

    private static (Tensor X, Tensor Y) Data(int n = 96)
    {
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([n, 4]);
        var y = NF.ReduceSum(x * NF.Constant(new[] { 0.5f, -1f, 2f, 0.25f }), axis: 1, keepDims: true) + 0.3f;
        return (x, y);
    }

    // The same weights at every call: the global seed is set before the layers build (they build here, on the symbolic call).
    private static (KerasTensor In, KerasTensor Out) Graph()
    {
        NF.Random.SetSeed(7);
        var input = Layers.Input([4]);
        var hidden = new Layers.Dense(8, activation: "tanh").Call(input);
        return (input, new Layers.Dense(1).Call(hidden));
    }

    // A standard model and a subclass of the same weights, compiled alike (MSE, "mae"), trained alike.
    private static (Model Standard, T Custom, History Expected, History Actual) Twins<T>(Func<KerasTensor, KerasTensor, T> make,
        Func<Optimizers.Optimizer> optimizer, Tensor x, Tensor y, int batchSize, int epochs) where T : Model
    {
        var (i1, o1) = Graph();
        var standard = new Model(i1, o1);
        var (i2, o2) = Graph();
        var custom = make(i2, o2);
        foreach (var m in new Model[] { standard, custom })
            m.Compile(optimizer(), new Losses.MeanSquaredError(), metrics: ["mae"]);
        var expected = standard.Fit(x, y, batchSize: batchSize, epochs: epochs, verbose: 0, shuffle: false);
        return (standard, custom, expected, custom.Fit(x, y, batchSize: batchSize, epochs: epochs, verbose: 0, shuffle: false));
    }

    [SkippableFact]
    public void The_guides_train_step_trains_exactly_as_the_standard_step_and_replays()
    {
        RequireBackend();
        var (x, y) = Data();
        var (standard, custom, expected, actual) = Twins((i, o) => new GuideModel(i, o), () => new Optimizers.SGD(0.05f), x, y, 16, 3);
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var key in expected.Keys)
            for (int e = 0; e < 3; e++)
                Assert.Equal(expected[key][e], actual[key][e], 5);
        // 18 steps: the override ran as C# once to build and once to trace; the rest were replays.
        Assert.InRange(custom.Traces, 1, 3);
        Assert.NotNull(custom.TrainFunction);
        Assert.Empty(custom.TrainFunction!.Warnings);
        Assert.Equal(standard.Predict(x).ToArray<float>(), custom.Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void A_lower_level_step_with_its_own_trackers_resets_them_each_epoch_and_evaluates_with_its_test_step()
    {
        RequireBackend();
        var (x, y) = Data();
        var (i1, o1) = Graph();
        var model = new LowLevelModel(i1, o1);
        model.Compile(new Optimizers.SGD(0.05f));
        var history = model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0, shuffle: false, validationData: (x, y));
        Assert.Equal(["loss", "mae", "val_loss", "val_mae"], history.Keys.OrderBy(k => k, StringComparer.Ordinal));

        // The same training by hand: each epoch's loss is the mean of that epoch's three batch losses.
        var (i2, o2) = Graph();
        var twin = new Model(i2, o2);
        var sgd = new Optimizers.SGD(0.05f);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            double sum = 0;
            for (int b = 0; b < 3; b++)
            {
                var (xb, yb) = (x[(32 * b)..(32 * b + 32)], y[(32 * b)..(32 * b + 32)]);
                using var tape = new GradientTape();
                var loss = NF.ReduceMean(NF.Square(twin.Call(xb, training: true) - yb));
                sum += loss.ToArray<float>()[0];
                sgd.ApplyGradients(tape.Gradient(loss, twin.TrainableVariables), twin.TrainableVariables);
            }
            Assert.Equal(sum / 3, history["loss"][epoch], 5);
        }
        // Evaluate runs the overridden TestStep, its trackers reset first.
        var evaluation = model.Evaluate(x, y, batchSize: 96);
        var prediction = model.Predict(x);
        Assert.Equal(NF.ReduceMean(NF.Square(prediction - y)).ToArray<float>()[0], evaluation["loss"], 5);
        Assert.Equal(NF.ReduceMean(NF.Abs(prediction - y)).ToArray<float>()[0], evaluation["mae"], 5);
    }

    [SkippableFact]
    public void Tensors_returned_as_logs_are_the_last_batchs_and_a_replay_equals_the_eager_step()
    {
        RequireBackend();
        var (x, y) = Data();
        History Train(bool eager, out TwoLossModel model)
        {
            var (i, o) = Graph();
            model = new TwoLossModel(i, o, new Optimizers.Adam(0.01f), record: eager);
            model.Compile(new Optimizers.SGD(0.05f), runEagerly: eager);
            return model.Fit(x, y, batchSize: 32, epochs: 3, verbose: 0, shuffle: false);
        }
        var replayed = Train(eager: false, out var traced);
        var eager = Train(eager: true, out var plain);
        Assert.NotNull(traced.TrainFunction);
        foreach (var key in new[] { "a_loss", "b_loss" })
            Assert.Equal(eager[key], replayed[key]);
        Assert.Equal(plain.Predict(x).ToArray<float>(), traced.Predict(x).ToArray<float>());
        // The logged value is the epoch's last batch's, as Keras logs a returned tensor.
        Assert.Equal(plain.LastB, eager["b_loss"][2]);
        Assert.Empty(traced.TrainFunction!.Warnings);
        Assert.True(eager["a_loss"][2] < eager["a_loss"][0], "training lowered the first loss");
    }

    [SkippableFact]
    public void Without_a_loss_or_an_override_fit_says_what_is_missing()
    {
        RequireBackend();
        var (x, y) = Data(8);
        var (i, o) = Graph();
        var model = new Model(i, o);
        model.Compile(new Optimizers.SGD(0.05f));
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, verbose: 0));
        Assert.Contains("without a loss", e.Message);
        Assert.Throws<InvalidOperationException>(() => model.Evaluate(x, y));
        // An override that returns nothing is named.
        var (i2, o2) = Graph();
        var nulls = new NullLogsModel(i2, o2);
        nulls.Compile(new Optimizers.SGD(0.05f));
        var n = Assert.Throws<InvalidOperationException>(() => nulls.Fit(x, y, verbose: 0));
        Assert.Contains("returned null", n.Message);
    }

    // Keras' predict_step override: class ids and the probabilities, per batch.
    private sealed class ClassIdModel(KerasTensor inputs, KerasTensor outputs) : Model(inputs, outputs)
    {
        protected override IReadOnlyList<Tensor> PredictStep(StepData data)
        {
            var probabilities = NF.Softmax(Call(data.X));
            return [NF.ArgMax(probabilities, axis: 1), probabilities];
        }
    }

    [SkippableFact]
    public void An_overridden_predict_step_gives_predict_its_tensors_batch_by_batch()
    {
        RequireBackend();
        var (x, _) = Data(40);
        var input = Layers.Input([4]);
        var model = new ClassIdModel(input, new Layers.Dense(3).Call(input));
        var outputs = model.PredictOutputs(x, batchSize: 16);
        Assert.Equal(2, outputs.Count);
        var logits = model.Call(x);
        Assert.Equal(NF.ArgMax(logits, axis: 1).ToArray<long>(), outputs[0].ToArray<long>());
        var expected = NF.Softmax(logits).ToArray<float>();
        var actual = outputs[1].ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
        Assert.Equal([40, 3], outputs[1].Shape.ToArray());
        Assert.NotNull(model.PredictFunction);
    }

    private sealed class NullLogsModel(KerasTensor inputs, KerasTensor outputs) : Model(inputs, outputs)
    {
        protected override StepLogs TrainStep(StepData data) => null!;
    }

    [SkippableFact]
    public void The_base_steps_are_keras_default_steps_for_overrides_that_extend_them()
    {
        RequireBackend();
        var (x, y) = Data();
        var (standard, extended, expected, actual) = Twins((i, o) => new CountingModel(i, o), () => new Optimizers.Adam(0.01f), x, y, 32, 2);
        Assert.Equal(expected["loss"][1], actual["loss"][1], 5);
        Assert.Equal(expected["mae"][1], actual["mae"][1], 5);
        Assert.Equal(3, actual["batches"][1]); // 3 batches per epoch, the counter reset by Fit each epoch
        Assert.Equal(standard.Evaluate(x, y)["loss"], extended.Evaluate(x, y)["loss"], 5);
    }

    private sealed class CountingModel(KerasTensor inputs, KerasTensor outputs) : Model(inputs, outputs)
    {
        private readonly Metrics.Sum _batches = new("batches");

        protected override StepLogs TrainStep(StepData data)
        {
            _batches.UpdateState(NF.Constant(1f));
            return base.TrainStep(data).Add("batches", _batches);
        }

        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [.. base.TrackedMetrics, _batches];
    }
}

public sealed class ManagedCustomTrainStepTests() : CustomTrainStepTests("managed");

public sealed class NativeCpuCustomTrainStepTests() : CustomTrainStepTests("cpu");

public sealed class CudaCustomTrainStepTests() : CustomTrainStepTests("cuda");
