// Keep what you trained: train a small MNIST model with checkpoints, save it whole (and export it to ONNX), load it back
// (in this process, or in a fresh one with `predict`), and check the predictions agree bit for bit.
//   dotnet run -c Release --project samples/SaveAndLoad -- [--epochs 2] [--dir FOLDER] [--backend cpu|managed]
//   dotnet run -c Release --project samples/SaveAndLoad -- predict --dir FOLDER     (a fresh process loads the saved model)
using System.Security.Cryptography;
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;

bool predictOnly = args.Length > 0 && args[0] == "predict";
int epochs = 2;
string dir = Path.Combine(Path.GetTempPath(), "neuralflow-save-and-load");
if (SampleOptions.Parse(predictOnly ? args[1..] : args, "SaveAndLoad [predict] [--epochs N] [--dir FOLDER] [--backend cpu|managed]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--dir"] = v => dir = v,
}) is int exit) return exit;

var (_, (xTest, yTest)) = Datasets.Mnist.LoadSample();
var probe = xTest[..100] / 255f;
string modelPath = Path.Combine(dir, "mnist.nfmodel");

if (!predictOnly)
{
    Directory.CreateDirectory(dir);
    var ((xTrain, yTrain), _) = Datasets.Mnist.LoadSample();
    NF.Random.SetSeed(42);
    var model = new Sequential(
        new Layers.Flatten(),
        new Layers.Dense(64, activation: "relu"),
        new Layers.Dropout(0.1),
        new Layers.Dense(10, activation: "softmax"));
    model.Compile(new Optimizers.Adam(learningRate: 0.002f), "sparse_categorical_crossentropy", ["accuracy"]);
    model.Fit(xTrain / 255f, yTrain, batchSize: 64, epochs: epochs, validationData: (xTest / 255f, yTest), verbose: 2, callbacks:
    [
        // The best epoch so far, by validation accuracy, and a backup a killed run resumes from.
        new Callbacks.ModelCheckpoint(Path.Combine(dir, "best.nfmodel"), monitor: "val_accuracy", saveBestOnly: true),
        new Callbacks.BackupAndRestore(Path.Combine(dir, "backup")),
    ]);
    model.Save(modelPath);                                                       // architecture, weights, optimizer state
    model.SaveWeights(Path.Combine(dir, "mnist.weights.safetensors"));           // weights alone, for any safetensors reader
    model.ExportOnnx(Path.Combine(dir, "mnist.onnx"));                          // the inference graph, for ONNX Runtime
    Console.WriteLine($"Saved {modelPath} ({new FileInfo(modelPath).Length:N0} bytes)");
    Console.WriteLine($"Trained model predictions: {Digest(model.Predict(probe))}");
    Console.WriteLine($"Exported {Path.Combine(dir, "mnist.onnx")} for ONNX Runtime");
}

var loaded = Model.Load(modelPath);
Console.WriteLine($"Loaded model predictions: {Digest(loaded.Predict(probe))}");
var (loss, accuracy) = loaded.Evaluate(xTest / 255f, yTest, verbose: 0);
Console.WriteLine($"Loaded model: test loss {loss:0.0000} - test accuracy {accuracy:0.0000}, optimizer {loaded.Optimizer?.GetType().Name} at step {loaded.Optimizer?.Iterations}");
var weights = NF.Safetensors.Load(Path.Combine(dir, "mnist.weights.safetensors"));
Console.WriteLine($"The weights file holds {string.Join(", ", weights.Select(w => $"{w.Key} {w.Value.Shape}"))}");
return 0;

// A fingerprint of the exact bits of the predictions: equal digests mean identical predictions.
static string Digest(Tensor predictions) =>
    Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(predictions.ToArray<float>().AsSpan())))[..16];
