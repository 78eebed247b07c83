using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe13;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Trainer pattern" in C#: one MyTrainer class trains a Sequential model (SGD) and a
/// functional one (Adam) through its own TrainStep and TestStep; compiled with an optimizer alone,
/// Fit logs exactly the trainer's metrics, "sparse_categorical_accuracy" and its "val_" twin (no
/// loss: the trainer lists none), and Predict runs the wrapped model.
/// </summary>
public abstract class ExamplesTrainerPatternTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void One_trainer_trains_a_sequential_and_a_functional_model()
    {
        RequireBackend();
        NF.Random.SetSeed(156);
        var (images, labels) = ExampleData.Digits(BackendName == "cuda" ? 40 : 80, seed: 6);
        var (testImages, testLabels) = ExampleData.Digits(20, seed: 7);
        var modelA = new Sequential(
            new Layers.Flatten(),
            new Layers.Dense(32, activation: "relu"),
            new Layers.Dropout(0.2),
            new Layers.Dense(10, activation: "softmax"));
        var funcInput = Layers.Input([28, 28, 1]);
        var x = new Layers.Flatten().Call(funcInput);
        x = new Layers.Dense(48, activation: "relu").Call(x);
        x = new Layers.Dropout(0.4).Call(x);
        var modelB = new Model(funcInput, new Layers.Dense(10, activation: "softmax").Call(x));

        var trainer1 = new MyTrainer(modelA);
        var trainer2 = new MyTrainer(modelB);
        trainer1.Compile(new Optimizers.SGD(0.1f));
        var history1 = trainer1.Fit(images, labels, epochs: 3, batchSize: 16, validationData: (testImages, testLabels), verbose: 0);
        trainer2.Compile(new Optimizers.Adam());
        var (images4, testImages4) = (NF.ExpandDims(images, -1), NF.ExpandDims(testImages, -1));
        var history2 = trainer2.Fit(images4, labels, epochs: 3, batchSize: 16, validationData: (testImages4, testLabels), verbose: 0);
        foreach (var history in new[] { history1, history2 })
        {
            Assert.Equal(new[] { "sparse_categorical_accuracy", "val_sparse_categorical_accuracy" }, history.Keys.ToArray());
            Assert.True(history["sparse_categorical_accuracy"][^1] > history["sparse_categorical_accuracy"][0],
                string.Join(", ", history["sparse_categorical_accuracy"]));
        }
        // The trainer's weights are the wrapped model's; Predict runs it.
        Assert.Equal(modelB.CountParams(), trainer2.CountParams());
        var direct = modelB.Predict(testImages4, verbose: 0).ToArray<float>();
        var viaTrainer = trainer2.Predict(testImages4, verbose: 0).ToArray<float>();
        Assert.Equal(direct, viaTrainer);
        var score = trainer2.Evaluate(testImages4, testLabels, verbose: 0);
        Assert.Equal("sparse_categorical_accuracy", score.Values[0].Key);
        Assert.Equal(history2["val_sparse_categorical_accuracy"][^1], score[0], 5);
    }
}

/// <summary>The trainer pattern example on the managed backend.</summary>
public sealed class ManagedExamplesTrainerPatternTests() : ExamplesTrainerPatternTests("managed");

/// <summary>The trainer pattern example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesTrainerPatternTests() : ExamplesTrainerPatternTests("cpu");

/// <summary>The trainer pattern example on CUDA.</summary>
public sealed class CudaExamplesTrainerPatternTests() : ExamplesTrainerPatternTests("cuda");
