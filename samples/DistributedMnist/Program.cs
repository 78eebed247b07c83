// Data-parallel training over MPI (issue 18): the workshop's MNIST model (or, with --model cnn,
// samples/ConvNet's network) trained by every process of an MPI job on its shard of each batch,
// with gradients averaged across processes, so all ranks end with the same weights.
//   mpirun -np 4 dotnet run -c Release --project samples/DistributedMnist -- [--epochs 3] [--batch-size 64] [--model mlp|cnn] [--samples N]
// (as root, e.g. in CI containers: mpirun --allow-run-as-root ...; more ranks than cores: --oversubscribe).
// --batch-size is per rank, as PyTorch's DistributedDataParallel counts it: the global batch
// Fit splits among the ranks is batch-size x ranks. Rank 0 prints and evaluates; every rank
// prints its throughput at the end ("samples/s", what benchmarks/distributed.sh reads).
// Started without mpirun it is a job of one rank.
using System.Diagnostics;
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

int epochs = 3, batchSize = 64, samples = 0;
string model = "mlp";
string? dataDir = null;
if (SampleOptions.Parse(args, "DistributedMnist [--epochs N] [--batch-size N per rank] [--model mlp|cnn] [--samples N] [--data DIR] [--backend cpu|managed]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--batch-size"] = v => batchSize = int.Parse(v),
    ["--model"] = v => model = v is "mlp" or "cnn" ? v : throw new ArgumentException($"--model {v}: mlp or cnn"),
    ["--samples"] = v => samples = int.Parse(v),
    ["--data"] = v => dataDir = v,
}) is int exit) return exit;

using var strategy = new DataParallel();
bool chief = strategy.IsChief;
if (chief) Console.WriteLine($"NeuralFlow on {NF.Backend.Name}, {strategy.WorldSize} rank(s) over {strategy.MpiLibrary}");

// Every rank loads the whole data set; Fit gives each its part of every batch.
var ((xTrain, yTrain), (xTest, yTest)) = MnistFiles.Load(dataDir, quiet: !chief);
if (samples > 0) (xTrain, yTrain) = (xTrain[..samples], yTrain[..samples]);
Tensor Images(Tensor x) => model == "cnn" ? NF.Reshape(NF.Cast(x, DType.Float32) / 255f, [-1, 28, 28, 1]) : NF.Cast(x, DType.Float32) / 255f;
var (x, xt) = (Images(xTrain), Images(xTest));

NF.Random.SetSeed(42);   // the same on every rank; Fit broadcasts rank 0's weights anyway
var net = model == "cnn"
    ? new Sequential(
        new Layers.Conv2D(32, 3, activation: "relu"), new Layers.MaxPooling2D(),
        new Layers.Conv2D(64, 3, activation: "relu"), new Layers.MaxPooling2D(),
        new Layers.Flatten(), new Layers.Dense(128, activation: "relu"), new Layers.Dense(10, activation: "softmax"))
    : new Sequential(new Layers.Flatten(), new Layers.Dense(50), new Layers.ReLU(), new Layers.Dense(10, activation: "softmax"));
net.Compile(optimizer: model == "cnn" ? new Optimizers.Adam() : new Optimizers.SGD(learningRate: 0.1f),
            loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);

var watch = Stopwatch.StartNew();
net.Fit(x, yTrain, batchSize: batchSize * strategy.WorldSize, epochs: epochs, verbose: 2);
double seconds = watch.Elapsed.TotalSeconds;
// Examples this rank trained on per second, and the job's total.
long trained = (long)x.Shape[0] * epochs;
Console.WriteLine($"rank {strategy.Rank}: {trained / strategy.WorldSize / seconds:0} samples/s on this rank, {trained / seconds:0} samples/s in all ({seconds:0.00} s)");
// Evaluate is a collective, as under tf.distribute: every rank evaluates its part of each batch
// and gets the whole test set's loss and accuracy; rank 0 prints them.
var (testLoss, testAcc) = net.Evaluate(xt, yTest);
if (chief)
{
    Console.WriteLine($"Test loss: {testLoss:0.0000} - test accuracy: {testAcc:0.0000}");
    // On a GPU: how the gradients travelled (NCCL, CUDA-aware MPI or page-locked staging) and why.
    if (strategy.GpuTransport != GpuTransport.NotChosen)
        Console.WriteLine($"Gradients on the GPU: {strategy.GpuTransport} ({strategy.GpuTransportReason})");
}
return 0;
