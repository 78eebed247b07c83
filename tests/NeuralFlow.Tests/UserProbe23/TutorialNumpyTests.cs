using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Load NumPy data" tutorial (site/en/tutorials/load_data/numpy.ipynb) cell by cell on a small
/// MNIST-like stand-in (28x28 uint8 images, uint8 labels, unscaled as the tutorial feeds them):
/// from_tensor_slices of the arrays, shuffle(100).batch(64), Sequential Flatten(input_shape=(28, 28)) / Dense,
/// RMSprop with SparseCategoricalCrossentropy(from_logits=True) and sparse_categorical_accuracy, fit and evaluate.
/// </summary>
public abstract class TutorialNumpyTests(string backend) : BackendTest(backend)
{
    // Class c lights a 6x6 block at its own place over dim noise, so the raw pixels tell the digit apart.
    private static (byte[,,] Examples, byte[] Labels) Mnist(int count, int seed)
    {
        var random = new Random(seed);
        var examples = new byte[count, 28, 28];
        var labels = new byte[count];
        for (int n = 0; n < count; n++)
        {
            int label = n % 10;
            labels[n] = (byte)label;
            int top = 2 + (label / 5) * 12, left = 1 + (label % 5) * 5;
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 28; c++)
                    examples[n, r, c] = r >= top && r < top + 6 && c >= left && c < left + 5 ? (byte)(200 + random.Next(56)) : (byte)random.Next(30);
        }
        return (examples, labels);
    }

    [SkippableFact]
    public void Arrays_sliced_into_a_dataset_train_a_flatten_dense_model()
    {
        RequireBackend();
        NF.Random.SetSeed(2331);
        // with np.load(path) as data: train_examples = data['x_train'] ...
        var (trainExamplesRaw, trainLabelsRaw) = Mnist(200, seed: 1);
        var (testExamplesRaw, testLabelsRaw) = Mnist(60, seed: 2);
        var trainExamples = NF.Constant(trainExamplesRaw);
        var trainLabels = NF.Constant(trainLabelsRaw);
        Assert.Equal(DType.UInt8, trainExamples.DType);
        Assert.Equal(new Shape(200, 28, 28), trainExamples.Shape);

        // train_dataset = tf.data.Dataset.from_tensor_slices((train_examples, train_labels))
        var trainDataset = Dataset.FromTensorSlices(trainExamples, trainLabels);
        var testDataset = Dataset.FromTensorSlices(NF.Constant(testExamplesRaw), NF.Constant(testLabelsRaw));
        Assert.Equal("(TensorSpec(shape=(28, 28), dtype=tf.uint8, name=None), TensorSpec(shape=(), dtype=tf.uint8, name=None))", trainDataset.ElementSpec.ToString());

        const int BatchSize = 64, ShuffleBufferSize = 100;
        var trainBatches = trainDataset.Shuffle(ShuffleBufferSize).Batch(BatchSize);
        var testBatches = testDataset.Batch(BatchSize);
        Assert.Equal(4, trainBatches.Cardinality);
        // A shuffle buffer of 100 keeps every example once per epoch.
        Assert.Equal(Enumerable.Range(0, 200).Select(n => n % 10).Order(), trainBatches.SelectMany(b => b.Item2.ToArray<byte>().Select(l => (int)l)).Order());

        var model = new Sequential(
            new Layers.Flatten { InputShape = [28, 28] },
            new Layers.Dense(128, activation: "relu"),
            new Layers.Dense(10));
        model.Compile(optimizer: new Optimizers.RMSprop(), loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: ["sparse_categorical_accuracy"]);
        var history = model.Fit(trainBatches, epochs: 4, verbose: 0);
        Assert.Equal(new[] { "loss", "sparse_categorical_accuracy" }, history.Keys);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));

        // model.evaluate(test_dataset): the mean loss and the share of argmax hits over the 60 test images.
        var result = model.Evaluate(testBatches, verbose: 0);
        Assert.Equal(new[] { "loss", "sparse_categorical_accuracy" }, result.Keys);
        Assert.True(result["sparse_categorical_accuracy"] >= 0.9, $"test accuracy {result["sparse_categorical_accuracy"]}");
        var logits = model.Predict(testBatches);
        var predicted = NF.ArgMax(logits, 1).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 60).Count(n => predicted[n] == testLabelsRaw[n]) / 60.0, result["sparse_categorical_accuracy"], 5);
        var logProbabilities = NF.LogSoftmax(logits).ToArray<float>();
        Assert.Equal(Enumerable.Range(0, 60).Average(n => -logProbabilities[n * 10 + testLabelsRaw[n]]), result["loss"], 3);
    }
}

/// <summary>The NumPy data tutorial on the managed backend.</summary>
public sealed class ManagedTutorialNumpyTests() : TutorialNumpyTests("managed");

/// <summary>The NumPy data tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialNumpyTests() : TutorialNumpyTests("cpu");

/// <summary>The NumPy data tutorial on CUDA.</summary>
public sealed class CudaTutorialNumpyTests() : TutorialNumpyTests("cuda");
