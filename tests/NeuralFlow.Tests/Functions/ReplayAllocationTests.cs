using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17: "buffers from one arena sized at trace time (no allocation, no GC pressure per
/// step)". A replay of the workshop's training step (784-50-10, SGD, sparse cross-entropy, the
/// loss returned) allocates on the managed heap only what it hands back: the argument and result
/// arrays and the loss tensor, whose buffer is reused once the caller disposed the last one.
/// The managed engine is held to the same bound: its kernels used to allocate about 13 KB a
/// replay (Parallel.For's closures and state, the multi-tensor optimizer's checks) until its
/// own worker pool replaced Parallel.For.
/// </summary>
public abstract class ReplayAllocationTests(string backend) : BackendTest(backend)
{
    // The arguments' array, the results' array and the loss tensor: 144 bytes when this was
    // written; any allocation per kernel call (a closure, a boxed layout, a pointer array) is more.
    protected virtual long MaxBytesPerReplay => 256;

    [SkippableFact]
    public void A_replayed_workshop_step_allocates_only_what_it_returns()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Uniform([1024, 784]);
        var y = NF.Random.Uniform([1024], 0, 10, DType.Int32);
        var model = new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
        var optimizer = new Optimizers.SGD(learningRate: 0.05f);
        var lossFn = new Losses.SparseCategoricalCrossentropy();
        var step = NF.Function((Tensor xb, Tensor yb) =>
        {
            using var tape = new GradientTape();
            var loss = lossFn.Call(yb, model.Call(xb));
            optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
            return loss;
        });
        var xs = Enumerable.Range(0, 4).Select(i => x[(i * 256)..((i + 1) * 256)]).ToArray();
        var ys = Enumerable.Range(0, 4).Select(i => y[(i * 256)..((i + 1) * 256)]).ToArray();
        void Steps(int n)
        {
            for (int i = 0; i < n; i++) step(xs[i % 4], ys[i % 4]).Dispose();
        }
        Steps(20);
        const int replays = 200;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Steps(replays);
        long perReplay = (GC.GetAllocatedBytesForCurrentThread() - before) / replays;
        var info = TracedFunction.Of(step);
        Assert.True(info.LastCallReplayed, $"the step did not replay: {info.EagerReason}");
        Assert.True(perReplay <= MaxBytesPerReplay, $"a replay allocated {perReplay} bytes on the managed heap (at most {MaxBytesPerReplay} expected)");
    }
}

public sealed class NativeCpuReplayAllocationTests() : ReplayAllocationTests("cpu");
public sealed class ManagedReplayAllocationTests() : ReplayAllocationTests("managed");
public sealed class CudaReplayAllocationTests() : ReplayAllocationTests("cuda");
