// Transfer learning and fine-tuning as Keras' guide does it: train a small CNN base on the digits
// 0-4, freeze it (Trainable = false), train a new head on the digits 5-9, then unfreeze and
// fine-tune everything with a low learning rate; save and load the result.
//   dotnet run -c Release --project samples/TransferLearning -- [--epochs 2] [--dir /tmp/transfer] [--backend cpu|managed]
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;

int epochs = 2;
string dir = Path.Combine(Path.GetTempPath(), "neuralflow-transfer");
if (SampleOptions.Parse(args, "TransferLearning [--epochs N] [--dir FOLDER] [--backend cpu|managed]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--dir"] = v => dir = v,
}) is int exit) return exit;

Console.WriteLine($"NeuralFlow on {NF.Backend.Name}: {NF.Backend.Description}");
var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
// The images whose label is in [from, from + 5), as (N, 28, 28, 1) floats, and their labels 0-4.
(Tensor X, Tensor Y) Digits(Tensor x, Tensor y, int from)
{
    var labels = y.ToArray<byte>();
    var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] >= from && labels[i] < from + 5).ToArray();
    var picked = NF.Gather(x, NF.Constant(rows));
    var images = NF.Reshape(NF.Cast(picked, DType.Float32) / 255f, [-1, 28, 28, 1]);
    return (images, NF.Constant(rows.Select(i => labels[i] - from).ToArray()));
}
var (lowX, lowY) = Digits(xTrain, yTrain, 0);
var (highX, highY) = Digits(xTrain, yTrain, 5);
var (highTestX, highTestY) = Digits(xTest, yTest, 5);

NF.Random.SetSeed(7);
var baseModel = new Sequential(Layers.Input([28, 28, 1]),
    new Layers.Conv2D(16, 3, activation: "relu"), new Layers.MaxPooling2D(),
    new Layers.Conv2D(32, 3, activation: "relu"), new Layers.MaxPooling2D(),
    new Layers.Flatten(), new Layers.Dense(64, activation: "relu", name: "features"));
var pretrain = new Sequential(baseModel, new Layers.Dense(5, activation: "softmax"));
pretrain.Compile(new Optimizers.Adam(0.002f), "sparse_categorical_crossentropy", ["accuracy"]);
pretrain.Fit(lowX, lowY, batchSize: 64, epochs: epochs, verbose: 2);

// The base keeps what it learned; only the new head trains.
baseModel.Trainable = false;
var model = new Sequential(baseModel, new Layers.Dropout(0.2), new Layers.Dense(5, activation: "softmax", name: "head"));
model.Compile(new Optimizers.Adam(0.01f), "sparse_categorical_crossentropy", ["accuracy"]);
model.Fit(highX, highY, batchSize: 64, epochs: epochs, verbose: 2);
model.Summary();
var (_, headAcc) = model.Evaluate(highTestX, highTestY);
Console.WriteLine($"Frozen base, new head: test accuracy {headAcc:0.0000}");

// Fine-tuning: everything trains, slowly (compile again after changing Trainable, as Keras asks).
baseModel.Trainable = true;
model.Compile(new Optimizers.Adam(1e-4f), "sparse_categorical_crossentropy", ["accuracy"]);
model.Fit(highX, highY, batchSize: 64, epochs: 1, verbose: 2);

Directory.CreateDirectory(dir);
string path = Path.Combine(dir, "transfer.nfmodel");
model.Save(path);
var loaded = Model.Load(path);
var (testLoss, testAcc) = loaded.Evaluate(highTestX, highTestY);
Console.WriteLine($"Fine-tuned and reloaded: test loss {testLoss:0.0000} - test accuracy {testAcc:0.0000}");
return 0;
