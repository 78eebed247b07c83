using System.Globalization;
using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe21;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// TensorFlow's "Custom training: walkthrough" (site/en/tutorials/customization/custom_training_walkthrough.ipynb)
/// cell by cell on a penguins-like CSV (species and four measurements scaled to [0, 1], as penguins/processed):
/// make_csv_dataset with a label column, the features packed with tf.stack, the model called on a batch, softmax and
/// argmax of its logits, the loss and grad functions, one SGD step, the manual loop with per-epoch Mean and
/// SparseCategoricalAccuracy, test accuracy with tf.keras.metrics.Accuracy on argmax predictions, and the
/// predictions of new examples printed. The first batch's numbers match PyTorch 1.13 from fixed weights
/// (custom_training_references.py).
/// </summary>
public abstract class TutorialCustomTrainingTests(string backend) : BackendFileTest(backend)
{
    private static readonly string[] ClassNames = ["Adélie", "Chinstrap", "Gentoo"];

    // species = 7i mod 3; feature k = 0.15 + 0.25 species + ((37i + 11k) mod 20) / 100 with 2 decimals (the reference script's rows).
    private static string WriteCsv(string path, int rows, int first = 0)
    {
        var lines = new List<string> { "species,culmen_length_mm,culmen_depth_mm,flipper_length_mm,body_mass_g" };
        for (int i = first; i < first + rows; i++)
        {
            int species = 7 * i % 3;
            var features = Enumerable.Range(0, 4).Select(k => (0.15 + 0.25 * species + (37 * i + 11 * k) % 20 / 100.0).ToString("F2", CultureInfo.InvariantCulture));
            lines.Add(species + "," + string.Join(",", features));
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    // pack_features_vector: the feature columns stacked into one (batch, 4) tensor.
    private static (Tensor Features, Tensor Labels) PackFeaturesVector(CsvElement batch) =>
        (NF.Stack(batch.Features.Values.ToArray(), axis: 1), batch.Label!);

    private static Sequential CreateModel() => new(
        new Layers.Dense(10, activation: "relu") { InputShape = [4] },   // tf.keras.layers.Dense(10, activation=tf.nn.relu, input_shape=(4,))
        new Layers.Dense(10, activation: "relu"),
        new Layers.Dense(3));

    private static readonly Losses.SparseCategoricalCrossentropy LossObject = new(fromLogits: true);

    private static Tensor Loss(Model model, Tensor x, Tensor y, bool training) => LossObject.Call(y, model.Call(x, training));

    private static (Tensor LossValue, Tensor[] Grads) Grad(Model model, Tensor inputs, Tensor targets)
    {
        using var tape = new GradientTape();
        var lossValue = Loss(model, inputs, targets, training: true);
        return (lossValue, tape.Gradient(lossValue, model.TrainableVariables));
    }

    [SkippableFact]
    public void The_first_batch_loss_gradient_step_and_predictions_match_pytorch()
    {
        RequireBackend();
        string trainPath = WriteCsv(Temp.File("penguins_train.csv"), 40);
        var trainDataset = Csv.MakeCsvDataset(trainPath, batchSize: 32, labelName: "species", numEpochs: 1, shuffle: false);
        var (features, labels) = PackFeaturesVector(trainDataset.First());
        Assert.Equal(new[] { 32, 4 }, features.Shape.ToArray());
        Assert.Equal(DType.Float32, features.DType);
        Assert.Equal(DType.Int32, labels.DType);   // the CSV's species column: integers, inferred as TF infers them
        Assert.Equal(new[] { 0.15f, 0.26f, 0.17f, 0.28f }, features[0].ToArray<float>());

        var model = CreateModel();
        SineWeights.Write(model.Layers);
        var predictions = model.Call(features);
        double[] first = [-0.029071258590874383, -0.014673873132662298, 0.0017095522158048861];
        for (int k = 0; k < 3; k++) Assert.Equal(first[k], predictions[0].ToArray<float>()[k], 1e-6);
        double[] softmax = [0.32832517437501096, 0.3330863907562062, 0.3385884348687828];
        var probabilities = NF.Softmax(predictions[..5]);
        for (int k = 0; k < 3; k++) Assert.Equal(softmax[k], probabilities[0].ToArray<float>()[k], 1e-6);
        Assert.All(NF.ArgMax(predictions, axis: 1).ToArray<long>(), c => Assert.Equal(2, c));

        var l = Loss(model, features, labels, training: false);
        Assert.Equal(1.0991783845416665, l.Item<float>(), 2e-6);
        var optimizer = new Optimizers.SGD(learningRate: 0.01);
        var (lossValue, grads) = Grad(model, features, labels);
        Assert.Equal(0, optimizer.Iterations);
        Assert.Equal(l.Item<float>(), lossValue.Item<float>());   // no Dropout: training changes nothing
        optimizer.ApplyGradients(grads.Zip(model.TrainableVariables));
        Assert.Equal(1, optimizer.Iterations);
        Assert.Equal(1.099166830399735, Loss(model, features, labels, training: true).Item<float>(), 2e-6);

        var predictDataset = NF.Constant(new[,] { { 0.3f, 0.8f, 0.4f, 0.5f }, { 0.4f, 0.1f, 0.8f, 0.5f }, { 0.7f, 0.9f, 0.8f, 0.4f } });
        double[,] wanted = { { 0.3284219193276657, 0.33325255725653413, 0.33832552341580024 },
                             { 0.32824073139832793, 0.3330802656172793, 0.33867900298439274 },
                             { 0.3283667543833943, 0.3331124535272134, 0.33852079208939223 } };
        var newPredictions = model.Call(predictDataset, training: false);
        for (int i = 0; i < 3; i++)
        {
            var p = NF.Softmax(newPredictions[i]).ToArray<float>();
            for (int k = 0; k < 3; k++) Assert.Equal(wanted[i, k], p[k], 1e-6);
        }
    }

    [SkippableFact]
    public void The_training_loop_averages_each_epoch_and_classifies_the_test_set()
    {
        RequireBackend();
        NF.Random.SetSeed(2206);
        string trainPath = WriteCsv(Temp.File("train.csv"), 96);
        string testPath = WriteCsv(Temp.File("test.csv"), 24, first: 1000);
        var dsTrainBatch = Csv.MakeCsvDataset(trainPath, batchSize: 32, labelName: "species", numEpochs: 1, shuffleSeed: 5).Map(PackFeaturesVector);
        var model = CreateModel();
        var optimizer = new Optimizers.SGD(learningRate: 0.1);   // the tutorial's 0.01 over its 201 epochs of 266 penguins
        var trainLossResults = new List<float>();
        var trainAccuracyResults = new List<float>();
        var printed = new List<string>();
        const int numEpochs = 41;
        for (int epoch = 0; epoch < numEpochs; epoch++)
        {
            var epochLossAvg = new Metrics.Mean();
            var epochAccuracy = new Metrics.SparseCategoricalAccuracy();
            foreach (var (x, y) in dsTrainBatch)
            {
                var (lossValue, grads) = Grad(model, x, y);
                optimizer.ApplyGradients(grads.Zip(model.TrainableVariables));
                epochLossAvg.UpdateState(lossValue);
                epochAccuracy.UpdateState(y, model.Call(x, training: true));
            }
            trainLossResults.Add(epochLossAvg.Result());
            trainAccuracyResults.Add(epochAccuracy.Result());
            if (epoch % 20 == 0)
                printed.Add(string.Format(CultureInfo.InvariantCulture, "Epoch {0:000}: Loss: {1:0.000}, Accuracy: {2:0.000%}",
                                          epoch, epochLossAvg.Result(), epochAccuracy.Result()));
        }
        Assert.Equal(numEpochs * 3, optimizer.Iterations);   // 96 rows in batches of 32
        Assert.Equal(3, printed.Count);
        Assert.Matches(@"^Epoch 040: Loss: \d\.\d{3}, Accuracy: \d+\.\d{3}%$", printed[^1]);
        // Each epoch's loss is the mean of its three batch losses, its accuracy a fraction of the 96 rows.
        Assert.All(trainAccuracyResults, a => Assert.Equal(Math.Round(a * 96), a * 96, 3));
        Assert.True(trainLossResults[^1] < trainLossResults[0] - 0.2, string.Join(", ", trainLossResults));
        Assert.True(trainAccuracyResults[^1] > 0.9, string.Join(", ", trainAccuracyResults));

        // test_accuracy = tf.keras.metrics.Accuracy(); test_accuracy(prediction, y) over batches of 10.
        var testAccuracy = new Metrics.Accuracy();
        var dsTestBatch = Csv.MakeCsvDataset(testPath, batchSize: 10, labelName: "species", numEpochs: 1, shuffle: false).Map(PackFeaturesVector);
        int hits = 0, seen = 0;
        foreach (var (x, y) in dsTestBatch)
        {
            var logits = model.Call(x, training: false);
            var prediction = NF.ArgMax(logits, axis: 1);
            Assert.Equal(DType.Int64, prediction.DType);
            testAccuracy.Call(prediction, y);
            var p = prediction.ToArray<long>();
            var t = y.ToArray<int>();
            hits += p.Zip(t).Count(pt => pt.First == pt.Second);
            seen += t.Length;
            // tf.stack([y, prediction], axis=1)
            Assert.Equal(new[] { t.Length, 2 }, NF.Stack([NF.Cast(y, DType.Int64), prediction], axis: 1).Shape.ToArray());
        }
        Assert.Equal(24, seen);
        Assert.Equal(hits / 24.0, testAccuracy.Result(), 6);
        Assert.True(testAccuracy.Result() > 0.8, $"test accuracy {testAccuracy.Result()}");

        // Predictions of unlabeled examples: class = argmax, its probability from the softmax.
        var predictDataset = NF.Constant(new[,] { { 0.3f, 0.8f, 0.4f, 0.5f }, { 0.4f, 0.1f, 0.8f, 0.5f }, { 0.7f, 0.9f, 0.8f, 0.4f } });
        var predictions = model.Call(predictDataset, training: false);
        for (int i = 0; i < 3; i++)
        {
            var logits = predictions[i];
            int classIdx = (int)NF.ArgMax(logits).Item<long>();
            float p = NF.Softmax(logits)[classIdx].Item<float>();
            Assert.Equal(logits.ToArray<float>().Max(), logits.ToArray<float>()[classIdx]);
            Assert.InRange(p, 1f / 3, 1f);
            Assert.Matches(@"^Example \d prediction: (Adélie|Chinstrap|Gentoo) \(\s?\d+\.\d%\)$",
                           string.Format(CultureInfo.InvariantCulture, "Example {0} prediction: {1} ({2,4:0.0}%)", i, ClassNames[classIdx], 100 * p));
        }
    }
}

/// <summary>The custom training walkthrough on the managed backend.</summary>
public sealed class ManagedTutorialCustomTrainingTests() : TutorialCustomTrainingTests("managed");

/// <summary>The custom training walkthrough on the native CPU backend.</summary>
public sealed class NativeCpuTutorialCustomTrainingTests() : TutorialCustomTrainingTests("cpu");

/// <summary>The custom training walkthrough on CUDA.</summary>
public sealed class CudaTutorialCustomTrainingTests() : TutorialCustomTrainingTests("cuda");
