using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Finite-difference checks in float64 of every op with a gradient, on every backend, with
/// broadcast inputs and non-contiguous views; plus the tape's own rules.
/// </summary>
public abstract class GradientTests(string backend) : BackendTest(backend)
{
    internal static (double[] V, int[] Shape) In(int[] shape, int seed, double lo = -2, double hi = 2) =>
        (RandomValues((int)new Shape(shape).Count, seed, lo, hi), shape);

    /// <summary>Compares the tape's gradient of sum(f(x) * w) with central differences.</summary>
    internal static void Check(Func<Tensor[], Tensor> f, params (double[] V, int[] Shape)[] inputs)
    {
        var xs = inputs.Select(i => NF.Constant(i.V, i.Shape)).ToArray();
        Tensor[] grads;
        double[] weights;
        using (var tape = new GradientTape())
        {
            foreach (var x in xs) tape.Watch(x);
            var y = f(xs);
            weights = RandomValues((int)y.Count, 99, 0.5, 1.5);
            var loss = NF.ReduceSum(y * NF.Constant(weights, y.Shape));
            grads = tape.Gradient(loss, xs);
        }
        double Loss(double[][] values)
        {
            var ts = values.Select((v, k) => NF.Constant(v, inputs[k].Shape)).ToArray();
            using var y = f(ts);
            using var w = NF.Constant(weights, y.Shape);
            using var l = NF.ReduceSum(y * w);
            return l.Item<double>();
        }
        const double eps = 1e-6;
        for (int k = 0; k < inputs.Length; k++)
        {
            Assert.NotNull(grads[k]);
            Assert.Equal(xs[k].Shape, grads[k].Shape);
            var analytic = grads[k].ToArray<double>();
            var numeric = new double[analytic.Length];
            for (int j = 0; j < numeric.Length; j++)
            {
                var plus = inputs.Select(i => (double[])i.V.Clone()).ToArray();
                var minus = inputs.Select(i => (double[])i.V.Clone()).ToArray();
                plus[k][j] += eps;
                minus[k][j] -= eps;
                numeric[j] = (Loss(plus) - Loss(minus)) / (2 * eps);
            }
            AssertClose(numeric, analytic, 1e-5, 1e-6, $"input {k}");
        }
    }

    [SkippableFact]
    public void Binary_ops_with_broadcasting()
    {
        RequireBackend();
        Check(t => t[0] + t[1], In([3, 4], 1), In([4], 2));
        Check(t => t[0] - t[1], In([3, 1], 3), In([1, 5], 4));
        Check(t => t[0] * t[1], In([2, 3, 4], 5), In([3, 1], 6));
        Check(t => t[0] / t[1], In([3, 4], 7), In([4], 8, 0.5, 2));
        Check(t => NF.Pow(t[0], t[1]), In([3, 4], 9, 0.5, 2), In([4], 10));
        Check(t => NF.Maximum(t[0], t[1]), In([3, 4], 11), In([4], 12));
        Check(t => NF.Minimum(t[0], t[1]), In([3, 4], 13), In([3, 4], 14));
        Check(t => 3 * t[0] - t[0] / 2 + 1, In([5], 15));
    }

    [SkippableFact]
    public void Unary_ops()
    {
        RequireBackend();
        Check(t => -t[0], In([7], 20));
        Check(t => NF.Abs(t[0]), In([7], 21));
        Check(t => NF.Exp(t[0]), In([7], 22));
        Check(t => NF.Log(t[0]), In([7], 23, 0.2, 3));
        Check(t => NF.Sqrt(t[0]), In([7], 24, 0.2, 3));
        Check(t => NF.Square(t[0]), In([7], 25));
        Check(t => NF.Relu(t[0]), In([7], 26));
        Check(t => NF.Sigmoid(t[0]), In([7], 27));
        Check(t => NF.Tanh(t[0]), In([7], 28));
    }

    [SkippableFact]
    public void Ops_on_non_contiguous_views()
    {
        RequireBackend();
        Check(t => NF.Exp(NF.Transpose(t[0])) * t[1], In([3, 4], 30), In([3], 31));
        Check(t => t[0][1..3, ..] * 2, In([4, 3], 32));
        Check(t => t[0][.., 1], In([4, 3], 33));
        Check(t => t[0][^1], In([4, 3], 34));
        Check(t => NF.Reshape(NF.Transpose(t[0]), [-1]), In([2, 3], 35));
    }

    [SkippableFact]
    public void Reductions_with_and_without_keepDims()
    {
        RequireBackend();
        Check(t => NF.ReduceSum(t[0]), In([3, 4], 40));
        Check(t => NF.ReduceSum(t[0], 0), In([3, 4], 41));
        Check(t => NF.ReduceSum(t[0], 1, keepDims: true), In([3, 4], 42));
        Check(t => NF.ReduceMean(t[0], [0, 2]), In([2, 3, 4], 43));
        Check(t => NF.ReduceMean(t[0], 1, keepDims: true) * t[0], In([3, 4], 44));
        Check(t => NF.ReduceMax(t[0], 1), In([3, 4], 45));
        Check(t => NF.ReduceMin(t[0], 0, keepDims: true), In([3, 4], 46));
        Check(t => NF.ReduceProd(t[0], 1), In([3, 4], 47, 0.5, 2));
    }

    [SkippableFact]
    public void Softmax_and_log_softmax()
    {
        RequireBackend();
        Check(t => NF.Softmax(t[0]), In([3, 5], 50));
        Check(t => NF.Softmax(t[0], axis: 0), In([3, 5], 51));
        Check(t => NF.LogSoftmax(t[0]), In([3, 5], 52));
        Check(t => NF.LogSoftmax(NF.Transpose(t[0]), axis: 1), In([4, 2], 53));
    }

    [SkippableFact]
    public void MatMul_with_transposes_batches_and_vectors()
    {
        RequireBackend();
        Check(t => NF.MatMul(t[0], t[1]), In([3, 4], 60), In([4, 2], 61));
        Check(t => NF.MatMul(t[0], t[1], transposeA: true), In([4, 3], 62), In([4, 2], 63));
        Check(t => NF.MatMul(t[0], t[1], transposeB: true), In([3, 4], 64), In([2, 4], 65));
        Check(t => NF.MatMul(t[0], t[1], true, true), In([4, 3], 66), In([2, 4], 67));
        Check(t => NF.MatMul(t[0], t[1]), In([2, 3, 4], 68), In([4, 2], 69));
        Check(t => NF.MatMul(t[0], t[1]), In([4], 70), In([4, 2], 71));
        Check(t => NF.MatMul(t[0], t[1]), In([3, 4], 72), In([4], 73));
        Check(t => NF.MatMul(NF.Transpose(t[0]), t[1]), In([4, 3], 74), In([4, 2], 75));
    }

    [SkippableFact]
    public void Shape_ops_gather_and_cast()
    {
        RequireBackend();
        Check(t => NF.Reshape(t[0], [4, 3]), In([3, 4], 80));
        Check(t => NF.Transpose(t[0], [1, 2, 0]), In([2, 3, 4], 81));
        Check(t => NF.Squeeze(NF.ExpandDims(t[0], 1)) * NF.ExpandDims(t[0], 0)[0], In([3], 82));
        Check(t => NF.Concat([t[0], t[1]], axis: 1), In([2, 3], 83), In([2, 2], 84));
        Check(t => NF.Stack([t[0], t[1]], axis: 0), In([3], 85), In([3], 86));
        Check(t => NF.BroadcastTo(t[0], [4, 3]), In([3], 87));
        Check(t => NF.Gather(t[0], NF.Constant(new[] { 2, 0, 2 })), In([3, 2], 88));
        Check(t => NF.Gather(t[0], NF.Constant(new long[] { 1, 1 }), axis: 1), In([3, 2], 89));
        // Through float32 finite differences are too coarse; the rule is exact: d/dx cast(x) = 1.
        var x = NF.Constant(new[] { 1.0, 2.0 });
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = NF.ReduceSum(NF.Cast(NF.Cast(x, DType.Float32) * 3f, DType.Float64));
        var g = tape.Gradient(y, x);
        Assert.Equal(DType.Float64, g.DType);
        Assert.Equal([3.0, 3.0], g.ToArray<double>());
    }

    [SkippableFact]
    public void Fused_cross_entropy_losses()
    {
        RequireBackend();
        var labels = NF.Constant(new[] { 2, 0, 1, 2 });
        var oneHot = NF.OneHot(labels, 3, dtype: DType.Float64);
        // From logits, and through Keras' softmax activation (which Keras and NeuralFlow fuse too).
        Check(t => Keras.Losses.SparseCategoricalCrossentropy.PerExample(labels, t[0], fromLogits: true), In([4, 3], 95));
        Check(t => Keras.Losses.SparseCategoricalCrossentropy.PerExample(labels, NF.KerasSoftmax(t[0])), In([4, 3], 96));
        Check(t => Keras.Losses.CategoricalCrossentropy.PerExample(oneHot, t[0], fromLogits: true), In([4, 3], 97));
        Check(t => Keras.Losses.CategoricalCrossentropy.PerExample(oneHot, NF.KerasSoftmax(t[0] * 2)), In([4, 3], 98));
        // The unfused form (probabilities not from a softmax) agrees with the fused one.
        var logits = NF.Constant(RandomValues(12, 99), [4, 3]);
        var fused = Keras.Losses.SparseCategoricalCrossentropy.PerExample(labels, NF.KerasSoftmax(logits)).ToArray<double>();
        var plain = Keras.Losses.SparseCategoricalCrossentropy.PerExample(labels, NF.Exp(NF.LogSoftmax(logits))).ToArray<double>();
        AssertClose(plain, fused, 1e-9, 1e-12);
    }

    [SkippableFact]
    public void Tape_rules_follow_tensorflow()
    {
        RequireBackend();
        var x = NF.Constant(3.0);
        var unrelated = NF.Constant(1.0);
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = x * x;
            var grads = tape.Gradient(y, [x, unrelated]);
            Assert.Equal(6.0, grads[0].Item<double>());
            Assert.Null(grads[1]);
            Assert.Throws<InvalidOperationException>(() => tape.Gradient(y, [x]));
        }
        using (var tape = new GradientTape(persistent: true))
        {
            tape.Watch(x);
            var y = x * x * x;
            var z = NF.Exp(x);
            Assert.Equal(27.0, tape.Gradient(y, x).Item<double>(), 10);
            Assert.Equal(Math.Exp(3), tape.Gradient(z, x).Item<double>(), 10);
        }
        // Trainable variables are watched without being named; others are not.
        var w = new Variable(2.0);
        var frozen = new Variable(5.0, trainable: false);
        using (var tape = new GradientTape())
        {
            var loss = w * frozen;
            var g = tape.Gradient(loss, [w, frozen]);
            Assert.Equal(5.0, g[0].Item<double>());
            Assert.Null(g[1]);
        }
        // StopGradient cuts the path.
        using (var tape = new GradientTape())
        {
            var loss = w * NF.StopGradient(w);
            Assert.Equal(2.0, tape.Gradient(loss, w).Item<double>());
        }
    }

    [SkippableFact]
    public void Nested_tapes_give_second_derivatives()
    {
        RequireBackend();
        var x = NF.Constant(2.0);
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor dy;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            var y = x * x * x;
            dy = inner.Gradient(y, x);           // 3x^2 = 12
        }
        Assert.Equal(12.0, dy.Item<double>(), 10);
        var d2y = outer.Gradient(dy, x);         // 6x = 12
        Assert.Equal(12.0, d2y.Item<double>(), 10);
    }

    [SkippableFact]
    public void A_used_tape_that_is_never_disposed_stops_being_tracked()
    {
        RequireBackend();
        var w = new Variable(2.0);
        int before = Tape.Active.Count;
        for (int step = 0; step < 100; step++)
        {
            var tape = new GradientTape();               // no using: the workshop's loop written without Dispose
            var loss = w * w;
            w.AssignSub(0.1 * tape.Gradient(loss, w));
        }
        // Each leaked registration would be walked by every later op on this thread.
        Assert.Equal(before, Tape.Active.Count);
        var persistent = new GradientTape(persistent: true);
        var y = w * w;
        persistent.Gradient(y, w);
        Assert.Equal(before + 1, Tape.Active.Count);     // may still be asked again: kept until disposed
        persistent.Dispose();
        Assert.Equal(before, Tape.Active.Count);
    }

    [SkippableFact]
    public void Workshop_section2_gradient_descent_converges()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var xs = NF.Range(1f, 5f, 0.1f);
        var ys = 3.5f * xs - 1 + NF.Random.Uniform([40], minval: -1, maxval: 1);
        var m = new Variable(1f);
        var b = new Variable(0f);
        static Tensor Mse(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Square(yTrue - yPred));
        const float lr = 0.05f;
        float first = 0, last = 0;
        for (int step = 0; step < 1000; step++)
        {
            using var tape = new GradientTape();
            var loss = Mse(ys, xs * m + b);
            var grads = tape.Gradient(loss, [m, b]);
            m.AssignSub(lr * grads[0]);
            b.AssignSub(lr * grads[1]);
            if (step == 0) first = loss.Item<float>();
            last = loss.Item<float>();
        }
        Assert.True(last < first / 10, $"loss {first} -> {last}");
        // The closed form's answer, within 0.2.
        var sxx = NF.ReduceMean(NF.Square(xs - NF.ReduceMean(xs)));
        var sxy = NF.ReduceMean((xs - NF.ReduceMean(xs)) * (ys - NF.ReduceMean(ys)));
        var mBest = (sxy / sxx).Item<float>();
        var bBest = (NF.ReduceMean(ys) - mBest * NF.ReduceMean(xs)).Item<float>();
        Assert.InRange(m.Item<float>(), mBest - 0.2f, mBest + 0.2f);
        Assert.InRange(b.Item<float>(), bBest - 0.2f, bBest + 0.2f);
    }

    [SkippableFact]
    public void Output_gradients_weight_the_targets_elements()
    {
        // tf.GradientTape.gradient(y, x, output_gradients=[1, 0.5]) for y = x * x at x = [1, 2]: 2x * w = [2, 2].
        RequireBackend();
        var x = new Variable(NF.Constant(new[] { 1f, 2f }));
        var w = NF.Constant(new[] { 1f, 0.5f });
        using (var tape = new GradientTape())
        {
            var y = x * x;
            Assert.Equal(new[] { 2f, 2f }, tape.Gradient(y, [x], outputGradients: w)[0]!.ToArray<float>());
        }
        Assert.Equal(new[] { 1f, 0.5f }, w.ToArray<float>());  // the caller's tensor is left as it was
        using (var tape = new GradientTape())
        {
            var y = x * x;
            var e = Assert.Throws<ArgumentException>(() => tape.Gradient(y, [x], outputGradients: NF.Ones([3])));
            Assert.Contains("outputGradients", e.Message);
        }
        // Under an outer tape, the product's gradient with respect to the weights is the inner gradient's factor: d(sum(2x * w))/dw = 2x.
        var wv = new Variable(NF.Constant(new[] { 1f, 0.5f }));
        using var outer = new GradientTape();
        Tensor inner;
        using (var tape = new GradientTape())
            inner = tape.Gradient(x * x, [x], outputGradients: NF.Identity(wv))[0]!;
        Assert.Equal(new[] { 2f, 4f }, outer.Gradient(NF.ReduceSum(inner), [wv])[0]!.ToArray<float>());
    }
}

public sealed class ManagedGradientTests() : GradientTests("managed");

public sealed class NativeCpuGradientTests() : GradientTests("cpu");

public sealed class CudaGradientTests() : GradientTests("cuda");
