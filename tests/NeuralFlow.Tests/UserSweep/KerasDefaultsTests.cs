using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Keras defaults as a reader of the workshop relies on them the day after: the optimizers'
/// default hyper-parameters (Adam's epsilon 1e-7, Adagrad's initial accumulator 0.1, ...) through
/// three steps of Keras' own update formulas; Fit of a Dense model with a last partial batch
/// (epoch loss and accuracy as Keras' example-weighted means, the metric reset each epoch, sample
/// weights) against PyTorch; Evaluate and Predict with a partial last batch; BatchNormalization's
/// momentum 0.99 and epsilon 1e-3; from_logits and reductions.
/// </summary>
public abstract class KerasDefaultsTests(string backend) : BackendTest(backend)
{
    public static TheoryData<int> OptimizerCases() => new(Enumerable.Range(0, Section("optimizers").Count));

    public static TheoryData<int> FitCases() => new(Enumerable.Range(0, Section("fit").Count));

    private static Optimizers.Optimizer Make(JsonNode c)
    {
        var args = c["args"]!.AsObject();
        double? lr = args["lr"]?.GetValue<double>();
        double? wd = args["weight_decay"]?.GetValue<double>(), clipNorm = args["clipnorm"]?.GetValue<double>(), clipValue = args["clipvalue"]?.GetValue<double>();
        return c["optimizer"]!.GetValue<string>() switch
        {
            // Only what the case sets is passed: the rest are the library's defaults, which the
            // reference writes out as Keras' (learning rate 0.001 / 0.01, epsilon 1e-7, rho 0.9, ...).
            "sgd" => new Optimizers.SGD(lr ?? 0.01, momentum: args["momentum"]?.GetValue<double>() ?? 0, nesterov: args["nesterov"]?.GetValue<bool>() ?? false,
                weightDecay: wd, clipNorm: clipNorm, clipValue: clipValue),
            "adam" => lr is null ? new Optimizers.Adam() : new Optimizers.Adam(lr.Value, amsgrad: args["amsgrad"]?.GetValue<bool>() ?? false, weightDecay: wd),
            "rmsprop" => new Optimizers.RMSprop(lr),
            "adagrad" => new Optimizers.Adagrad(lr),
            "nadam" => new Optimizers.Nadam(lr),
            "adamax" => new Optimizers.Adamax(lr),
            "adadelta" => new Optimizers.Adadelta(lr),
            var name => throw new InvalidDataException(name),
        };
    }

    [SkippableTheory]
    [MemberData(nameof(OptimizerCases))]
    public void Optimizer_defaults_follow_keras_update_formulas(int index)
    {
        RequireBackend();
        var c = Section("optimizers")[index]!;
        var optimizer = Make(c);
        var w = new Variable(NF.Constant(c["w0"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray()));
        var weights = NF.Constant(c["c"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray());
        foreach (var expected in c["trajectory"]!.AsArray())
        {
            using (var tape = new GradientTape())
            {
                var loss = NF.ReduceSum(weights * NF.Square(w));
                optimizer.ApplyGradients([(tape.Gradient(loss, w), w)]);
            }
            AssertValues(expected!.AsArray().Select(Number).ToArray(), Doubles(w), 2e-5, 2e-6, $"{c["optimizer"]} {c["args"]!.ToJsonString()}");
        }
    }

    private static Sequential DenseModel(JsonNode c, string optimizer, double lr, IEnumerable<object>? weightedMetrics = null)
    {
        var model = new Sequential(new Layers.Dense(3));
        model.Compile(optimizer == "sgd" ? new Optimizers.SGD(lr) : new Optimizers.Adam(lr),
            new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], weightedMetrics: weightedMetrics);
        model.Call(NF.Zeros(new Shape(1, 3)));
        model.SetWeights([Tensor(c["w0"]!), Tensor(c["b0"]!)]);
        return model;
    }

    [SkippableTheory]
    [MemberData(nameof(FitCases))]
    public void Fit_with_a_partial_last_batch_matches_pytorch_and_keras_epoch_means(int index)
    {
        RequireBackend();
        var c = Section("fit")[index]!;
        var model = DenseModel(c, c["optimizer"]!.GetValue<string>(), c["lr"]!.GetValue<double>());
        var weight = c["sample_weight"] is { } sw ? Tensor(sw) : null;
        var history = model.Fit(Tensor(c["x"]!), Tensor(c["y"]!), batchSize: 4, epochs: 2, verbose: 0, shuffle: false, sampleWeight: weight);
        string what = $"{c["optimizer"]} case {index}";
        AssertValues(c["loss"]!.AsArray().Select(Number).ToArray(), history["loss"].Select(v => (double)v).ToArray(), 2e-5, 2e-6, what + " loss per epoch");
        AssertValues(c["accuracy"]!.AsArray().Select(Number).ToArray(), history["accuracy"].Select(v => (double)v).ToArray(), 1e-6, 1e-6, what + " accuracy per epoch");
        var trained = model.GetWeights();
        AssertValues(Values(c["w"]!), Doubles(trained[0]), 2e-5, 2e-6, what + " kernel");
        AssertValues(Values(c["b"]!), Doubles(trained[1]), 2e-5, 2e-6, what + " bias");
    }

    [SkippableFact]
    public void Evaluate_and_predict_with_a_partial_last_batch_equal_the_whole_batch()
    {
        RequireBackend();
        var c = Section("fit")[2]!;
        var model = DenseModel(c, "sgd", 0.1);
        var (x, y, w) = (Tensor(c["x"]!), Tensor(c["y"]!), Tensor(c["sample_weight"]!));
        var logits = model.Call(x);
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var accuracy = NF.Cast(NF.Equal(NF.Cast(NF.ArgMax(logits, 1), DType.Int32), y), DType.Float32);
        var all = model.Evaluate(x, y, batchSize: 10);
        foreach (int batch in new[] { 3, 4, 7 })
        {
            var (l, a) = model.Evaluate(x, y, batchSize: batch);
            Assert.Equal(loss.Call(y, logits).Item<float>(), l, 5);
            Assert.Equal(NF.ReduceMean(accuracy).Item<float>(), a, 6);
            Assert.Equal(all.Loss, l, 5);
            Assert.Equal(loss.Call(y, logits, w).Item<float>(), model.Evaluate(x, y, batchSize: batch, sampleWeight: w).Loss, 5);
            var predicted = model.Predict(x, batchSize: batch);
            Assert.Equal(new Shape(10, 3), predicted.Shape);
            AssertValues(Doubles(logits), Doubles(predicted), 1e-6, 1e-6, $"Predict, batch {batch}");
        }
    }

    // Keras (2 and 3, keras/src/trainers/compile_utils.py CompileMetrics.update_state) updates the
    // metrics given as `metrics=` without the sample weights; only `weighted_metrics=` take them.
    // NeuralFlow weighted every compiled metric until Compile gained weightedMetrics.
    [SkippableFact]
    public void Compiled_metrics_ignore_sample_weights_as_keras()
    {
        RequireBackend();
        var c = Section("fit")[2]!;
        var model = DenseModel(c, "sgd", 0.1);
        var (x, y, w) = (Tensor(c["x"]!), Tensor(c["y"]!), Tensor(c["sample_weight"]!));
        var before = model.Evaluate(x, y, batchSize: 4);
        Assert.Equal(before.Values[1].Value, model.Evaluate(x, y, batchSize: 4, sampleWeight: w).Values[1].Value);
        var history = model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false, sampleWeight: w);
        AssertValues(c["accuracy"]!.AsArray().Select(Number).ToArray(), history["accuracy"].Select(v => (double)v).ToArray(), 1e-6, 1e-6, "accuracy per epoch");
    }

    [SkippableFact]
    public void Weighted_metrics_take_the_sample_weights_and_survive_save_and_load()
    {
        RequireBackend();
        var c = Section("fit")[2]!;
        var (x, y, w) = (Tensor(c["x"]!), Tensor(c["y"]!), Tensor(c["sample_weight"]!));
        var model = DenseModel(c, "sgd", 0.1, weightedMetrics: ["accuracy"]);
        var correct = NF.Cast(NF.Equal(NF.Cast(NF.ArgMax(model.Call(x), 1), DType.Int32), y), DType.Float32);
        double plain = NF.ReduceMean(correct).Item<float>();
        double weighted = NF.ReduceSum(correct * w).Item<float>() / NF.ReduceSum(w).Item<float>();
        Assert.NotEqual(plain, weighted, 4); // the fixture's weights change the accuracy
        var logs = model.Evaluate(x, y, batchSize: 4, sampleWeight: w).Values.ToDictionary(v => v.Key, v => (double)v.Value);
        Assert.Equal(plain, logs["accuracy"], 5);
        Assert.Equal(weighted, logs["weighted_accuracy"], 5);
        var history = model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false, sampleWeight: w);
        Assert.Contains("weighted_accuracy", history.Keys);
        string path = Path.Combine(Path.GetTempPath(), $"nf-weighted-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            var again = loaded.Evaluate(x, y, batchSize: 4, sampleWeight: w).Values.ToDictionary(v => v.Key, v => (double)v.Value);
            var now = model.Evaluate(x, y, batchSize: 4, sampleWeight: w).Values.ToDictionary(v => v.Key, v => (double)v.Value);
            Assert.Equal(now.Keys.Order(), again.Keys.Order());
            foreach (var (k, v) in now) Assert.Equal(v, again[k], 6);
        }
        finally { File.Delete(path); }
    }

    [SkippableFact]
    public void Batch_normalization_uses_keras_momentum_epsilon_and_biased_batch_variance()
    {
        RequireBackend();
        var bn = new Layers.BatchNormalization();
        Assert.Equal(0.99, bn.Momentum);
        Assert.Equal(1e-3, bn.Epsilon);
        double[][] batches = [[1, 2, 3, 4, 5, 7], [-2, 0.5, 4, 4, 1, -3, 0, 8]];
        double[] movingMean = [0, 0], movingVar = [1, 1];
        foreach (var data in batches)
        {
            var x = NF.Constant(data.Select(v => (float)v).ToArray(), new Shape(data.Length / 2, 2));
            var y = bn.Call(x, training: true);
            var expected = new double[data.Length];
            for (int ch = 0; ch < 2; ch++)
            {
                var column = data.Where((_, i) => i % 2 == ch).ToArray();
                double mean = column.Average(), variance = column.Select(v => (v - mean) * (v - mean)).Average(); // biased, as Keras
                for (int i = ch; i < data.Length; i += 2) expected[i] = (data[i] - mean) / Math.Sqrt(variance + 1e-3);
                movingMean[ch] = 0.99 * movingMean[ch] + 0.01 * mean;
                movingVar[ch] = 0.99 * movingVar[ch] + 0.01 * variance;
            }
            AssertValues(expected, Doubles(y), 1e-5, 1e-6, "training output");
        }
        var moving = bn.NonTrainableVariables;
        AssertValues(movingMean, Doubles(moving[0]), 1e-6, 1e-7, "moving mean");
        AssertValues(movingVar, Doubles(moving[1]), 1e-6, 1e-7, "moving variance");
        var probe = NF.Constant(new[] { 0.5f, -1f });
        AssertValues([(0.5 - movingMean[0]) / Math.Sqrt(movingVar[0] + 1e-3), (-1 - movingMean[1]) / Math.Sqrt(movingVar[1] + 1e-3)],
            Doubles(bn.Call(NF.Reshape(probe, [1, 2]))), 1e-5, 1e-6, "inference output");
    }

    [SkippableFact]
    public void From_logits_and_probabilities_agree_and_reductions_follow_keras()
    {
        RequireBackend();
        var logits = NF.Constant(new[] { 2.0f, -1f, 0.5f, -3f, 4f, 1f }, new Shape(2, 3));
        var labels = NF.Constant(new[] { 2, 1 });
        var probs = NF.Softmax(logits);
        float fromLogits = new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(labels, logits).Item<float>();
        float fromProbs = new Losses.SparseCategoricalCrossentropy().Call(labels, probs).Item<float>();
        Assert.Equal(fromLogits, fromProbs, 5);
        double l0 = -Math.Log(Math.Exp(0.5) / (Math.Exp(2) + Math.Exp(-1) + Math.Exp(0.5)));
        double l1 = -Math.Log(Math.Exp(4) / (Math.Exp(-3) + Math.Exp(4) + Math.Exp(1)));
        Assert.Equal((l0 + l1) / 2, fromLogits, 5);
        var none = new Losses.SparseCategoricalCrossentropy(fromLogits: true, reduction: "none").Call(labels, logits);
        AssertValues([l0, l1], Doubles(none), 1e-5, 1e-6, "reduction none");
        Assert.Equal(l0 + l1, new Losses.SparseCategoricalCrossentropy(fromLogits: true, reduction: "sum").Call(labels, logits).Item<float>(), 4);
        var bceLogits = new Losses.BinaryCrossentropy(fromLogits: true).Call(NF.Constant(new[] { 1f, 0f }), NF.Constant(new[] { 100f, 100f }));
        Assert.Equal(50f, bceLogits.Item<float>(), 4); // log(1 + e^-100) ~ 0 and 100 + log(1 + e^-100), no overflow
    }

    [SkippableFact]
    public void A_metric_starts_afresh_after_reset_and_between_evaluations()
    {
        RequireBackend();
        var accuracy = new Metrics.SparseCategoricalAccuracy();
        accuracy.UpdateState(NF.Constant(new[] { 1, 0 }), NF.Constant(new[] { 0.1f, 0.9f, 0.8f, 0.2f }, new Shape(2, 2)));
        Assert.Equal(1f, accuracy.Result());
        accuracy.ResetState();
        accuracy.UpdateState(NF.Constant(new[] { 1 }), NF.Constant(new[] { 0.9f, 0.1f }, new Shape(1, 2)));
        Assert.Equal(0f, accuracy.Result());
        var c = Section("fit")[0]!;
        var model = DenseModel(c, "sgd", 0.1);
        var (x, y) = (Tensor(c["x"]!), Tensor(c["y"]!));
        var first = model.Evaluate(x[..6], y[..6], batchSize: 4);
        var second = model.Evaluate(x[6..], y[6..], batchSize: 4);
        var again = model.Evaluate(x[..6], y[..6], batchSize: 4);
        Assert.Equal(first.Loss, again.Loss);
        Assert.Equal(first.Values[1].Value, again.Values[1].Value);
        Assert.NotEqual(first.Loss, second.Loss);
    }

    [SkippableTheory]
    [InlineData("he_normal", 2.0, 400, 0)]
    [InlineData("glorot_normal", 2.0, 400, 500)]
    public void Normal_initializers_are_truncated_at_two_deviations_and_keep_keras_variance(string name, double scale, int fanIn, int fanOut)
    {
        RequireBackend();
        NF.Random.SetSeed(41);
        var kernel = Initializer.Get(name).Create(new Shape(fanIn, 500), fanIn, fanOut);
        double variance = scale / (fanIn + fanOut);                      // Keras' VarianceScaling: fan_in, or fan_avg * 2
        double limit = 2 * Math.Sqrt(variance) / 0.87962566103423978;   // the truncation, in the scaled units
        var values = kernel.ToArray<float>();
        Assert.True(values.Max(v => Math.Abs(v)) <= limit * (1 + 1e-6), $"{name}: a value beyond two deviations ({values.Max(v => Math.Abs(v))} > {limit})");
        double mean = values.Average(v => (double)v), std = Math.Sqrt(values.Average(v => (double)v * v) - mean * mean);
        Assert.InRange(std / Math.Sqrt(variance), 0.98, 1.02);
        Assert.InRange(mean, -0.01 * Math.Sqrt(variance), 0.01 * Math.Sqrt(variance));
        var plain = NF.Random.TruncatedNormal(new Shape(100000), 3, 0.5).ToArray<float>();
        Assert.InRange(plain.Min(), 2f, 3f);
        Assert.InRange(plain.Max(), 3f, 4f);
        Assert.Equal("truncated_normal", Initializer.Get("truncated_normal").Name);
    }
}

public sealed class ManagedKerasDefaultsTests() : KerasDefaultsTests("managed");

public sealed class NativeCpuKerasDefaultsTests() : KerasDefaultsTests("cpu");

public sealed class CudaKerasDefaultsTests() : KerasDefaultsTests("cuda");
