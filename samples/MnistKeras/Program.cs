// The workshop's Keras chapter (section 7): Flatten, Dense 50, ReLU, Dense 10 softmax, trained
// with Compile/Fit on MNIST, then Evaluate and Predict. Uses the full MNIST when its four IDX
// files are present (--data DIR, or the NeuralFlow cache folder), else the embedded 10,000-digit sample.
//   dotnet run -c Release --project samples/MnistKeras -- [--epochs 5] [--batch-size 64] [--backend cpu|managed] [--data DIR] [--plot curves.png]
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Plotting;

int epochs = 5, batchSize = 64;
string? dataDir = null, plotFile = null;
if (SampleOptions.Parse(args, "MnistKeras [--epochs N] [--batch-size N] [--backend cpu|managed] [--data DIR] [--plot FILE.png]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--batch-size"] = v => batchSize = int.Parse(v),
    ["--data"] = v => dataDir = v,
    ["--plot"] = v => plotFile = v,
}) is int exit) return exit;

Console.WriteLine($"NeuralFlow on {NF.Backend.Name}: {NF.Backend.Description}");
var ((xTrain, yTrain), (xTest, yTest)) = MnistFiles.Load(dataDir);
Console.WriteLine($"train {xTrain.Shape} {xTrain.DType.Name()}, test {xTest.Shape}");
for (int i = 0; i < 10; i++)
    Console.Write($"{(i == 0 ? "Number of" : ",")} {i}s: {NF.ReduceSum(NF.Cast(NF.Equal(yTrain, i), DType.Int32)).Item<int>()}");
Console.WriteLine();

NF.Random.SetSeed(42);
var model = new Sequential(
    new Layers.Flatten(),
    new Layers.Dense(50),
    new Layers.ReLU(),
    new Layers.Dense(10, activation: "softmax"));
model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var history = model.Fit(xTrain / 255f, yTrain, batchSize: batchSize, epochs: epochs, validationData: (xTest / 255f, yTest));
model.Summary();
var (testLoss, testAcc) = model.Evaluate(xTest / 255f, yTest);
Console.WriteLine($"Test loss: {testLoss:0.0000} - test accuracy: {testAcc:0.0000}");
var probabilities = model.Predict(xTest[..5] / 255f);
Console.WriteLine($"Predicted {string.Join(" ", NF.ArgMax(probabilities, axis: 1).ToArray<long>())} for labels {string.Join(" ", yTest[..5].ToArray<byte>())}");
Console.WriteLine($"val_accuracy per epoch: {string.Join(", ", history["val_accuracy"].Select(a => a.ToString("0.0000")))}");
if (plotFile is not null)
    Console.WriteLine($"Plot: {history.Plot(plotFile)}");
return 0;
