using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// GradientTape as a user of tf.GradientTape / torch.autograd writes it: gradients through
/// slicing, indexing, gather with repeated indices, concat, stack, where, max/min ties, activations
/// at their kinks, broadcasting, matmul and the reductions, against torch.autograd in float64
/// (usersweep_fixtures.json "grads": the target is sum(y * w) for a random w); and the tape's own
/// rules: persistent tapes, Watch, nested tapes, non-scalar targets, None for unconnected sources.
/// </summary>
public abstract class TapeTests(string backend) : BackendTest(backend)
{
    public static TheoryData<int> Cases() => new(Enumerable.Range(0, Section("grads").Count));

    // Each name is the PyTorch expression of make_usersweep_fixtures.py written with NeuralFlow ops.
    private static readonly Dictionary<string, Func<Tensor[], Tensor>> Functions = new()
    {
        ["slice"] = t => NF.Gather(t[0][1.., ..], NF.Constant(new[] { 0, 2 }), 1) * 3 + NF.Square(t[0][..2, 1..3]),
        ["index_row"] = t => t[0][-1] * t[0][0],
        ["gather_dup"] = t => NF.Gather(t[0], NF.Constant(new[] { 2, 0, 2, 2 })),
        ["gather_axis1"] = t => NF.Gather(t[0], NF.Constant(new[] { 3, 3, 1 }), 1),
        ["concat"] = t => NF.Concat([t[0], t[1] * t[1]], 1),
        ["stack"] = t => NF.Stack([t[0], t[0] * t[1]], 0),
        ["where"] = t => NF.Where(NF.Greater(t[0], 0.0), t[0] * t[1], t[1] - t[0]),
        ["max_ties_axis1"] = t => NF.ReduceMax(t[0], 1),
        ["max_ties_all"] = t => NF.ReduceMax(t[0]),
        ["min_ties_axis0"] = t => NF.ReduceMin(t[0], 0),
        // TensorFlow's rule (and NeuralFlow's): a tie's gradient goes to the first operand; torch.maximum
        // splits it, so the fixture writes TensorFlow's rule as torch.where(a >= b, a, b).
        ["maximum_ties"] = t => NF.Maximum(t[0], t[1]),
        ["leaky_relu_at_zero"] = t => NF.LeakyRelu(t[0], 0.2),
        ["relu_at_zero"] = t => NF.Relu(t[0]),
        ["abs_at_zero"] = t => NF.Abs(t[0]),
        ["elu_at_zero"] = t => NF.Elu(t[0]),
        ["relu6_at_bounds"] = t => NF.Relu6(t[0]),
        ["selu_negative"] = t => NF.Selu(t[0]),
        ["clip_at_bounds"] = t => NF.Clip(t[0], -1.0, 1.0),
        ["nonscalar_target"] = t => t[0] * t[0] * t[0],
        ["broadcast"] = t => t[0] * t[1] + t[0],
        ["matmul_vec"] = t => NF.MatMul(t[0], t[1]),
        ["matmul_batch"] = t => NF.MatMul(t[0], t[1]),
        ["softmax"] = t => NF.Softmax(t[0], -1),
        ["log_softmax"] = t => NF.LogSoftmax(t[0], 0),
        ["logsumexp"] = t => NF.ReduceLogSumExp(t[0], 1),
        ["mean_keepdims"] = t => NF.ReduceMean(t[0], -1, keepDims: true) * t[0],
        ["prod_zero"] = t => NF.ReduceProd(t[0], 1),
        ["cumsum"] = t => NF.CumSum(t[0], 1),
        ["transpose"] = t => NF.MatMul(NF.Transpose(t[0]), t[0]),
        ["reshape"] = t => NF.Square(NF.Reshape(t[0], [2, 6])),
        ["tile"] = t => NF.Tile(t[0], 2, 3),
        ["sort"] = t => NF.Sort(t[0], -1),
        ["topk"] = t => NF.TopK(t[0], 2).Values,
        ["pow"] = t => NF.Pow(t[0], t[1]),
        ["pow_neg_base"] = t => NF.Pow(t[0], NF.Constant(new[] { 2.0, 3.0, 0.0, 1.0 })),
        ["sqrt_div"] = t => NF.Sqrt(t[0]) / (t[0] + 1),
        ["split"] = t => NF.Split(t[0], 2, 1)[1] * 2,
        ["pad_reflect"] = t => NF.Pad(t[0], new[,] { { 0, 0 }, { 1, 2 } }, "reflect"),
        ["sigmoid_ce"] = t => Keras.Losses.BinaryCrossentropy.PerExample(NF.ExpandDims(NF.Ones(new Shape(3, 4), DType.Float64) * NF.Constant(new double[] { 1, 0, 1, 0 }), -1),
            NF.ExpandDims(t[0], -1), fromLogits: true),
        ["sparse_ce"] = t => Keras.Losses.SparseCategoricalCrossentropy.PerExample(NF.Constant(new long[] { 3, 0, 2 }), t[0], fromLogits: true),
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Gradient_matches_torch_autograd(int index)
    {
        RequireBackend();
        var (c, name, inputs) = OpCase("grads", index);
        var weight = Tensor(c["weight"]!);
        using var tape = new GradientTape();
        foreach (var x in inputs) tape.Watch(x);
        var y = Functions[name](inputs);
        var target = NF.ReduceSum(y * weight);
        var grads = tape.Gradient(target, inputs);
        AssertValues(Values(c["value"]!), Doubles(y), 1e-12, 1e-12, $"{name} value");
        var expected = c["grads"]!.AsArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            if (expected[i] is null) { Assert.Null(grads[i]); continue; }
            Assert.NotNull(grads[i]);
            Assert.Equal(inputs[i].Shape, grads[i].Shape);
            AssertValues(Values(expected[i]!), Doubles(grads[i]), 1e-12, 1e-12, $"{name} d/dx{i}");
        }
    }

    [SkippableFact]
    public void Persistent_tape_gives_several_gradients_and_a_plain_one_refuses_a_second()
    {
        RequireBackend();
        var v = new Variable(NF.Constant(new[] { 3.0f, -1.5f }));
        using (var tape = new GradientTape(persistent: true))
        {
            var y = v * v;
            var z = NF.ReduceSum(y * v);
            Assert.Equal(new[] { 6f, -3f }, tape.Gradient(y, v).ToArray<float>());
            Assert.Equal(new[] { 27f, 6.75f }, tape.Gradient(z, v).ToArray<float>());
            Assert.Equal(new[] { 6f, -3f }, tape.Gradient(y, v).ToArray<float>()); // again, unchanged
        }
        using var once = new GradientTape();
        var w = v * 2f;
        once.Gradient(w, v);
        var e = Assert.Throws<InvalidOperationException>(() => once.Gradient(w, v));
        Assert.Contains("persistent", e.Message);
    }

    [SkippableFact]
    public void Watch_constants_unwatched_variables_and_unconnected_sources()
    {
        RequireBackend();
        var c = NF.Constant(2.0f);
        var frozen = new Variable(NF.Constant(5.0f), trainable: false);
        var trained = new Variable(NF.Constant(7.0f));
        var unused = new Variable(NF.Constant(1.0f));
        using (var tape = new GradientTape(persistent: true))
        {
            var y = c * c * frozen * trained;
            var g = tape.Gradient(y, [c, frozen, trained, unused]);
            Assert.Null(g[0]);   // a constant is not watched unless asked (tf.GradientTape)
            Assert.Null(g[1]);   // nor a non-trainable variable
            Assert.Equal(20f, g[2].Item<float>());
            Assert.Null(g[3]);   // unconnected: None, as TensorFlow (not zeros)
        }
        using (var tape = new GradientTape(watchAccessedVariables: false))
        {
            tape.Watch(c);
            tape.Watch(frozen);
            var y = c * c * frozen * trained;
            var g = tape.Gradient(y, [c, frozen, trained]);
            Assert.Equal(140f, g[0].Item<float>());
            Assert.Equal(28f, g[1].Item<float>());
            Assert.Null(g[2]);   // accessed but not watched
        }
    }

    [SkippableFact]
    public void Nested_tapes_give_second_and_third_derivatives()
    {
        RequireBackend();
        var x = new Variable(NF.Constant(new[] { 0.5, -1.25, 2.0 }));
        using var t3 = new GradientTape();
        using var t2 = new GradientTape();
        Tensor d1;
        using (var t1 = new GradientTape())
        {
            var y = NF.ReduceSum(NF.Sin(x) * x);           // y = x sin x
            d1 = t1.Gradient(y, x);                        // sin x + x cos x
        }
        var d2 = t2.Gradient(NF.ReduceSum(d1), x);         // 2 cos x - x sin x
        var d3 = t3.Gradient(NF.ReduceSum(d2), x);         // -3 sin x - x cos x
        double[] xs = [0.5, -1.25, 2.0];
        AssertValues(xs.Select(v => Math.Sin(v) + v * Math.Cos(v)).ToArray(), d1.ToArray<double>(), 1e-14, 1e-15, "d1");
        AssertValues(xs.Select(v => 2 * Math.Cos(v) - v * Math.Sin(v)).ToArray(), d2.ToArray<double>(), 1e-14, 1e-15, "d2");
        AssertValues(xs.Select(v => -3 * Math.Sin(v) - v * Math.Cos(v)).ToArray(), d3.ToArray<double>(), 1e-14, 1e-15, "d3");
    }

    [SkippableFact]
    public void Integer_sources_get_none_and_an_integer_target_is_refused_by_name()
    {
        RequireBackend();
        var i = NF.Constant(new[] { 1, 2 });
        var f = NF.Constant(new[] { 1f, 2f });
        using var tape = new GradientTape(persistent: true);
        tape.Watch(i);
        tape.Watch(f);
        var y = NF.Cast(i, DType.Float32) * f;
        var g = tape.Gradient(y, [i, f]);
        Assert.Null(g[0]);                      // TensorFlow: no gradient through an integer tensor
        Assert.Equal(new[] { 1f, 2f }, g[1].ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => tape.Gradient(NF.Cast(f, DType.Int32), f));
        Assert.Contains("int32", e.Message);
    }
}

public sealed class ManagedTapeTests() : TapeTests("managed");

public sealed class NativeCpuTapeTests() : TapeTests("cpu");

public sealed class CudaTapeTests() : TapeTests("cuda");
