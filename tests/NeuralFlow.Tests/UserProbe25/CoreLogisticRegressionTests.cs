using NeuralFlow.Data;
using NeuralFlow.Tests.UserProbe24;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// TensorFlow's Core APIs logistic regression guide (guide/core/logistic_regression_core.ipynb) in C#: a table of the
/// Wisconsin breast-cancer layout split 75/25 by a fixed permutation, a Normalize module holding the train mean and
/// standard deviation in variables, the LogisticRegression module that makes w and b on its first call, the guide's log
/// loss (sigmoid cross-entropy with logits) and accuracy at threshold 0.5, the hand-written SGD loop over batched
/// datasets for 200 epochs, the confusion matrices, and the traced ExportModule chaining normalization, the model and
/// the class prediction, saved and restored through a checkpoint. The download is a synthetic table, the datasets are
/// unshuffled and the random initial weights fixed, so every number is PyTorch's (coremlp_references.py).
/// </summary>
public abstract class CoreLogisticRegressionTests(string backend) : BackendFileTest(backend)
{
    private const int Rows = 569, TrainRows = 427;
    private static readonly double[] Scales = [14.1, 19.3, 92.0, 655.0, 0.096, 0.104, 0.089, 0.049, 0.181, 0.063];

    // coremlp_references.py: the epoch means of the batch losses and accuracies at epochs 0, 20, ..., 180 and 199.
    private static readonly int[] Reported = [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 199];
    private static readonly float[] TrainLoss = [0.7582951f, 0.6415659f, 0.543525f, 0.4647558f, 0.4045061f, 0.3619786f, 0.3353524f, 0.3203786f, 0.311981f, 0.3067165f, 0.3031334f];
    private static readonly float[] TrainAcc = [0.8349771f, 0.832745f, 0.8260486f, 0.8249584f, 0.8349771f, 0.8472799f, 0.8572986f, 0.8662271f, 0.8684593f, 0.8662271f, 0.8706914f];
    private static readonly float[] TestLoss = [0.8874061f, 0.7747569f, 0.6735309f, 0.585124f, 0.5117127f, 0.4557815f, 0.4180628f, 0.3955595f, 0.3830107f, 0.3759862f, 0.3720425f];
    private static readonly float[] TestAcc = [0.7752976f, 0.7462797f, 0.735863f, 0.7410714f, 0.7462797f, 0.7619047f, 0.7723214f, 0.782738f, 0.7879464f, 0.8087797f, 0.8087797f];

    /// <summary>Row i of the synthetic table: 10 measurements' mean, standard error and largest value, and the diagnosis (1 malignant).</summary>
    private static (float[] Features, float Label) WisconsinRow(int i)
    {
        double s = Math.Sin(0.7 * i) + 0.5 * Math.Cos(1.3 * i);
        float label = s + 0.6 * Math.Sin(5.1 * i) > 0.3 ? 1f : 0f;
        var features = new float[30];
        for (int k = 0; k < 10; k++)
        {
            double mean = Scales[k] * (1 + 0.3 * s + 0.1 * Math.Sin(0.11 * i * (k + 1) + k));
            features[k] = (float)mean;
            features[10 + k] = (float)(0.1 * Scales[k] * (1 + 0.2 * Math.Cos(0.5 * i + k)));
            features[20 + k] = (float)(mean * (1.3 + 0.1 * Math.Sin(0.9 * i + 2 * k)));
        }
        return (features, label);
    }

    /// <summary>The rows at <paramref name="rows"/>, in that order, as (x [n, 30], y [n]).</summary>
    private static (Tensor X, Tensor Y) Take(IReadOnlyList<int> rows)
    {
        var x = new float[rows.Count, 30];
        var y = new float[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            var (features, label) = WisconsinRow(rows[r]);
            for (int k = 0; k < 30; k++) x[r, k] = features[k];
            y[r] = label;
        }
        return (NF.Constant(x), NF.Constant(y));
    }

    /// <summary>The guide's Normalize(tf.Module): the train statistics kept in variables (so that a checkpoint holds them).</summary>
    private sealed class Normalize(Tensor x) : Module
    {
        public Variable Mean { get; } = new(NF.ReduceMean(x, axis: 0));
        public Variable Std { get; } = new(NF.ReduceStd(x, axis: 0));

        public Tensor Norm(Tensor t) => (t - Mean) / Std;

        public Tensor Unnorm(Tensor t) => t * Std + Mean;
    }

    /// <summary>
    /// The guide's LogisticRegression(tf.Module): w and b made on the first call from the input's width; logits while
    /// training, probabilities otherwise. w starts at 0.5 + 0.45 sin(1.7 k + 0.3) and b at 0.6 instead of uniform draws.
    /// </summary>
    private sealed class LogisticRegression : Module
    {
        private Variable? _w, _b;

        public Tensor Call(Tensor x, bool train = true)
        {
            if (_w is null)
            {
                int features = x.Shape[^1];
                _w = new Variable(NF.Constant(Enumerable.Range(0, features).Select(k => (float)(0.5 + 0.45 * Math.Sin(1.7 * k + 0.3))).ToArray(), new Shape(features, 1)));
                _b = new Variable(0.6f);
            }
            var z = NF.Add(NF.MatMul(x, _w), _b!);
            z = NF.Squeeze(z, axis: 1);
            return train ? z : NF.Sigmoid(z);
        }
    }

    private static Tensor LogLoss(Tensor yPred, Tensor y) => NF.ReduceMean(NF.SigmoidCrossEntropyWithLogits(labels: y, logits: yPred));

    private static Tensor PredictClass(Tensor yPred, float thresh = 0.5f) => NF.Cast(yPred > thresh, DType.Float32);

    private static Tensor Accuracy(Tensor yPred, Tensor y)
    {
        var yPredClass = PredictClass(NF.Sigmoid(yPred));
        var checkEqual = NF.Cast(NF.Equal(yPredClass, y), DType.Float32);
        return NF.ReduceMean(checkEqual);
    }

    /// <summary>The guide's ExportModule: raw rows in, classes out, traced (the guide's input_signature [None, None] float32 is left out).</summary>
    private sealed class ExportModule : Module
    {
        private readonly LogisticRegression _model;
        private readonly Normalize _normX;

        public ExportModule(LogisticRegression model, Normalize normX, Func<Tensor, float, Tensor> classPred)
        {
            (_model, _normX) = (model, normX);
            Call = NF.Function((Tensor x) => classPred(_model.Call(_normX.Norm(x), train: false), 0.5f));
        }

        public Func<Tensor, Tensor> Call { get; }
    }

    [SkippableFact]
    public void Logistic_regression_with_core_apis_trains_evaluates_and_exports()
    {
        RequireBackend();
        // dataset.sample(frac=0.75, random_state=1): the permutation's first 427 rows train, the others (in table order) test.
        var permutation = Enumerable.Range(0, Rows).Select(i => (263 * i + 17) % Rows).ToArray();
        var (xTrain, yTrain) = Take(permutation[..TrainRows]);
        var (xTest, yTest) = Take(permutation[TrainRows..].Order().ToArray());
        Assert.Equal(new Shape(427, 30), xTrain.Shape);
        Assert.Equal(new Shape(142, 30), xTest.Shape);
        Assert.Equal(161f, NF.ReduceSum(yTrain).Item<float>());   // malignant rows, coremlp_references.py
        Assert.Equal(53f, NF.ReduceSum(yTest).Item<float>());

        var normX = new Normalize(xTrain);
        var (xTrainNorm, xTestNorm) = (normX.Norm(xTrain), normX.Norm(xTest));
        Assert.Equal(0f, NF.ReduceMax(NF.Abs(NF.ReduceMean(xTrainNorm, axis: 0))).Item<float>(), 1e-5f);
        Assert.Equal(xTrain.ToArray<float>(), normX.Unnorm(xTrainNorm).ToArray<float>(), new Near(1e-5f));

        var logReg = new LogisticRegression();
        var yPred = logReg.Call(xTrainNorm[..5], train: false);
        Assert.Equal([1.604522e-06f, 1f, 0.01509815f, 0.9999995f, 2.978444e-07f], yPred.ToArray<float>(), new Near(1e-5f));
        Assert.Equal(2, logReg.Variables.Count);
        Assert.Equal("logistic_regression", logReg.Name);
        Assert.Equal([new Shape(), new Shape(30, 1)], logReg.Variables.Select(v => v.Shape));   // b, w: tf.Module's attribute order

        const int batchSize = 64;
        // The guide shuffles both datasets each epoch; unshuffled here so that PyTorch sees the same batches.
        var trainDataset = Dataset.FromTensorSlices(xTrainNorm, yTrain).Batch(batchSize);
        var testDataset = Dataset.FromTensorSlices(xTestNorm, yTest).Batch(batchSize);
        const float learningRate = 0.01f;
        var (trainLosses, trainAccs, testLosses, testAccs) = (new List<float>(), new List<float>(), new List<float>(), new List<float>());
        for (int epoch = 0; epoch < 200; epoch++)
        {
            var (batchLossesTrain, batchAccsTrain) = (new List<Tensor>(), new List<Tensor>());
            var (batchLossesTest, batchAccsTest) = (new List<Tensor>(), new List<Tensor>());
            foreach (var (xBatch, yBatch) in trainDataset)
            {
                Tensor batchLoss, yPredBatch;
                Tensor[] grads;
                using (var tape = new GradientTape())
                {
                    yPredBatch = logReg.Call(xBatch);
                    batchLoss = LogLoss(yPredBatch, yBatch);
                    // Inside the block: a using block frees the tape at its end, where Python's with keeps it.
                    grads = tape.Gradient(batchLoss, logReg.Variables);
                }
                var batchAcc = Accuracy(yPredBatch, yBatch);
                foreach (var (g, v) in grads.Zip(logReg.Variables)) v.AssignSub(learningRate * g);
                batchLossesTrain.Add(batchLoss);
                batchAccsTrain.Add(batchAcc);
            }
            foreach (var (xBatch, yBatch) in testDataset)
            {
                var yPredBatch = logReg.Call(xBatch);
                batchLossesTest.Add(LogLoss(yPredBatch, yBatch));
                batchAccsTest.Add(Accuracy(yPredBatch, yBatch));
            }
            trainLosses.Add(NF.ReduceMean(NF.Stack(batchLossesTrain)).Item<float>());
            trainAccs.Add(NF.ReduceMean(NF.Stack(batchAccsTrain)).Item<float>());
            testLosses.Add(NF.ReduceMean(NF.Stack(batchLossesTest)).Item<float>());
            testAccs.Add(NF.ReduceMean(NF.Stack(batchAccsTest)).Item<float>());
            if (epoch == 0)   // the guide's print(f"Epoch: {epoch}, Training log loss: {train_loss:.3f}")
                Assert.Equal("Epoch: 0, Training log loss: 0.758",
                             FormattableString.Invariant($"Epoch: {epoch}, Training log loss: {NF.ReduceMean(NF.Stack(batchLossesTrain)):F3}"));
        }
        var near = new Near(1e-4f);
        Assert.Equal(TrainLoss, Reported.Select(e => trainLosses[e]), near);
        Assert.Equal(TrainAcc, Reported.Select(e => trainAccs[e]), near);
        Assert.Equal(TestLoss, Reported.Select(e => testLosses[e]), near);
        Assert.Equal(TestAcc, Reported.Select(e => testAccs[e]), near);

        // The confusion-matrix cells, less the heatmap: counts, and each row normalized by the true class's count.
        var (trainClasses, testClasses) = (PredictClass(logReg.Call(xTrainNorm, train: false)), PredictClass(logReg.Call(xTestNorm, train: false)));
        var trainConfusion = NF.ConfusionMatrix(yTrain, trainClasses);
        var testConfusion = NF.ConfusionMatrix(yTest, testClasses);
        Assert.Equal([232, 34, 21, 140], trainConfusion.ToArray<int>());
        Assert.Equal([73, 16, 10, 43], testConfusion.ToArray<int>());
        var confusionNormalized = NF.Cast(testConfusion, DType.Float64) / NF.ReduceSum(NF.Cast(testConfusion, DType.Float64), axis: 1, keepDims: true);
        Assert.Equal([0.8202247, 0.1797753, 0.1886792, 0.8113208], confusionNormalized.ToArray<double>().Select(v => Math.Round(v, 7)));

        // Save the model: the export module, its variables written to a checkpoint and restored into a fresh module.
        var logRegExport = new ExportModule(logReg, normX, PredictClass);
        float[] expected = [1, 0, 1, 1, 0, 1, 0, 1, 0, 0];
        Assert.Equal(expected, logRegExport.Call(xTest)[..10].ToArray<float>());
        Assert.Equal(testClasses.ToArray<float>(), logRegExport.Call(xTest).ToArray<float>());
        Assert.True(TracedFunction.Of(logRegExport.Call).LastCallReplayed);

        // tf.saved_model.save(log_reg_export, save_path): the module's variables (the model's and the normalization's).
        string savePath = new Train.Checkpoint(new Dictionary<string, object> { ["export"] = logRegExport }).Write(Temp.File("log_reg_export"));
        var loadedModel = new LogisticRegression();
        loadedModel.Call(NF.Zeros([1, 30]));   // makes w and b: a checkpoint restores into existing variables
        var logRegLoaded = new ExportModule(loadedModel, new Normalize(NF.Zeros([2, 30])), PredictClass);
        new Train.Checkpoint(new Dictionary<string, object> { ["export"] = logRegLoaded }).Restore(savePath).AssertConsumed();
        using (var reader = new Train.CheckpointReader(savePath))
            Assert.Equal(["export/model/b/value", "export/model/w/value", "export/normX/Mean/value", "export/normX/Std/value"],
                         reader.VariableToShapeMap().Keys.Where(k => k.StartsWith("export/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(testClasses.ToArray<float>(), logRegLoaded.Call(xTest).ToArray<float>());
    }
}

/// <summary>The Core APIs logistic regression guide, on the managed backend.</summary>
public sealed class ManagedCoreLogisticRegressionTests() : CoreLogisticRegressionTests("managed");

/// <summary>The Core APIs logistic regression guide, on the native CPU backend.</summary>
public sealed class NativeCpuCoreLogisticRegressionTests() : CoreLogisticRegressionTests("cpu");

/// <summary>The Core APIs logistic regression guide, on the CUDA backend.</summary>
public sealed class CudaCoreLogisticRegressionTests() : CoreLogisticRegressionTests("cuda");
