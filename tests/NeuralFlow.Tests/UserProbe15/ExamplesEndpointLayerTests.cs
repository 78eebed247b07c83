using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Endpoint layer pattern" in C#: a layer that receives the targets and sample weights
/// as inputs adds its loss (<c>AddLoss</c>) and updates its own metric; the model compiles with an
/// optimizer alone and fits on a dictionary of its named inputs, without targets. Keras 3 reports
/// the layer's metric with the loss (its <c>model.metrics</c> takes its layers' metrics); the loss is
/// BinaryCrossentropy(from_logits) weighted by the sample weights and divided by the batch size.
/// </summary>
public abstract class ExamplesEndpointLayerTests(string backend) : BackendTest(backend)
{
    private static Dictionary<string, Tensor> Data(int count, int features)
    {
        // np.random.random stand-ins: inputs, soft targets in [0, 1) and positive sample weights.
        return new()
        {
            ["inputs"] = NF.Random.Uniform([count, features]),
            ["targets"] = NF.Random.Uniform([count, 1]),
            ["sample_weight"] = NF.Random.Uniform([count, 1]),
        };
    }

    private static Model TrainingModel(int features, out Layers.Dense dense, out LogisticEndpoint endpoint)
    {
        var inputs = Layers.Input([features], name: "inputs");
        dense = new Layers.Dense(1);
        var logits = dense.Call(inputs);
        var targets = Layers.Input([1], name: "targets");
        var sampleWeight = Layers.Input([1], name: "sample_weight");
        endpoint = new LogisticEndpoint();
        var preds = endpoint.Call([logits, targets, sampleWeight]);
        return new Model([inputs, targets, sampleWeight], preds);
    }

    [SkippableFact]
    public void Functional_endpoint_fits_on_its_inputs_alone_and_reports_its_metric()
    {
        RequireBackend();
        NF.Random.SetSeed(152);
        int features = 24, count = BackendName == "cuda" ? 32 : 64;
        var data = Data(count, features);
        var model = TrainingModel(features, out _, out _);
        model.Compile(new Optimizers.Adam(1e-2f));
        var history = model.Fit(data, epochs: 3, batchSize: 16, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        Assert.All(history["accuracy"], a => Assert.InRange(a, 0f, 1f));

        // The example's inference-only model: the same weights, no targets.
        var inputs = Layers.Input([features], name: "inputs");
        var preds = new LogisticEndpoint().Call([new Layers.Dense(1).Call(inputs)]);
        var inferenceModel = new Model(inputs, preds);
        inferenceModel.SetWeights(model.GetWeights());
        var predicted = inferenceModel.Predict(NF.Random.Uniform([10, features]), verbose: 0);
        Assert.Equal(new[] { 10, 1 }, predicted.Shape.ToArray());
        Assert.All(predicted.ToArray<float>(), p => Assert.Equal(1f, p));   // softmax over one logit
    }

    [SkippableFact]
    public void Added_loss_and_metric_are_the_keras_formulas()
    {
        RequireBackend();
        NF.Random.SetSeed(153);
        int features = 5, count = 8;
        var data = Data(count, features);
        var model = TrainingModel(features, out var dense, out var endpoint);
        model.Compile(new Optimizers.Adam(1e-3f));
        var score = model.Evaluate(data, batchSize: count, verbose: 0);
        var logits = dense.Call(data["inputs"]).ToArray<float>();
        var y = data["targets"].ToArray<float>();
        var w = data["sample_weight"].ToArray<float>();
        double loss = 0, correct = 0, weights = 0;
        for (int i = 0; i < count; i++)
        {
            // Keras' from_logits BCE: max(z, 0) - z y + log(1 + exp(-|z|)); sum_over_batch_size divides by the count.
            double z = logits[i];
            loss += w[i] * (Math.Max(z, 0) - z * y[i] + Math.Log(1 + Math.Exp(-Math.Abs(z))));
            // BinaryAccuracy: y_true == (y_pred > 0.5), weighted mean.
            correct += w[i] * (y[i] == (z > 0.5 ? 1 : 0) ? 1 : 0);
            weights += w[i];
        }
        Assert.Equal(loss / count, score[0], 5);
        Assert.Equal(correct / weights, score["accuracy"], 5);
        Assert.Equal(correct / weights, endpoint.AccuracyMetric.Result(), 5);
    }

    [SkippableFact]
    public void Binary_accuracy_compares_soft_labels_as_keras()
    {
        RequireBackend();
        // Keras' binary_accuracy: equal(y_true, cast(y_pred > 0.5)); 0.9 and 0.2 match neither 1 nor 0.
        var yTrue = NF.Constant(new[] { 0.9f, 1f, 0f, 0.2f });
        var yPred = NF.Constant(new[] { 0.8f, 0.6f, 0.1f, 0.3f });
        Assert.Equal(0.5, new Metrics.BinaryAccuracy().Call(yTrue, yPred), 6);
    }

    [SkippableFact]
    public void Subclassed_logreg_trains_on_the_endpoint_loss()
    {
        RequireBackend();
        NF.Random.SetSeed(154);
        int features = 24, count = BackendName == "cuda" ? 32 : 64;
        var data = Data(count, features);
        var model = new LogReg();
        model.Compile(new Optimizers.Adam(1e-2f));
        var history = model.Fit((data["inputs"], data["targets"], data["sample_weight"]), epochs: 3, batchSize: 16, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
    }

    [SkippableFact]
    public void Subclassed_model_gets_a_tuple_of_inputs_whole_in_fit_and_evaluate()
    {
        RequireBackend();
        NF.Random.SetSeed(155);
        var (a, b) = (NF.Random.Normal([12, 3]), NF.Random.Normal([12, 2]));
        var y = NF.Random.Normal([12, 1]);
        var model = new TwoInputRegressor();
        model.Compile(new Optimizers.SGD(0.05f), new Losses.MeanSquaredError());
        // Evaluate((a, b), y) is the MSE of the model's predictions on [a, b]: b is an input, not the targets.
        var predicted = model.Predict((a, b), verbose: 0).ToArray<float>();
        var targets = y.ToArray<float>();
        double mse = predicted.Select((p, i) => (double)(p - targets[i]) * (p - targets[i])).Average();
        Assert.Equal(mse, model.Evaluate((a, b), y, batchSize: 12, verbose: 0)[0], 4);
        var history = model.Fit((a, b), y, batchSize: 4, epochs: 3, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        Assert.Equal(2, model.SeenInputs);
    }

    // A subclassed model of two inputs: Dense over their concatenation.
    private sealed class TwoInputRegressor : Model
    {
        private readonly Layers.Dense _dense = new(1);
        public int SeenInputs { get; private set; }

        public override Tensor Call(IReadOnlyList<Tensor> inputs)
        {
            SeenInputs = inputs.Count;
            return _dense.Call(NF.Concat([inputs[0], inputs[1]], axis: -1));
        }
    }
}

/// <summary>The endpoint layer example on the managed backend.</summary>
public sealed class ManagedExamplesEndpointLayerTests() : ExamplesEndpointLayerTests("managed");

/// <summary>The endpoint layer example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesEndpointLayerTests() : ExamplesEndpointLayerTests("cpu");

/// <summary>The endpoint layer example on CUDA.</summary>
public sealed class CudaExamplesEndpointLayerTests() : ExamplesEndpointLayerTests("cuda");
