using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17's elementwise fusion: a replay runs chains of elementwise calls (a bias add and its
/// relu, relu's mask-and-scale, a scale by a constant) as one FusedElementwise pass and gives
/// the eager (unfused) run's bits; chains whose intermediates are read elsewhere stay unfused;
/// the program kernel refuses bad programs with .NET exceptions on every backend.
/// </summary>
public abstract class FusionTests(string backend) : BackendTest(backend)
{
    private IBackend B => BackendRegistry.Get(BackendName);

    // Bits, so -0 vs +0 and NaN payloads count.
    private static int[] Bits(Tensor t) => t.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    // Values with both signs, exact zeros of both signs and ties, so relu, max and the comparisons meet every case.
    private static Tensor Values(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        int n = shape.Aggregate(1, (a, b) => a * b);
        var v = Enumerable.Range(0, n).Select(_ => rng.Next(8) switch { 0 => 0f, 1 => -0f, _ => (float)Math.Round(rng.NextDouble() * 8 - 4, 2) }).ToArray();
        return NF.Reshape(NF.Constant(v), shape);
    }

    private static string PlanOf(Delegate f) => TracedFunction.Of(f).LatestPlan!.Describe();

    [SkippableFact]
    public void A_chain_fuses_into_one_pass_and_replays_the_eager_bits()
    {
        RequireBackend();
        static Tensor Body(Tensor x, Tensor b, Tensor g)
        {
            var h = NF.Relu(x + b);                        // bias row broadcast, then relu
            var u = NF.Maximum(h * 0.5f - g, x);           // scale by a constant, subtract, max
            return NF.Abs(-u) / 3f;
        }
        var f = NF.Function((Func<Tensor, Tensor, Tensor, Tensor>)Body);
        for (int i = 0; i < 4; i++)
        {
            var (x, b, g) = (Values(10 * i, 6, 5), Values(10 * i + 1, 5), Values(10 * i + 2, 6, 5));
            var eager = Body(x, b, g);
            var replayed = f(x, b, g);
            Assert.Equal(Bits(eager), Bits(replayed));
        }
        var info = TracedFunction.Of(f);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        var plan = PlanOf(f);
        // The eager run makes 7 elementwise calls on [6, 5]; fused, one program runs them.
        Assert.Contains("FusedElementwise[Add,Relu,Mul,Sub,Maximum,Neg,Abs,Div] (6, 5)", plan);
        Assert.DoesNotContain("Binary", plan);
    }

    [SkippableFact]
    public void A_dense_training_step_fuses_bias_relu_and_the_relu_mask_and_matches_its_eager_twin()
    {
        RequireBackend();
        (Variable W, Variable Bias) Make() => (new Variable(Values(1, 4, 6) * 0.25f), new Variable(Values(2, 6) * 0.25f));
        Func<Tensor, Tensor, Tensor> StepOf(Variable w, Variable bias) => (x, y) =>
        {
            using var tape = new GradientTape();
            var h = NF.Relu(NF.MatMul(x, w) + bias);
            var loss = NF.ReduceMean(NF.Square(h - y));
            var grads = tape.Gradient(loss, [w, bias]);
            w.AssignSub(grads[0] * 0.1f);
            bias.AssignSub(grads[1] * 0.1f);
            return loss;
        };
        var (we, be) = Make();
        var (wt, bt) = Make();
        var eager = StepOf(we, be);
        var traced = NF.Function(StepOf(wt, bt));
        for (int i = 0; i < 6; i++)
        {
            var (x, y) = (Values(100 + i, 8, 4), Values(200 + i, 8, 6));
            Assert.Equal(Bits(eager(x, y)), Bits(traced(x, y)));
        }
        Assert.Equal(Bits(we), Bits(wt));
        Assert.Equal(Bits(be), Bits(bt));
        var plan = PlanOf(traced);
        Assert.Contains("FusedElementwise[Add,Relu] (8, 6)", plan);      // forward: bias add and relu
        // backward: the square's gradient 2 (h - y) g, then relu's mask times it (the mask's
        // compare is a branch of the program, not a link of a chain)
        Assert.Contains("FusedElementwise[Mul,Mul,Greater,Mul] (8, 6)", plan);
    }

    [SkippableFact]
    public void An_intermediate_read_after_the_chain_is_not_fused_away()
    {
        RequireBackend();
        static Tensor[] Body(Tensor x)
        {
            var t = x + 1f;
            var r = NF.Relu(t);
            return [r * 2f, t * 3f];   // t is read again after relu: x + 1 must stay in memory
        }
        var f = NF.Function((Func<Tensor, Tensor[]>)Body);
        for (int i = 0; i < 3; i++)
        {
            var x = Values(i, 3, 7);
            var eager = Body(x);
            var replayed = f(x);
            Assert.Equal(Bits(eager[0]), Bits(replayed[0]));
            Assert.Equal(Bits(eager[1]), Bits(replayed[1]));
        }
        var plan = PlanOf(f);
        Assert.DoesNotContain("FusedElementwise[Add", plan);
        Assert.Contains("FusedElementwise[Relu,Mul] (3, 7)", plan);
    }

    [SkippableFact]
    public void The_program_kernel_refuses_bad_programs_with_clear_exceptions()
    {
        RequireBackend();
        var x = NF.Zeros([4]);
        var o = NF.Zeros([4]);
        var l = x.Layout;
        nint px = x.Storage.Pointer, po = o.Storage.Pointer;
        var ahead = Assert.Throws<ArgumentException>(() => B.FusedElementwise(DType.Float32, [px], [l], [FusedStep.Unary(UnaryOp.Neg, 3)], po, l));
        Assert.Contains("step 0 reads a register outside 0..0", ahead.Message);
        var pow = Assert.Throws<ArgumentException>(() => B.FusedElementwise(DType.Float32, [px], [l], [FusedStep.Binary(BinaryOp.Pow, 0, 0)], po, l));
        Assert.Contains("not an op a fused program can run", pow.Message);
        var past = Assert.Throws<ArgumentException>(() => B.FusedElementwise(DType.Float32, [px], [l], [FusedStep.Unary((UnaryOp)99, 0)], po, l));
        Assert.Contains("not an op a fused program can run", past.Message);
        Assert.Throws<NotSupportedException>(() => B.FusedElementwise(DType.Int32, [px], [l], [FusedStep.Unary(UnaryOp.Neg, 0)], po, l));
        var shape = Assert.Throws<ArgumentException>(() => B.FusedElementwise(DType.Float32, [px], [NF.Zeros([2, 2]).Layout], [FusedStep.Unary(UnaryOp.Neg, 0)], po, l));
        Assert.Contains("shape", shape.Message);
        Assert.Throws<ArgumentException>(() => B.FusedElementwise(DType.Float32, [px], [l], [], po, l));
        GC.KeepAlive(x);
        GC.KeepAlive(o);
    }

    [SkippableFact]
    public void The_program_kernel_matches_its_steps_run_one_by_one_on_strided_and_broadcast_inputs()
    {
        RequireBackend();
        var a = Values(5, 5, 7);
        var at = NF.Transpose(Values(6, 7, 5));             // a strided (transposed) view
        var row = Values(7, 7);
        var o = NF.Zeros([5, 7]);
        var rowLayout = new Layout(a.Shape, [0, row.Layout.Strides[0]], row.Layout.Offset);
        FusedStep[] program =
        [
            FusedStep.Binary(BinaryOp.Mul, 0, 1),            // r3 = a * at
            FusedStep.Binary(BinaryOp.Add, 3, 2),            // r4 = r3 + row (two roundings)
            FusedStep.Binary(BinaryOp.GreaterEqual, 4, 0),   // r5 = r4 >= a as 0/1
            FusedStep.Binary(BinaryOp.Minimum, 4, 5),        // r6
            FusedStep.Unary(UnaryOp.Sign, 6),                // r7
            FusedStep.Binary(BinaryOp.Sub, 6, 7),            // r8
            FusedStep.Unary(UnaryOp.Square, 8),              // r9
        ];
        B.FusedElementwise(DType.Float32, [a.Storage.Pointer, at.Storage.Pointer, row.Storage.Pointer], [a.Layout, at.Layout, rowLayout], program, o.Storage.Pointer, o.Layout);
        var r4 = a * at + row;
        var r6 = NF.Minimum(r4, NF.Cast(NF.GreaterEqual(r4, a), DType.Float32));
        var want = NF.Square(r6 - NF.Sign(r6));
        Assert.Equal(Bits(want), Bits(o));
    }

    [SkippableFact]
    public void A_replay_reuses_an_output_buffer_only_after_the_caller_disposed_it()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => x * 2f + 1f);
        Tensor In(float v) => NF.Constant(new[] { v, -v, 0.5f });
        f(In(1)).Dispose();                                  // the trace
        var r1 = f(In(1));
        var r2 = f(In(2));                                   // r1 still held: a fresh buffer
        Assert.NotSame(r1.Storage, r2.Storage);
        Assert.Equal(new[] { 3f, -1f, 2f }, r1.ToArray<float>());
        var s2 = r2.Storage;
        r2.Dispose();
        var r3 = f(In(3));                                   // r2 released: its buffer again
        Assert.Same(s2, r3.Storage);
        Assert.Equal(new[] { 7f, -5f, 2f }, r3.ToArray<float>());
        var view = r3[..2];                                  // a view keeps the buffer held
        Assert.Same(s2, view.Storage);
        r3.Dispose();
        var r4 = f(In(4));
        Assert.NotSame(view.Storage, r4.Storage);
        Assert.Equal(new[] { 7f, -5f }, view.ToArray<float>());
        Assert.Equal(new[] { 9f, -7f, 2f }, r4.ToArray<float>());
        Assert.Equal(new[] { 3f, -1f, 2f }, r1.ToArray<float>());
    }
}

public sealed class ManagedFusionTests() : FusionTests("managed");

public sealed class NativeCpuFusionTests() : FusionTests("cpu");

public sealed class CudaFusionTests() : FusionTests("cuda");
