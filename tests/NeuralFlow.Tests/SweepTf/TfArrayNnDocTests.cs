using static NeuralFlow.Tests.SweepTf.TfDoc;

namespace NeuralFlow.Tests.SweepTf;

/// <summary>
/// The examples of TensorFlow's array_ops.py (22794ef3), nn_ops.py / nn_impl.py, clip_ops.py,
/// special_math_ops.py (einsum), sort_ops.py, eager/backprop.py (GradientTape) and variables.py
/// docstrings, ported to NF.*. Values not printed in the stored copies were re-derived with
/// check_tf_doc_values.py (PyTorch 1.13 / NumPy). SequenceMask, SearchSorted, Squeeze over
/// several axes, L2Normalize, LogSigmoid and the three tf.nn cross-entropies were missing before.
/// </summary>
public abstract class TfArrayNnDocTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Shapes_slices_stack_and_concat()
    {
        RequireBackend();
        // tf.expand_dims: [2] -> [1, 2], [2, 1], [2, 1]; [2, 3, 5] -> [1, 2, 3, 5], [2, 3, 1, 5], [2, 3, 5, 1]
        var t = NF.Zeros([2]);
        Assert.Equal([1, 2], NF.ExpandDims(t, 0).Shape.ToArray());
        Assert.Equal([2, 1], NF.ExpandDims(t, 1).Shape.ToArray());
        Assert.Equal([2, 1], NF.ExpandDims(t, -1).Shape.ToArray());
        var t2 = NF.Zeros([2, 3, 5]);
        Assert.Equal([1, 2, 3, 5], NF.ExpandDims(t2, 0).Shape.ToArray());
        Assert.Equal([2, 3, 1, 5], NF.ExpandDims(t2, 2).Shape.ToArray());
        Assert.Equal([2, 3, 5, 1], NF.ExpandDims(t2, 3).Shape.ToArray());
        // tf.shape / tf.size / tf.rank of [[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]]]
        var s = NF.Constant(new[,,] { { { 1, 1, 1 }, { 2, 2, 2 } }, { { 3, 3, 3 }, { 4, 4, 4 } } });
        Assert.Equal([2, 2, 3], s.Shape.ToArray());
        Assert.Equal(12, s.Count);
        Assert.Equal(3, s.Rank);
        // Tensor.__getitem__: foo[2:-2] => [3, 4]
        Expect(I(1, 2, 3, 4, 5, 6)[2..^2], DType.Int32, [2], [3, 4]);
        // tf.slice
        var u = NF.Constant(new[,,] { { { 1, 1, 1 }, { 2, 2, 2 } }, { { 3, 3, 3 }, { 4, 4, 4 } }, { { 5, 5, 5 }, { 6, 6, 6 } } });
        Expect(NF.Slice(u, [1, 0, 0], [1, 1, 3]), DType.Int32, [1, 1, 3], [3, 3, 3]);
        Expect(NF.Slice(u, [1, 0, 0], [1, 2, 3]), DType.Int32, [1, 2, 3], [3, 3, 3, 4, 4, 4]);
        Expect(NF.Slice(u, [1, 0, 0], [2, 1, 3]), DType.Int32, [2, 1, 3], [3, 3, 3, 5, 5, 5]);
        // tf.stack
        Tensor x = I(1, 4), y = I(2, 5), z = I(3, 6);
        Expect(NF.Stack([x, y, z]), DType.Int32, [3, 2], [1, 4, 2, 5, 3, 6]);
        Expect(NF.Stack([x, y, z], axis: 1), DType.Int32, [2, 3], [1, 2, 3, 4, 5, 6]);
        // tf.concat, axes 0, 1 and -1
        var c1 = NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var c2 = NF.Constant(new[,] { { 7, 8, 9 }, { 10, 11, 12 } });
        Expect(NF.Concat([c1, c2], 0), DType.Int32, [4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        Expect(NF.Concat([c1, c2], 1), DType.Int32, [2, 6], [1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12]);
        var d1 = NF.Constant(new[,,] { { { 1, 2 }, { 2, 3 } }, { { 4, 4 }, { 5, 3 } } });
        var d2 = NF.Constant(new[,,] { { { 7, 4 }, { 8, 4 } }, { { 2, 10 }, { 15, 11 } } });
        Expect(NF.Concat([d1, d2], -1), DType.Int32, [2, 2, 4], [1, 2, 7, 4, 2, 3, 8, 4, 4, 4, 2, 10, 5, 3, 15, 11]);
    }

    [SkippableFact]
    public void Masks_splits_transposes_and_fills()
    {
        RequireBackend();
        // tf.boolean_mask, 1-D and 2-D
        Expect(NF.BooleanMask(I(0, 1, 2, 3), NF.Constant(new[] { true, false, true, false })), DType.Int32, [2], [0, 2]);
        Expect(NF.BooleanMask(NF.Constant(new[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }), NF.Constant(new[] { true, false, true })), DType.Int32, [2, 2], [1, 2, 5, 6]);
        // tf.split of a [5, 30] tensor: sizes [4, 15, 11], or 3 equal parts
        var value = NF.Zeros([5, 30]);
        Assert.Equal([[5, 4], [5, 15], [5, 11]], NF.Split(value, [4, 15, 11], 1).Select(p => p.Shape.ToArray()));
        Assert.Equal([5, 10], NF.Split(value, 3, axis: 1)[0].Shape.ToArray());
        // tf.transpose, perm=[0, 2, 1]
        var m = NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Expect(NF.Transpose(m), DType.Int32, [3, 2], [1, 4, 2, 5, 3, 6]);
        Expect(NF.Transpose(m, [1, 0]), DType.Int32, [3, 2], [1, 4, 2, 5, 3, 6]);
        var b = NF.Constant(new[,,] { { { 1, 2, 3 }, { 4, 5, 6 } }, { { 7, 8, 9 }, { 10, 11, 12 } } });
        Expect(NF.Transpose(b, [0, 2, 1]), DType.Int32, [2, 3, 2], [1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12]);
        // tf.zeros([3, 4], tf.int32), tf.ones([2, 3], tf.int32), zeros_like / ones_like keep int32
        Expect(NF.Zeros([3, 4], DType.Int32), DType.Int32, [3, 4], new double[12]);
        Expect(NF.Ones([2, 3], DType.Int32), DType.Int32, [2, 3], [1, 1, 1, 1, 1, 1]);
        Expect(NF.ZerosLike(m), DType.Int32, [2, 3], new double[6]);
        Expect(NF.OnesLike(m), DType.Int32, [2, 3], [1, 1, 1, 1, 1, 1]);
        // tf.squeeze of a [1, 2, 1, 3, 1, 1] tensor, and squeeze(t, [2, 4])
        var sq = NF.Zeros([1, 2, 1, 3, 1, 1]);
        Assert.Equal([2, 3], NF.Squeeze(sq).Shape.ToArray());
        Assert.Equal([1, 2, 3, 1], NF.Squeeze(sq, [2, 4]).Shape.ToArray());
        Assert.Throws<ArgumentException>(() => NF.Squeeze(sq, [1]));
    }

    [SkippableFact]
    public void Pad_meshgrid_one_hot_sequence_mask_and_searchsorted()
    {
        RequireBackend();
        // tf.pad with paddings [[1, 1], [2, 2]]: CONSTANT, REFLECT, SYMMETRIC
        var t = NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        int[,] p = { { 1, 1 }, { 2, 2 } };
        Expect(NF.Pad(t, p, "CONSTANT"), DType.Int32, [4, 7], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Expect(NF.Pad(t, p, "REFLECT"), DType.Int32, [4, 7], [6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1]);
        Expect(NF.Pad(t, p, "SYMMETRIC"), DType.Int32, [4, 7], [2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2, 5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5]);
        // tf.meshgrid(x, y), indexing 'xy'
        var grid = NF.Meshgrid(I(1, 2, 3), I(4, 5, 6));
        Expect(grid[0], DType.Int32, [3, 3], [1, 2, 3, 1, 2, 3, 1, 2, 3]);
        Expect(grid[1], DType.Int32, [3, 3], [4, 4, 4, 5, 5, 5, 6, 6, 6]);
        // tf.one_hot: an index of -1 (or any outside [0, depth)) is a row of off values
        Expect(NF.OneHot(I(0, 1, 2), 3), DType.Float32, [3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
        Expect(NF.OneHot(I(0, 2, -1, 1), 3, onValue: 5.0, offValue: 0.0), DType.Float32, [4, 3], [5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0]);
        Expect(NF.OneHot(NF.Constant(new[,] { { 0, 2 }, { 1, -1 } }), 3), DType.Float32, [2, 2, 3], [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0]);
        // tf.sequence_mask([1, 3, 2], 5) and sequence_mask([[1, 3], [2, 0]])
        Expect(NF.SequenceMask(I(1, 3, 2), 5), [3, 5],
            true, false, false, false, false, true, true, true, false, false, true, true, false, false, false);
        Expect(NF.SequenceMask(NF.Constant(new[,] { { 1, 3 }, { 2, 0 } })), [2, 2, 3],
            true, false, false, true, true, true, true, true, false, false, false, false);
        Expect(NF.SequenceMask(I(1, 3), 3, DType.Float32), DType.Float32, [2, 3], [1, 0, 0, 1, 1, 1]);
        // tf.searchsorted, left and right
        var sorted = NF.Constant(new[,] { { 0, 3, 9, 9, 10 }, { 1, 2, 3, 4, 5 } });
        var values = NF.Constant(new[,] { { 2, 4, 9 }, { 0, 2, 6 } });
        Expect(NF.SearchSorted(sorted, values), DType.Int32, [2, 3], [1, 2, 2, 0, 1, 5]);
        Expect(NF.SearchSorted(sorted, values, side: "right"), DType.Int32, [2, 3], [1, 2, 4, 0, 2, 5]);
        Assert.Contains("side", Assert.Throws<ArgumentException>(() => NF.SearchSorted(sorted, values, side: "middle")).Message);
    }

    [SkippableFact]
    public void Nn_activations_and_cross_entropies()
    {
        RequireBackend();
        // tf.nn.softmax([-1, 0., 1.]), tf.nn.log_softmax
        Expect(NF.Softmax(F(-1, 0, 1)), DType.Float32, [3], [0.09003057, 0.24472848, 0.66524094]);
        Expect(NF.LogSoftmax(F(-1, 0, 1)), DType.Float32, [3], [-2.407606, -1.4076059, -0.40760595]);
        // tf.nn.relu, leaky_relu (alpha 0.2), relu6
        Expect(NF.Relu(F(-2, 0, 3)), DType.Float32, [3], [0, 0, 3]);
        Expect(NF.LeakyRelu(F(-2, 0, 1)), DType.Float32, [3], [-0.4, 0, 1]);
        Expect(NF.Relu6(F(-3, -1, 0, 6, 10)), DType.Float32, [5], [0, 0, 0, 6, 6]);
        // tf.nn.gelu, exact and approximate (the docstring prints -0.00404951 for gelu(-3); erf's
        // float32 rounding differs by 4e-7 between implementations, PyTorch gives -0.00404987)
        Expect(NF.Gelu(F(-3, -1, 0, 1, 3)), DType.Float32, [5], [-0.00404951, -0.15865529, 0, 0.8413447, 2.9959507], atol: 1e-6);
        Expect(NF.Gelu(F(-3, -1, 0, 1, 3), approximate: true), DType.Float32, [5], [-0.00363752, -0.15880796, 0, 0.841192, 2.9963627], atol: 1e-6);
        // tf.math.log_sigmoid (math_ops.py)
        Expect(NF.LogSigmoid(F(0, 1, 50, 100)), DType.Float32, [4], [-0.69314718, -0.31326169, -1.9287499e-22, 0], atol: 1e-30);
        Expect(NF.LogSigmoid(F(-100, -50, -1, 0)), DType.Float32, [4], [-100, -50, -1.3132616, -0.6931472]);
        // tf.nn.sigmoid_cross_entropy_with_logits
        Expect(NF.SigmoidCrossEntropyWithLogits(F(0, 0, 0, 1, 1, 1, 0.5f), F(1, -1, 0, 1, -1, 0, 0)), DType.Float32, [7],
            [1.3132616, 0.3132617, 0.6931472, 0.3132617, 1.3132616, 0.6931472, 0.6931472]);
        // tf.nn.softmax_cross_entropy_with_logits
        Expect(NF.SoftmaxCrossEntropyWithLogits(NF.Constant(new[,] { { 1f, 0, 0 }, { 0, 0.8f, 0.2f } }), NF.Constant(new[,] { { 4f, 2, 1 }, { 0, 5, 1 } })),
            DType.Float32, [2], [0.16984604, 0.82474494]);
        // tf.nn.sparse_softmax_cross_entropy_with_logits
        var logits = NF.Constant(new[,] { { 2f, -5, 0.5f, -0.1f }, { 0, 0, 1.9f, 1.4f }, { -100, 100, -100, -100 } });
        Expect(NF.SparseSoftmaxCrossEntropyWithLogits(I(0, 3, 1), logits), DType.Float32, [3], [0.29750752, 1.1448325, 0]);
        Assert.Throws<ArgumentException>(() => NF.SparseSoftmaxCrossEntropyWithLogits(F(0, 3, 1), logits));
        // tf.math.l2_normalize([3, 4]) and over axis 0 of [[3], [4]]
        Expect(NF.L2Normalize(F(3, 4)), DType.Float32, [2], [0.6, 0.8]);
        Expect(NF.L2Normalize(NF.Constant(new[,] { { 3f }, { 4f } }), 0), DType.Float32, [2, 1], [0.6, 0.8]);
    }

    [SkippableFact]
    public void Clip_einsum_and_sort()
    {
        RequireBackend();
        // tf.clip_by_value(t, -1, 1), tf.clip_by_norm([[1, 2, 3, 4, 5]], 2.0)
        Expect(NF.Clip(NF.Constant(new[,] { { -10f, -1, 0 }, { 0, 2, 10 } }), -1, 1), DType.Float32, [2, 3], [-1, -1, 0, 0, 1, 1]);
        Expect(NF.ClipByNorm(NF.Constant(new[,] { { 1f, 2, 3, 4, 5 } }), 2.0), DType.Float32, [1, 5], [0.26967996, 0.5393599, 0.80903983, 1.0787199, 1.3483998]);
        // tf.einsum: matmul, dot, outer, transpose, trace, diagonal, sum
        var m0 = NF.Constant(new[,] { { 1f, 2 }, { 3, 4 } });
        var m1 = NF.Constant(new[,] { { 5f, 6 }, { 7, 8 } });
        Expect(NF.Einsum("ij,jk->ik", m0, m1), DType.Float32, [2, 2], [19, 22, 43, 50]);
        Expect(NF.Einsum("i,i->", F(1, 2, 3), F(4, 5, 6)), DType.Float32, Scalar, [32]);
        Expect(NF.Einsum("i,j->ij", F(1, 2), F(3, 4, 5)), DType.Float32, [2, 3], [3, 4, 5, 6, 8, 10]);
        Expect(NF.Einsum("ij->ji", m0), DType.Float32, [2, 2], [1, 3, 2, 4]);
        Expect(NF.Einsum("ii", m0), DType.Float32, Scalar, [5]);
        Expect(NF.Einsum("ii->i", m0), DType.Float32, [2], [1, 4]);
        Expect(NF.Einsum("ij->", m0), DType.Float32, Scalar, [10]);
        // Before, a repeated letter ("ii", "ii->i") threw "does not support": now the diagonal is
        // taken first, batched and differentiable (finite differences in float64).
        Expect(NF.Einsum("bii->bi", NF.Constant(new[,,] { { { 1f, 2 }, { 3, 4 } }, { { 5f, 6 }, { 7, 8 } } })), DType.Float32, [2, 2], [1, 4, 5, 8]);
        Expect(NF.Einsum("ii,i->i", m0, F(10, 100)), DType.Float32, [2], [10, 400]);
        GradientTests.Check(g => NF.Einsum("ii", g[0]), GradientTests.In([3, 3], 81));
        GradientTests.Check(g => NF.Einsum("bii->bi", g[0]), GradientTests.In([2, 3, 3], 82));
        // tf.sort / tf.argsort (sort_ops.py): argsort is int32
        var v = F(1, 10, 26.7f, 2.8f, 166.32f, 62.3f);
        Expect(NF.Sort(v), DType.Float32, [6], [1, 2.8f, 10, 26.7f, 62.3f, 166.32f]);
        Expect(NF.Sort(v, direction: "DESCENDING"), DType.Float32, [6], [166.32f, 62.3f, 26.7f, 10, 2.8f, 1]);
        Expect(NF.ArgSort(v), DType.Int32, [6], [0, 3, 1, 2, 5, 4]);
        Expect(NF.ArgSort(v, direction: "DESCENDING"), DType.Int32, [6], [4, 5, 2, 1, 3, 0]);
    }

    [SkippableFact]
    public void Gradient_tape_and_variable_examples()
    {
        RequireBackend();
        // backprop.py: x = 3.0; y = x * x; dy/dx = 6.0
        var x = NF.Constant(3f);
        using (var g = new GradientTape())
        {
            g.Watch(x);
            var y = x * x;
            Expect(g.Gradient(y, x), DType.Float32, Scalar, [6]);
        }
        // nested tapes: d2y/dx2 = 2.0
        using (var outer = new GradientTape())
        {
            outer.Watch(x);
            Tensor dy;
            using (var inner = new GradientTape())
            {
                inner.Watch(x);
                dy = inner.Gradient(x * x, x);
            }
            Expect(outer.Gradient(dy, x), DType.Float32, Scalar, [2]);
        }
        // persistent=True: z = y * y; dz/dx = 108.0 (4 x^3 at 3), dy/dx = 6.0
        using (var g = new GradientTape(persistent: true))
        {
            g.Watch(x);
            var y = x * x;
            var z = y * y;
            Expect(g.Gradient(z, x), DType.Float32, Scalar, [108]);
            Expect(g.Gradient(y, x), DType.Float32, Scalar, [6]);
        }
        // jacobian of x * x at [1, 2], batch_jacobian of x * x at [[1, 2], [3, 4]]
        var v = F(1, 2);
        using (var g = new GradientTape())
        {
            g.Watch(v);
            Expect(g.Jacobian(v * v, v), DType.Float32, [2, 2], [2, 0, 0, 4]);
        }
        var bx = NF.Constant(new[,] { { 1f, 2 }, { 3, 4 } });
        using (var g = new GradientTape())
        {
            g.Watch(bx);
            Expect(g.BatchJacobian(bx * bx, bx), DType.Float32, [2, 2, 2], [2, 0, 0, 4, 6, 0, 0, 8]);
        }
        // unconnected_gradients=ZERO
        var a = NF.Constant(2f);
        var b = NF.Constant(3f);
        using (var g = new GradientTape())
        {
            g.Watch([a, b]);
            var y = a * a;
            var grads = g.Gradient(y, [a, b], unconnectedGradients: UnconnectedGradients.Zero);
            Expect(grads[1], DType.Float32, Scalar, [0]);
        }
        // variables.py: v = tf.Variable(1.); v.assign(2.); v.assign_add(0.5) -> 2.5
        var w = new Variable(1f);
        w.Assign(2f);
        w.AssignAdd(0.5f);
        Expect(w, DType.Float32, Scalar, [2.5]);
        // a trainable variable used in a tape is watched on its own (watch_accessed_variables)
        using (var g = new GradientTape())
        {
            var loss = w * w;
            Expect(g.Gradient(loss, w), DType.Float32, Scalar, [5]);
        }
    }
}

public sealed class ManagedTfArrayNnDocTests() : TfArrayNnDocTests("managed");
public sealed class NativeCpuTfArrayNnDocTests() : TfArrayNnDocTests("cpu");
public sealed class CudaTfArrayNnDocTests() : TfArrayNnDocTests("cuda");
