using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// TensorFlow's "Classification on imbalanced data" tutorial (site/en/tutorials/structured_data/imbalanced_data.ipynb)
/// cell by cell on a small synthetic stand-in for the credit-card fraud data (about 5% positives): the
/// standardised and clipped features, make_model with the eleven METRICS and an output bias from
/// Constant(log(pos/neg)), the initial-loss check, initial weights saved to initial.weights.h5 and loaded
/// into fresh models, EarlyStopping on val_prc (mode max, restore_best_weights), class_weight, the
/// oversampled dataset of sample_from_datasets over two repeated datasets with steps_per_epoch, and the
/// confusion matrix of plot_cm. Metric references on fixed predictions: imbalanced_references.py.
/// </summary>
public abstract class TutorialImbalancedDataTests(string backend) : BackendFileTest(backend)
{
    private const int Features = 6, BatchSize = 128;

    // Rows of normal features; the class is 1 where a combination of three features is far out, ~5% of rows.
    private static (float[,] X, float[] Y) CreditCards(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows, Features];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < Features; f++)
                x[r, f] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            y[r] = x[r, 0] + 0.8 * x[r, 1] - 0.6 * x[r, 2] > 2.6 ? 1 : 0;
            if (y[r] == 1) x[r, 3] += 1.5f;   // the fraud rows also differ in a feature of their own
        }
        return (x, y);
    }

    // The tutorial's cells up to "scaler.fit_transform": train/val/test splits, StandardScaler fitted
    // on the training rows (population std, as sklearn), then np.clip(-5, 5); labels as (N, 1).
    private sealed record Splits(Tensor TrainX, Tensor TrainY, Tensor ValX, Tensor ValY, Tensor TestX, Tensor TestY, int Neg, int Pos);

    private static Splits Prepare()
    {
        var (raw, labels) = CreditCards(1500, seed: 11);
        var all = NF.Constant(raw);
        var y = NF.Reshape(NF.Constant(labels), [-1, 1]);
        Tensor Rows(Tensor t, int from, int to) => t[from..to];
        const int train = 960, val = 240;
        var trainX = Rows(all, 0, train);
        var mean = NF.ReduceMean(trainX, 0);
        var std = NF.ReduceStd(trainX, 0);
        Tensor Scale(Tensor t) => NF.Clip((t - mean) / std, -5.0, 5.0);
        var trainY = Rows(y, 0, train);
        int pos = (int)trainY.ToArray<float>().Sum();
        return new Splits(Scale(trainX), trainY, Scale(Rows(all, train, train + val)), Rows(y, train, train + val),
                          Scale(Rows(all, train + val, 1500)), Rows(y, train + val, 1500), train - pos, pos);
    }

    private static object[] Metrics() =>
    [
        new Metrics.BinaryCrossentropy(name: "cross entropy"),   // same as model's loss
        new Metrics.MeanSquaredError(name: "Brier score"),
        new Metrics.TruePositives(name: "tp"),
        new Metrics.FalsePositives(name: "fp"),
        new Metrics.TrueNegatives(name: "tn"),
        new Metrics.FalseNegatives(name: "fn"),
        new Metrics.BinaryAccuracy(name: "accuracy"),
        new Metrics.Precision(name: "precision"),
        new Metrics.Recall(name: "recall"),
        new Metrics.AUC(name: "auc"),
        new Metrics.AUC(name: "prc", curve: "PR"),   // precision-recall curve
    ];

    private static readonly string[] MetricNames =
        ["loss", "cross entropy", "Brier score", "tp", "fp", "tn", "fn", "accuracy", "precision", "recall", "auc", "prc"];

    // make_model(metrics=METRICS, output_bias=None).
    private static Sequential MakeModel(double? outputBias = null, object[]? metrics = null)
    {
        var model = new Sequential(
            Layers.Input([Features]),
            new Layers.Dense(16, activation: "relu"),
            new Layers.Dropout(0.5),
            new Layers.Dense(1, activation: "sigmoid", biasInitializer: outputBias is { } b ? Initializer.Constant(b) : null));
        model.Compile(new Optimizers.Adam(1e-3), new Losses.BinaryCrossentropy(), metrics: metrics ?? Metrics());
        return model;
    }

    private static Callbacks.EarlyStopping EarlyStopping() =>
        new(monitor: "val_prc", patience: 4, mode: "max", restoreBestWeights: true);

    private static double Entropy(double p) => -(p * Math.Log(p) + (1 - p) * Math.Log(1 - p));

    [SkippableFact]
    public void The_output_bias_of_log_pos_over_neg_starts_the_loss_at_the_label_entropy()
    {
        RequireBackend();
        NF.Random.SetSeed(2101);
        var d = Prepare();
        Assert.Equal(new[] { 960, Features }, d.TrainX.Shape.ToArray());
        Assert.Equal(new[] { 960, 1 }, d.TrainY.Shape.ToArray());
        Assert.InRange(d.Pos, 25, 80);   // imbalanced: a few percent positive
        Assert.True(NF.ReduceMax(NF.Abs(d.TrainX)).Item<float>() <= 5f);

        var model = MakeModel();
        var summary = new StringWriter();
        model.Summary(summary);
        Assert.Contains("Total params: " + (Features * 16 + 16 + 17), summary.ToString().Replace(",", ""));
        var first = model.Predict(d.TrainX[..10]);
        Assert.Equal(new[] { 10, 1 }, first.Shape.ToArray());
        Assert.All(first.ToArray<float>(), v => Assert.InRange(v, 0f, 1f));
        var results = model.Evaluate(d.TrainX, d.TrainY, batchSize: BatchSize, verbose: 0);
        Assert.Equal(MetricNames, model.MetricsNames);
        Assert.Equal(MetricNames, results.Keys);

        // initial_bias = np.log([pos/neg]); the sigmoid of it is the positive fraction.
        double initialBias = Math.Log((double)d.Pos / d.Neg);
        var biased = MakeModel(initialBias);
        var careful = biased.Evaluate(d.TrainX, d.TrainY, batchSize: BatchSize, verbose: 0);
        Assert.Equal((float)initialBias, ((Layers.Dense)biased.Layers[^1]).Bias!.ToArray<float>()[0], 6);
        Assert.True(careful.Loss < results.Loss, $"careful bias {careful.Loss} vs zero bias {results.Loss}");

        // With the output kernel zeroed, every prediction is sigmoid(bias): the loss is exactly the
        // entropy of the labels (about 0.2 here) with the careful bias, and log(2) with a zero one.
        var output = (Layers.Dense)biased.Layers[^1];
        output.Kernel!.Assign(NF.Zeros([16, 1]));
        double p = (double)d.Pos / (d.Pos + d.Neg);
        Assert.Equal(p, biased.Predict(d.TrainX[..10]).ToArray<float>()[0], 5);
        Assert.Equal(Entropy(p), biased.Evaluate(d.TrainX, d.TrainY, batchSize: BatchSize).Loss, 4);
        output.Bias!.Assign(new[] { 0f });
        Assert.Equal(Math.Log(2), biased.Evaluate(d.TrainX, d.TrainY, batchSize: BatchSize).Loss, 5);
    }

    // Fixed labels and predictions of imbalanced_references.py: 5 positives of 24.
    private static readonly float[] FixedLabels = [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    private static readonly float[] FixedPredictions = [0.03f, 0.12f, 0.91f, 0.47f, 0.08f, 0.64f, 0.38f, 0.02f, 0.21f, 0.05f, 0.33f, 0.77f,
                                                        0.11f, 0.56f, 0.07f, 0.01f, 0.26f, 0.52f, 0.09f, 0.14f, 0.04f, 0.43f, 0.86f, 0.18f];

    [SkippableFact]
    public void The_eleven_metrics_on_fixed_predictions_match_kerass_formulas()
    {
        RequireBackend();
        // A model whose output is its input evaluates the metrics on the given predictions.
        var identity = new Sequential(Layers.Input([1]), new Layers.Lambda(x => x));
        identity.Compile(new Optimizers.Adam(), new Losses.BinaryCrossentropy(), metrics: Metrics());
        var r = identity.Evaluate(NF.Constant(FixedPredictions, [24, 1]), NF.Constant(FixedLabels, [24, 1]), batchSize: 10);
        // imbalanced_references.py
        Assert.Equal(4, r["tp"]);
        Assert.Equal(2, r["fp"]);
        Assert.Equal(17, r["tn"]);
        Assert.Equal(1, r["fn"]);
        Assert.Equal(0.875, r["accuracy"], 6);
        Assert.Equal(0.6666666666666666, r["precision"], 6);
        Assert.Equal(0.8, r["recall"], 6);
        Assert.Equal(0.08951666666666667, r["Brier score"], 6);
        Assert.Equal(0.2959030977972901, r["cross entropy"], 5);
        Assert.Equal(0.2959030977972901, r.Loss, 5);
        Assert.Equal(0.9368421052631579, r["auc"], 5);
        Assert.Equal(0.8328449487573114, r["prc"], 5);
    }

    [SkippableFact]
    public void Plot_cm_counts_with_tf_math_confusion_matrix_at_each_threshold()
    {
        RequireBackend();
        var labels = NF.Constant(FixedLabels, [24, 1]);
        var predictions = NF.Constant(FixedPredictions, [24, 1]);
        // cm = confusion_matrix(labels, predictions > threshold): labels down, predictions across.
        var cm = NF.ConfusionMatrix(NF.Cast(labels, DType.Int32), NF.Greater(predictions, 0.5f));
        Assert.Equal(DType.Int32, cm.DType);
        Assert.Equal(new[] { 2, 2 }, cm.Shape.ToArray());
        Assert.Equal(new[] { 17, 2, 1, 4 }, cm.ToArray<int>());   // tn, fp / fn, tp
        Assert.Equal(new[] { 8, 11, 0, 5 }, NF.ConfusionMatrix(NF.Cast(labels, DType.Int32), NF.Greater(predictions, 0.1f)).ToArray<int>());
        // np.sum(cm[1]): the positives.
        Assert.Equal(5, NF.ReduceSum(cm[1]).Item<int>());
    }

    [SkippableFact]
    public void Initial_weights_saved_once_train_zero_and_careful_bias_and_early_stopping_restores_the_best_prc()
    {
        RequireBackend();
        NF.Random.SetSeed(2102);
        var d = Prepare();
        double initialBias = Math.Log((double)d.Pos / d.Neg);
        var model = MakeModel(initialBias);
        string initialWeights = Temp.File("initial.weights.h5");
        model.SaveWeights(initialWeights);

        model = MakeModel();
        model.LoadWeights(initialWeights);
        ((Layers.Dense)model.Layers[^1]).Bias!.Assign(new[] { 0f });
        var zeroBias = model.Fit(d.TrainX, d.TrainY, batchSize: BatchSize, epochs: 3, validationData: (d.ValX, d.ValY), verbose: 0);

        model = MakeModel();
        model.LoadWeights(initialWeights);
        Assert.Equal((float)initialBias, ((Layers.Dense)model.Layers[^1]).Bias!.ToArray<float>()[0], 6);
        var carefulBias = model.Fit(d.TrainX, d.TrainY, batchSize: BatchSize, epochs: 3, validationData: (d.ValX, d.ValY), verbose: 0);
        Assert.Equal(MetricNames.Concat(MetricNames.Select(n => "val_" + n)), carefulBias.Keys);
        // plot_loss: the careful bias starts far lower, where the zero bias spends its first epochs.
        Assert.True(carefulBias["loss"][0] < zeroBias["loss"][0], $"{carefulBias["loss"][0]} vs {zeroBias["loss"][0]}");
        Assert.True(carefulBias["val_loss"][0] < zeroBias["val_loss"][0]);

        model = MakeModel();
        model.LoadWeights(initialWeights);
        var earlyStopping = EarlyStopping();
        var baseline = model.Fit(d.TrainX, d.TrainY, batchSize: BatchSize, epochs: 40, callbacks: [earlyStopping],
                                 validationData: (d.ValX, d.ValY), verbose: 0);
        var valPrc = baseline["val_prc"];
        Assert.Equal(valPrc.Count, baseline["loss"].Count);
        Assert.True(valPrc.Max() > 0.3, string.Join(", ", valPrc));
        // restore_best_weights: the model evaluates to the best epoch's val_prc.
        int best = valPrc.ToList().IndexOf(valPrc.Max());
        Assert.Equal(best, earlyStopping.BestEpoch);
        var restored = model.Evaluate(d.ValX, d.ValY, batchSize: BatchSize);
        Assert.Equal(valPrc[best], restored["prc"], 4);
        foreach (var name in MetricNames) Assert.Equal(baseline["val_" + name][best], restored[name], 3);

        // baseline_results: tp + fn are the test positives, tp + fp + tn + fn the test rows.
        var results = model.Evaluate(d.TestX, d.TestY, batchSize: BatchSize);
        Assert.Equal(300, results["tp"] + results["fp"] + results["tn"] + results["fn"]);
        Assert.Equal(d.TestY.ToArray<float>().Sum(), results["tp"] + results["fn"]);
        var testPredictions = model.Predict(d.TestX, batchSize: BatchSize);
        var cm = NF.ConfusionMatrix(NF.Cast(d.TestY, DType.Int32), NF.Greater(testPredictions, 0.5f)).ToArray<int>();
        Assert.Equal(new[] { results["tn"], results["fp"], results["fn"], results["tp"] }, cm.Select(c => (float)c));
    }

    [SkippableFact]
    public void Class_weight_scales_each_examples_loss_and_leaves_the_metrics_unweighted()
    {
        RequireBackend();
        NF.Random.SetSeed(2103);
        var d = Prepare();
        int total = d.Neg + d.Pos;
        // Scaling by total/2 helps keep the loss to a similar magnitude.
        double weightFor0 = 1.0 / d.Neg * (total / 2.0), weightFor1 = 1.0 / d.Pos * (total / 2.0);
        var classWeight = new Dictionary<int, double> { [0] = weightFor0, [1] = weightFor1 };
        Assert.Equal(d.Neg * weightFor0 + d.Pos * weightFor1, total, 9);   // the weights sum to the examples

        // One full-batch step without dropout: the logged loss is the step's, before the update.
        var model = new Sequential(Layers.Input([Features]), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(1e-3), new Losses.BinaryCrossentropy(), metrics: [new Metrics.BinaryCrossentropy(name: "cross entropy")]);
        var before = model.Predict(d.TrainX, batchSize: total).ToArray<float>();
        var labels = d.TrainY.ToArray<float>();
        var history = model.Fit(d.TrainX, d.TrainY, batchSize: total, epochs: 1, classWeight: classWeight, shuffle: false, verbose: 0);
        double[] bce = before.Zip(labels, (q, t) => -(t * Math.Log(q) + (1 - t) * Math.Log(1 - q))).ToArray();
        double weighted = bce.Zip(labels, (l, t) => l * (t > 0.5f ? weightFor1 : weightFor0)).Sum() / total;
        Assert.Equal(weighted, history["loss"][0], 4);
        Assert.Equal(bce.Average(), history["cross entropy"][0], 4);

        // weighted_model.fit(..., class_weight=class_weight) with early stopping on val_prc.
        var weightedModel = MakeModel();
        var weightedHistory = weightedModel.Fit(d.TrainX, d.TrainY, batchSize: BatchSize, epochs: 6, callbacks: [EarlyStopping()],
                                                validationData: (d.ValX, d.ValY), classWeight: classWeight, verbose: 0);
        Assert.Contains("val_prc", weightedHistory.Keys);
        // The weighted model calls more positives than the counts of a model trained on the raw labels would suggest.
        var trainPredictions = weightedModel.Predict(d.TrainX, batchSize: BatchSize).ToArray<float>();
        Assert.True(trainPredictions.Count(v => v > 0.5f) >= d.Pos / 2, $"{trainPredictions.Count(v => v > 0.5f)} positives called of {d.Pos}");
    }

    [SkippableFact]
    public void Oversampling_with_sample_from_datasets_balances_batches_and_steps_per_epoch_bounds_each_epoch()
    {
        RequireBackend();
        NF.Random.SetSeed(2104);
        var d = Prepare();
        var isPositive = d.TrainY[.., 0].ToArray<float>().Select(v => v > 0.5f).ToArray();
        var posIds = NF.Constant(Enumerable.Range(0, isPositive.Length).Where(i => isPositive[i]).ToArray());
        var negIds = NF.Constant(Enumerable.Range(0, isPositive.Length).Where(i => !isPositive[i]).ToArray());
        var posFeatures = NF.Gather(d.TrainX, posIds);
        var negFeatures = NF.Gather(d.TrainX, negIds);
        var posLabels = NF.Gather(d.TrainY, posIds);
        var negLabels = NF.Gather(d.TrainY, negIds);
        Assert.Equal(new[] { d.Pos, Features }, posFeatures.Shape.ToArray());

        const int bufferSize = 100000;
        Dataset<(Tensor, Tensor)> MakeDs(Tensor features, Tensor labels) =>
            Dataset.FromTensorSlices(features, labels).Shuffle(bufferSize).Repeat();
        var posDs = MakeDs(posFeatures, posLabels);
        var negDs = MakeDs(negFeatures, negLabels);
        var (oneFeatures, oneLabel) = posDs.Take(1).First();
        Assert.Equal(new[] { Features }, oneFeatures.Shape.ToArray());
        Assert.Equal(new[] { 1f }, oneLabel.ToArray<float>());

        var resampledDs = Dataset.SampleFromDatasets([posDs, negDs], weights: [0.5, 0.5]).Batch(BatchSize).Prefetch(2);
        Assert.Equal(Dataset.Infinite, resampledDs.Cardinality);
        var (_, batchLabels) = resampledDs.Take(1).First();
        Assert.InRange(batchLabels.ToArray<float>().Average(), 0.35, 0.65);

        int resampledStepsPerEpoch = (int)Math.Ceiling(2.0 * d.Neg / BatchSize);
        var resampledModel = MakeModel();
        ((Layers.Dense)resampledModel.Layers[^1]).Bias!.Assign(new[] { 0f });   // the data is balanced now
        var valDs = Dataset.FromTensorSlices(d.ValX, d.ValY).Cache().Batch(BatchSize).Prefetch(2);
        var earlyStopping = EarlyStopping();
        var resampledHistory = resampledModel.Fit(resampledDs, epochs: 8, stepsPerEpoch: resampledStepsPerEpoch,
                                                  callbacks: [earlyStopping], validationData: valDs, verbose: 0);
        int epochsRun = resampledHistory["loss"].Count;
        Assert.Equal(epochsRun * resampledStepsPerEpoch, resampledModel.Optimizer!.Iterations);
        // Balanced training data: about half the training rows' labels seen were positive, so recall is high.
        Assert.True(resampledHistory["recall"].Max() > 0.5, string.Join(", ", resampledHistory["recall"]));

        // "These are not real epochs": steps_per_epoch=20 gives more frequent validation.
        var shortEpochs = MakeModel();
        var shortHistory = shortEpochs.Fit(resampledDs, stepsPerEpoch: 2, epochs: 3, validationData: valDs, verbose: 0);
        Assert.Equal(6, shortEpochs.Optimizer!.Iterations);
        Assert.Equal(3, shortHistory["val_prc"].Count);
    }
}

/// <summary>The imbalanced data tutorial on the managed backend.</summary>
public sealed class ManagedTutorialImbalancedDataTests() : TutorialImbalancedDataTests("managed");

/// <summary>The imbalanced data tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialImbalancedDataTests() : TutorialImbalancedDataTests("cpu");

/// <summary>The imbalanced data tutorial on CUDA.</summary>
public sealed class CudaTutorialImbalancedDataTests() : TutorialImbalancedDataTests("cuda");
