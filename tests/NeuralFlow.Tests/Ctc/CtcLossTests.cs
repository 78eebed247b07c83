using static NeuralFlow.Tests.Reference;
using static NeuralFlow.Tests.Ctc.CtcReferences;

namespace NeuralFlow.Tests.Ctc;

/// <summary>
/// NF.CtcLoss on every engine: per-example losses and gradients against PyTorch's ctc_loss
/// (ctc_references.py beside this file) in float64 and float32, with repeated labels, an empty
/// label, impossible alignments (+inf loss, NaN gradient), a blank other than 0; the gradient
/// and the second derivative against central differences; and the exceptions for bad shapes, lengths and labels.
/// </summary>
public abstract class CtcLossTests(string backend) : BackendTest(backend)
{
    /// <summary>2 sin(0.37 i^2 + 1.1 i + seed) for the flat index i: the logits ctc_references.py builds too.</summary>
    internal static double[] Logits(int batch, int steps, int classes, double seed) =>
        Enumerable.Range(0, batch * steps * classes).Select(k => { double i = k; return 2.0 * Math.Sin(0.37 * i * i + 1.1 * i + seed); }).ToArray();

    private static Tensor Ints(params int[] v) => NF.Constant(v);

    private static Tensor Labels(int[,] v) => NF.Constant(v);

    // Case A of ctc_references.py: blank 0; [1 2 3], the repeat [2 2], [1 1 1 1] in 6 steps (needs 7), and no labels.
    private static Tensor LossA(Tensor logits) =>
        NF.CtcLoss(Labels(new[,] { { 1, 2, 3, 0 }, { 2, 2, 0, 0 }, { 1, 1, 1, 1 }, { 0, 0, 0, 0 } }), logits, Ints(3, 2, 4, 0), Ints(6, 4, 6, 5));

    // Case B: blank 3 given as -1; the third example has 2 steps for [1 2 0] (impossible).
    private static Tensor LossB(Tensor logits) =>
        NF.CtcLoss(Labels(new[,] { { 0, 1, 1 }, { 2, 0, 0 }, { 1, 2, 0 } }), logits, Ints(3, 1, 3), Ints(5, 3, 2), maskIndex: -1);

    // The gradient of sum(weights * loss) with respect to the logits.
    private static (double[] Loss, double[] Gradient) LossAndGradient(Func<Tensor, Tensor> loss, Tensor logits, double[] weights)
    {
        using var tape = new GradientTape();
        tape.Watch(logits);
        var values = loss(logits);
        var total = NF.ReduceSum(values * NF.Cast(NF.Constant(weights), values.DType));
        var gradient = tape.Gradient(total, logits);
        Assert.Equal(logits.Shape, gradient.Shape);
        Assert.Equal(logits.DType, gradient.DType);
        return (values.ToDoubleArray(), gradient.ToDoubleArray());
    }

    [SkippableFact]
    public void Float64_losses_and_gradients_match_torch()
    {
        RequireBackend();
        using var a = NF.Constant(Logits(4, 6, 5, 0.0), [4, 6, 5]);
        var (lossA, gradA) = LossAndGradient(LossA, a, [1.0, 0.5, 2.0, 1.5]);
        Assert.Equal(DType.Float64, LossA(a).DType);
        AssertClose(ALoss, lossA, 1e-12, 1e-12, "loss A");
        // The impossible example's gradient is NaN, like torch's; the others match to rounding.
        AssertClose(AGradient, gradA, 1e-10, 1e-12, "gradient A");

        using var b = NF.Constant(Logits(3, 5, 4, 1.0), [3, 5, 4]);
        var (lossB, gradB) = LossAndGradient(LossB, b, [1.0, 2.0, 1.0]);
        AssertClose(BLoss, lossB, 1e-12, 1e-12, "loss B");
        AssertClose(BGradient, gradB, 1e-10, 1e-12, "gradient B");
    }

    [SkippableFact]
    public void Keras_test_values_and_float32()
    {
        RequireBackend();
        // Keras' nn_test test_ctc_loss: [3.4411672, 1.91680186] for float32 logits.
        using var k = NF.Constant(new[,,]
        {
            { { 0.4f, 0.8f, 0.4f }, { 0.2f, 0.8f, 0.3f }, { 0.9f, 0.4f, 0.5f } },
            { { 0.4f, 0.8f, 0.4f }, { 0.2f, 0.3f, 0.3f }, { 0.4f, 0.3f, 0.2f } },
        });
        var (loss, gradient) = LossAndGradient(x => NF.CtcLoss(Labels(new[,] { { 1, 2, 1 }, { 1, 2, 2 } }), x, Ints(3, 2), Ints(3, 2)), k, [1.0, 1.0]);
        AssertClose(KLoss, loss, 1e-6, 1e-6, "keras float32");
        AssertClose(KGradient, gradient, 1e-5, 1e-6, "keras float32 gradient");
        using var lossF = LossA(NF.Cast(NF.Constant(Logits(4, 6, 5, 0.0), [4, 6, 5]), DType.Float32));
        Assert.Equal(DType.Float32, lossF.DType);
        AssertClose(ALoss, lossF.ToDoubleArray(), 1e-6, 1e-6, "loss A float32");
        // Integer logits compute in float32, as Keras' result_type(int, float32).
        using var ints = NF.CtcLoss(Labels(new[,] { { 1 } }), NF.Constant(new[,,] { { { 0, 1 }, { 2, 0 } } }), Ints(1), Ints(2));
        Assert.Equal(DType.Float32, ints.DType);
    }

    [SkippableFact]
    public void Gradient_matches_finite_differences()
    {
        RequireBackend();
        // Only possible alignments (a finite loss): a repeat, an empty label, a blank of 2, a shorter output.
        GradientTests.Check(t => NF.CtcLoss(Labels(new[,] { { 1, 1, 0 }, { 0, 0, 0 }, { 3, 1, 3 } }), t[0], Ints(2, 0, 3), Ints(4, 3, 4), maskIndex: 2),
            (Logits(3, 4, 4, 0.5), [3, 4, 4]));
        GradientTests.Check(t => NF.CtcLoss(Labels(new[,] { { 2, 1 }, { 1, 1 } }), t[0], Ints(2, 2), Ints(5, 3)), (Logits(2, 5, 3, 2.5), [2, 5, 3]));
    }

    [SkippableFact]
    public void Empty_labels_and_lengths_edge_cases()
    {
        RequireBackend();
        var x = Logits(1, 3, 3, 0.25);
        using var logits = NF.Constant(x, [1, 3, 3]);
        // No labels: minus the log probability of blank at every step.
        double expected = 0;
        for (int t = 0; t < 3; t++)
        {
            double max = x.Skip(3 * t).Take(3).Max();
            expected -= x[3 * t] - (max + Math.Log(x.Skip(3 * t).Take(3).Sum(v => Math.Exp(v - max))));
        }
        Assert.Equal(expected, NF.CtcLoss(NF.Zeros(new Shape(1, 0), DType.Int32), logits, Ints(0), Ints(3)).Item<double>(), 12);
        // No steps: probability 1 for no labels, 0 (loss +inf) for any label.
        AssertClose([0, double.PositiveInfinity],
            NF.CtcLoss(Labels(new[,] { { 1 }, { 1 } }), NF.Constant(Logits(2, 3, 3, 0), [2, 3, 3]), Ints(0, 1), Ints(0, 0)).ToDoubleArray(), 0, 0, "no steps");
        // One step, one label: -log softmax of that label.
        double oneStep = -(x[1] - Math.Log(x.Take(3).Sum(Math.Exp)));
        Assert.Equal(oneStep, NF.CtcLoss(Labels(new[,] { { 1 } }), logits, Ints(1), Ints(1)).Item<double>(), 12);
        // An empty batch gives an empty loss.
        using var none = NF.CtcLoss(NF.Zeros(new Shape(0, 2), DType.Int32), NF.Zeros(new Shape(0, 4, 3), DType.Float64), NF.Zeros(new Shape(0), DType.Int32), NF.Zeros(new Shape(0), DType.Int32));
        Assert.Equal(new Shape(0), none.Shape);
        // NaN logits give a NaN loss, not an exception.
        var withNaN = (double[])x.Clone();
        withNaN[4] = double.NaN;
        Assert.True(double.IsNaN(NF.CtcLoss(Labels(new[,] { { 1 } }), NF.Constant(withNaN, [1, 3, 3]), Ints(1), Ints(3)).Item<double>()));
    }

    [SkippableFact]
    public void Second_derivative_matches_finite_differences()
    {
        RequireBackend();
        // A tape over a tape: the Hessian-vector product against finite differences of the first gradient
        // (SecondOrderCheck weighs f(x) of x's shape: the loss broadcast over each example's logits).
        static Func<Tensor, Tensor> Broadcast(Func<Tensor, Tensor> loss, int batch) =>
            x => NF.Reshape(loss(x), [batch, 1, 1]) * NF.OnesLike(x);
        SecondOrderCheck.AssertMatchesFiniteDifferences(
            Broadcast(x => NF.CtcLoss(Labels(new[,] { { 1, 1 }, { 2, 1 }, { 0, 0 } }), x, Ints(2, 2, 0), Ints(4, 3, 2)), 3), [3, 4, 3]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(
            Broadcast(x => NF.CtcLoss(Labels(new[,] { { 0, 2, 0 } }), x, Ints(3), Ints(5), maskIndex: 1), 1), [1, 5, 3]);
    }

    [SkippableFact]
    public void Third_derivative_throws_instead_of_a_wrong_value()
    {
        RequireBackend();
        var x = NF.Constant(Logits(1, 3, 3, 0.0), [1, 3, 3]);
        using var third = new GradientTape();
        third.Watch(x);
        Tensor h;
        using (var outer = new GradientTape())
        {
            outer.Watch(x);
            Tensor g;
            using (var inner = new GradientTape())
            {
                inner.Watch(x);
                g = inner.Gradient(NF.ReduceSum(NF.CtcLoss(Labels(new[,] { { 1 } }), x, Ints(1), Ints(3))), x);
            }
            h = outer.Gradient(NF.ReduceSum(g * g), x);
        }
        var e = Assert.Throws<NotSupportedException>(() => third.Gradient(NF.ReduceSum(h), x));
        Assert.Contains("CtcLoss: a third derivative", e.Message);
    }

    [SkippableFact]
    public void Bad_inputs_throw_clear_exceptions()
    {
        RequireBackend();
        using var logits = NF.Constant(Logits(2, 4, 3, 0), [2, 4, 3]);
        var target = Labels(new[,] { { 1, 2 }, { 2, 0 } });
        string Message<T>(Func<Tensor> f) where T : Exception => Assert.Throws<T>(() => f()).Message;
        Assert.Contains("output must be logits [batch, time, classes]", Message<ArgumentException>(() => NF.CtcLoss(target, NF.Zeros(new Shape(2, 4)), Ints(2, 1), Ints(4, 4))));
        Assert.Contains("target must be labels [batch, maxLabelLength]", Message<ArgumentException>(() => NF.CtcLoss(Ints(1, 2), logits, Ints(2, 1), Ints(4, 4))));
        Assert.Contains("target has batch size 1", Message<ArgumentException>(() => NF.CtcLoss(Labels(new[,] { { 1, 2 } }), logits, Ints(2, 1), Ints(4, 4))));
        Assert.Contains("outputLength must have shape [2]", Message<ArgumentException>(() => NF.CtcLoss(target, logits, Ints(2, 1), Ints(4))));
        Assert.Contains("outputLength[1] is 5", Message<ArgumentException>(() => NF.CtcLoss(target, logits, Ints(2, 1), Ints(4, 5))));
        Assert.Contains("targetLength[0] is 3", Message<ArgumentException>(() => NF.CtcLoss(target, logits, Ints(3, 1), Ints(4, 4))));
        Assert.Contains("targetLength[1] is -1", Message<ArgumentException>(() => NF.CtcLoss(target, logits, Ints(2, -1), Ints(4, 4))));
        Assert.Contains("whole number", Message<ArgumentException>(() => NF.CtcLoss(target, logits, NF.Constant(new[] { 2.5, 1 }), Ints(4, 4))));
        Assert.Contains("target[0, 1] is 3; labels must be whole numbers in [0, 3)", Message<ArgumentException>(() => NF.CtcLoss(Labels(new[,] { { 1, 3 }, { 2, 0 } }), logits, Ints(2, 1), Ints(4, 4))));
        Assert.Contains("target[1, 1] is 0, the blank class", Message<ArgumentException>(() => NF.CtcLoss(target, logits, Ints(2, 2), Ints(4, 4))));
        Assert.Contains("target[0, 0] is -1", Message<ArgumentException>(() => NF.CtcLoss(Labels(new[,] { { -1, 2 }, { 2, 0 } }), logits, Ints(2, 1), Ints(4, 4))));
        Assert.Contains("maskIndex (the blank class) must be in [-3, 3)", Message<ArgumentOutOfRangeException>(() => NF.CtcLoss(target, logits, Ints(2, 1), Ints(4, 4), maskIndex: 3)));
        Assert.Contains("needs at least the blank class", Message<ArgumentException>(() => NF.CtcLoss(target, NF.Zeros(new Shape(2, 4, 0)), Ints(0, 0), Ints(4, 4))));
    }
}

public sealed class ManagedCtcLossTests() : CtcLossTests("managed");

public sealed class NativeCpuCtcLossTests() : CtcLossTests("cpu");

public sealed class CudaCtcLossTests() : CtcLossTests("cuda");
