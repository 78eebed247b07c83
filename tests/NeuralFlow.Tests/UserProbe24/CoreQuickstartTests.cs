using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// TensorFlow's Core APIs quickstart (guide/core/quickstart_core.ipynb) in C#: a table's origin column one-hot encoded,
/// a Normalize module (reduce_mean, reduce_std), a linear regression module whose traced call makes its variables on
/// the first call, a hand-written SGD loop over batched datasets, and an export function chaining the preprocessing,
/// the model and the unnormalization. The auto-mpg download is a synthetic table of the same layout, unshuffled, and
/// the random initial weights are fixed, so the losses are PyTorch's (core_quickstart_references.py).
/// </summary>
public abstract class CoreQuickstartTests(string backend) : BackendTest(backend)
{
    // core_quickstart_references.py: each epoch's mean train and test batch losses.
    private static readonly float[] TrainLosses = [1.175548f, 0.802260f, 0.563712f, 0.407472f, 0.302428f, 0.229882f, 0.178430f, 0.140999f, 0.113123f, 0.091922f];
    private static readonly float[] TestLosses = [0.960752f, 0.675830f, 0.488961f, 0.363101f, 0.276002f, 0.214101f, 0.168988f, 0.135343f, 0.109734f, 0.089893f];

    private static Tensor Table()
    {
        var rows = new float[300, 8];
        for (int i = 0; i < 300; i++)
        {
            double mpg = 0;
            for (int j = 1; j <= 6; j++)
            {
                double feature = 2 + Math.Sin(0.37 * i + 1.3 * j);
                rows[i, j] = (float)feature;
                mpg += j * feature;
            }
            int origin = 1 + i % 3;
            rows[i, 7] = origin;
            rows[i, 0] = (float)(mpg - 2 * origin + 0.3 * Math.Sin(i));
        }
        return NF.Constant(rows);
    }

    private static Tensor OnehotOrigin(Tensor x)
    {
        var origin = NF.Cast(x[.., -1], DType.Int32);
        // origin - 1: the feature counts from 1
        var originOh = NF.OneHot(origin - 1, 3);
        return NF.Concat([x[.., ..^1], originOh], axis: 1);
    }

    private sealed class Normalize(Tensor x)
    {
        private readonly Tensor _mean = NF.ReduceMean(x, axis: 0), _std = NF.ReduceStd(x, axis: 0);

        public Tensor Norm(Tensor t) => (t - _mean) / _std;

        public Tensor Unnorm(Tensor t) => t * _std + _mean;
    }

    /// <summary>The guide's LinearRegression(tf.Module): a traced call that makes w and b on its first call.</summary>
    private sealed class LinearRegression : Layer
    {
        private Variable? _w, _b;
        private readonly Func<Tensor, Tensor> _call;

        public LinearRegression() => _call = NF.Function((Tensor x) =>
        {
            if (_w is null)
            {
                int features = x.Shape[^1];
                _w = new Variable(NF.Constant(Enumerable.Range(0, features).Select(k => 0.1f * MathF.Sin(k + 1)).ToArray(), new Shape(features, 1)));
                _b = new Variable(0.5f);
            }
            var y = NF.Add(NF.MatMul(x, _w), _b!);
            return NF.Squeeze(y, axis: 1);
        });

        protected override Tensor Forward(Tensor x) => _call(x);
    }

    private static Tensor MseLoss(Tensor yPred, Tensor y) => NF.ReduceMean(NF.Square(yPred - y));

    [SkippableFact]
    public void Linear_regression_with_core_apis_trains_and_exports()
    {
        RequireBackend();
        var table = Table();
        var (trainData, testData) = (table[100..], table[..100]);
        var (xTrain, yTrain) = (trainData[.., 1..], trainData[.., 0]);
        var (xTest, yTest) = (testData[.., 1..], testData[.., 0]);
        var (xTrainOhe, xTestOhe) = (OnehotOrigin(xTrain), OnehotOrigin(xTest));
        Assert.Equal(new Shape(200, 9), xTrainOhe.Shape);

        var normX = new Normalize(xTrainOhe);
        var normY = new Normalize(yTrain);
        var (xTrainNorm, yTrainNorm) = (normX.Norm(xTrainOhe), normY.Norm(yTrain));
        var (xTestNorm, yTestNorm) = (normX.Norm(xTestOhe), normY.Norm(yTest));

        var linReg = new LinearRegression();
        var prediction = linReg.Call(xTrainNorm[..1]);
        Assert.Equal(41.49085f, normY.Unnorm(prediction).Item<float>(), 1e-4f);   // core_quickstart_references.py
        Assert.Equal(2, linReg.Variables.Count);

        var trainDataset = Dataset.FromTensorSlices(xTrainNorm, yTrainNorm).Batch(64);
        var testDataset = Dataset.FromTensorSlices(xTestNorm, yTestNorm).Batch(64);
        const float learningRate = 0.01f;
        for (int epoch = 0; epoch < 10; epoch++)
        {
            var batchLossesTrain = new List<Tensor>();
            var batchLossesTest = new List<Tensor>();
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
            Assert.Equal(TrainLosses[epoch], NF.ReduceMean(NF.Stack(batchLossesTrain)).Item<float>(), 2e-5f);
            Assert.Equal(TestLosses[epoch], NF.ReduceMean(NF.Stack(batchLossesTest)).Item<float>(), 2e-5f);
        }

        // The guide's ExportModule: raw rows in, miles per gallon out, traced.
        var export = NF.Function((Tensor x) => normY.Unnorm(linReg.Call(normX.Norm(OnehotOrigin(x)))));
        Assert.Equal(43.96810f, export(xTest[..1]).Item<float>(), 1e-3f);
        Assert.Equal(43.96810f, export(xTest[..1]).Item<float>(), 1e-3f);
        Assert.True(TracedFunction.Of(export).LastCallReplayed);
    }
}

/// <summary>The Core APIs quickstart, on the managed backend.</summary>
public sealed class ManagedCoreQuickstartTests() : CoreQuickstartTests("managed");

/// <summary>The Core APIs quickstart, on the native CPU backend.</summary>
public sealed class NativeCpuCoreQuickstartTests() : CoreQuickstartTests("cpu");

/// <summary>The Core APIs quickstart, on the CUDA backend.</summary>
public sealed class CudaCoreQuickstartTests() : CoreQuickstartTests("cuda");

/// <summary>Shape's axis counted from the end with C#'s index syntax, as the quickstart's <c>x.shape[-1]</c>.</summary>
public sealed class ShapeFromEndIndexTests
{
    [Fact]
    public void Counts_from_the_end_and_refuses_past_either_end()
    {
        var shape = new Shape(2, 3, 9);
        Assert.Equal(9, shape[^1]);
        Assert.Equal(2, shape[^3]);
        Assert.Equal(3, shape[(Index)1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[^0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[^4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[(Index)3]);
    }
}
