using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's "Simple MNIST convnet" (examples/vision/mnist_convnet.py) written in C# as a user
/// would: the model's summary is Keras 3's table with its published counts (34,826 parameters,
/// 136.04 KB), categorical cross-entropy on <c>to_categorical</c> labels with validation_split=0.1
/// logs Keras' history keys, and <c>score = model.evaluate(...)</c> is read as Keras' list.
/// </summary>
public abstract class MnistConvnetExampleTests(string backend) : BackendTest(backend)
{
    // With keras: true the layers take the names Keras gives them in a fresh process (the
    // published summary's), since NeuralFlow's counters run on across a test run (conv2d_106, whose
    // longer name would wrap in the table's first column).
    private static Sequential BuildModel(bool kerasNames = false)
    {
        string? Named(string name) => kerasNames ? name : null;
        return new(
            Layers.Input([28, 28, 1]),
            new Layers.Conv2D(32, kernelSize: [3, 3], activation: "relu", name: Named("conv2d")),
            new Layers.MaxPooling2D(poolSize: [2, 2], name: Named("max_pooling2d")),
            new Layers.Conv2D(64, kernelSize: [3, 3], activation: "relu", name: Named("conv2d_1")),
            new Layers.MaxPooling2D(poolSize: [2, 2], name: Named("max_pooling2d_1")),
            new Layers.Flatten(Named("flatten")),
            new Layers.Dropout(0.5, name: Named("dropout")),
            new Layers.Dense(10, activation: "softmax", name: Named("dense")));
    }

    [SkippableFact]
    public void Summary_is_keras_3s_table_with_the_published_counts()
    {
        RequireBackend();
        var model = BuildModel(kerasNames: true);
        Assert.Equal(34_826, model.CountParams());
        // keras.io's published output of model.summary() for this model (Keras 3, 80-column console).
        const string want = """
            ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
            ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
            ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
            │ conv2d (Conv2D)                 │ (None, 26, 26, 32)     │           320 │
            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ max_pooling2d (MaxPooling2D)    │ (None, 13, 13, 32)     │             0 │
            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ conv2d_1 (Conv2D)               │ (None, 11, 11, 64)     │        18,496 │
            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ max_pooling2d_1 (MaxPooling2D)  │ (None, 5, 5, 64)       │             0 │
            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ flatten (Flatten)               │ (None, 1600)           │             0 │
            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ dropout (Dropout)               │ (None, 1600)           │             0 │
            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ dense (Dense)                   │ (None, 10)             │        16,010 │
            └─────────────────────────────────┴────────────────────────┴───────────────┘
             Total params: 34,826 (136.04 KB)
             Trainable params: 34,826 (136.04 KB)
             Non-trainable params: 0 (0.00 B)

            """;
        var text = model.SummaryText().ReplaceLineEndings("\n");
        Assert.Equal($"Model: \"{model.Name}\"\n" + want.ReplaceLineEndings("\n"), text);
    }

    [SkippableFact]
    public void Trains_with_categorical_labels_a_validation_split_and_evaluates_as_a_list()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var (images, ids) = ExampleData.Digits(40, seed: 1);
        var xTrain = NF.ExpandDims(images, -1);
        var yTrain = Utils.ToCategorical(ids, 10);
        Assert.Equal(new[] { 40, 10 }, yTrain.Shape.ToArray());
        var model = BuildModel();
        model.Compile(loss: "categorical_crossentropy", optimizer: "adam", metrics: ["accuracy"]);
        int epochs = BackendName == "cuda" ? 2 : 6;
        var history = model.Fit(xTrain, yTrain, batchSize: 16, epochs: epochs, validationSplit: 0.1, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var score = model.Evaluate(xTrain, yTrain, verbose: 0);
        // Keras: print("Test loss:", score[0]); print("Test accuracy:", score[1]).
        Assert.Equal(2, score.Count);
        Assert.Equal(score.Loss, score[0]);
        Assert.Equal(score["accuracy"], score[1]);
        Assert.InRange(score[1], 0f, 1f);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => score[2]);
        Assert.Contains("loss, accuracy", outOfRange.Message);
        var unknown = Assert.Throws<KeyNotFoundException>(() => score["acc"]);
        Assert.Contains("'acc'", unknown.Message);
    }
}

/// <summary>The MNIST convnet example on the managed backend.</summary>
public sealed class ManagedMnistConvnetExampleTests() : MnistConvnetExampleTests("managed");

/// <summary>The MNIST convnet example on the native CPU backend.</summary>
public sealed class NativeCpuMnistConvnetExampleTests() : MnistConvnetExampleTests("cpu");

/// <summary>The MNIST convnet example on CUDA.</summary>
public sealed class CudaMnistConvnetExampleTests() : MnistConvnetExampleTests("cuda");
