// Workshop section 4: logistic (softmax) regression on MNIST. A linear map 784 -> 10, softmax,
// cross-entropy and accuracy, trained by gradient descent on a training set and checked on a test set.
// Trains on the embedded 10,000-digit sample (Datasets.Mnist.LoadSample()).
//   dotnet run --project samples/LogisticRegression -- [--epochs 100] [--train 2000] [--backend cpu|managed] [--plot digits.png]
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Plotting;

int epochs = 100, trainCount = 2000;
string? plotFile = null;
if (SampleOptions.Parse(args, "LogisticRegression [--epochs N] [--train N] [--backend cpu|managed] [--plot FILE.png]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--steps"] = v => epochs = int.Parse(v),
    ["--train"] = v => trainCount = int.Parse(v),
    ["--plot"] = v => plotFile = v,
}) is int exit) return exit;

Console.WriteLine($"Backend: {NF.Backend.Name} - {NF.Backend.Description}");
var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
Console.WriteLine($"train {xTrain.Shape} {xTrain.DType.Name()}, test {xTest.Shape} (embedded MNIST sample)");
for (int i = 0; i < 10; i++)
    Console.WriteLine($"Number of {i}: {NF.ReduceSum(NF.Cast(NF.Equal(yTrain, i), DType.Int32)).Item<int>()}");

// Flatten, scale to [0, 1], one-hot labels.
trainCount = Math.Min(trainCount, (int)xTrain.Shape[0]);
var x = NF.Reshape(NF.Cast(xTrain[..trainCount], DType.Float32) / 255f, [-1, 28 * 28]);
var y = NF.OneHot(yTrain[..trainCount], depth: 10);
var xt = NF.Reshape(NF.Cast(xTest, DType.Float32) / 255f, [-1, 28 * 28]);
var yt = NF.OneHot(yTest, depth: 10);
Console.WriteLine($"x {x.Shape} {x.DType.Name()}, y {y.Shape} {y.DType.Name()}");

NF.Random.SetSeed(42);
var w = new Variable(0.01f * NF.Random.Normal([28 * 28, 10]));
var b = new Variable(NF.Zeros([10]));
Tensor Predict(Tensor input) => NF.Softmax(NF.MatMul(input, w) + b);   // numerically stable, per row
static Tensor Accuracy(Tensor y1, Tensor probs) =>
    NF.ReduceMean(NF.Cast(NF.Equal(NF.ArgMax(probs, axis: 1), NF.ArgMax(y1, axis: 1)), DType.Float32));

var optimizer = new Optimizers.SGD(learningRate: 0.5f);
int every = Math.Max(1, epochs / 10);
for (int epoch = 0; epoch < epochs; epoch++)
{
    using var scope = TensorScope.Begin();
    using var tape = new GradientTape();
    var probs = Predict(x);
    var perExample = Losses.CategoricalCrossentropy.PerExample(y, probs);   // shape (n)
    var loss = NF.ReduceMean(perExample);
    optimizer.ApplyGradients(tape.Gradient(loss, [w, b]), [w, b]);
    if (epoch % every == 0 || epoch == epochs - 1)
        Console.WriteLine($"Epoch {epoch + 1}: loss {loss.Item<float>():F4} - accuracy {Accuracy(y, probs).Item<float>():F4}");
}

var testProbs = Predict(xt);
var testLoss = NF.ReduceMean(Losses.CategoricalCrossentropy.PerExample(yt, testProbs));
Console.WriteLine($"Test loss: {testLoss.Item<float>():F4} - test accuracy: {Accuracy(yt, testProbs).Item<float>():F4}");
var predicted = NF.ArgMax(testProbs, axis: 1);
Console.WriteLine($"Predicted {string.Join(" ", predicted[..10].ToArray<long>())} for labels {string.Join(" ", yTest[..10].ToArray<byte>())}");

if (plotFile is not null)
    Console.WriteLine($"Plot: {Plots.DigitGrid(xTest[..32], predicted[..32], yTest[..32], plotFile, columns: 8)}");
return 0;
