// The consumer test's program (build.cake, ConsumerTest): copied into a fresh console project
// outside the solution that gets NeuralFlow from the local package folder only. Not part of
// NeuralFlow.sln. Trains the README's model for two epochs, says which backend served and which
// devices the packages offer (NeuralFlow.Cuda adds the GPU where there is one), and plots the
// history with NeuralFlow.Plotting.
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Plotting;

var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
var model = new Sequential(
    new Layers.Flatten(),
    new Layers.Dense(50),
    new Layers.ReLU(),
    new Layers.Dense(10, activation: "softmax"));
model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var history = model.Fit(xTrain / 255f, yTrain, batchSize: 64, epochs: 2);
var (loss, accuracy) = model.Evaluate(xTest / 255f, yTest);
Console.WriteLine($"consumer: backend {NF.Backend.Name}");
Console.WriteLine($"consumer: native library {NeuralFlow.Native.NativeLibraryLoader.LoadedFrom ?? "(none)"}");
Console.WriteLine($"consumer: test accuracy after 2 epochs {accuracy:F4}");
Console.WriteLine($"consumer: devices {string.Join(", ", NF.Devices())}; CUDA engine {NeuralFlow.Native.NativeLibraryLoader.CudaLoadedFrom ?? "(not loaded)"}; {NF.Cuda.Failure ?? "GPU available"}");
var png = history.Plot(Path.Combine(AppContext.BaseDirectory, "consumer-history.png"));
Console.WriteLine($"consumer: plot {new FileInfo(png).Length} bytes");
