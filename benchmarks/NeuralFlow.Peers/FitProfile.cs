using System.Diagnostics;
using NeuralFlow;
using NeuralFlow.Keras;

/// <summary>
/// Where a steady Fit epoch of fashion_fit's model goes, each part timed alone in one process
/// (warm: after one epoch), the parts alternating over the rounds so that a burst of load from
/// other processes spreads over all of them: min and median seconds per epoch of
///   fit       Fit, one epoch with validation (what fashion_fit times once warm);
///   train     Fit, one epoch without validation;
///   ordered   Fit, one epoch without validation nor shuffling (batches are views: no gather);
///   no_metric the same ordered epoch of a twin model compiled without the accuracy;
///   validate  Evaluate on the validation set at Fit's batch size (Fit's validation);
///   gather    235 shuffled batches gathered (x and y), nothing else;
///   step      the same step in a custom loop (NF.Function) over 235 ready batches.
/// Optional second argument: the parts to time, comma-separated (default: all).
/// </summary>
static class FitProfile
{
    public static void Run(int rounds, string? only = null)
    {
        var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.FashionMnist.LoadData();
        var x = xTrain / 255f;
        var xVal = xTest / 255f;
        Model Make(bool metrics)
        {
            NF.Random.SetSeed(0);
            var m = new Sequential(new Layers.Flatten(), new Layers.Dense(50), new Layers.ReLU(), new Layers.Dense(10, activation: "softmax"));
            m.Compile(new Optimizers.SGD(learningRate: 0.01f), "sparse_categorical_crossentropy", metrics ? ["accuracy"] : null);
            return m;
        }
        var model = Make(true);
        var bare = Make(false);
        int n = x.Shape[0], steps = (n + 255) / 256;
        var order = Enumerable.Range(0, n).ToArray();
        // The custom loop's step (the same model's layers, loss and optimizer settings).
        var loopModel = Make(false);
        var lossFn = new Losses.SparseCategoricalCrossentropy();
        var sgd = new Optimizers.SGD(learningRate: 0.01f);
        var step = NF.Function((Tensor xb, Tensor yb) =>
        {
            using var tape = new GradientTape();
            var loss = lossFn.Call(yb, loopModel.Call(xb));
            sgd.ApplyGradients(tape.Gradient(loss, loopModel.TrainableVariables), loopModel.TrainableVariables);
            return loss;
        });
        var ready = Enumerable.Range(0, steps).Select(s => (x[(s * 256)..Math.Min(n, s * 256 + 256)], yTrain[(s * 256)..Math.Min(n, s * 256 + 256)])).ToArray();
        var parts = new (string Name, Action Run)[]
        {
            ("fit", () => model.Fit(x, yTrain, batchSize: 256, epochs: 1, verbose: 0, validationData: (xVal, yTest))),
            ("train", () => model.Fit(x, yTrain, batchSize: 256, epochs: 1, verbose: 0)),
            ("ordered", () => model.Fit(x, yTrain, batchSize: 256, epochs: 1, verbose: 0, shuffle: false)),
            ("no_metric", () => bare.Fit(x, yTrain, batchSize: 256, epochs: 1, verbose: 0, shuffle: false)),
            ("validate", () => model.Evaluate(xVal, yTest, batchSize: 256)),
            ("gather", () =>
            {
                new Random(1).Shuffle(order);
                for (int s = 0; s < steps; s++)
                {
                    using var scope = TensorScope.Begin();
                    int start = s * 256, count = Math.Min(256, n - start);
                    var idx = NF.Constant(order.AsSpan(start, count).ToArray());
                    NF.Gather(x, idx);
                    NF.Gather(yTrain, idx);
                }
            }),
            ("step", () =>
            {
                foreach (var (xb, yb) in ready) step(xb, yb);
                loopModel.TrainableVariables[0][0, 0].Item<float>(); // wait for the last step
            }),
        };
        if (only is not null) parts = parts.Where(p => only.Split(',').Contains(p.Name)).ToArray();
        foreach (var (_, run) in parts) run(); // warm-up: traces, JIT
        var times = parts.ToDictionary(p => p.Name, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
            foreach (var (name, run) in r % 2 == 0 ? parts : parts.Reverse())
            {
                var clock = Stopwatch.StartNew();
                run();
                times[name].Add(clock.Elapsed.TotalSeconds);
            }
        foreach (var (name, list) in times)
        {
            list.Sort();
            Console.WriteLine($"fit_profile {name,-10} min {list[0] * 1000,6:0.0} ms median {list[list.Count / 2] * 1000,6:0.0} ms");
        }
    }
}
