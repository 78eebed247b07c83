using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Random ops inside an NF.Function draw fresh numbers at every replay, the numbers an eager call
/// would draw at that point of NF.Random's sequence: NF.Random.Normal and Uniform, and Dropout
/// in training mode (a new mask per step, none in inference); NF.Random.SetSeed between calls
/// repeats a replay's draws as it repeats an eager call's.
/// </summary>
public abstract class FunctionRandomTests(string backend) : BackendTest(backend)
{
    private static float[][] Calls(Func<Tensor, Tensor> f, Tensor x, int count) =>
        Enumerable.Range(0, count).Select(_ => f(x).ToArray<float>()).ToArray();

    [SkippableFact]
    public void Normal_and_uniform_draws_are_fresh_per_replay_and_follow_the_eager_sequence()
    {
        RequireBackend();
        Func<Tensor, Tensor> body = x => x * NF.Random.Normal(x.Shape, mean: 1, stddev: 0.5) + NF.Random.Uniform(x.Shape, minval: -1, maxval: 1);
        var f = NF.Function(body);
        var x = NF.Constant(new[] { 1f, 2f, 3f });
        NF.Random.SetSeed(17);
        var eager = Calls(body, x, 5);
        NF.Random.SetSeed(17);
        var traced = Calls(f, x, 5);
        Assert.True(TracedFunction.Of(f).ReplayCount >= 4);
        for (int i = 0; i < 5; i++) Assert.Equal(eager[i], traced[i]);
        Assert.Equal(5, traced.Select(t => string.Join(",", t)).Distinct().Count());
        // What comes after the calls continues the same sequence too.
        var afterReplays = NF.Random.Uniform([2]).ToArray<float>();
        NF.Random.SetSeed(17);
        Calls(body, x, 5);
        Assert.Equal(NF.Random.Uniform([2]).ToArray<float>(), afterReplays);
    }

    [SkippableFact]
    public void Setting_the_seed_again_repeats_a_replays_draws()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => x + NF.Random.Uniform(x.Shape));
        var x = NF.Zeros([4]);
        f(x);
        NF.Random.SetSeed(5);
        var first = f(x).ToArray<float>();
        var second = f(x).ToArray<float>();
        NF.Random.SetSeed(5);
        Assert.Equal(first, f(x).ToArray<float>());
        Assert.Equal(second, f(x).ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void Dropout_draws_a_new_mask_per_replayed_training_step_and_none_in_inference()
    {
        RequireBackend();
        var dropout = new Layers.Dropout(0.5);
        Func<Tensor, Tensor> training = x =>
        {
            using (Layer.TrainingMode()) return dropout.Call(x) * 1;
        };
        var train = NF.Function(training);
        var infer = NF.Function((Tensor x) => dropout.Call(x) * 1);
        var x = NF.Ones([64]);
        NF.Random.SetSeed(8);
        var eager = Calls(training, x, 4);
        NF.Random.SetSeed(8);
        var replayed = Calls(train, x, 4);
        Assert.True(TracedFunction.Of(train).LastCallReplayed);
        for (int i = 0; i < 4; i++) Assert.Equal(eager[i], replayed[i]);
        Assert.Equal(4, replayed.Select(m => string.Join(",", m)).Distinct().Count());
        Assert.All(replayed, m => Assert.All(m, v => Assert.True(v is 0f or 2f)));
        for (int i = 0; i < 3; i++) Assert.All(infer(x).ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.True(TracedFunction.Of(infer).LastCallReplayed);
    }
}

public sealed class ManagedFunctionRandomTests() : FunctionRandomTests("managed");

public sealed class NativeCpuFunctionRandomTests() : FunctionRandomTests("cpu");

public sealed class CudaFunctionRandomTests() : FunctionRandomTests("cuda");
