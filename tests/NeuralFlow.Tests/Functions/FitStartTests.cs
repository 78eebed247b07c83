using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// What Fit does around its step: the batches of in-memory examples (each example once per
/// epoch, x next to its own y, a new order each epoch, nothing left on the device), and the
/// first step of a model that builds its weights (or an optimizer its state), which runs eagerly
/// instead of being traced for nothing: a trace that creates variables is thrown away.
/// </summary>
public abstract class FitStartTests(string backend) : BackendTest(backend)
{
    // Records what the loss sees, on the host: only possible run eagerly (a traced step would
    // record at its trace only), which is what the batches are the same for.
    private sealed class Recorder : Losses.Loss
    {
        public readonly List<(float Prediction, float Target)> Seen = [];

        public override string Name => "recorder";

        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred)
        {
            var (t, p) = (yTrue.ToArray<float>(), yPred.ToArray<float>());
            for (int i = 0; i < t.Length; i++) Seen.Add((p[i], t[i]));
            return NF.ReduceMean(NF.Square(yPred - yTrue), axis: -1);
        }
    }

    [SkippableFact]
    public void Shuffled_epochs_hold_every_example_once_with_its_own_target_in_a_new_order()
    {
        RequireBackend();
        const int n = 203, batch = 16; // 12 full batches and one of 11
        // x = y = the example's id; the model is the identity (a kernel of 1, no bias, learning rate 0).
        var ids = NF.Reshape(NF.Range(0f, n), [n, 1]);
        var loss = new Recorder();
        var model = new Sequential(new Layers.Dense(1, useBias: false, kernelInitializer: "ones"));
        model.Compile(new Optimizers.SGD(0), loss, runEagerly: true);
        NF.Random.SetSeed(3);
        model.Fit(ids, ids, batchSize: batch, epochs: 3, verbose: 0);
        Assert.Equal(3 * n, loss.Seen.Count);
        var epochs = loss.Seen.Chunk(n).Select(e => e.Select(s => s.Target).ToArray()).ToArray();
        Assert.All(loss.Seen, s => Assert.Equal(s.Target, s.Prediction));
        foreach (var order in epochs)
            Assert.Equal(Enumerable.Range(0, n).Select(i => (float)i), order.Order());
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.NotEqual(epochs[1], epochs[2]);
        Assert.NotEqual(Enumerable.Range(0, n).Select(i => (float)i), epochs[0]);
    }

    [SkippableFact]
    public void Shuffled_epochs_leave_nothing_on_the_device()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var (x, y) = (NF.Random.Normal([4096, 8]), NF.Random.Uniform([4096], 0, 3, DType.Int32));
        var model = new Sequential(new Layers.Dense(3));
        model.Compile(new Optimizers.SGD(0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        model.Fit(x, y, batchSize: 512, epochs: 1, verbose: 0); // builds, traces, sizes the arenas
        long before = LiveBytes();
        model.Fit(x, y, batchSize: 512, epochs: 20, verbose: 0);
        long grown = LiveBytes() - before;
        // An epoch's order is 16 KB on the device; less than that may come and go with caches.
        Assert.True(grown < 4096 * sizeof(int), $"{BackendName}: 20 epochs left {grown:N0} more bytes live on the device");
    }

    private static long LiveBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return NF.Backend.GetMemoryStats().LiveBytes;
    }

    [SkippableFact]
    public void A_fresh_model_and_optimizer_trace_their_fit_step_once_per_batch_shape_and_match_run_eagerly()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var (x, y) = (NF.Random.Normal([100, 5]), NF.Random.Uniform([100], 0, 3, DType.Int32));
        var runs = new[] { true, false }.Select(eager =>
        {
            NF.Random.SetSeed(7);
            // Built on its first call, and Adam makes its moments at its first step.
            var model = new Sequential(new Layers.Dense(4, activation: "relu"), new Layers.Dense(3));
            model.Compile(new Optimizers.Adam(0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], runEagerly: eager);
            NF.Random.SetSeed(8);
            var history = model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0, validationData: (x, y));
            if (!eager)
            {
                // Batches of 32 and a last one of 4: two signatures, each traced once, every
                // other step replayed (the first step, which made the variables, ran eagerly).
                var train = model.TrainFunction!;
                Assert.Equal(2, train.TraceCount);
                Assert.Equal(2 * 4 - 1 - 2, train.ReplayCount);
                Assert.Null(train.EagerReason);
                Assert.Equal(2, model.TestFunction!.TraceCount); // its loss tracker is made by the first validation batch
            }
            return (History: history.Keys.Order().Select(k => k + "=" + string.Join(",", history[k])).ToArray(),
                    Weights: model.Variables.Select(v => v.ToArray<float>()).ToArray());
        }).ToArray();
        Assert.Equal(runs[0].History, runs[1].History);
        for (int i = 0; i < runs[0].Weights.Length; i++)
            Assert.True(runs[0].Weights[i].AsSpan().SequenceEqual(runs[1].Weights[i]), $"variable {i} differs");
    }

    [SkippableFact]
    public void Evaluate_and_predict_of_a_fresh_model_trace_once_per_batch_shape()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        var (x, y) = (NF.Random.Normal([50, 5]), NF.Random.Uniform([50], 0, 3, DType.Int32));
        // Each model draws its weights when its first call builds it: from the same seed.
        Sequential Make(bool eager)
        {
            var m = new Sequential(new Layers.Dense(3));
            m.Compile(new Optimizers.SGD(0.1), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], runEagerly: eager);
            NF.Random.SetSeed(10);
            return m;
        }
        var expected = Make(eager: true).Evaluate(x, y, batchSize: 20).Values;
        var model = Make(eager: false);
        Assert.Equal(expected, model.Evaluate(x, y, batchSize: 20).Values);
        Assert.Equal(2, model.TestFunction!.TraceCount); // batches of 20 and a last one of 10
        var predicted = Make(eager: true).Predict(x, batchSize: 20).ToArray<float>();
        var model2 = Make(eager: false);
        Assert.True(predicted.AsSpan().SequenceEqual(model2.Predict(x, batchSize: 20).ToArray<float>()));
        Assert.Equal(2, model2.PredictFunction!.TraceCount);
    }
}

public sealed class ManagedFitStartTests() : FitStartTests("managed");

public sealed class NativeCpuFitStartTests() : FitStartTests("cpu");

public sealed class CudaFitStartTests() : FitStartTests("cuda");
