using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// A traced function called with more shapes than it keeps traces for (sequence batches padded to
/// each batch's longest: a new length nearly every step) used to trace every call, dropping each
/// trace before it replayed: Fit of an LSTM on such batches ran ~8x slower than runEagerly
/// (54 ms a step against 7). After three traces dropped unreplayed, new signatures run eagerly,
/// the kept traces still replay, and one warning says how to get fixed shapes.
/// </summary>
public abstract class RetraceThrashTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Cycling_through_more_shapes_than_kept_stops_tracing_new_ones()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var f = NF.Function((Tensor x) => x * 2 + 1);
        var info = TracedFunction.Of(f);
        for (int round = 0; round < 3; round++)
            for (int n = 1; n <= 40; n++)
                Assert.Equal(Enumerable.Repeat(3f, n), f(NF.Ones([n])).ToArray<float>());
        // Shapes 1-8 fill the 8 kept traces; 9, 10 and 11 each drop one never replayed; then no more traces.
        Assert.Equal(11, info.TraceCount);
        Assert.Contains(info.Warnings, w => w.Contains("more input signatures") && w.Contains("the 8 it keeps") && w.Contains("padToBucketBoundary"));
        Assert.Contains("runs eagerly", log.Text);
        // The kept ones (4 to 11) still replay; a shape never kept runs eagerly.
        f(NF.Ones([7]));
        Assert.True(info.LastCallReplayed);
        Assert.Equal(new[] { 3f, 3f, 3f }, f(NF.Ones([3])).ToArray<float>());
        Assert.False(info.LastCallReplayed);
        Assert.Contains("more input signatures", info.EagerReason);
    }

    [SkippableFact]
    public void Shapes_that_change_by_phases_keep_being_traced()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var f = NF.Function((Tensor x) => x - 1);
        var info = TracedFunction.Of(f);
        // Twelve shapes, each used for a while: every dropped trace had replayed, so tracing pays.
        for (int n = 1; n <= 12; n++)
            for (int i = 0; i < 5; i++) f(NF.Ones([n]));
        Assert.Equal(12, info.TraceCount);
        Assert.True(info.LastCallReplayed);
        Assert.DoesNotContain(info.Warnings, w => w.Contains("more input signatures"));
    }

    [SkippableFact]
    public void Fit_on_batches_of_many_lengths_traces_a_bounded_number_of_times_and_matches_run_eagerly()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var lengths = Enumerable.Range(0, 48).Select(i => 2 + i * 7 % 23).ToArray();
        var data = Dataset.FromGenerator(() => lengths.Select(n =>
            (NF.Constant(Enumerable.Range(0, n).Select(i => (long)((i * 5 + n) % 9 + 1)).ToArray()), NF.Constant((float)(n % 2)))));
        var batches = data.PaddedBatch(2);   // padded to each batch's longest: many shapes
        Sequential Make(bool eager)
        {
            NF.Random.SetSeed(4);
            var model = new Sequential(new Layers.Embedding(10, 3, maskZero: true), new Layers.GlobalAveragePooling1D(), new Layers.Dense(1, activation: "sigmoid"));
            model.Compile(new Optimizers.SGD(0.1), loss: "binary_crossentropy", runEagerly: eager);
            model.Call(NF.Ones([1, 3], DType.Int64)).Dispose();   // the weights drawn now, from the seed
            return model;
        }
        var traced = Make(false);
        var eager = Make(true);
        var history = traced.Fit(batches, epochs: 2, verbose: 0);
        var eagerHistory = eager.Fit(batches, epochs: 2, verbose: 0);
        Assert.Equal(eagerHistory["loss"], history["loss"]);
        Assert.Equal(eager.GetWeights().Select(w => w.ToArray<float>()), traced.GetWeights().Select(w => w.ToArray<float>()));
        Assert.InRange(traced.TrainFunction!.TraceCount, 1, 12);
        Assert.Contains(traced.TrainFunction.Warnings, w => w.Contains("more input signatures"));
    }
}

public sealed class ManagedRetraceThrashTests() : RetraceThrashTests("managed");

public sealed class NativeCpuRetraceThrashTests() : RetraceThrashTests("cpu");

public sealed class CudaRetraceThrashTests() : RetraceThrashTests("cuda");
