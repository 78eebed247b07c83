// The consumer test's program (build.cake, ConsumerTest): copied into a fresh console project
// outside the solution that gets NeuralFlow from the local package folder only. Not part of
// NeuralFlow.sln. Trains the README's model for two epochs and says which backend served.
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;

var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
var model = new Sequential(
    new Layers.Flatten(),
    new Layers.Dense(50),
    new Layers.ReLU(),
    new Layers.Dense(10, activation: "softmax"));
model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
model.Fit(xTrain / 255f, yTrain, batchSize: 64, epochs: 2);
var (loss, accuracy) = model.Evaluate(xTest / 255f, yTest);
Console.WriteLine($"consumer: backend {NF.Backend.Name}");
Console.WriteLine($"consumer: native library {NeuralFlow.Native.NativeLibraryLoader.LoadedFrom ?? "(none)"}");
Console.WriteLine($"consumer: test accuracy after 2 epochs {accuracy:F4}");
