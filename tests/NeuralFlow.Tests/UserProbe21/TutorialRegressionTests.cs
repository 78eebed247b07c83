using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// TensorFlow's "Basic regression: Predict fuel efficiency" tutorial (site/en/tutorials/keras/regression.ipynb) cell by
/// cell on a small synthetic stand-in for Auto MPG (9 features after the one-hot Origin columns): Normalization adapted
/// per feature and on Horsepower alone (axis=None), the one-feature linear model fitted on a 1-D column with
/// validation_split, the linear and DNN models, model.evaluate(verbose=0) into a results table, predictions on
/// tf.linspace, and the reloaded .keras model's evaluation.
/// </summary>
public abstract class TutorialRegressionTests(string backend) : BackendFileTest(backend)
{
    private const int Features = 9, HorsepowerColumn = 2;

    // Cylinders, Displacement, Horsepower, Weight, Acceleration, Model Year, Europe, Japan, USA; MPG from horsepower and weight.
    private static (Tensor X, Tensor Y) AutoMpg(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows, Features];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            int cylinders = 4 + 2 * random.Next(3), origin = random.Next(3);
            double hp = 50 + 20 * cylinders + 30 * random.NextDouble(), weight = 1500 + 300 * cylinders + 500 * random.NextDouble();
            float[] row = [cylinders, (float)(40 * cylinders + 20 * random.NextDouble()), (float)hp, (float)weight,
                           (float)(12 + 10 * random.NextDouble()), 70 + random.Next(13), origin == 1 ? 1 : 0, origin == 2 ? 1 : 0, origin == 0 ? 1 : 0];
            for (int f = 0; f < Features; f++) x[r, f] = row[f];
            y[r] = (float)(60 - 0.08 * hp - 0.006 * weight + 2 * random.NextDouble());
        }
        return (NF.Constant(x), NF.Constant(y));
    }

    private static Sequential BuildAndCompileModel(Layer norm)
    {
        var model = new Sequential(norm, new Layers.Dense(64, activation: "relu"), new Layers.Dense(64, activation: "relu"), new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(0.001), "mean_absolute_error");
        return model;
    }

    [SkippableFact]
    public void Normalization_linear_and_dnn_models_fill_the_test_results_table()
    {
        RequireBackend();
        NF.Random.SetSeed(2151);
        var (trainFeatures, trainLabels) = AutoMpg(160, 1);
        var (testFeatures, testLabels) = AutoMpg(40, 2);

        var normalizer = new Layers.Normalization(axis: -1);
        normalizer.Adapt(trainFeatures);
        var columns = Enumerable.Range(0, Features).Select(f => trainFeatures[.., f].ToArray<float>()).ToArray();
        var means = columns.Select(c => c.Average(v => (double)v)).ToArray();
        var variances = columns.Select((c, f) => c.Average(v => (v - means[f]) * (v - means[f]))).ToArray();   // population, as adapt
        var adaptedMean = normalizer.Mean!.ToArray<float>();
        for (int f = 0; f < Features; f++) Assert.Equal(means[f], adaptedMean[f], means[f] * 1e-5 + 1e-4);
        var first = trainFeatures[..1];
        var normalized = normalizer.Call(first).ToArray<float>();
        for (int f = 0; f < Features; f++)
            Assert.Equal((first.ToArray<float>()[f] - means[f]) / Math.Sqrt(variances[f]), normalized[f], 3);

        // The one-feature model: a Normalization of one mean (axis=None) and a Dense(1), on the 1-D Horsepower column.
        var horsepower = trainFeatures[.., HorsepowerColumn];
        Assert.Equal(new[] { 160 }, horsepower.Shape.ToArray());
        var horsepowerNormalizer = new Layers.Normalization(axis: []);
        horsepowerNormalizer.Adapt(horsepower);
        // Adapted on the 1-D column, it normalizes (batch, 1) inputs too: one mean and variance broadcast to any shape.
        var hp = horsepower.ToArray<float>();
        double hpMean = hp.Average(v => (double)v), hpStd = Math.Sqrt(hp.Average(v => (v - hpMean) * (v - hpMean)));
        var scaled = horsepowerNormalizer.Call(NF.Reshape(horsepower[..3], [3, 1]));
        Assert.Equal(new[] { 3, 1 }, scaled.Shape.ToArray());
        for (int k = 0; k < 3; k++) Assert.Equal((hp[k] - hpMean) / hpStd, scaled.ToArray<float>()[k], 4);
        var horsepowerModel = new Sequential(Layers.Input([1]), horsepowerNormalizer, new Layers.Dense(units: 1));
        Assert.Equal(new[] { 10, 1 }, horsepowerModel.Predict(horsepower[..10]).Shape.ToArray());
        horsepowerModel.Compile(new Optimizers.Adam(learningRate: 0.1), "mean_absolute_error");
        var history = horsepowerModel.Fit(horsepower, trainLabels, epochs: 60, verbose: 0, validationSplit: 0.2);
        Assert.Equal(new[] { "loss", "val_loss" }, history.Keys);
        Assert.True(history["loss"][^1] < history["loss"][0] / 3, string.Join(", ", history["loss"]));

        var testResults = new Dictionary<string, float>();
        var testHorsepower = testFeatures[.., HorsepowerColumn];
        testResults["horsepower_model"] = horsepowerModel.Evaluate(testHorsepower, testLabels, verbose: 0).Loss;
        // The evaluated loss is the mean absolute error of the predictions.
        var predicted = horsepowerModel.Predict(testHorsepower).ToArray<float>();
        var labels = testLabels.ToArray<float>();
        Assert.Equal(predicted.Zip(labels, (p, t) => Math.Abs(p - t)).Average(), testResults["horsepower_model"], 3);
        var x = NF.Linspace(0.0, 250, 251);
        Assert.Equal(new[] { 251, 1 }, horsepowerModel.Predict(x).Shape.ToArray());

        var linearModel = new Sequential(normalizer, new Layers.Dense(units: 1));
        Assert.Equal(new[] { 10, 1 }, linearModel.Predict(trainFeatures[..10]).Shape.ToArray());
        Assert.Equal(new[] { Features, 1 }, ((Layers.Dense)linearModel.Layers[1]).Kernel!.Shape.ToArray());
        linearModel.Compile(new Optimizers.Adam(learningRate: 0.1), "mean_absolute_error");
        linearModel.Fit(trainFeatures, trainLabels, epochs: 60, verbose: 0, validationSplit: 0.2);
        testResults["linear_model"] = linearModel.Evaluate(testFeatures, testLabels, verbose: 0).Loss;
        // Weight matters too: all the features beat horsepower alone.
        Assert.True(testResults["linear_model"] < testResults["horsepower_model"], string.Join(", ", testResults));

        var dnnModel = BuildAndCompileModel(normalizer);
        dnnModel.Fit(trainFeatures, trainLabels, validationSplit: 0.2, verbose: 0, epochs: 40);
        var summary = new StringWriter();
        dnnModel.Summary(summary);
        // Built by fit (a Sequential without an input shows no counts before, as Keras 3): Normalization's mean, variance and count (9 + 9 + 1) are non-trainable, as Keras counts them.
        string text = summary.ToString().Replace(",", "");
        Assert.Contains("Trainable params: " + (640 + 4160 + 65), text);   // after fit the total also counts Adam's slots (Keras 3's "Optimizer params")
        Assert.Contains("Non-trainable params: 19", text);
        testResults["dnn_model"] = dnnModel.Evaluate(testFeatures, testLabels, verbose: 0).Loss;
        Assert.All(testResults.Values, v => Assert.True(float.IsFinite(v) && v > 0));

        var testPredictions = NF.Reshape(dnnModel.Predict(testFeatures), [-1]);   // .flatten()
        Assert.Equal(new[] { 40 }, testPredictions.Shape.ToArray());
        string path = Temp.File("dnn_model.keras");
        dnnModel.Save(path);
        var reloaded = Model.Load(path);
        testResults["reloaded"] = reloaded.Evaluate(testFeatures, testLabels, verbose: 0).Loss;
        Assert.Equal(testResults["dnn_model"], testResults["reloaded"], 5);
    }
}

/// <summary>The regression tutorial on the managed backend.</summary>
public sealed class ManagedTutorialRegressionTests() : TutorialRegressionTests("managed");

/// <summary>The regression tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialRegressionTests() : TutorialRegressionTests("cpu");

/// <summary>The regression tutorial on CUDA.</summary>
public sealed class CudaTutorialRegressionTests() : TutorialRegressionTests("cuda");
