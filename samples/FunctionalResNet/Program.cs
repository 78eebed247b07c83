// The functional API (issue 15): a small residual CNN, whose skip connection a Sequential model
// cannot express, trained on a slice of Fashion-MNIST.
//   input -> Conv2D -> MaxPool -> [Conv2D -> Conv2D] + skip (Layers.Add) -> GlobalAveragePooling2D -> Dense
//   dotnet run -c Release --project samples/FunctionalResNet -- [--epochs 2] [--examples 6000] [--backend cpu|managed]
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;

int epochs = 2, examples = 6000;
if (SampleOptions.Parse(args, "FunctionalResNet [--epochs N] [--examples N] [--backend cpu|managed]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--examples"] = v => examples = int.Parse(v),
}) is int exit) return exit;

Console.WriteLine($"NeuralFlow on {NF.Backend.Name}: {NF.Backend.Description}");
var ((xTrain, yTrain), (xTest, yTest)) = Datasets.FashionMnist.LoadData();
// Images as (N, 28, 28, 1) floats in [0, 1]; a slice keeps the run under a minute.
Tensor Images(Tensor x, int n) => NF.Reshape(NF.Cast(x[..n], DType.Float32) / 255f, [n, 28, 28, 1]);
var (trainX, trainY) = (Images(xTrain, examples), yTrain[..examples]);
var (testX, testY) = (Images(xTest, 1000), yTest[..1000]);

NF.Random.SetSeed(42);
var inputs = Layers.Input([28, 28, 1], name: "image");
var stem = new Layers.Conv2D(16, 3, padding: "same", activation: "relu").Call(inputs);
stem = new Layers.MaxPooling2D().Call(stem);
var branch = new Layers.Conv2D(16, 3, padding: "same", activation: "relu").Call(stem);
branch = new Layers.Conv2D(16, 3, padding: "same").Call(branch);
var residual = new Layers.ReLU().Call(new Layers.Add().Call([stem, branch]));
var pooled = new Layers.GlobalAveragePooling2D().Call(residual);
var outputs = new Layers.Dense(10, activation: "softmax", name: "class").Call(pooled);
var model = new Model(inputs, outputs, name: "functional_resnet");
model.Summary();

model.Compile(new Optimizers.Adam(0.003f), "sparse_categorical_crossentropy", ["accuracy"]);
model.Fit(trainX, trainY, batchSize: 64, epochs: epochs, verbose: 2);
var (testLoss, testAcc) = model.Evaluate(testX, testY);
Console.WriteLine($"Test loss: {testLoss:0.0000} - test accuracy: {testAcc:0.0000}");
return 0;
