// NeuralFlow counterparts of the PyTorch peer scripts in ../shared/peers, printing the same
// lines so that one command can run both and compare (see benchmarks/peers.sh):
//   dotnet run -c Release --project benchmarks/NeuralFlow.Peers -- custom_loop [steps]
using System.Diagnostics;
using NeuralFlow;
using NeuralFlow.Keras;

var mode = args.Length > 0 ? args[0] : "custom_loop";
switch (mode)
{
    case "custom_loop":
        CustomLoop(args.Length > 1 ? int.Parse(args[1]) : 2000);
        break;
    default:
        Console.Error.WriteLine($"unknown mode {mode}; use custom_loop");
        return 2;
}
return 0;

// The workshop's custom loop: 784-50-10 with softmax, SGD lr 0.05, batch 256, batches sliced
// from 60000 random MNIST-shaped rows.
static void CustomLoop(int steps)
{
    NF.Random.SetSeed(3);
    var x = NF.Random.Uniform([60000, 784]);
    var y = NF.Random.Uniform([60000], 0, 10, DType.Int32);
    var model = new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
    var optimizer = new Optimizers.SGD(learningRate: 0.05f);
    var lossFn = new Losses.SparseCategoricalCrossentropy();
    var clock = new Stopwatch();
    for (int step = 0; step < steps; step++)
    {
        if (step == 20) clock.Start();
        int i = step * 256 % (60000 - 256);
        using var scope = TensorScope.Begin();
        var xb = x[i..(i + 256)];
        var yb = y[i..(i + 256)];
        using var tape = new GradientTape();
        var loss = lossFn.Call(yb, model.Call(xb));
        optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
    }
    double secs = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"custom_loop samples_per_s {(steps - 20) * 256 / secs:0} backend=neuralflow-{NF.Backend.Name}");
}
