// Workshop section 5: a fully connected network on MNIST three ways. From scratch with variables
// and a tape; as Keras-style layers in a Sequential model trained with Compile/Fit; as a
// subclassed Model whose layers are found in its fields. Trains on the embedded 10,000-digit sample.
//   dotnet run --project samples/NeuralNetwork -- [--epochs 5] [--batch-size 64] [--backend cpu|managed] [--plot curves.png]
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Plotting;

int epochs = 5, batchSize = 64;
string? plotFile = null;
if (SampleOptions.Parse(args, "NeuralNetwork [--epochs N] [--batch-size N] [--backend cpu|managed] [--plot FILE.png]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--batch-size"] = v => batchSize = int.Parse(v),
    ["--plot"] = v => plotFile = v,
}) is int exit) return exit;

Console.WriteLine($"Backend: {NF.Backend.Name} - {NF.Backend.Description}");
var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
var x = NF.Reshape(xTrain / 255f, [-1, 28 * 28]);
var xt = NF.Reshape(xTest / 255f, [-1, 28 * 28]);
Console.WriteLine($"train {x.Shape}, test {xt.Shape} (embedded MNIST sample)");
static float Accuracy(Tensor labels, Tensor probs) =>
    NF.ReduceMean(NF.Cast(NF.Equal(NF.ArgMax(probs, axis: 1), NF.Cast(labels, DType.Int64)), DType.Float32)).Item<float>();

Console.WriteLine("\n# 1. From scratch: variables, ReLU, softmax, a tape");
NF.Random.SetSeed(42);
var w1 = new Variable(0.05f * NF.Random.Normal([28 * 28, 50]));
var b1 = new Variable(NF.Zeros([50]));
var w2 = new Variable(0.05f * NF.Random.Normal([50, 10]));
var b2 = new Variable(NF.Zeros([10]));
Variable[] variables = [w1, b1, w2, b2];
Tensor Forward(Tensor input) => NF.Softmax(NF.MatMul(NF.Relu(NF.MatMul(input, w1) + b1), w2) + b2);
var sgd = new Optimizers.SGD(learningRate: 0.1f);
int n = (int)x.Shape[0];
for (int epoch = 0; epoch < epochs; epoch++)
{
    var lossMean = new Metrics.Mean();
    for (int start = 0; start < n; start += batchSize)
    {
        using var scope = TensorScope.Begin();
        int end = Math.Min(n, start + batchSize);
        using var tape = new GradientTape();
        var loss = NF.ReduceMean(Losses.SparseCategoricalCrossentropy.PerExample(yTrain[start..end], Forward(x[start..end])));
        sgd.ApplyGradients(tape.Gradient(loss, variables), variables);
        lossMean.UpdateState(loss);
    }
    Console.WriteLine($"Epoch {epoch + 1}/{epochs}: loss {lossMean.Result():F4}");
}
Console.WriteLine($"From scratch: test accuracy {Accuracy(yTest, Forward(xt)):F4}");

Console.WriteLine("\n# 2. Keras-style layers: Sequential, Compile, Fit");
NF.Random.SetSeed(42);
var model = new Sequential(
    new Layers.Flatten(),
    new Layers.Dense(50),
    new Layers.ReLU(),
    new Layers.Dense(10, activation: "softmax"));
model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var history = model.Fit(xTrain / 255f, yTrain, batchSize: batchSize, epochs: epochs, validationData: (xTest / 255f, yTest));
model.Summary();
Console.WriteLine($"Sequential: {model.Evaluate(xTest / 255f, yTest)}");

Console.WriteLine("\n# 3. A subclassed Model");
NF.Random.SetSeed(42);
var mine = new MyModel();
mine.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
mine.Fit(x, yTrain, batchSize: batchSize, epochs: epochs, verbose: 0);
Console.WriteLine($"MyModel: {mine.TrainableVariables.Count} trainable variables, {mine.CountParams()} parameters");
Console.WriteLine($"MyModel: {mine.Evaluate(xt, yTest)}");

if (plotFile is not null)
    Console.WriteLine($"Plot: {history.Plot(plotFile)}");
return 0;

/// <summary>The workshop's subclassed model: Dense 50 with ReLU, Dense 10, softmax.</summary>
class MyModel : Model
{
    readonly Layers.Dense layer1 = new(50, activation: "relu");
    readonly Layers.Dense layer2 = new(10);
    public override Tensor Call(Tensor x) => NF.Softmax(layer2.Call(layer1.Call(x)));
}
