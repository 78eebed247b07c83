using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Training &amp; evaluation with the built-in methods" guide in C#: a loss and a metric
/// given as plain functions (<c>compile(loss=custom_mean_squared_error)</c>), a Loss subclass with
/// a regularization factor, a Metric subclass counting true positives, a layer's add_loss joining the
/// reported loss, class weights equal to the sample weights they stand for, and a two-output model
/// with one output left without a loss. Expected values follow the guide's formulas, computed here
/// from the model's own predictions.
/// </summary>
public abstract class GuidesTrainingBuiltInTests(string backend) : BackendTest(backend)
{
    private const int N = 48, Features = 20, Classes = 10;

    // The guide's MNIST stand-in: N examples of Features values in [0, 1), labels 0..9.
    private static (Tensor X, Tensor Y) Data(int seed)
    {
        var rng = new Random(seed);
        var x = NF.Constant(Enumerable.Range(0, N * Features).Select(_ => (float)rng.NextDouble()).ToArray(), [N, Features]);
        var y = NF.Constant(Enumerable.Range(0, N).Select(i => i % Classes).ToArray(), [N]);
        return (x, y);
    }

    // get_uncompiled_model: digits -> 64 relu -> 64 relu -> 10 softmax (smaller here).
    private static Model UncompiledModel(string? activation = "softmax")
    {
        var inputs = Layers.Input([Features], name: "digits");
        var x = new Layers.Dense(16, activation: "relu", name: "dense_1").Call(inputs);
        x = new Layers.Dense(16, activation: "relu", name: "dense_2").Call(x);
        return new Model(inputs, new Layers.Dense(Classes, activation: activation, name: "predictions").Call(x));
    }

    private static Tensor CustomMeanSquaredError(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Square(yTrue - yPred), axis: -1);

    [SkippableFact]
    public void A_function_is_a_loss_and_a_metric()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var (x, labels) = Data(1);
        var yOneHot = NF.OneHot(labels, Classes);
        var model = UncompiledModel();
        model.Compile(new Optimizers.Adam(), CustomMeanSquaredError, metrics: [(Func<Tensor, Tensor, Tensor>)CustomMeanSquaredError]);
        var history = model.Fit(x, yOneHot, batchSize: 16, epochs: 2, verbose: 0);
        Assert.Equal(["loss", nameof(CustomMeanSquaredError)], history.Keys);
        Assert.True(history["loss"][1] < history["loss"][0]);
        // One batch: the loss and the metric are both the mean of the per-example mean squared errors.
        var p = model.Predict(x).ToArray<float>();
        var t = yOneHot.ToArray<float>();
        double expected = Enumerable.Range(0, N).Average(i => Enumerable.Range(0, Classes).Average(j => Math.Pow(t[i * Classes + j] - p[i * Classes + j], 2)));
        var result = model.Evaluate(x, yOneHot, batchSize: N);
        Assert.Equal(expected, result[0], 5);
        Assert.Equal(expected, result[nameof(CustomMeanSquaredError)], 5);
        // A whole-model file names the function, as Keras saves it; loading takes it from custom_objects.
        var path = Path.Combine(Path.GetTempPath(), $"nf-guide-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path, new CustomObjects { { nameof(CustomMeanSquaredError), CustomMeanSquaredError } });
            Assert.Equal(result[nameof(CustomMeanSquaredError)], loaded.Evaluate(x, yOneHot, batchSize: N)[nameof(CustomMeanSquaredError)], 5);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The guide's CustomMSE: mean squared error plus a factor times the mean of (0.5 - y_pred)^2.
    private sealed class CustomMse(float regularizationFactor = 0.1f) : Losses.Loss
    {
        public override string Name => "custom_mse";

        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred)
        {
            var mse = NF.ReduceMean(NF.Square(yTrue - yPred), axis: -1);
            var reg = NF.ReduceMean(NF.Square(0.5f - yPred), axis: -1);
            return mse + regularizationFactor * reg;
        }
    }

    [SkippableFact]
    public void A_loss_subclass_adds_its_regularization_term()
    {
        RequireBackend();
        NF.Random.SetSeed(22);
        var (x, labels) = Data(2);
        var yOneHot = NF.OneHot(labels, Classes);
        var model = UncompiledModel();
        model.Compile(new Optimizers.Adam(), new CustomMse());
        model.Fit(x, yOneHot, batchSize: 16, epochs: 1, verbose: 0);
        var p = model.Predict(x).ToArray<float>();
        var t = yOneHot.ToArray<float>();
        double expected = Enumerable.Range(0, N).Average(i =>
            Enumerable.Range(0, Classes).Average(j => Math.Pow(t[i * Classes + j] - p[i * Classes + j], 2))
            + 0.1 * Enumerable.Range(0, Classes).Average(j => Math.Pow(0.5 - p[i * Classes + j], 2)));
        Assert.Equal(expected, model.Evaluate(x, yOneHot, batchSize: N)[0], 5);
    }

    // The guide's CategoricalTruePositives: how many examples the argmax classifies right.
    private sealed class CategoricalTruePositives() : Metrics.PredictionMetric("categorical_true_positives")
    {
        private readonly Variable _truePositives = new(0f, trainable: false, name: "ctp");

        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            var predicted = NF.Reshape(NF.ArgMax(yPred, axis: 1), [-1, 1]);
            var values = NF.Cast(NF.Equal(NF.Cast(NF.Reshape(yTrue, [-1, 1]), DType.Int32), NF.Cast(predicted, DType.Int32)), DType.Float32);
            if (sampleWeight is not null) values *= NF.Reshape(NF.Cast(sampleWeight, DType.Float32), [-1, 1]);
            _truePositives.AssignAdd(NF.ReduceSum(values));
        }

        public override float Result() => _truePositives.Item<float>();

        public override void ResetState() => _truePositives.Assign(NF.Constant(0f));
    }

    [SkippableFact]
    public void A_metric_subclass_counts_the_true_positives_of_each_epoch()
    {
        RequireBackend();
        NF.Random.SetSeed(23);
        var (x, labels) = Data(3);
        var model = UncompiledModel();
        model.Compile(new Optimizers.RMSprop(1e-3f), new Losses.SparseCategoricalCrossentropy(), metrics: [new CategoricalTruePositives()]);
        var history = model.Fit(x, labels, batchSize: 16, epochs: 3, verbose: 0);
        Assert.Equal(["loss", "categorical_true_positives"], history.Keys);
        // Reset each epoch: never more than the N examples of one epoch.
        Assert.All(history["categorical_true_positives"], v => Assert.InRange(v, 0, N));
        var predicted = NF.Cast(NF.ArgMax(model.Predict(x), axis: 1), DType.Int32).ToArray<int>();
        var truth = labels.ToArray<int>();
        int hits = Enumerable.Range(0, N).Count(i => predicted[i] == truth[i]);
        Assert.Equal(hits, model.Evaluate(x, labels, batchSize: 16)["categorical_true_positives"]);
    }

    // The guide's ActivityRegularizationLayer: a pass-through that adds 0.1 * sum(inputs) to the loss.
    private sealed class ActivityRegularizationLayer : Layer
    {
        protected override Tensor Forward(Tensor inputs)
        {
            AddLoss(NF.ReduceSum(inputs) * 0.1f);
            return inputs;
        }
    }

    [SkippableFact]
    public void A_layers_added_loss_joins_the_reported_loss()
    {
        RequireBackend();
        NF.Random.SetSeed(24);
        var (x, labels) = Data(4);
        var inputs = Layers.Input([Features], name: "digits");
        var hidden = new Layers.Dense(16, activation: "relu", name: "dense_1").Call(inputs);
        var h = new ActivityRegularizationLayer().Call(hidden);
        h = new Layers.Dense(16, activation: "relu", name: "dense_2").Call(h);
        var model = new Model(inputs, new Layers.Dense(Classes, name: "predictions").Call(h));
        var crossentropy = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        model.Compile(new Optimizers.RMSprop(1e-3f), crossentropy);
        model.Fit(x, labels, batchSize: 16, epochs: 1, verbose: 0);
        var activations = new Model(inputs, hidden).Predict(x);
        double expected = crossentropy.Call(labels, model.Predict(x)).Item<float>() + 0.1 * NF.ReduceSum(activations).Item<float>();
        Assert.Equal(expected, model.Evaluate(x, labels, batchSize: N)[0], 3);
    }

    [SkippableFact]
    public void Class_weights_train_as_the_sample_weights_they_stand_for()
    {
        RequireBackend();
        NF.Random.SetSeed(25);
        var (x, labels) = Data(5);
        var a = UncompiledModel();
        var b = UncompiledModel();
        b.SetWeights(a.GetWeights());
        var classWeight = Enumerable.Range(0, Classes).ToDictionary(c => c, c => c == 5 ? 2.0 : 1.0);
        var sampleWeight = NF.Constant(labels.ToArray<int>().Select(l => l == 5 ? 2f : 1f).ToArray());
        foreach (var m in new[] { a, b }) m.Compile(new Optimizers.RMSprop(1e-3f), new Losses.SparseCategoricalCrossentropy(), metrics: ["sparse_categorical_accuracy"]);
        var ha = a.Fit(x, labels, batchSize: 16, epochs: 2, shuffle: false, classWeight: classWeight, verbose: 0);
        var hb = b.Fit(x, labels, batchSize: 16, epochs: 2, shuffle: false, sampleWeight: sampleWeight, verbose: 0);
        Assert.Equal(hb["loss"], ha["loss"]);
        for (int i = 0; i < a.Variables.Count; i++) Assert.Equal(b.Variables[i].ToArray<float>(), a.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void An_output_without_a_loss_trains_the_other_alone()
    {
        RequireBackend();
        NF.Random.SetSeed(26);
        var imageInput = Layers.Input([8, 8, 3], name: "img_input");
        var timeseriesInput = Layers.Input(new int?[] { null, 10 }, name: "ts_input");
        var x1 = new Layers.GlobalMaxPooling2D().Call(new Layers.Conv2D(3, 3).Call(imageInput));
        var x2 = new Layers.GlobalMaxPooling1D().Call(new Layers.Conv1D(3, 3).Call(timeseriesInput));
        var x = new Layers.Concatenate().Call([x1, x2]);
        var scoreOutput = new Layers.Dense(1, name: "score_output").Call(x);
        var classOutput = new Layers.Dense(5, name: "class_output").Call(x);
        var model = new Model([imageInput, timeseriesInput], [scoreOutput, classOutput]);

        var imgData = NF.Random.Uniform([12, 8, 8, 3]);
        var tsData = NF.Random.Uniform([12, 6, 10]);
        var scoreTargets = NF.Random.Uniform([12, 1]);
        var classTargets = NF.Random.Uniform([12, 5]);
        var crossentropy = new Losses.CategoricalCrossentropy();
        model.Compile(new Optimizers.RMSprop(1e-3f), new Losses.Loss?[] { null, crossentropy }!, metrics: new object[] { Array.Empty<object>(), new object[] { new Metrics.CategoricalAccuracy() } });
        var history = model.Fit(new[] { imgData, tsData }, new[] { scoreTargets, classTargets }, batchSize: 12, epochs: 1, verbose: 0);
        Assert.DoesNotContain("score_output_loss", history.Keys);
        Assert.Contains("class_output_categorical_accuracy", history.Keys);
        var result = model.Evaluate(new[] { imgData, tsData }, new[] { scoreTargets, classTargets }, batchSize: 12);
        var predicted = model.CallOutputs([imgData, tsData]);
        Assert.Equal(crossentropy.Call(classTargets, predicted[1]).Item<float>(), result[0], 5);
    }
}

/// <summary>The built-in training guide on the managed backend.</summary>
public sealed class ManagedGuidesTrainingBuiltInTests() : GuidesTrainingBuiltInTests("managed");

/// <summary>The built-in training guide on the native CPU backend.</summary>
public sealed class NativeCpuGuidesTrainingBuiltInTests() : GuidesTrainingBuiltInTests("cpu");

/// <summary>The built-in training guide on CUDA.</summary>
public sealed class CudaGuidesTrainingBuiltInTests() : GuidesTrainingBuiltInTests("cuda");
