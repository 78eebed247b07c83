using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17's logistic-regression bar: a replay plan turns the traced chain MatMul(x, w), Add(bias),
/// SoftmaxCrossEntropy, Mul(scale), MatMul(x^T, dlogits) into one LinearCrossEntropy call
/// (LinearCrossEntropyFusion; on the CPU engine nf_linear_cross_entropy, which reads x once). A
/// traced step, and Fit of a softmax Dense layer, give the eager step's bits with and without it;
/// the plan keeps the separate calls when pre-bias logits are read elsewhere, and still writes the
/// logits when they are. The shapes are ones the CPU kernel fuses (16.8M multiply-adds, 4100 rows)
/// and one it does not (17 classes), where the plan keeps the separate calls.
/// </summary>
public abstract class LinearCrossEntropyFusionTests(string backend) : BackendTest(backend)
{
    private const int Rows = 4100, Features = 410;

    // The CPU engine's kernel takes 10 classes on an AVX-512 machine (and the managed plan follows it).
    private bool Fuses => BackendName != "cuda" && Backends.BackendRegistry.NativeCpu is Backends.Native.NativeCpuBackend cpu &&
        cpu.FusesLinearCrossEntropy(new Backends.LinearCrossEntropyCall
        {
            DType = DType.Float32, XLayout = Layout.Contiguous(new Shape(Rows, Features)), WLayout = Layout.Contiguous(new Shape(Features, 10)),
            LabelDType = DType.Int32, DWLayout = Layout.Contiguous(new Shape(Features, 10)),
        });

    private static int[] Bits(Tensor t) => t.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    private static (Tensor X, Tensor Y) Data(int classes)
    {
        NF.Random.SetSeed(41);
        return (NF.Random.Normal([Rows, Features]) * 0.5f, NF.Random.Uniform([Rows], minval: 0, maxval: classes, dtype: DType.Int32));
    }

    // A logistic-regression model built on x's shape with the seed's weights.
    private static Model Make(int classes, Tensor x, string? activation = null)
    {
        NF.Random.SetSeed(42);
        var model = new Sequential(activation is null ? new Layers.Dense(classes) : new Layers.Dense(classes, activation: activation));
        model.Call(x[0..1]).Dispose();
        return model;
    }

    // One SGD step of a logistic regression, as benchmarks/NeuralFlow.Peers' logreg; `probe` (when given) is assigned from the logits.
    private static Func<Tensor, Tensor, Tensor> Step(Model model, Variable? probe, bool preBias, int? ignoreClass = null)
    {
        var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: ignoreClass);
        var optimizer = new Optimizers.SGD(learningRate: 0.5f);
        var dense = (Layers.Dense)((Sequential)model).Layers[0];
        return (x, y) =>
        {
            using var tape = new GradientTape();
            var product = NF.MatMul(x, dense.Kernel!);
            var logits = product + dense.Bias!;
            probe?.Assign(NF.ReduceSum(preBias ? product : logits, 0));
            var loss = lossFn.Call(y, logits);
            optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
            return loss;
        };
    }

    // Three steps (a trace and two replays, or eagerly) from the seed's weights: each step's loss, then the weights' bits.
    private static (List<int[]> Runs, string? Plan) Train(int classes, bool traced, string? probeOf = null, int? ignoreClass = null)
    {
        var (x, y) = Data(classes);
        var model = Make(classes, x);
        var probe = probeOf is null ? null : new Variable(NF.Zeros([classes]));
        var step = Step(model, probe, probeOf == "product", ignoreClass);
        if (traced) step = NF.Function(step);
        var runs = new List<int[]>();
        for (int s = 0; s < 3; s++)
            using (var loss = step(x, y))
                runs.Add(Bits(loss));
        foreach (var v in model.TrainableVariables) runs.Add(Bits(v));
        if (probe is not null) runs.Add(Bits(probe));
        string? plan = null;
        if (traced)
        {
            var info = TracedFunction.Of(step);
            Assert.True(info.LastCallReplayed, info.EagerReason);
            plan = info.LatestPlan!.Describe();
        }
        return (runs, plan);
    }

    private static T WithoutThePass<T>(Func<T> run) => PlanPassSwitch.Without("NEURALFLOW_FUSION_LCE", run);

    private static void SameBits(List<int[]> want, List<int[]> got, string what)
    {
        Assert.Equal(want.Count, got.Count);
        for (int i = 0; i < want.Count; i++) Assert.True(want[i].SequenceEqual(got[i]), $"{what}: result {i} differs");
    }

    private static int Count(string plan, string kernel) => plan.Split('\n').Count(l => l.StartsWith(kernel, StringComparison.Ordinal));

    [SkippableTheory]
    [InlineData(10)]
    [InlineData(17)]
    public void A_traced_logistic_regression_step_gives_the_eager_bits_with_one_fused_call(int classes)
    {
        RequireBackend();
        var (eager, _) = Train(classes, traced: false);
        var (fused, plan) = Train(classes, traced: true);
        var (unfused, unfusedPlan) = WithoutThePass(() => Train(classes, traced: true));
        SameBits(eager, fused, $"{BackendName} {classes} classes, fused replay vs eager");
        SameBits(eager, unfused, $"{BackendName} {classes} classes, unfused replay vs eager");
        Assert.Equal(0, Count(unfusedPlan!, "LinearCrossEntropy"));
        if (!Fuses || classes > 16)  // 17 classes: past the kernel's 16, the plan keeps the separate calls
        {
            Assert.Equal(0, Count(plan!, "LinearCrossEntropy"));
            return;
        }
        // One call replaces both products, the cross-entropy, the bias add and the scale.
        Assert.Equal(1, Count(plan!, "LinearCrossEntropy"));
        Assert.Equal(0, Count(plan!, "MatMul"));
        Assert.Equal(0, Count(plan!, "SoftmaxCrossEntropy"));
        Assert.Equal(2, Count(unfusedPlan!, "MatMul"));
    }

    [SkippableFact]
    public void Logits_read_elsewhere_are_still_written_and_pre_bias_logits_read_elsewhere_keep_the_separate_calls()
    {
        RequireBackend();
        foreach (var probeOf in new[] { "logits", "product" })
        {
            var (eager, _) = Train(10, traced: false, probeOf);
            var (replayed, plan) = Train(10, traced: true, probeOf);
            SameBits(eager, replayed, $"{BackendName} probe of the {probeOf}");
            Assert.Equal(Fuses && probeOf == "logits" ? 1 : 0, Count(plan!, "LinearCrossEntropy"));
        }
    }

    [SkippableFact]
    public void An_ignored_class_keeps_the_separate_calls_and_the_eager_bits()
    {
        RequireBackend();
        // The labels and the loss's scale are computed between the product and the cross-entropy's
        // readers: the chain cannot move to one call (the plan declines), and the bits stay eager.
        var (eager, _) = Train(10, traced: false, ignoreClass: 3);
        var (replayed, plan) = Train(10, traced: true, ignoreClass: 3);
        SameBits(eager, replayed, $"{BackendName} ignoreClass");
        Assert.Equal(0, Count(plan!, "LinearCrossEntropy"));
    }

    [SkippableFact]
    public void A_label_out_of_range_fails_the_fused_replay_naming_it_and_leaves_the_weights()
    {
        RequireBackend();
        var (x, y) = Data(10);
        var model = Make(10, x);
        var step = NF.Function(Step(model, null, false));
        step(x, y).Dispose();
        step(x, y).Dispose();
        var before = model.TrainableVariables.Select(Bits).ToList();
        var labels = y.ToArray<int>();
        labels[1234] = 10;
        var bad = NF.Constant(labels);
        var e = Assert.ThrowsAny<Exception>(() => step(x, bad));
        Assert.Contains("label 10", e.Message);
        SameBits(before, model.TrainableVariables.Select(Bits).ToList(), $"{BackendName} weights after a failed step");
    }

    [SkippableFact]
    public void Fit_of_a_softmax_dense_layer_gives_the_same_bits_with_and_without_the_fusion_and_eagerly()
    {
        RequireBackend();
        var (x, y) = Data(10);
        List<int[]> Fit(bool eager)
        {
            var model = Make(10, x, activation: "softmax");
            model.Compile(new Optimizers.SGD(0.5), new Losses.SparseCategoricalCrossentropy(), runEagerly: eager);
            var history = model.Fit(x, y, batchSize: Rows, epochs: 3, verbose: 0, shuffle: false);
            var result = new List<int[]> { history["loss"].Select(BitConverter.SingleToInt32Bits).ToArray() };
            foreach (var v in model.TrainableVariables) result.Add(Bits(v));
            if (!eager && Fuses)
                Assert.Equal(LinearCrossEntropyFusion.Disabled ? 0 : 1, Count(model.TrainFunction!.LatestPlan!.Describe(), "LinearCrossEntropy"));
            return result;
        }
        var eagerRun = Fit(eager: true);
        SameBits(eagerRun, Fit(eager: false), $"{BackendName} Fit, fused");
        SameBits(eagerRun, WithoutThePass(() => Fit(eager: false)), $"{BackendName} Fit, unfused");
    }
}

public sealed class ManagedLinearCrossEntropyFusionTests() : LinearCrossEntropyFusionTests("managed");

public sealed class NativeCpuLinearCrossEntropyFusionTests() : LinearCrossEntropyFusionTests("cpu");

public sealed class CudaLinearCrossEntropyFusionTests() : LinearCrossEntropyFusionTests("cuda");
