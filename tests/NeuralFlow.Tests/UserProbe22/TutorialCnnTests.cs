using NeuralFlow.Keras;
using NeuralFlow.Plotting;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// TensorFlow's "Convolutional Neural Network (CNN)" tutorial (site/en/tutorials/images/cnn.ipynb) cell by cell on a
/// small CIFAR-like stand-in (32x32x3 images scaled by 1/255, labels of shape (N, 1) as CIFAR's): the Conv2D /
/// MaxPooling2D stack built with model.add and its summary, the dense head and the summary again (Keras 3's text),
/// compile with SparseCategoricalCrossentropy(from_logits=True) and accuracy, fit with validation_data, the history
/// plotted, and evaluate equal to the last epoch's validation values.
/// </summary>
public abstract class TutorialCnnTests(string backend) : BackendFileTest(backend)
{
    private const int Classes = 10;

    // Each class its own colour cast over uniform noise, so that a few epochs learn something; uint8 as CIFAR.
    private static (Tensor Images, Tensor Labels) Cifar(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * 32 * 32 * 3];
        var labels = new byte[count, 1];
        for (int n = 0; n < count; n++)
        {
            int label = n % Classes;
            labels[n, 0] = (byte)label;
            for (int p = 0; p < 32 * 32; p++)
                for (int c = 0; c < 3; c++)
                {
                    int cast = ((label >> c) & 1) * 120 + (label >= 8 && c == 0 ? 60 : 0);
                    pixels[(n * 32 * 32 + p) * 3 + c] = (byte)Math.Min(255, cast + random.Next(100));
                }
        }
        return (NF.Constant(pixels, new Shape(count, 32, 32, 3)), NF.Constant(labels));
    }

    private const string ConvTable = """
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
        │ conv2d (Conv2D)                 │ (None, 30, 30, 32)     │           896 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ max_pooling2d (MaxPooling2D)    │ (None, 15, 15, 32)     │             0 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ conv2d_1 (Conv2D)               │ (None, 13, 13, 64)     │        18,496 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ max_pooling2d_1 (MaxPooling2D)  │ (None, 6, 6, 64)       │             0 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ conv2d_2 (Conv2D)               │ (None, 4, 4, 64)       │        36,928 │
        """;

    [SkippableFact]
    public void The_cnn_trains_with_validation_data_and_evaluates_as_its_last_validation()
    {
        RequireBackend();
        NF.Random.SetSeed(2203);
        var (trainImagesRaw, trainLabels) = Cifar(40, 1);
        var (testImagesRaw, testLabels) = Cifar(20, 2);
        // train_images, test_images = train_images / 255.0, test_images / 255.0
        var trainImages = trainImagesRaw / 255.0;
        var testImages = testImagesRaw / 255.0;
        Assert.Equal(DType.Float32, trainImages.DType);
        Assert.Equal(new[] { 40, 1 }, trainLabels.Shape.ToArray());

        // Keras' default layer names are spelled out: NeuralFlow numbers them per process, as Keras per session,
        // and other tests run in this process.
        var model = new Sequential([], name: "sequential");
        // model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)))
        model.Add(new Layers.Conv2D(32, [3, 3], activation: "relu", name: "conv2d") { InputShape = [32, 32, 3] });
        model.Add(new Layers.MaxPooling2D([2, 2], name: "max_pooling2d"));
        model.Add(new Layers.Conv2D(64, [3, 3], activation: "relu", name: "conv2d_1"));
        model.Add(new Layers.MaxPooling2D([2, 2], name: "max_pooling2d_1"));
        model.Add(new Layers.Conv2D(64, [3, 3], activation: "relu", name: "conv2d_2"));
        // Keras 3's model.summary() for this model (80-column console).
        Assert.Equal("Model: \"sequential\"\n" + ConvTable + """

            └─────────────────────────────────┴────────────────────────┴───────────────┘
             Total params: 56,320 (220.00 KB)
             Trainable params: 56,320 (220.00 KB)
             Non-trainable params: 0 (0.00 B)

            """.ReplaceLineEndings("\n"), model.SummaryText().ReplaceLineEndings("\n"));

        model.Add(new Layers.Flatten("flatten"));
        model.Add(new Layers.Dense(64, activation: "relu", name: "dense"));
        model.Add(new Layers.Dense(10, name: "dense_1"));
        Assert.Equal("Model: \"sequential\"\n" + ConvTable + """

            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ flatten (Flatten)               │ (None, 1024)           │             0 │
            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ dense (Dense)                   │ (None, 64)             │        65,600 │
            ├─────────────────────────────────┼────────────────────────┼───────────────┤
            │ dense_1 (Dense)                 │ (None, 10)             │           650 │
            └─────────────────────────────────┴────────────────────────┴───────────────┘
             Total params: 122,570 (478.79 KB)
             Trainable params: 122,570 (478.79 KB)
             Non-trainable params: 0 (0.00 B)

            """.ReplaceLineEndings("\n"), model.SummaryText().ReplaceLineEndings("\n"));

        model.Compile(optimizer: "adam", loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        const int epochs = 3;
        var history = model.Fit(trainImages, trainLabels, epochs: epochs, validationData: (testImages, testLabels), verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys);
        Assert.All(history.Keys, k => Assert.Equal(epochs, history[k].Count));
        // Accuracies are fractions of the 40 training and 20 test images.
        Assert.All(history["accuracy"], a => Assert.Equal(Math.Round(a * 40), a * 40, 3));
        Assert.All(history["val_accuracy"], a => Assert.Equal(Math.Round(a * 20), a * 20, 3));
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));

        // plt.plot(history.history['accuracy']) ... : the curves drawn, accuracy with its validation twin.
        Assert.Equal(new[] { "loss", "accuracy" }, Plots.CurveNames(history));
        Assert.True(new FileInfo(history.Plot(Temp.File("history.png"))).Length > 0);

        // test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2): the weights of the last
        // epoch's validation, so the same numbers.
        var (testLoss, testAcc) = model.Evaluate(testImages, testLabels, verbose: 0);
        Assert.Equal(history["val_loss"][^1], testLoss, 4);
        Assert.Equal(history["val_accuracy"][^1], testAcc, 5);
        // And what they mean: the mean cross-entropy of the logits and the share of argmax hits.
        var logits = model.Predict(testImages);
        Assert.Equal(new[] { 20, Classes }, logits.Shape.ToArray());
        var logProbabilities = NF.LogSoftmax(logits).ToArray<float>();
        var labels = testLabels.ToArray<byte>();
        double crossEntropy = Enumerable.Range(0, 20).Average(n => -logProbabilities[n * Classes + labels[n]]);
        Assert.Equal(crossEntropy, testLoss, 4);
        var predicted = NF.ArgMax(logits, 1).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 20).Count(n => predicted[n] == labels[n]) / 20.0, testAcc, 5);
    }
}

/// <summary>The CNN tutorial on the managed backend.</summary>
public sealed class ManagedTutorialCnnTests() : TutorialCnnTests("managed");

/// <summary>The CNN tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialCnnTests() : TutorialCnnTests("cpu");

/// <summary>The CNN tutorial on CUDA.</summary>
public sealed class CudaTutorialCnnTests() : TutorialCnnTests("cuda");
