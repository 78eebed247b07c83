using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17: a replay leaves out the calls whose results nothing reads (DeadCodeElimination), as
/// tf.function prunes ops that feed no output, and keeps every call that must run for its own
/// sake: random draws, host checks, variable updates.
/// </summary>
public abstract class DeadCodeTests(string backend) : BackendTest(backend)
{
    private static int[] Bits(Tensor t) => t.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    private static string PlanOf(Delegate f) => TracedFunction.Of(f).LatestPlan!.Describe();

    [SkippableFact]
    public void The_workshop_steps_softmax_that_its_loss_does_not_read_is_not_replayed_and_the_bits_stay_eager()
    {
        RequireBackend();
        // Dense(10, softmax) with sparse cross-entropy: the loss reads the logits, so the
        // probabilities the eager step computes are read by nothing after.
        (Tensor X, Tensor Y) Batch(int i) => (NF.Random.Uniform([32, 12]), NF.Random.Uniform([32], 0, 5, DType.Int32));
        Model Make() => new Sequential(new Layers.Dense(8, activation: "relu"), new Layers.Dense(5, activation: "softmax"));
        var eager = ReplayParity.Train(Make, () => new Losses.SparseCategoricalCrossentropy(), Batch, traced: false);
        var replayed = ReplayParity.Train(Make, () => new Losses.SparseCategoricalCrossentropy(), Batch, traced: true);
        ReplayParity.AssertSame("dense softmax + sparse cross-entropy", eager, replayed);
        var plan = replayed.Function!.LatestPlan!.Describe();
        Assert.Contains("SoftmaxCrossEntropy", plan);
        Assert.DoesNotContain("Softmax\n", plan + "\n");
    }

    [SkippableFact]
    public void An_unused_product_is_dropped_and_a_used_one_kept()
    {
        RequireBackend();
        static Tensor Body(Tensor a, Tensor b)
        {
            var unused = NF.MatMul(a, b) + 1f;   // read by nothing
            var used = NF.MatMul(b, a);
            return NF.ReduceSum(used);
        }
        var f = NF.Function((Func<Tensor, Tensor, Tensor>)Body);
        for (int i = 0; i < 3; i++)
        {
            NF.Random.SetSeed(i);
            var (a, b) = (NF.Random.Uniform([4, 3]), NF.Random.Uniform([3, 4]));
            Assert.Equal(Bits(Body(a, b)), Bits(f(a, b)));
        }
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        var plan = PlanOf(f).Split('\n');
        Assert.Single(plan, l => l == "MatMul");
        Assert.DoesNotContain(plan, l => l.Contains("Binary") || l.Contains("Fused"));
    }

    [SkippableFact]
    public void An_unused_random_draw_still_advances_the_generator_as_the_eager_call_does()
    {
        RequireBackend();
        Func<Tensor, Tensor> body = x =>
        {
            _ = NF.Random.Uniform([5]) * 3f;      // nothing reads it, but the draw moves NF.Random on
            return x + 1f;
        };
        var f = NF.Function(body);
        var x = NF.Zeros([3]);
        float[] After(Func<Tensor, Tensor> g)
        {
            NF.Random.SetSeed(9);
            for (int i = 0; i < 4; i++) g(x);
            return NF.Random.Uniform([4]).ToArray<float>();
        }
        var eager = After(body);
        var replayed = After(f);
        Assert.True(TracedFunction.Of(f).ReplayCount >= 3);
        Assert.Equal(eager, replayed);
    }

    [SkippableFact]
    public void An_unused_loss_still_checks_its_labels_at_every_replay()
    {
        RequireBackend();
        var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var f = NF.Function((Tensor logits, Tensor labels) =>
        {
            _ = lossFn.Call(labels, logits);       // its value is not returned
            return logits * 2f;
        });
        var logits = NF.Random.Uniform([4, 3]);
        f(logits, NF.Constant(new[] { 0, 1, 2, 1 }));
        f(logits, NF.Constant(new[] { 2, 1, 0, 0 }));
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        Assert.ThrowsAny<Exception>(() => f(logits, NF.Constant(new[] { 0, 7, 2, 1 })));
    }
}

public sealed class ManagedDeadCodeTests() : DeadCodeTests("managed");

public sealed class NativeCpuDeadCodeTests() : DeadCodeTests("cpu");

public sealed class CudaDeadCodeTests() : DeadCodeTests("cuda");
