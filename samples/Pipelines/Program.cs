// Workshop section 6: an input pipeline (Dataset.FromTensorSlices, Map, Shuffle, Batch, Prefetch)
// feeding a custom training loop with a loss function, an optimizer and metrics (Mean,
// SparseCategoricalAccuracy), then the same pipeline handed to Fit. Trains on the embedded MNIST sample.
//   dotnet run --project samples/Pipelines -- [--epochs 2] [--batch-size 256] [--backend cpu|managed] [--plot curves.png]
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Plotting;

int epochs = 2, batchSize = 256;
string? plotFile = null;
if (SampleOptions.Parse(args, "Pipelines [--epochs N] [--batch-size N] [--backend cpu|managed] [--plot FILE.png]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--batch-size"] = v => batchSize = int.Parse(v),
    ["--plot"] = v => plotFile = v,
}) is int exit) return exit;

Console.WriteLine($"Backend: {NF.Backend.Name} - {NF.Backend.Description}");
var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
static (Tensor, Tensor) Preprocess(Tensor img, Tensor label) => (NF.Cast(NF.Reshape(img, [28 * 28]), DType.Float32) / 255f, label);
var train = Dataset.FromTensorSlices(xTrain, yTrain)
    .Map((img, label) => Preprocess(img, label))
    .Shuffle(bufferSize: 5000, seed: 42)
    .Batch(batchSize)
    .Prefetch(Dataset.Autotune);
var test = Dataset.FromTensorSlices(xTest, yTest).Map((img, label) => Preprocess(img, label)).Batch(batchSize);
Console.WriteLine($"train: {train.Cardinality} batches of {batchSize}, test: {test.Cardinality} batches");
var (xb0, yb0) = train.First();
Console.WriteLine($"first batch: x {xb0.Shape} {xb0.DType.Name()}, y {yb0.Shape} {yb0.DType.Name()}");

Console.WriteLine("\n# A custom training loop with metrics");
static Sequential NewModel()
{
    NF.Random.SetSeed(42);                                           // the same start for both ways
    return new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
}
var model = NewModel();
var optimizer = new Optimizers.SGD(learningRate: 0.1f);
var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: false);
var lossMetric = new Metrics.Mean();
var accMetric = new Metrics.SparseCategoricalAccuracy();
var testAcc = new Metrics.SparseCategoricalAccuracy();
for (int epoch = 0; epoch < epochs; epoch++)
{
    lossMetric.ResetState();
    accMetric.ResetState();
    foreach (var (xb, yb) in train)
    {
        using var scope = TensorScope.Begin();
        using var tape = new GradientTape();
        var yPred = model.Call(xb);
        var loss = lossFn.Call(yb, yPred);
        optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
        lossMetric.UpdateState(loss);
        accMetric.UpdateState(yb, yPred);
    }
    testAcc.ResetState();
    foreach (var (xb, yb) in test)
    {
        using var scope = TensorScope.Begin();
        testAcc.UpdateState(yb, model.Call(xb));
    }
    Console.WriteLine($"Epoch {epoch + 1}/{epochs}: Loss: {lossMetric.Result():F4} Accuracy: {accMetric.Result():F4} Test accuracy: {testAcc.Result():F4}");
}

Console.WriteLine("\n# The same pipeline handed to Fit");
var keras = NewModel();
keras.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
var history = keras.Fit(train, epochs: epochs, validationData: test);
Console.WriteLine($"Fit: {keras.Evaluate(test)}");

if (plotFile is not null)
    Console.WriteLine($"Plot: {history.Plot(plotFile)}");
return 0;
