using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's "Timeseries classification from scratch" (FordA: Conv1D, BatchNormalization, ReLU,
/// GlobalAveragePooling1D; ModelCheckpoint(save_best_only, val_loss), ReduceLROnPlateau and
/// EarlyStopping(verbose=1); sparse_categorical_accuracy) and "Timeseries forecasting for weather
/// prediction" (timeseries_dataset_from_array with sequence_length/sampling_rate, LSTM(32), Dense(1), mse),
/// in C# on series shaped like theirs. Parameter counts are Keras' published ones (25,858 with 384
/// non-trainable; 5,153); the history keys are Keras 3's, learning_rate included.
/// </summary>
public abstract class TimeseriesExampleTests(string backend) : BackendFileTest(backend)
{
    private static Model MakeModel(int[] inputShape, int numClasses)
    {
        var inputLayer = Layers.Input(inputShape);
        var x = inputLayer;
        for (int i = 0; i < 3; i++)
        {
            x = new Layers.Conv1D(filters: 64, kernelSize: 3, padding: "same").Call(x);
            x = new Layers.BatchNormalization().Call(x);
            x = new Layers.ReLU().Call(x);
        }
        var gap = new Layers.GlobalAveragePooling1D().Call(x);
        var outputLayer = new Layers.Dense(numClasses, activation: "softmax").Call(gap);
        return new Model(inputs: inputLayer, outputs: outputLayer);
    }

    // FordA-like: two classes of noisy sines of different frequencies, labelled -1 and 1 as in its files.
    private static (Tensor X, Tensor Y) FordA(int count, int length)
    {
        var rng = new Random(3);
        var xs = new float[count * length];
        var ys = new int[count];
        for (int i = 0; i < count; i++)
        {
            ys[i] = i % 2 == 0 ? -1 : 1;
            for (int t = 0; t < length; t++) xs[i * length + t] = (float)(Math.Sin(t * (ys[i] > 0 ? 0.6 : 0.15)) + 0.3 * rng.NextDouble());
        }
        return (NF.Constant(xs, [count, length]), NF.Constant(ys, [count]));
    }

    [SkippableFact]
    public void Classification_trains_with_the_three_callbacks_and_reloads_the_best_model()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var (xTrain, yTrain) = FordA(BackendName == "cuda" ? 24 : 48, 40);
        // x_train.reshape((n, length, 1)); num_classes = len(np.unique(y_train)); permutation; y[y == -1] = 0
        xTrain = NF.Reshape(xTrain, [xTrain.Shape[0], xTrain.Shape[1], 1]);
        int numClasses = NF.Unique(yTrain).Y.Shape[0];
        Assert.Equal(2, numClasses);
        var idx = NF.Random.Shuffle(NF.Range(0, xTrain.Shape[0]));
        xTrain = NF.Gather(xTrain, idx);
        yTrain = NF.Gather(yTrain, idx);
        yTrain = NF.Where(NF.Equal(yTrain, -1), 0, yTrain);
        var model = MakeModel(xTrain.Shape.ToArray()[1..], numClasses);
        Assert.Equal(25_858, model.CountParams());
        Assert.Equal(384, model.NonTrainableVariables.Sum(v => v.Count));
        Assert.Contains(" Total params: 25,858 (101.01 KB)", model.SummaryText());
        string best = Temp.File("best_model.keras");
        var callbacks = new Callbacks.Callback[]
        {
            new Callbacks.ModelCheckpoint(best, saveBestOnly: true, monitor: "val_loss"),
            new Callbacks.ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2, minLr: 0.0001),
            new Callbacks.EarlyStopping(monitor: "val_loss", patience: 5, verbose: 1),
        };
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["sparse_categorical_accuracy"]);
        var history = model.Fit(xTrain, yTrain, batchSize: 16, epochs: BackendName == "cuda" ? 2 : 6, callbacks: callbacks,
            validationSplit: 0.2, verbose: 0);
        Assert.Equal(new[] { "loss", "sparse_categorical_accuracy", "val_loss", "val_sparse_categorical_accuracy", "learning_rate" },
            history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        const string metric = "sparse_categorical_accuracy";
        Assert.Equal(history[metric].Count, history["val_" + metric].Count);
        model = Model.Load(best);
        var (testLoss, testAcc) = model.Evaluate(xTrain, yTrain);
        Assert.True(float.IsFinite(testLoss));
        Assert.InRange(testAcc, 0f, 1f);
    }

    [SkippableFact]
    public void Early_stopping_with_verbose_prints_keras_lines()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(1));
        model.Compile("sgd", "mse");
        // Only the first epoch can improve by 100, so patience 1 stops after the second (Keras' "Epoch 2").
        var stop = new Callbacks.EarlyStopping(monitor: "loss", minDelta: 100, patience: 1, restoreBestWeights: true, verbose: 1);
        var output = new StringWriter();
        var before = Console.Out;
        try
        {
            Console.SetOut(TextWriter.Synchronized(output));   // other tests may write meanwhile
            model.Fit(NF.Random.Normal([8, 4]), NF.Random.Normal([8, 1]), epochs: 5, verbose: 0, callbacks: [stop]);
        }
        finally { Console.SetOut(before); }
        Assert.Equal(1, stop.StoppedEpoch);
        var text = output.ToString().ReplaceLineEndings("\n");
        Assert.Contains("Epoch 2: early stopping\nRestoring model weights from the end of the best epoch: 1.\n", text);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Callbacks.EarlyStopping(verbose: -1));
    }

    [SkippableFact]
    public void Weather_forecasting_windows_feed_an_lstm()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        // Seven normalized features, hourly; the example keeps every 6th step of 72 past hours (step = 6).
        int rows = 200;
        var values = new float[rows * 7];
        for (int t = 0; t < rows; t++)
            for (int f = 0; f < 7; f++) values[t * 7 + f] = (float)Math.Sin(0.05 * t + f);
        var features = NF.Constant(values, [rows, 7]);
        int pastLen = 72, step = 6, futureLen = 72 / 12, batchSize = 16, trainSplit = 100;
        int start = pastLen + futureLen, end = start + trainSplit;
        var xTrain = features[..trainSplit];
        var yTrain = features[start..end, 1..2];
        int sequenceLength = pastLen / step;
        var datasetTrain = Utils.TimeseriesDatasetFromArray(xTrain, yTrain, sequenceLength: sequenceLength, samplingRate: step, batchSize: batchSize);
        var (inputs, targets) = datasetTrain.Take(1).First();
        Assert.Equal(new[] { 16, 12, 7 }, inputs.Shape.ToArray());
        Assert.Equal(new[] { 16, 1 }, targets.Shape.ToArray());
        // Window i holds rows i, i + 6, ..., i + 66 of x; its target is y's row i.
        Assert.Equal(xTrain[6, 3].Item<float>(), inputs[0, 1, 3].Item<float>());
        Assert.Equal(yTrain[2, 0].Item<float>(), targets[2, 0].Item<float>());
        // 100 - (12 - 1) * 6 = 34 windows, batched by 16: 16, 16 and 2.
        Assert.Equal(new[] { 16, 16, 2 }, datasetTrain.Select(b => b.Item1.Shape[0]).ToArray());

        var input = Layers.Input([inputs.Shape[1], inputs.Shape[2]]);
        var lstmOut = new Layers.LSTM(32).Call(input);
        var outputs = new Layers.Dense(1).Call(lstmOut);
        var model = new Model(inputs: input, outputs: outputs);
        model.Compile(optimizer: new Optimizers.Adam(learningRate: 0.01), loss: "mse");
        Assert.Equal(5_153, model.CountParams());   // 4 * 32 * (7 + 32 + 1) + 33, keras.io's summary
        var history = model.Fit(datasetTrain, epochs: BackendName == "cuda" ? 2 : 8, validationData: datasetTrain, verbose: 0,
            callbacks: [new Callbacks.EarlyStopping(monitor: "val_loss", minDelta: 0, patience: 5),
                        new Callbacks.ModelCheckpoint(Temp.File("model_checkpoint.weights.h5"), monitor: "val_loss", saveWeightsOnly: true, saveBestOnly: true)]);
        Assert.Equal(new[] { "loss", "val_loss" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        Assert.True(File.Exists(Temp.File("model_checkpoint.weights.h5")));
    }
}

/// <summary>The timeseries examples on the managed backend.</summary>
public sealed class ManagedTimeseriesExampleTests() : TimeseriesExampleTests("managed");

/// <summary>The timeseries examples on the native CPU backend.</summary>
public sealed class NativeCpuTimeseriesExampleTests() : TimeseriesExampleTests("cpu");

/// <summary>The timeseries examples on CUDA.</summary>
public sealed class CudaTimeseriesExampleTests() : TimeseriesExampleTests("cuda");
