using NeuralFlow.Backends;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17: fused programs take exp, log, tanh, sigmoid, softplus, sqrt and every other unary
/// op, each engine computing a step with the function its own Unary kernel runs. A step equals
/// the unfused Unary call bit for bit whatever the layout and block (a row of one element, a
/// strided view); Keras models with these activations and losses replay fused and match
/// <c>runEagerly</c> bit for bit; bias + activation and the activation's gradient fuse;
/// NEURALFLOW_FUSION=0 still turns fusion off.
/// </summary>
public abstract class FusionMathTests(string backend) : BackendTest(backend)
{
    private IBackend B => BackendRegistry.Get(BackendName);

    private static int[] Bits(Tensor t) => t.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    // Values over the ranges activations meet, with the special values each function treats apart.
    private static float[] Values(int n, int seed, bool positive)
    {
        var rng = new Random(seed);
        float[] specials = [0f, -0f, 1f, -1f, 1e-30f, -1e-30f, 88.5f, -88.5f, 100f, -100f, 0.5f, -2.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-4f];
        return Enumerable.Range(0, n).Select(i => i % 5 == 4 ? specials[i / 5 % specials.Length] :
            positive ? (float)(rng.NextDouble() * 5 + 0.01) : (float)(rng.NextDouble() * 16 - 8)).ToArray();
    }

    private static bool PositiveDomain(UnaryOp op) => op is UnaryOp.Log or UnaryOp.Sqrt or UnaryOp.Rsqrt or UnaryOp.Log1p;

    public static TheoryData<UnaryOp> UnaryOps
    {
        get
        {
            var data = new TheoryData<UnaryOp>();
            foreach (var op in Enum.GetValues<UnaryOp>()) data.Add(op);
            return data;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(UnaryOps))]
    public void A_unary_step_gives_the_unary_kernels_bits_in_every_layout_and_block(UnaryOp op)
    {
        RequireBackend();
        // [37, 1]: a fused block per row of one element (a sigmoid output column); [5, 301]: rows
        // longer than a block; a transposed view and a broadcast row: the strided paths.
        foreach (var (shape, seed) in new[] { (new[] { 37, 1 }, 1), (new[] { 5, 301 }, 2), (new[] { 3 }, 3), (new[] { 2, 3, 17 }, 4) })
        {
            int n = shape.Aggregate(1, (a, b) => a * b);
            var x = NF.Reshape(NF.Constant(Values(n, seed, PositiveDomain(op))), shape);
            var xt = NF.Transpose(NF.Reshape(NF.Constant(Values(n, seed + 50, PositiveDomain(op))), shape.Reverse().ToArray()));
            foreach (var input in new[] { x, xt })
            {
                var o = NF.Zeros(shape);
                B.FusedElementwise(DType.Float32, [input.Storage.Pointer], [input.Layout], [FusedStep.Unary(op, 0)], o.Storage.Pointer, o.Layout);
                var want = NF.Zeros(shape);
                B.Unary(op, DType.Float32, input.Storage.Pointer, input.Layout, want.Storage.Pointer, want.Layout);
                Assert.True(Bits(want).SequenceEqual(Bits(o)), $"{BackendName} {op} [{string.Join(",", shape)}] {(ReferenceEquals(input, x) ? "contiguous" : "transposed")}: fused step differs from Unary");
                // ... and from Unary over the contiguous copy (the element's value does not depend on its neighbours).
                var packed = NF.Zeros(shape);
                // A packed copy of the bits: arithmetic would not do (x + 0 turns -0 into +0, and a GPU's
                // x * 1 turns every NaN into its one canonical NaN, 7fffffff).
                var c = NF.Identity(input);
                B.Unary(op, DType.Float32, c.Storage.Pointer, c.Layout, packed.Storage.Pointer, packed.Layout);
                var (wb, pb) = (Bits(want), Bits(packed));
                int bad = Enumerable.Range(0, wb.Length).FirstOrDefault(i => wb[i] != pb[i], -1);
                Assert.True(bad < 0, $"{BackendName} {op} [{string.Join(",", shape)}]: Unary on a view differs from Unary on its packed copy at {bad}: {(bad < 0 ? "" : $"{wb[bad]:x8} vs {pb[bad]:x8}, x = {c.ToArray<float>()[bad]}")}");
            }
        }
    }

    public static TheoryData<string, string> ActivationsAndLosses => new()
    {
        { "sigmoid", "binary_crossentropy" }, { "tanh", "log_cosh" }, { "softplus", "mse" }, { "elu", "binary_crossentropy" },
        { "gelu", "log_cosh" }, { "swish", "binary_crossentropy" }, { "tanh", "binary_crossentropy" },
    };

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(7);
        var x = NF.Random.Normal([60, 5]);
        var y = NF.Cast(NF.Greater(NF.ReduceSum(x, axis: 1, keepDims: true), 0f), DType.Float32);
        return (x, y);
    }

    private static Model Make(string activation, string loss, bool eager)
    {
        NF.Random.SetSeed(3);
        // The output keeps the loss' range: sigmoid into binary cross-entropy, tanh otherwise.
        var model = new Sequential(new Layers.Dense(16, activation: activation), new Layers.Dense(8, activation: activation),
                                   new Layers.Dense(1, activation: loss == "binary_crossentropy" ? "sigmoid" : "tanh"));
        model.Compile(new Optimizers.Adam(0.01), loss, runEagerly: eager);
        return model;
    }

    [SkippableTheory]
    [MemberData(nameof(ActivationsAndLosses))]
    public void A_Keras_model_replays_fused_and_matches_run_eagerly_bit_for_bit(string activation, string loss)
    {
        RequireBackend();
        var (x, y) = Data();
        var results = new[] { true, false }.Select(eager =>
        {
            var model = Make(activation, loss, eager);
            NF.Random.SetSeed(5);
            var history = model.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0);  // a last batch of 12: two plans
            var fit = model.LastStepFunction;
            var predictions = model.Predict(x, batchSize: 25).ToArray<float>();
            if (!eager)
            {
                Assert.True(fit!.ReplayCount > 0, $"no replay ({fit.EagerReason})");
                var plan = fit.LatestPlan!.Describe();
                Assert.Contains("FusedElementwise[", plan);
            }
            return (History: history["loss"].ToArray(), Weights: model.Variables.Select(v => v.ToArray<float>()).ToArray(), Predictions: predictions);
        }).ToArray();
        Assert.Equal(results[0].History, results[1].History);
        Assert.True(results[0].Predictions.AsSpan().SequenceEqual(results[1].Predictions), "predictions differ");
        for (int i = 0; i < results[0].Weights.Length; i++)
            Assert.True(results[0].Weights[i].AsSpan().SequenceEqual(results[1].Weights[i]), $"{activation}/{loss}: variable {i} differs between eager and replayed Fit");
    }

    private static Func<Tensor, Tensor, Tensor> DenseStep(string activation, Variable w, Variable b) => (x, y) =>
    {
        using var tape = new GradientTape();
        var h = ActivationFunction.Get(activation).Apply(NF.MatMul(x, w) + b);
        var loss = NF.ReduceMean(NF.Square(h - y));
        var grads = tape.Gradient(loss, [w, b]);
        w.AssignSub(grads[0] * 0.1f);
        b.AssignSub(grads[1] * 0.1f);
        return loss;
    };

    public static TheoryData<string, string, string> DensePlans => new()
    {
        // activation, forward program, backward program: the square's gradient 2 (h - y) g times the
        // activation's, g * y * (1 - y), g * (1 - y^2), g * sigmoid(x). (Softplus' gradient reads
        // x + b, which so stays in memory: its program starts at the activation.)
        { "sigmoid", "FusedElementwise[Add,Sigmoid] (8, 6)", "FusedElementwise[Mul,Mul,Mul,Sub,Mul] (8, 6)" },
        { "tanh", "FusedElementwise[Add,Tanh] (8, 6)", "FusedElementwise[Mul,Mul,Square,Sub,Mul] (8, 6)" },
        { "softplus", "FusedElementwise[Softplus,Sub] (8, 6)", "FusedElementwise[Mul,Mul,Sigmoid,Mul] (8, 6)" },
        // Composite activations: the tape keeps their intermediates for the backward, so the
        // forward fuses only the parts nothing reads again; the backward is one long program.
        // (elu is relu(x) + alpha expm1(min(x, 0)), finite at -inf: relu's mask and the min's tie in one program.)
        { "elu", "FusedElementwise[Minimum,Expm1] (8, 6)", "FusedElementwise[Mul,Add,Mul,LessEqual,Mul,Greater,Mul,Add] (8, 6)" },
        { "gelu", "FusedElementwise[Erf,Add] (8, 6)", "FusedElementwise[Mul,Mul,Square,Neg,Exp,Mul,Mul,Mul,Mul,Add] (8, 6)" },
    };

    [SkippableTheory]
    [MemberData(nameof(DensePlans))]
    public void Dense_bias_and_activation_fuse_forward_and_backward_with_fewer_calls(string activation, string forward, string backward)
    {
        RequireBackend();
        (Variable W, Variable B) Make() => (new Variable(NF.Reshape(NF.Constant(Values(24, 1, false)), [4, 6]) * 0.05f),
                                            new Variable(NF.Constant(Values(6, 2, false)) * 0.05f));
        var (we, be) = Make();
        var (wt, bt) = Make();
        var eager = DenseStep(activation, we, be);
        var traced = NF.Function(DenseStep(activation, wt, bt));
        for (int i = 0; i < 5; i++)
        {
            var x = NF.Reshape(NF.Constant(Values(32, 100 + i, false).Select(v => float.IsFinite(v) ? v * 0.1f : 0.5f).ToArray()), [8, 4]);
            var y = NF.Reshape(NF.Constant(Values(48, 200 + i, false).Select(v => float.IsFinite(v) ? v * 0.1f : -0.5f).ToArray()), [8, 6]);
            Assert.Equal(Bits(eager(x, y)), Bits(traced(x, y)));
        }
        Assert.Equal(Bits(we), Bits(wt));
        Assert.Equal(Bits(be), Bits(bt));
        var info = TracedFunction.Of(traced);
        var plan = info.LatestPlan!.Describe();
        Assert.Contains(forward, plan);
        Assert.Contains(backward, plan);
        int fused = info.OpCount;

        // NEURALFLOW_FUSION=0: the same step replays every call on its own (and still matches).
        var saved = Environment.GetEnvironmentVariable("NEURALFLOW_FUSION");
        try
        {
            Environment.SetEnvironmentVariable("NEURALFLOW_FUSION", "0");
            var (wu, bu) = Make();
            var unfused = NF.Function(DenseStep(activation, wu, bu));
            var (x, y) = (NF.Ones([8, 4]) * 0.3f, NF.Ones([8, 6]) * 0.2f);
            unfused(x, y);
            unfused(x, y);
            var u = TracedFunction.Of(unfused);
            Assert.True(u.LastCallReplayed, u.EagerReason);
            Assert.DoesNotContain("FusedElementwise", u.LatestPlan!.Describe());
            Assert.True(fused < u.OpCount, $"{activation}: {fused} calls fused vs {u.OpCount} unfused");
        }
        finally
        {
            Environment.SetEnvironmentVariable("NEURALFLOW_FUSION", saved);
        }
    }
}

public sealed class ManagedFusionMathTests() : FusionMathTests("managed");

public sealed class NativeCpuFusionMathTests() : FusionMathTests("cpu");

public sealed class CudaFusionMathTests() : FusionMathTests("cuda");
