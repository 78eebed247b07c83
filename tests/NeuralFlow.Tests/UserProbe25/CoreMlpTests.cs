using NeuralFlow.Data;
using NeuralFlow.Tests.UserProbe24;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// TensorFlow's Core APIs multilayer perceptron guide (guide/core/mlp_core.ipynb) in C#: MNIST digits (the library's
/// embedded sample) batched and preprocessed by a map, the guide's DenseLayer whose weights are made on the first call
/// by a weight_init function, the MLP whose call is traced, the sparse softmax cross-entropy loss and argmax accuracy,
/// the guide's hand-written Adam, train_step and val_step run eagerly and as NF.Function over three epochs, and the
/// ExportModule that preprocesses raw uint8 images and returns classes, saved through a checkpoint and restored into a
/// fresh module; then the test accuracy, per digit and as a confusion matrix. The guide's xavier_init draws random
/// weights; here the same limits scale a hash of each weight's index, so every number is PyTorch's
/// (coremlp_references.py).
/// </summary>
public abstract class CoreMlpTests(string backend) : BackendFileTest(backend)
{
    // coremlp_references.py: the epoch means of the batch losses and accuracies.
    private static readonly float[] TrainLoss = [1.485098f, 0.4915737f, 0.3162047f];
    private static readonly float[] TrainAcc = [0.6152344f, 0.8603516f, 0.9042969f];
    private static readonly float[] ValLoss = [0.8234752f, 0.5657097f, 0.3954659f];
    private static readonly float[] ValAcc = [0.7773438f, 0.8164062f, 0.8945312f];

    /// <summary>The guide's xavier_init, as it is written: uniform in ±sqrt(6) / sqrt(in + out), the limit a tensor.</summary>
    private static Tensor XavierInit(Shape shape)
    {
        var (inDim, outDim) = (shape[0], shape[1]);
        var xavierLim = NF.Sqrt(6f) / NF.Sqrt(NF.Cast(inDim + outDim, DType.Float32));
        return NF.Random.Uniform(new Shape(inDim, outDim), minval: -xavierLim, maxval: xavierLim, seed: 22);
    }

    /// <summary>xavier_init's limits with murmur3's finalizer of the weight's index (offset by the layer) for the uniform draw.</summary>
    private static Func<Shape, Tensor> FixedXavierInit(int layer) => shape =>
    {
        var (inDim, outDim) = (shape[0], shape[1]);
        double lim = Math.Sqrt(6.0) / Math.Sqrt(inDim + outDim);
        var values = new float[inDim * outDim];
        for (int k = 0; k < values.Length; k++)
        {
            uint h = unchecked((uint)(k + layer * 1_000_000) * 0x9E3779B1u);
            h ^= h >> 16;
            h = unchecked(h * 0x85EBCA6Bu);
            h ^= h >> 13;
            h = unchecked(h * 0xC2B2AE35u);
            h ^= h >> 16;
            values[k] = (float)(lim * (2 * (h / 4294967296.0) - 1));
        }
        return NF.Constant(values, shape);
    };

    /// <summary>The guide's DenseLayer(tf.Module): the input width read on the first call, w by weight_init, b zeros.</summary>
    private sealed class DenseLayer(int outDim, Func<Shape, Tensor>? weightInit = null, Func<Tensor, Tensor>? activation = null) : Module
    {
        private readonly Func<Shape, Tensor> _weightInit = weightInit ?? XavierInit;
        private readonly Func<Tensor, Tensor> _activation = activation ?? NF.Identity;
        private Variable? _w, _b;

        public Tensor Call(Tensor x)
        {
            if (_w is null)
            {
                int inDim = x.Shape[1];
                _w = new Variable(_weightInit(new Shape(inDim, outDim)));
                _b = new Variable(NF.Zeros([outDim]));
            }
            var z = NF.Add(NF.MatMul(x, _w), _b!);
            return _activation(z);
        }
    }

    /// <summary>The guide's MLP(tf.Module) with its @tf.function __call__: the layers in order, traced.</summary>
    private sealed class Mlp : Module
    {
        private readonly List<DenseLayer> _layers;
        private readonly Func<Tensor, Tensor> _call;

        public Mlp(List<DenseLayer> layers)
        {
            _layers = layers;
            _call = NF.Function((Tensor x) =>
            {
                foreach (var layer in _layers) x = layer.Call(x);
                return x;
            });
        }

        public Tensor Call(Tensor x) => _call(x);

        /// <summary>The traced __call__, for its replay statistics.</summary>
        public TracedFunction Compiled => TracedFunction.Of(_call);
    }

    private static Mlp NewMlp(Func<int, Func<Shape, Tensor>> init) => new(
    [
        new DenseLayer(700, init(0), NF.Relu),
        new DenseLayer(500, init(1), NF.Relu),
        new DenseLayer(10, init(2)),
    ]);

    private static Tensor CrossEntropyLoss(Tensor yPred, Tensor y) =>
        NF.ReduceMean(NF.SparseSoftmaxCrossEntropyWithLogits(labels: y, logits: yPred));

    private static Tensor Accuracy(Tensor yPred, Tensor y)
    {
        var classPreds = NF.ArgMax(NF.Softmax(yPred), axis: 1);
        var isEqual = NF.Equal(y, classPreds);
        return NF.ReduceMean(NF.Cast(isEqual, DType.Float32));
    }

    /// <summary>
    /// The guide's Adam, with one change: its step count t is a variable, not a number, so that a traced train step
    /// reads the current count (a C# number is read once, at the trace, as a Python float is by tf.function).
    /// </summary>
    private sealed class Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float ep = 1e-7f)
    {
        private readonly Variable _t = new(1f);
        private readonly List<Variable> _vDvar = [], _sDvar = [];
        private bool _built;

        public void ApplyGradients(IReadOnlyList<Tensor> grads, IReadOnlyList<Variable> vars)
        {
            if (!_built)
            {
                foreach (var v in vars)
                {
                    _vDvar.Add(new Variable(NF.Zeros(v.Shape)));
                    _sDvar.Add(new Variable(NF.Zeros(v.Shape)));
                }
                _built = true;
            }
            for (int i = 0; i < vars.Count; i++)
            {
                var dVar = grads[i];
                _vDvar[i].Assign(beta1 * _vDvar[i] + (1 - beta1) * dVar);
                _sDvar[i].Assign(beta2 * _sDvar[i] + (1 - beta2) * NF.Square(dVar));
                var vDvarBc = _vDvar[i] / (1 - NF.Pow(beta1, _t));
                var sDvarBc = _sDvar[i] / (1 - NF.Pow(beta2, _t));
                vars[i].AssignSub(learningRate * (vDvarBc / (NF.Sqrt(sDvarBc) + ep)));
            }
            _t.AssignAdd(1f);
        }
    }

    private static (Tensor Loss, Tensor Acc) TrainStep(Tensor xBatch, Tensor yBatch, Func<Tensor, Tensor, Tensor> loss,
                                                       Func<Tensor, Tensor, Tensor> acc, Mlp model, Adam optimizer)
    {
        Tensor yPred, batchLoss;
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            yPred = model.Call(xBatch);
            batchLoss = loss(yPred, yBatch);
            // Inside the block: a using block frees the tape at its end, where Python's with keeps it.
            grads = tape.Gradient(batchLoss, model.Variables);
        }
        var batchAcc = acc(yPred, yBatch);
        optimizer.ApplyGradients(grads, model.Variables);
        return (batchLoss, batchAcc);
    }

    private static (Tensor Loss, Tensor Acc) ValStep(Tensor xBatch, Tensor yBatch, Func<Tensor, Tensor, Tensor> loss,
                                                     Func<Tensor, Tensor, Tensor> acc, Mlp model)
    {
        var yPred = model.Call(xBatch);
        return (loss(yPred, yBatch), acc(yPred, yBatch));
    }

    private static (Tensor X, Tensor Y) Preprocess(Tensor x, Tensor y) => (NF.Reshape(x, [-1, 784]) / 255, y);

    // The guide's train_model: per epoch, the means of the batch losses and accuracies (train, then validation).
    private static List<float[]> TrainModel(Func<Tensor, Tensor, (Tensor, Tensor)> trainStep, Func<Tensor, Tensor, (Tensor, Tensor)> valStep,
                                            Dataset<(Tensor, Tensor)> trainData, Dataset<(Tensor, Tensor)> valData, int epochs)
    {
        var history = new List<float[]>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var (batchLossesTrain, batchAccsTrain, batchLossesVal, batchAccsVal) = (new List<Tensor>(), new List<Tensor>(), new List<Tensor>(), new List<Tensor>());
            foreach (var (xBatch, yBatch) in trainData)
            {
                var (batchLoss, batchAcc) = trainStep(xBatch, yBatch);
                batchLossesTrain.Add(batchLoss);
                batchAccsTrain.Add(batchAcc);
            }
            foreach (var (xBatch, yBatch) in valData)
            {
                var (batchLoss, batchAcc) = valStep(xBatch, yBatch);
                batchLossesVal.Add(batchLoss);
                batchAccsVal.Add(batchAcc);
            }
            history.Add([.. new[] { batchLossesTrain, batchAccsTrain, batchLossesVal, batchAccsVal }.Select(b => NF.ReduceMean(NF.Stack(b)).Item<float>())]);
        }
        return history;
    }

    /// <summary>The guide's ExportModule: raw uint8 images in, classes out, traced (its input_signature is left out).</summary>
    private sealed class ExportModule : Module
    {
        private readonly Mlp _model;

        public ExportModule(Mlp model, Func<Tensor, Tensor> preprocess, Func<Tensor, Tensor> classPred)
        {
            _model = model;
            Call = NF.Function((Tensor x) => classPred(_model.Call(preprocess(x))));
        }

        public Func<Tensor, Tensor> Call { get; }
    }

    private static Tensor PreprocessTest(Tensor x) => NF.Reshape(x, [-1, 784]) / 255;

    private static Tensor ClassPredTest(Tensor y) => NF.ArgMax(NF.Softmax(y), axis: 1);

    private static Tensor AccuracyScore(Tensor yPred, Tensor y) => NF.ReduceMean(NF.Cast(NF.Equal(yPred, y), DType.Float32));

    // The losses to 1e-4; an accuracy to one digit of the epoch's 1024 training (256 validation) digits: a few digits'
    // two largest logits are about 1e-4 apart (coremlp_references.py), so summation order may flip one of them.
    private static void AssertHistory(List<float[]> history)
    {
        var near = new Near(1e-4f);
        Assert.Equal(TrainLoss, history.Select(h => h[0]), near);
        Assert.Equal(TrainAcc, history.Select(h => h[1]), new Near(1.01f / 1024));
        Assert.Equal(ValLoss, history.Select(h => h[2]), near);
        Assert.Equal(ValAcc, history.Select(h => h[3]), new Near(1.01f / 256));
    }

    [SkippableFact]
    public void Mlp_with_core_apis_trains_eagerly_and_traced_exports_saves_and_reloads()
    {
        RequireBackend();
        // tfds' MNIST: uint8 images and int64 labels; train[10000:] / train[0:10000] scaled down to the sample.
        var ((images, labels), (xTest, testLabels)) = Datasets.Mnist.LoadSample();
        var (y, yTest) = (NF.Cast(labels, DType.Int64), NF.Cast(testLabels, DType.Int64));
        var trainData = Dataset.FromTensorSlices(images[256..1280], y[256..1280]).Batch(128).Map(Preprocess);
        var valData = Dataset.FromTensorSlices(images[..256], y[..256]).Batch(128).Map(Preprocess);

        var mlpModel = NewMlp(FixedXavierInit);
        Assert.Empty(mlpModel.Variables);   // made on the first call, from the input's width
        var (firstX, _) = trainData.First();
        Assert.Equal([-0.1844782f, -0.0295468f, -0.2005584f], mlpModel.Call(firstX[..1])[0, ..3].ToArray<float>(), new Near(1e-4f));
        Assert.Equal(6, mlpModel.Variables.Count);
        Assert.Equal(3, mlpModel.Submodules.Count);
        Assert.Equal([new Shape(700), new Shape(784, 700)], mlpModel.Variables.Take(2).Select(v => v.Shape));   // b, w: tf.Module's attribute order

        var optimizer = new Adam();
        mlpModel.Compiled.ReplayUnderTape = true;
        using var log = new WarningLogCapture();
        var history = TrainModel((x, t) => TrainStep(x, t, CrossEntropyLoss, Accuracy, mlpModel, optimizer),
                                 (x, t) => ValStep(x, t, CrossEntropyLoss, Accuracy, mlpModel), trainData, valData, epochs: 3);
        AssertHistory(history);
        // The eager train_step calls the traced __call__ inside its GradientTape: with ReplayUnderTape, as under TensorFlow,
        // it replays (one op on the tape with a compiled gradient); by default it runs eagerly with a warning. Traced twice: once for the
        // first single-row call, which made the variables, then for the batches; 24 training batches and 6 validation ones.
        Assert.Equal(2, mlpModel.Compiled.TraceCount);
        Assert.Equal(24 + 6 - 1, mlpModel.Compiled.ReplayCount);
        Assert.Null(mlpModel.Compiled.EagerReason);
        Assert.DoesNotContain("runs eagerly", log.Text);

        // train_step and val_step under @tf.function: the same three epochs from the same weights, traced once each.
        var tracedModel = NewMlp(FixedXavierInit);
        var tracedOptimizer = new Adam();
        var tracedTrainStep = NF.Function((Tensor x, Tensor t) => TrainStep(x, t, CrossEntropyLoss, Accuracy, tracedModel, tracedOptimizer));
        var tracedValStep = NF.Function((Tensor x, Tensor t) => ValStep(x, t, CrossEntropyLoss, Accuracy, tracedModel));
        var tracedHistory = TrainModel(tracedTrainStep, tracedValStep, trainData, valData, epochs: 3);
        Assert.True(TracedFunction.Of(tracedTrainStep).LastCallReplayed);
        AssertHistory(tracedHistory);
        Assert.Equal(history.Select(h => h[0]), tracedHistory.Select(h => h[0]), new Near(1e-5f));
        Assert.Equal(history.Select(h => h[2]), tracedHistory.Select(h => h[2]), new Near(1e-5f));
        for (int i = 0; i < 6; i++)
            Assert.Equal(mlpModel.Variables[i].ToArray<float>(), tracedModel.Variables[i].ToArray<float>(), new Near(1e-5f));

        // Save and load: the export module's model written to a checkpoint, restored into a fresh MLP (called once to make
        // its variables) behind a fresh export module; the predictions are the same.
        var mlpModelExport = new ExportModule(mlpModel, PreprocessTest, ClassPredTest);
        var testClasses = mlpModelExport.Call(xTest);
        Assert.Equal(DType.Int64, testClasses.DType);
        Assert.Equal([1L, 9, 5, 9, 3, 7, 2, 7, 0, 4], testClasses[..10].ToArray<long>());
        string savePath = new Train.Checkpoint(new Dictionary<string, object> { ["export"] = mlpModelExport }).Write(Temp.File("mlp_model_export"));
        var loadedModel = NewMlp(_ => shape => NF.Zeros(shape));
        loadedModel.Call(NF.Zeros([1, 784]));
        var mlpLoaded = new ExportModule(loadedModel, PreprocessTest, ClassPredTest);
        new Train.Checkpoint(new Dictionary<string, object> { ["export"] = mlpLoaded }).Restore(savePath).AssertConsumed();
        var loadedClasses = mlpLoaded.Call(xTest);
        Assert.Equal(testClasses.ToArray<long>(), loadedClasses.ToArray<long>());

        var testAcc = AccuracyScore(loadedClasses, yTest);
        Assert.Equal(0.8365f, testAcc.Item<float>(), 1e-6f);
        // Accuracy breakdown by digit: the predictions of each true label, picked by a boolean mask (test_classes[label_ind]).
        float[] digitAccs = [0.92f, 0.965f, 0.79f, 0.86f, 0.695f, 0.795f, 0.92f, 0.875f, 0.635f, 0.91f];
        for (int label = 0; label < 10; label++)
        {
            var labelInd = NF.Equal(yTest, label);
            var predLabel = loadedClasses[labelInd];
            Assert.Equal(digitAccs[label], AccuracyScore(predLabel, yTest[labelInd]).Item<float>(), 1e-6f);
        }
        var confusion = NF.ConfusionMatrix(yTest, loadedClasses);
        Assert.Equal([184, 193, 158, 172, 139, 159, 184, 175, 127, 182], NF.DiagPart(confusion).ToArray<int>());
        Assert.Equal(2000, NF.ReduceSum(confusion).Item<int>());
    }

    [SkippableFact]
    public void The_guides_xavier_init_draws_within_its_tensor_limits_from_its_seed()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(22);
            var w = XavierInit(new Shape(784, 700));
            float lim = MathF.Sqrt(6f) / MathF.Sqrt(1484f);
            Assert.Equal(new Shape(784, 700), w.Shape);
            Assert.Equal(DType.Float32, w.DType);
            Assert.True(NF.ReduceMax(NF.Abs(w)).Item<float>() <= lim);
            Assert.Equal(0f, NF.ReduceMean(w).Item<float>(), 2e-3f);
            // Uniform on [-lim, lim): variance lim^2 / 3.
            Assert.Equal(lim * lim / 3, NF.ReduceMean(NF.Square(w)).Item<float>(), 2e-5f);
            NF.Random.SetSeed(22);
            Assert.Equal(w.ToArray<float>(), XavierInit(new Shape(784, 700)).ToArray<float>());

            // The layer built with it by default (the guide's DenseLayer(out_dim=...) without a weight_init): w, after b.
            var layer = new DenseLayer(3);
            Assert.Equal(new Shape(2, 3), layer.Call(NF.Ones([2, 4])).Shape);
            Assert.True(NF.ReduceMax(NF.Abs(layer.Variables[1])).Item<float>() <= MathF.Sqrt(6f) / MathF.Sqrt(7f));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>The Core APIs MLP guide, on the managed backend.</summary>
public sealed class ManagedCoreMlpTests() : CoreMlpTests("managed");

/// <summary>The Core APIs MLP guide, on the native CPU backend.</summary>
public sealed class NativeCpuCoreMlpTests() : CoreMlpTests("cpu");

/// <summary>The Core APIs MLP guide, on the CUDA backend.</summary>
public sealed class CudaCoreMlpTests() : CoreMlpTests("cuda");
