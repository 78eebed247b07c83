using System.Diagnostics;
using NeuralFlow;
using NeuralFlow.Keras;

/// <summary>
/// Issue 17's bars 3 and 4 as peers of benchmarks/bars_torch.py (same data, initialisation,
/// optimizer and step, the same printed lines): full-batch logistic regression and the
/// 784-512-512-10 MLP, each step compiled by NF.Function.
/// </summary>
static class Bars
{
    // Full Fashion-MNIST training set, scaled to [0, 1], labels int32.
    private static (Tensor X, Tensor Y) Data()
    {
        var ((xTrain, yTrain), _) = NeuralFlow.Data.Datasets.FashionMnist.LoadData();
        return (NF.Reshape(NF.Cast(xTrain, DType.Float32) / 255f, [-1, 784]), NF.Cast(yTrain, DType.Int32));
    }

    // One compiled training step of `model` on (x, y): logits, sparse cross-entropy, optimizer update.
    internal static Func<Tensor, Tensor, Tensor> TrainStep(Model model, Optimizers.Optimizer optimizer)
    {
        var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        return NF.Function((Tensor xb, Tensor yb) =>
        {
            using var tape = new GradientTape();
            var loss = lossFn.Call(yb, model.Call(xb));
            optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
            return loss;
        });
    }

    /// <summary>Full-batch logistic regression, 60000x784 -> 10, SGD lr 0.5: ms per step after 3 warm-up steps.</summary>
    public static void LogReg(int steps)
    {
        var (x, y) = Data();
        NF.Random.SetSeed(0);
        var model = new Sequential(new Layers.Dense(10));
        var step = TrainStep(model, new Optimizers.SGD(learningRate: 0.5f));
        Tensor loss = NF.Zeros([]);
        var clock = new Stopwatch();
        for (int s = 0; s < steps + 3; s++)
        {
            if (s == 3) clock.Start();
            loss.Dispose();
            loss = step(x, y);
        }
        double secs = clock.Elapsed.TotalSeconds;
        var accuracy = NF.ReduceMean(NF.Cast(NF.Equal(NF.Cast(NF.ArgMax(model.Call(x), -1), DType.Int32), y), DType.Float32)).Item<float>();
        Console.WriteLine($"logreg ms_per_step {secs / steps * 1000:0.00} loss {loss.Item<float>():0.0000} train_accuracy {accuracy:0.0000} backend=neuralflow-{NF.Backend.Name} {Stats(step)}");
    }

    /// <summary>784-512-512-10 relu, batch 256 sliced in order, SGD lr 0.01 or Adam lr 1e-3: samples/s after 20 warm-up steps.</summary>
    public static void Mlp(int steps, string kind, string activation = "relu")
    {
        var (x, y) = Data();
        NF.Random.SetSeed(0);
        var model = new Sequential(new Layers.Dense(512, activation: activation), new Layers.Dense(512, activation: activation), new Layers.Dense(10));
        Optimizers.Optimizer optimizer = kind == "sgd" ? new Optimizers.SGD(learningRate: 0.01f) : new Optimizers.Adam(learningRate: 0.001f);
        var step = TrainStep(model, optimizer);
        Tensor loss = NF.Zeros([]);
        var clock = new Stopwatch();
        for (int s = 0; s < steps; s++)
        {
            if (s == 20) clock.Start();
            int i = s * 256 % (60000 - 256);
            loss.Dispose();
            loss = step(x[i..(i + 256)], y[i..(i + 256)]);
        }
        double secs = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"mlp_{kind}{(activation == "relu" ? "" : "_" + activation)} samples_per_s {(steps - 20) * 256 / secs:0} loss {loss.Item<float>():0.0000} backend=neuralflow-{NF.Backend.Name} {Stats(step)}");
    }

    private static string Stats(Delegate step)
    {
        var info = TracedFunction.Of(step);
        return $"replays {info.ReplayCount} ops {info.OpCount}{(info.EagerReason is { } r ? " eager: " + r : "")}";
    }
}
