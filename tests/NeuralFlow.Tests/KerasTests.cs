using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>Workshop sections 3, 5, 6 and 7 (layers, models, optimizers, losses, metrics, Fit) on every backend.</summary>
public abstract class KerasTests(string backend) : BackendTest(backend)
{
    /// <summary>A learnable stand-in for digits: 10 Gaussian blobs in 784 dimensions, as uint8 images.</summary>
    internal static (Tensor X, Tensor Y) Blobs(int n, int seed)
    {
        NF.Random.SetSeed(seed);
        var centers = NF.Random.Uniform([10, 784], 0, 255);
        var labels = NF.Random.Uniform([n], 0, 10, DType.Int32);
        var noise = NF.Random.Normal([n, 784], 0, 60);
        var pixels = NF.Gather(centers, labels) + noise;
        var images = NF.Cast(NF.Maximum(NF.Minimum(pixels, 255f), 0f), DType.UInt8);
        return (NF.Reshape(images, [n, 28, 28]), NF.Cast(labels, DType.UInt8));
    }

    class Linear
    {
        public Variable W { get; }
        public Variable B { get; }
        public Linear(int inputs, int outputs)
        {
            W = new Variable(NF.Random.Normal([inputs, outputs]));
            B = new Variable(NF.Zeros([outputs]));
        }
        public Tensor Call(Tensor x) => NF.MatMul(x, W) + B;
        public IReadOnlyList<Variable> TrainableVariables => [W, B];
    }

    class MyModel : Model
    {
        readonly Layers.Dense layer1 = new(50, activation: "relu");
        readonly Layers.Dense layer2 = new(10);
        public override Tensor Call(Tensor x) => NF.Softmax(layer2.Call(layer1.Call(x)));
    }

    [SkippableFact]
    public void Section3_class_with_an_optimizer_fits_a_line()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        var xs = NF.Reshape(NF.Range(1f, 5f, 0.1f), [-1, 1]);
        var ys = 3.5f * xs - 1 + NF.Random.Uniform([40, 1], minval: -1, maxval: 1);
        static Tensor Mse(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Square(yTrue - yPred));
        var model = new Linear(1, 1);
        var optimizer = new Optimizers.SGD(learningRate: 0.05f);
        for (int step = 0; step < 500; step++)
        {
            using var tape = new GradientTape();
            var loss = Mse(ys, model.Call(xs));
            optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
        }
        Assert.InRange(model.W.Item<float>(), 3.2f, 3.8f);
        Assert.InRange(model.B.Item<float>(), -1.6f, -0.4f);
        Assert.Equal(500, optimizer.Iterations);
    }

    [SkippableFact]
    public void Section5_layers_build_lazily_and_models_find_their_variables()
    {
        RequireBackend();
        var model = new Sequential(
            new Layers.Flatten(),
            new Layers.Dense(50),
            new Layers.ReLU(),
            new Layers.Dense(10, activation: "softmax"));
        Assert.Empty(model.TrainableVariables);
        var (x, _) = Blobs(8, 1);
        var probs = model.Call(NF.Cast(x, DType.Float32) / 255f);
        Assert.Equal(new Shape(8, 10), probs.Shape);
        Assert.Equal(4, model.TrainableVariables.Count);
        Assert.Equal(784 * 50 + 50 + 50 * 10 + 10, model.CountParams());
        var summary = model.SummaryText();
        Assert.Contains("dense", summary);
        Assert.Contains("(None, 50)", summary);
        Assert.Contains("39,760", summary);
        Assert.Contains("Total params: 39,760", summary);

        var mine = new MyModel();
        var out2 = mine.Call(NF.Random.Normal([3, 784]));
        Assert.Equal(new Shape(3, 10), out2.Shape);
        Assert.Equal(4, mine.TrainableVariables.Count);
        // Glorot-uniform kernel within its limit, zero bias.
        var kernel = mine.TrainableVariables[0].ToArray<float>();
        float limit = MathF.Sqrt(6f / (784 + 50));
        Assert.All(kernel, v => Assert.InRange(v, -limit, limit));
        Assert.All(mine.TrainableVariables[1].ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [SkippableFact]
    public void Section6_custom_loop_with_metrics_learns()
    {
        RequireBackend();
        var (xTrain, yTrain) = Blobs(2048, 3);
        var x = NF.Cast(NF.Reshape(xTrain, [-1, 784]), DType.Float32) / 255f;
        var model = new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
        var optimizer = new Optimizers.SGD(learningRate: 0.1f);
        var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: false);
        var lossMetric = new Metrics.Mean();
        var accMetric = new Metrics.SparseCategoricalAccuracy();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            lossMetric.ResetState();
            accMetric.ResetState();
            for (int start = 0; start < 2048; start += 256)
            {
                var xb = x[start..(start + 256)];
                var yb = yTrain[start..(start + 256)];
                using var tape = new GradientTape();
                var yPred = model.Call(xb);
                var loss = lossFn.Call(yb, yPred);
                optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
                lossMetric.UpdateState(loss);
                accMetric.UpdateState(yb, yPred);
            }
        }
        Assert.True(accMetric.Result() > 0.9f, $"accuracy {accMetric.Result()}");
        Assert.True(lossMetric.Result() < 0.5f, $"loss {lossMetric.Result()}");
    }

    [SkippableFact]
    public void Section7_compile_fit_evaluate_predict()
    {
        RequireBackend();
        var (xTrain, yTrain) = Blobs(2000, 4);
        var (xTest, yTest) = Blobs(500, 4);
        NF.Random.SetSeed(11);
        var model = new Sequential(
            new Layers.Flatten(),
            new Layers.Dense(50),
            new Layers.ReLU(),
            new Layers.Dense(10, activation: "softmax"));
        model.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(xTrain / 255f, yTrain, batchSize: 256, epochs: 4, verbose: 0,
                                validationData: (xTest / 255f, yTest));
        var valAcc = history["val_accuracy"];
        Assert.Equal(4, valAcc.Count);
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], history.Keys);
        Assert.True(valAcc[1] > valAcc[0] && valAcc[2] > valAcc[1], $"val_accuracy {string.Join(", ", valAcc)}");
        Assert.True(history["loss"][3] < history["loss"][0]);
        var (testLoss, testAcc) = model.Evaluate(xTest / 255f, yTest);
        Assert.Equal(valAcc[3], testAcc, 4);
        Assert.Equal(history["val_loss"][3], testLoss, 4);
        var probabilities = model.Predict(xTest / 255f);
        Assert.Equal(new Shape(500, 10), probabilities.Shape);
        var acc = NF.ReduceMean(NF.Cast(NF.Equal(NF.ArgMax(probabilities, 1), NF.Cast(yTest, DType.Int64)), DType.Float32)).Item<float>();
        Assert.Equal(testAcc, acc, 4);
    }

    [SkippableFact]
    public void Every_optimizer_and_loss_trains_a_small_model()
    {
        RequireBackend();
        var (xTrain, yTrain) = Blobs(512, 5);
        var x = xTrain / 255f;
        foreach (var (optimizer, loss, expectLow) in new (Optimizers.Optimizer, Losses.Loss, float)[]
        {
            (new Optimizers.SGD(0.1f, momentum: 0.9, nesterov: true), new Losses.SparseCategoricalCrossentropy(), 0.3f),
            (new Optimizers.Adam(0.01f), new Losses.SparseCategoricalCrossentropy(), 0.3f),
            (new Optimizers.RMSprop(0.002f), new Losses.SparseCategoricalCrossentropy(), 0.3f),
            (new Optimizers.Adagrad(0.02f), new Losses.SparseCategoricalCrossentropy(), 0.3f),
            (new Optimizers.SGD(new ExponentialDecay(0.1, 10, 0.9)), new Losses.SparseCategoricalCrossentropy(), 0.3f),
        })
        {
            NF.Random.SetSeed(6);
            var model = new Sequential(new Layers.Flatten(), new Layers.Dense(32, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
            model.Compile(optimizer, loss, ["accuracy"]);
            var h = model.Fit(x, yTrain, batchSize: 64, epochs: 5, verbose: 0);
            Assert.True(h["loss"][^1] < expectLow, $"{optimizer.GetType().Name}: loss {string.Join(", ", h["loss"])}");
        }
        // Logits with fromLogits, categorical targets, binary and regression losses.
        var logits = new Sequential(new Layers.Flatten(), new Layers.Dense(10));
        logits.Compile(new Optimizers.Adam(0.01f), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        Assert.True(logits.Fit(x, yTrain, batchSize: 64, epochs: 5, verbose: 0)["accuracy"][^1] > 0.9f);
        var cat = new Sequential(new Layers.Flatten(), new Layers.Dense(10, activation: "softmax"));
        cat.Compile("adam", "categorical_crossentropy", ["accuracy"]);
        Assert.True(cat.Fit(x, NF.OneHot(yTrain, 10), batchSize: 64, epochs: 5, verbose: 0)["accuracy"][^1] > 0.8f);
        var binary = NF.Cast(NF.Less(yTrain, 5), DType.Float32);
        var bin = new Sequential(new Layers.Flatten(), new Layers.Dense(1, activation: "sigmoid"));
        bin.Compile(new Optimizers.Adam(0.01f), "binary_crossentropy", ["accuracy"]);
        Assert.True(bin.Fit(x, NF.Reshape(binary, [-1, 1]), batchSize: 64, epochs: 5, verbose: 0)["accuracy"][^1] > 0.8f);
        var reg = new Sequential(new Layers.Flatten(), new Layers.Dense(1));
        reg.Compile(new Optimizers.Adam(0.01f), "mse");
        var hr = reg.Fit(x, NF.Reshape(binary, [-1, 1]), batchSize: 64, epochs: 5, verbose: 0);
        Assert.True(hr["loss"][^1] < hr["loss"][0]);
    }

    [SkippableFact]
    public void Callbacks_and_errors()
    {
        RequireBackend();
        var (x, y) = Blobs(256, 7);
        var model = new Sequential(new Layers.Flatten(), new Layers.Dense(10, activation: "softmax"));
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x / 255f, y));
        Assert.Contains("Compile", e.Message);
        model.Compile("sgd", "sparse_categorical_crossentropy", ["accuracy"]);
        Assert.Throws<ArgumentException>(() => model.Fit(x / 255f, y[..10]));
        var epochsSeen = new List<int>();
        var stop = new Callbacks.EarlyStopping(monitor: "loss", patience: 0, minDelta: 10);
        var h = model.Fit(x / 255f, y, batchSize: 64, epochs: 10, verbose: 0,
            callbacks: [stop, new Callbacks.LambdaCallback(onEpochEnd: (ep, logs) => epochsSeen.Add(ep))]);
        Assert.Equal(2, h.Epochs);        // the first epoch sets the best; the second fails to beat it by 10
        Assert.Equal([0, 1], epochsSeen);
        Assert.Equal(1, stop.StoppedEpoch);
        // restoreBestWeights puts back the weights of the best epoch (copies, not views of the live weights).
        var restoring = new Sequential(new Layers.Flatten(), new Layers.Dense(10, activation: "softmax"));
        restoring.Compile(new Optimizers.SGD(0.5f), "sparse_categorical_crossentropy");
        float[]? bestKernel = null;
        var best = new Callbacks.EarlyStopping(monitor: "loss", patience: 0, minDelta: 10, restoreBestWeights: true);
        restoring.Fit(x / 255f, y, batchSize: 64, epochs: 5, verbose: 0, callbacks:
            [new Callbacks.LambdaCallback(onEpochEnd: (ep, logs) => { if (ep == 0) bestKernel = restoring.Variables[0].ToArray<float>(); }), best]);
        Assert.Equal(1, best.StoppedEpoch);
        Assert.Equal(bestKernel, restoring.Variables[0].ToArray<float>());
        var nanModel = new Sequential(new Layers.Flatten(), new Layers.Dense(10));
        nanModel.Compile(new Optimizers.SGD(1e30f), "mse");
        var hn = nanModel.Fit(x, NF.OneHot(y, 10), batchSize: 64, epochs: 3, verbose: 0, callbacks: [new Callbacks.TerminateOnNaN()]);
        Assert.Equal(1, hn.Epochs);
        Assert.Throws<ArgumentException>(() => new Layers.Dense(3, activation: "nope"));
        Assert.Throws<ArgumentException>(() => model.Compile("nope", "mse"));
    }

    [SkippableFact]
    public void Dropout_is_active_only_in_training()
    {
        RequireBackend();
        var dropout = new Layers.Dropout(0.5);
        var ones = NF.Ones([1000]);
        Assert.Equal(1000f, NF.ReduceSum(dropout.Call(ones)).Item<float>());
        using (Layer.TrainingMode())
        {
            var dropped = dropout.Call(ones).ToArray<float>();
            Assert.All(dropped, v => Assert.True(v == 0f || v == 2f));
            Assert.InRange(dropped.Count(v => v == 0f), 400, 600);
        }
    }
}

public sealed class ManagedKerasTests() : KerasTests("managed");

public sealed class NativeCpuKerasTests() : KerasTests("cpu");

public sealed class CudaKerasTests() : KerasTests("cuda");

/// <summary>The workshop on the embedded MNIST sample: logistic regression, and the Keras model fed by arrays and by a Dataset.</summary>
public abstract class MnistSampleTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Logistic_regression_on_the_sample_reaches_85_percent()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.Mnist.LoadSample();
        var x = NF.Reshape(NF.Cast(xTrain, DType.Float32) / 255f, [-1, 28 * 28]);
        var y = NF.OneHot(yTrain, depth: 10);
        var w = new Variable(NF.Zeros([784, 10]));
        var b = new Variable(NF.Zeros([10]));
        var optimizer = new Optimizers.SGD(learningRate: 0.5f);
        for (int epoch = 0; epoch < 5; epoch++)
            for (int start = 0; start < 8000; start += 100)
            {
                using var scope = TensorScope.Begin();
                using var tape = new GradientTape();
                var probs = NF.Softmax(NF.MatMul(x[start..(start + 100)], w) + b);
                var loss = NF.ReduceMean(Losses.CategoricalCrossentropy.PerExample(y[start..(start + 100)], probs));
                optimizer.ApplyGradients(tape.Gradient(loss, [w, b]), [w, b]);
            }
        var testProbs = NF.Softmax(NF.MatMul(NF.Reshape(NF.Cast(xTest, DType.Float32) / 255f, [-1, 784]), w) + b);
        var accuracy = NF.ReduceMean(NF.Cast(NF.Equal(NF.ArgMax(testProbs, axis: 1), NF.Cast(yTest, DType.Int64)), DType.Float32)).Item<float>();
        Assert.True(accuracy >= 0.85f, $"test accuracy {accuracy}");
    }

    [SkippableFact]
    public void Keras_fit_improves_validation_accuracy_for_three_epochs()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.Mnist.LoadSample();
        var model = new Sequential(
            new Layers.Flatten(),
            new Layers.Dense(50),
            new Layers.ReLU(),
            new Layers.Dense(10, activation: "softmax"));
        model.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(xTrain / 255f, yTrain, batchSize: 64, epochs: 3, verbose: 0, validationData: (xTest / 255f, yTest));
        var valAcc = history["val_accuracy"];
        Assert.True(valAcc[1] > valAcc[0] && valAcc[2] > valAcc[1], $"val_accuracy {string.Join(", ", valAcc)}");
        Assert.True(valAcc[2] > 0.7f, $"val_accuracy {string.Join(", ", valAcc)}");
    }

    [SkippableFact]
    public void Fit_evaluate_and_predict_take_a_dataset()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.Mnist.LoadSample();
        var train = NeuralFlow.Data.Dataset.FromTensorSlices(xTrain, yTrain)
            .Map((img, label) => (NF.Cast(NF.Reshape(img, [28 * 28]), DType.Float32) / 255f, label))
            .Shuffle(bufferSize: 5000, seed: 4)
            .Batch(128)
            .Prefetch(NeuralFlow.Data.Dataset.Autotune);
        var test = NeuralFlow.Data.Dataset.FromTensorSlices(NF.Reshape(xTest / 255f, [-1, 784]), yTest).Batch(500);
        var model = new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
        model.Compile(new Optimizers.Adam(0.003f), "sparse_categorical_crossentropy", ["accuracy"]);
        var history = model.Fit(train, epochs: 2, verbose: 0, validationData: test);
        Assert.Equal(2, history["val_accuracy"].Count);
        Assert.True(history["val_accuracy"][1] > 0.85f, $"val_accuracy {string.Join(", ", history["val_accuracy"])}");
        var (loss, acc) = model.Evaluate(test);
        Assert.Equal(history["val_accuracy"][1], acc, 4);
        Assert.Equal(new Shape(2000, 10), model.Predict(test).Shape);
        Assert.Throws<ArgumentException>(() => model.Fit(NeuralFlow.Data.Dataset.FromTensorSlices(xTest), epochs: 1, verbose: 0));
    }
}

public sealed class ManagedMnistSampleTests() : MnistSampleTests("managed");

public sealed class NativeCpuMnistSampleTests() : MnistSampleTests("cpu");

public sealed class CudaMnistSampleTests() : MnistSampleTests("cuda");
