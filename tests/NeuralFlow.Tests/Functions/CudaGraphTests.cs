using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Replays as CUDA graphs (issue 17): on a GPU (the emulated engine here) a replayed training
/// step launched as a graph gives the bits of the same step replayed kernel by kernel, over 20
/// steps of a Dense model with SGD, Adam with a learning-rate schedule, and Dropout (fresh masks
/// per launch); Gather's index check inside the graph; a plan whose capture fails falls back to
/// kernel-by-kernel replays with the reason.
/// On the CPU engines nothing is captured and the same steps give the same bits.
/// </summary>
public abstract class CudaGraphTests(string backend) : BackendTest(backend)
{
    private const int Steps = 20, Batch = 8;

    private bool OnGpu => BackendName == "cuda";

    private static Optimizers.Optimizer MakeOptimizer(string kind) => kind switch
    {
        "sgd" => new Optimizers.SGD(0.05, momentum: 0.9),
        _ => new Optimizers.Adam(new ExponentialDecay(0.02, 3, 0.5)),
    };

    // Every step's batch is a row slice of one tensor (an input at an offset into its buffer).
    // probabilities: a softmax head and a loss from probabilities, whose label check is a host
    // read (FunctionTrace.ReadChecked), so the plan is two graphs with the read between them.
    private static (float[][] Weights, float[] Losses, long Iterations, TracedFunction Function) Train(string optimizer, bool dropout, bool graphs,
                                                                                                      bool probabilities = false)
    {
        NF.Random.SetSeed(123);
        var xs = NF.Random.Normal([Steps * Batch, 12]);
        var ys = NF.Cast(NF.Random.Uniform([Steps * Batch], minval: 0, maxval: 4, dtype: DType.Int32), DType.Int32);
        NF.Random.SetSeed(7);
        var layers = new List<Layer> { new Layers.Dense(16, activation: "relu") };
        if (dropout) layers.Add(new Layers.Dropout(0.3));
        layers.Add(probabilities ? new Layers.Dense(4, activation: "softmax") : new Layers.Dense(4));
        var model = new Sequential([.. layers]);
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: !probabilities);
        var opt = MakeOptimizer(optimizer);
        var step = NF.Function((Tensor x, Tensor y) =>
        {
            using var tape = new GradientTape();
            Tensor value;
            using (Layer.TrainingMode())
                value = loss.Call(y, model.Call(x));
            opt.ApplyGradients(tape.Gradient(value, model.TrainableVariables), model.TrainableVariables);
            return value;
        });
        var function = TracedFunction.Of(step);
        function.CudaGraphs = graphs;
        var losses = new float[Steps];
        for (int i = 0; i < Steps; i++)
            losses[i] = step(xs[(i * Batch)..((i + 1) * Batch)], ys[(i * Batch)..((i + 1) * Batch)]).ToArray<float>()[0];
        return (model.Variables.Select(v => v.ToArray<float>()).ToArray(), losses, opt.Iterations, function);
    }

    [SkippableTheory]
    [InlineData("sgd", false)]
    [InlineData("adam_schedule", false)]
    [InlineData("adam_schedule", true)]
    [InlineData("sgd", false, true)]
    public void Graph_launches_match_kernel_by_kernel_replays_bit_for_bit(string optimizer, bool dropout, bool probabilities = false)
    {
        RequireBackend();
        var plain = Train(optimizer, dropout, graphs: false, probabilities);
        var graphed = Train(optimizer, dropout, graphs: true, probabilities);
        Assert.Equal(0, plain.Function.CudaGraphLaunches);
        Assert.Null(graphed.Function.CudaGraphFallback);
        if (OnGpu)
            // Two traces (the first call builds the model), one kernel-by-kernel replay, then graphs.
            Assert.True(graphed.Function.CudaGraphLaunches >= Steps - 4, $"{graphed.Function.CudaGraphLaunches} graph launches in {Steps} steps");
        else
            Assert.Equal(0, graphed.Function.CudaGraphLaunches);
        Assert.Equal(plain.Iterations, graphed.Iterations);
        Assert.Equal(plain.Losses, graphed.Losses);
        for (int i = 0; i < plain.Weights.Length; i++)
            Assert.True(plain.Weights[i].AsSpan().SequenceEqual(graphed.Weights[i]), $"variable {i} differs after {Steps} steps");
    }

    [SkippableFact]
    public void Dropout_draws_fresh_numbers_at_each_launch()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Ones([4, 64]);
        var dropout = new Layers.Dropout(0.5);
        var f = NF.Function((Tensor t) =>
        {
            using (Layer.TrainingMode())
                return dropout.Call(t) * 1f;
        });
        var masks = Enumerable.Range(0, 6).Select(_ => f(x).ToArray<float>()).ToList();
        if (OnGpu) Assert.True(TracedFunction.Of(f).CudaGraphLaunches >= 3, $"{TracedFunction.Of(f).CudaGraphLaunches} graph launches");
        for (int i = 1; i < masks.Count; i++)
            Assert.False(masks[i].AsSpan().SequenceEqual(masks[i - 1]), $"call {i} repeated the previous call's mask");
        // And they are NF.Random's numbers, as eager calls from the same seed draw them.
        NF.Random.SetSeed(5);
        var eager = new Layers.Dropout(0.5);
        for (int i = 0; i < masks.Count; i++)
            using (Layer.TrainingMode())
                Assert.Equal(eager.Call(x).ToArray<float>(), masks[i]);
    }

    [SkippableFact]
    public void A_bad_label_is_refused_by_a_graph_launch_as_by_an_eager_step()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var model = new Sequential(new Layers.Dense(4));
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var x = NF.Random.Normal([3, 5]);
        model.Call(x);
        var optimizer = new Optimizers.Adam(0.01);
        var f = NF.Function((Tensor xs, Tensor ys) =>
        {
            using var tape = new GradientTape();
            var value = loss.Call(ys, model.Call(xs));
            optimizer.ApplyGradients(tape.Gradient(value, model.TrainableVariables), model.TrainableVariables);
            return value * 1f;
        });
        for (int i = 0; i < 5; i++) f(x, NF.Constant(new[] { 0, 3, 1 })).ToArray<float>();
        if (OnGpu) Assert.True(TracedFunction.Of(f).CudaGraphLaunches >= 2, $"{TracedFunction.Of(f).CudaGraphLaunches} graph launches");
        var bad = NF.Constant(new[] { 0, 4, 1 });
        var eager = Record.Exception(() => loss.Call(bad, model.Call(x)).ToArray<float>());
        var replayed = Record.Exception(() => f(x, bad).ToArray<float>());
        Assert.NotNull(eager);
        Assert.NotNull(replayed);
        Assert.Equal(eager.GetType(), replayed.GetType());
        Assert.Contains("label", replayed.Message);
        Assert.Contains("4", replayed.Message);
        // As eagerly, the failed step updated nothing.
        Assert.Equal(5, optimizer.Iterations);
        var before = model.Variables.Select(v => v.ToArray<float>()).ToArray();
        Assert.NotNull(Record.Exception(() => f(x, bad)));
        Assert.Equal(5, optimizer.Iterations);
        for (int i = 0; i < before.Length; i++)
            Assert.True(before[i].AsSpan().SequenceEqual(model.Variables[i].ToArray<float>()), $"variable {i} changed in a failed step");
        // Good labels work again afterwards.
        Assert.False(float.IsNaN(f(x, NF.Constant(new[] { 2, 0, 1 })).ToArray<float>()[0]));
        Assert.Equal(6, optimizer.Iterations);
    }

    [SkippableFact]
    public void A_capture_that_fails_falls_back_to_kernel_by_kernel_replays_with_the_reason()
    {
        RequireBackend();
        // A checked Cholesky reads every matrix's info on the host, which a capture cannot.
        var f = NF.Function((Tensor a) => NF.Cholesky(a) * 2f);
        var info = TracedFunction.Of(f);
        for (int i = 0; i < 5; i++)
        {
            var a = NF.Constant(new[,] { { 4f + i, 1f }, { 1f, 3f } });
            Assert.Equal((NF.Cholesky(a) * 2f).ToArray<float>(), f(a).ToArray<float>());
        }
        Assert.Equal(0, info.CudaGraphLaunches);
        Assert.True(info.ReplayCount >= 3);
        if (OnGpu)
            Assert.Contains("its check waits for the device", info.CudaGraphFallback);
        else
            Assert.Null(info.CudaGraphFallback);
        // A matrix that is not positive definite is still refused, replay or not.
        var bad = Assert.ThrowsAny<ArgumentException>(() => f(NF.Constant(new[,] { { 1f, 2f }, { 2f, 1f } })).ToArray<float>());
        Assert.Contains("not positive definite", bad.Message);
    }

    // An embedding-style step: its Gather and the gradient's ScatterAdd check their indices on the
    // device inside the graph (a bad index fails the launch with the eager message, nothing updated).
    [SkippableFact]
    public void A_gather_replays_as_a_graph_and_a_bad_index_fails_its_launch_as_eagerly()
    {
        RequireBackend();
        var table = new Variable(NF.Reshape(NF.Range(0f, 30f, 1f), [10, 3]));
        var optimizer = new Optimizers.SGD(0.1);
        var f = NF.Function((Tensor ids) =>
        {
            using var tape = new GradientTape();
            var value = NF.ReduceSum(NF.Square(NF.Gather(table, ids)));
            optimizer.ApplyGradients(tape.Gradient(value, [table]), [table]);
            return value * 1f;
        });
        var info = TracedFunction.Of(f);
        var eagerTable = new Variable(NF.Reshape(NF.Range(0f, 30f, 1f), [10, 3]));
        var eagerOptimizer = new Optimizers.SGD(0.1);
        for (int i = 0; i < 6; i++)
        {
            var ids = NF.Constant(new[] { i, 9 - i, 3, i });
            float replayed = f(ids).ToArray<float>()[0];
            float eager;
            using (var tape = new GradientTape())
            {
                var value = NF.ReduceSum(NF.Square(NF.Gather(eagerTable, ids)));
                eagerOptimizer.ApplyGradients(tape.Gradient(value, [eagerTable]), [eagerTable]);
                eager = value.ToArray<float>()[0];
            }
            Assert.Equal(eager, replayed);
            Assert.Equal(eagerTable.ToArray<float>(), table.ToArray<float>());
        }
        Assert.Null(info.CudaGraphFallback);
        if (OnGpu) Assert.True(info.CudaGraphLaunches >= 3, $"{info.CudaGraphLaunches} graph launches");
        else Assert.Equal(0, info.CudaGraphLaunches);
        var before = table.ToArray<float>();
        long iterations = optimizer.Iterations;
        foreach (int badValue in new[] { 10, -1 })
        {
            var bad = NF.Constant(new[] { 0, badValue, 1, 2 });
            var eager = Record.Exception(() => NF.Gather(eagerTable, bad).ToArray<float>());
            var replayedError = Record.Exception(() => f(bad).ToArray<float>());
            Assert.NotNull(eager);
            Assert.NotNull(replayedError);
            Assert.Equal(eager.GetType(), replayedError.GetType());
            Assert.Equal(eager.Message, replayedError.Message);
            Assert.Contains($"{badValue}", replayedError.Message);
            Assert.Equal(before, table.ToArray<float>());
            Assert.Equal(iterations, optimizer.Iterations);
        }
        // Good indices work again afterwards, still as graph launches.
        long launches = info.CudaGraphLaunches;
        f(NF.Constant(new[] { 1, 2, 3, 4 })).ToArray<float>();
        Assert.Equal(iterations + 1, optimizer.Iterations);
        if (OnGpu) Assert.True(info.CudaGraphLaunches > launches);
        Assert.Null(info.CudaGraphFallback);
    }
}

public sealed class ManagedCudaGraphTests() : CudaGraphTests("managed");

public sealed class NativeCpuCudaGraphTests() : CudaGraphTests("cpu");

public sealed class CudaCudaGraphTests() : CudaGraphTests("cuda");
