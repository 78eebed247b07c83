// Sequences of different lengths, as tf.data and Keras' recurrent layers handle them: a C#
// generator (Dataset.FromGenerator) yields one sequence at a time, PaddedBatch pads each batch to
// its longest sequence, and a Bidirectional LSTM then a GRU classify whether the sequence's
// running sum ever goes above 1.
//   dotnet run -c Release --project samples/Sequences -- [--epochs 5] [--sequences 2000] [--backend cpu|managed]
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;

int epochs = 5, count = 2000;
if (SampleOptions.Parse(args, "Sequences [--epochs N] [--sequences N] [--backend cpu|managed]", new()
{
    ["--epochs"] = v => epochs = int.Parse(v),
    ["--sequences"] = v => count = int.Parse(v),
}) is int exit) return exit;

Console.WriteLine($"NeuralFlow on {NF.Backend.Name}: {NF.Backend.Description}");

// Each element: a [steps, 1] sequence of steps in [-0.5, 0.5] (4 to 20 of them) and its label.
IEnumerable<(Tensor, Tensor)> Sequences(int seed, int n)
{
    var random = new Random(seed);
    for (int i = 0; i < n; i++)
    {
        var steps = new float[random.Next(4, 21)];
        float sum = 0, peak = float.MinValue;
        for (int t = 0; t < steps.Length; t++)
        {
            steps[t] = (float)(random.NextDouble() - 0.5);
            sum += steps[t];
            peak = Math.Max(peak, sum);
        }
        yield return (NF.Constant(steps, [steps.Length, 1]), NF.Constant(peak > 1 ? 1f : 0f));
    }
}
var train = Dataset.FromGenerator(() => Sequences(1, count)).Cache().Shuffle(count, seed: 2).PaddedBatch(32);
var test = Dataset.FromGenerator(() => Sequences(3, 500)).PaddedBatch(100);

NF.Random.SetSeed(4);
var model = new Sequential(
    new Layers.Bidirectional(new Layers.LSTM(16, returnSequences: true)),
    new Layers.GRU(16),
    new Layers.Dense(1, activation: "sigmoid"));
model.Compile(new Optimizers.Adam(0.01f), "binary_crossentropy", ["accuracy"]);
model.Fit(train, epochs: epochs, verbose: 2);
model.Summary();
var (testLoss, testAcc) = model.Evaluate(test);
Console.WriteLine($"Test loss: {testLoss:0.0000} - test accuracy: {testAcc:0.0000}");
return 0;
