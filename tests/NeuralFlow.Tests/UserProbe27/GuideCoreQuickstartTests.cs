using NeuralFlow.Data;
using NeuralFlow.Tests.UserProbe24;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// TensorFlow's Core APIs quickstart (guide/core/quickstart_core.ipynb) in C#: linear regression on the auto-mpg layout
/// (a synthetic 392-row table with its columns, as there is no download), the origin one-hot encoded, a Normalize module,
/// a LinearRegression module whose traced call makes w and b on its first call, the mse loss, 100 epochs of hand-written
/// SGD over batched datasets, and the ExportModule traced with the guide's input signature [None, None] float32. The
/// guide's tf.random.shuffle is a fixed permutation, its shuffled batches unshuffled and its random initial weights
/// fixed, so the numbers are PyTorch's (guidecore_quickstart_references.py). tf.saved_model has no NF counterpart:
/// the export is the traced module called in process (a checkpoint of its variables is NF's way to keep them).
/// </summary>
public abstract class GuideCoreQuickstartTests(string backend) : BackendTest(backend)
{
    private const int Rows = 392;

    private static float[] Row(int i)
    {
        int cyl = new[] { 4, 6, 8 }[i % 3];
        double disp = 70 + 3.1 * cyl * (8 + 4 * Math.Sin(0.3 * i));
        double hp = 45 + 0.4 * disp + 10 * Math.Cos(0.7 * i);
        double weight = 1600 + 7.5 * disp + 150 * Math.Sin(1.1 * i);
        double acc = 20 - 0.03 * hp + 2 * Math.Sin(0.5 * i);
        int year = 70 + i % 13, origin = 1 + i * 7 % 3;
        double mpg = 46 - 0.006 * weight + 0.45 * (year - 70) + 1.5 * (origin - 1) + 2 * Math.Sin(2.3 * i);
        return [(float)mpg, cyl, (float)disp, (float)hp, (float)weight, (float)acc, year, origin];
    }

    private static Tensor OnehotOrigin(Tensor x)
    {
        var origin = NF.Cast(x[.., ^1], DType.Int32);
        // origin - 1: the feature is 1-based.
        var originOh = NF.OneHot(origin - 1, 3);
        return NF.Concat([x[.., ..^1], originOh], axis: 1);
    }

    /// <summary>The guide's Normalize(tf.Module): the statistics are plain tensors here, as in the quickstart.</summary>
    private sealed class Normalize(Tensor x) : Module
    {
        private readonly Tensor _mean = NF.ReduceMean(x, axis: 0), _std = NF.ReduceStd(x, axis: 0);

        public Tensor Norm(Tensor t) => (t - _mean) / _std;

        public Tensor Unnorm(Tensor t) => t * _std + _mean;
    }

    /// <summary>The guide's LinearRegression(tf.Module) with its @tf.function __call__; w starts at 0.3 + 0.2 sin(1.3 k) and b at 0.25.</summary>
    private sealed class LinearRegression : Module
    {
        private Variable? _w, _b;

        public LinearRegression() => Call = NF.Function((Tensor x) =>
        {
            if (_w is null)
            {
                int features = x.Shape[^1];
                _w = new Variable(NF.Constant(Enumerable.Range(0, features).Select(k => (float)(0.3 + 0.2 * Math.Sin(1.3 * k))).ToArray(), new Shape(features, 1)));
                _b = new Variable(0.25f);
            }
            var y = NF.Add(NF.MatMul(x, _w), _b!);
            return NF.Squeeze(y, axis: 1);
        });

        public Func<Tensor, Tensor> Call { get; }
    }

    private static Tensor MseLoss(Tensor yPred, Tensor y) => NF.ReduceMean(NF.Square(yPred - y));

    /// <summary>The guide's ExportModule: raw rows in, miles per gallon out, traced for any [rows, 7] float32 input.</summary>
    private sealed class ExportModule : Module
    {
        private readonly LinearRegression _model;

        public ExportModule(LinearRegression model, Func<Tensor, Tensor> extractFeatures, Normalize normX, Normalize normY)
        {
            _model = model;
            Call = NF.Function((Tensor x) => normY.Unnorm(_model.Call(normX.Norm(extractFeatures(x)))),
                               inputSignature: [new TensorSpec([null, null], DType.Float32)]);
        }

        public Func<Tensor, Tensor> Call { get; }
    }

    [SkippableFact]
    public void Linear_regression_with_core_apis_trains_and_exports()
    {
        RequireBackend();
        var table = new float[Rows, 8];
        for (int i = 0; i < Rows; i++)
        {
            var row = Row(i);
            for (int c = 0; c < 8; c++) table[i, c] = row[c];
        }
        var datasetTf = NF.Constant(table);
        var permutation = Enumerable.Range(0, Rows).Select(i => (149 * i + 31) % Rows).ToArray();
        var datasetShuffled = NF.Gather(datasetTf, NF.Constant(permutation));
        var (trainData, testData) = (datasetShuffled[100..], datasetShuffled[..100]);
        var (xTrain, yTrain) = (trainData[.., 1..], trainData[.., 0]);
        var (xTest, yTest) = (testData[.., 1..], testData[.., 0]);

        var (xTrainOhe, xTestOhe) = (OnehotOrigin(xTrain), OnehotOrigin(xTest));
        Assert.Equal(new Shape(292, 9), xTrainOhe.Shape);
        Assert.Equal([8f, 181.13419f, 125.51777f, 3066.2026f, 14.283215f, 79f, 0f, 0f, 1f], xTrainOhe[0].ToArray<float>(), new Near(1e-4f));

        var normX = new Normalize(xTrainOhe);
        var normY = new Normalize(yTrain);
        var (xTrainNorm, yTrainNorm) = (normX.Norm(xTrainOhe), normY.Norm(yTrain));
        var (xTestNorm, yTestNorm) = (normX.Norm(xTestOhe), normY.Norm(yTest));
        Assert.Equal(30.752682f, normY.Unnorm(NF.Constant(0f)).Item<float>(), 1e-4f);

        var linReg = new LinearRegression();
        var prediction = linReg.Call(xTrainNorm[..1]);
        var predictionUnnorm = normY.Unnorm(prediction);
        Assert.Equal(30.438007f, predictionUnnorm.ToArray<float>()[0], 1e-4f);
        Assert.Equal([new Shape(), new Shape(9, 1)], linReg.Variables.Select(v => v.Shape));   // b, w

        const int batchSize = 64;
        var trainDataset = Dataset.FromTensorSlices(xTrainNorm, yTrainNorm).Batch(batchSize);
        var testDataset = Dataset.FromTensorSlices(xTestNorm, yTestNorm).Batch(batchSize);
        const int epochs = 100;
        const float learningRate = 0.01f;
        var printed = new List<string>();
        Tensor trainLoss = 0f, testLoss = 0f;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var (batchLossesTrain, batchLossesTest) = (new List<Tensor>(), new List<Tensor>());
            foreach (var (xBatch, yBatch) in trainDataset)
            {
                Tensor batchLoss;
                Tensor[] grads;
                using (var tape = new GradientTape())
                {
                    var yPredBatch = linReg.Call(xBatch);
                    batchLoss = MseLoss(yPredBatch, yBatch);
                    grads = tape.Gradient(batchLoss, linReg.Variables);
                }
                foreach (var (g, v) in grads.Zip(linReg.Variables)) v.AssignSub(learningRate * g);
                batchLossesTrain.Add(batchLoss);
            }
            foreach (var (xBatch, yBatch) in testDataset)
                batchLossesTest.Add(MseLoss(linReg.Call(xBatch), yBatch));
            trainLoss = NF.ReduceMean(NF.Stack(batchLossesTrain));
            testLoss = NF.ReduceMean(NF.Stack(batchLossesTest));
            if (epoch % 10 == 0)
                printed.Add(FormattableString.Invariant($"Mean squared error for step {epoch}: {trainLoss.Item<float>():0.000}"));
        }
        Assert.Equal(["Mean squared error for step 0: 2.521", "Mean squared error for step 10: 0.323", "Mean squared error for step 20: 0.215",
                      "Mean squared error for step 30: 0.198", "Mean squared error for step 40: 0.194", "Mean squared error for step 50: 0.193",
                      "Mean squared error for step 60: 0.192", "Mean squared error for step 70: 0.192", "Mean squared error for step 80: 0.191",
                      "Mean squared error for step 90: 0.191"], printed);
        Assert.Equal(0.19066204f, trainLoss.Item<float>(), 1e-4f);
        Assert.Equal(0.18849541f, testLoss.Item<float>(), 1e-4f);

        var linRegExport = new ExportModule(linReg, OnehotOrigin, normX, normY);
        var testPreds = linRegExport.Call(xTest);
        Assert.Equal([29.7596f, 34.844f, 33.738f, 28.1195f, 24.7208f, 29.4145f, 36.5238f, 33.3467f, 25.8826f, 25.275f],
                     testPreds[..10].ToArray<float>(), new Near(2e-3f));
        // Any number of rows fits the signature; an int table does not, and says so.
        Assert.Equal(new Shape(3), linRegExport.Call(xTest[..3]).Shape);
        Assert.Equal(testPreds[..10].ToArray<float>(), linRegExport.Call(xTest)[..10].ToArray<float>());
        Assert.True(TracedFunction.Of(linRegExport.Call).LastCallReplayed);   // the first call's size again: its plan replays
        Assert.Throws<ArgumentException>(() => linRegExport.Call(NF.Cast(xTest, DType.Int32)));
    }
}

/// <summary>The quickstart on the managed backend.</summary>
public sealed class ManagedGuideCoreQuickstartTests() : GuideCoreQuickstartTests("managed");

/// <summary>The quickstart on the native CPU backend.</summary>
public sealed class NativeCpuGuideCoreQuickstartTests() : GuideCoreQuickstartTests("cpu");

/// <summary>The quickstart on CUDA.</summary>
public sealed class CudaGuideCoreQuickstartTests() : GuideCoreQuickstartTests("cuda");
