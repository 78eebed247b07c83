using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// tf.RaggedTensor.from_uniform_row_length (the ragged guide's cell 164, a uniform axis shown in the shape) and
/// tf.concat / tf.stack of ragged tensors on the axes below 1 (values joined within each shared row), with their
/// refusals. Expected rows from ragged2_references.py.
/// </summary>
public abstract class Ragged2ShapesTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void From_uniform_row_length_makes_a_uniform_axis()
    {
        RequireBackend();
        var rt = RaggedTensor.FromUniformRowLength(NF.Constant(new[] { 1, 2, 3, 4, 5, 6 }), 2);
        Assert.Equal("<tf.RaggedTensor [[1, 2], [3, 4], [5, 6]]>", rt.ToString());
        Assert.Equal("(3, 2)", rt.Shape);
        Assert.Equal(2L, rt.UniformRowLength);
        Assert.Equal(new long[] { 0, 2, 4, 6 }, rt.RowSplits);
        // Elementwise math keeps the partition, and so the uniform axis.
        Assert.Equal("(3, 2)", rt.WithFlatValues(NF.Constant(new[] { 0, 0, 0, 0, 0, 0 })).Shape);

        // Guide cell 164: uniform rows of ragged rows.
        var inner = RaggedTensor.FromRowSplits(NF.Constant(new[] { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 }), [0, 3, 5, 9, 10]);
        var nested = RaggedTensor.FromUniformRowLength(inner, 2);
        Assert.Equal("<tf.RaggedTensor [[[10, 11, 12], [13, 14]], [[15, 16, 17, 18], [19]]]>", nested.ToString());
        Assert.Equal("(2, 2, None)", nested.Shape);
        Assert.Equal(2, nested.RaggedRank);
        Assert.Null(inner.UniformRowLength);

        // Rows of length 0: nrows says how many.
        var empty = RaggedTensor.FromUniformRowLength(NF.Zeros([0], DType.Float32), 0, nrows: 3);
        Assert.Equal("<tf.RaggedTensor [[], [], []]>", empty.ToString());
        Assert.Equal("(3, 0)", empty.Shape);

        Assert.Contains("nrows × uniform_row_length", Assert.Throws<ArgumentException>(() => RaggedTensor.FromUniformRowLength(NF.Constant(new[] { 1, 2, 3 }), 2)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => RaggedTensor.FromUniformRowLength(NF.Constant(new[] { 1, 2 }), -1)).Message);
        Assert.Contains("length 0", Assert.Throws<ArgumentException>(() => RaggedTensor.FromUniformRowLength(NF.Constant(new[] { 1, 2 }), 0)).Message);
        Assert.Contains("nrows × uniform_row_length", Assert.Throws<ArgumentException>(() => RaggedTensor.FromUniformRowLength(inner, 2, nrows: 3)).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => RaggedTensor.FromUniformRowLength(NF.Constant(1), 1)).Message);
    }

    [SkippableFact]
    public void Concat_and_stack_below_axis_one()
    {
        RequireBackend();
        // (2, None, 2) and (2, None, 1) over the same rows.
        var a = RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }), [0, 2, 3]);
        var b = RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 7 }, { 8 }, { 9 } }), [0, 2, 3]);
        var joined = RaggedTensor.Concat([a, b], 2);
        Assert.Equal("<tf.RaggedTensor [[[1, 2, 7], [3, 4, 8]], [[5, 6, 9]]]>", joined.ToString());
        Assert.Equal("(2, None, 3)", joined.Shape);
        Assert.Equal(joined.ToString(), RaggedTensor.Concat([a, b], -1).ToString());

        var t1 = NF.Ragged.Constant(new[] { new[] { 1, 2 }, [3, 4, 5] });
        var t2 = NF.Ragged.Constant(new[] { new[] { 6, 7 }, [8, 9, 10] });
        var stacked = RaggedTensor.Stack([t1, t2], 2);
        Assert.Equal("<tf.RaggedTensor [[[1, 6], [2, 7]], [[3, 8], [4, 9], [5, 10]]]>", stacked.ToString());
        Assert.Equal("(2, None, 2)", stacked.Shape);
        Assert.Equal(stacked.ToString(), RaggedTensor.Stack([t1, t2], -1).ToString());
        // A negative axis counts from rank + 1 for stack: -3 is axis 0.
        Assert.Equal(RaggedTensor.Stack([t1, t2], 0).ToString(), RaggedTensor.Stack([t1, t2], -3).ToString());

        var a10 = a.WithFlatValues(a.FlatValues * 10);
        Assert.Equal("<tf.RaggedTensor [[[[1, 10], [2, 20]], [[3, 30], [4, 40]]], [[[5, 50], [6, 60]]]]>", RaggedTensor.Stack([a, a10], 3).ToString());
        Assert.Equal("(2, None, 2, 2)", RaggedTensor.Stack([a, a10], 3).Shape);

        // Two ragged axes: the inner rows are joined pairwise.
        var n1 = NF.Ragged.Constant(new[] { new[] { new[] { 1 }, [2, 3] }, [[4]] });
        var n2 = NF.Ragged.Constant(new[] { new[] { new[] { 5, 6 }, [7] }, [[8, 9]] });
        Assert.Equal("<tf.RaggedTensor [[[1, 5, 6], [2, 3, 7]], [[4, 8, 9]]]>", RaggedTensor.Concat([n1, n2], 2).ToString());

        // Gradients reach every input's values through the join.
        var x = RaggedTensor.FromRowSplits(NF.Constant(new[] { 1f, 2f, 3f }), [0, 2, 3]);
        var y = RaggedTensor.FromRowSplits(NF.Constant(new[] { 4f, 5f, 6f }), [0, 2, 3]);
        using (var tape = new GradientTape())
        {
            tape.Watch(x.FlatValues);
            tape.Watch(y.FlatValues);
            var s = RaggedTensor.Stack([x, y], 2);
            var loss = NF.ReduceSum(s.FlatValues * NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } }));
            var grads = tape.Gradient(loss, [x.FlatValues, y.FlatValues]);
            Assert.Equal(new[] { 1f, 3f, 5f }, grads[0]!.ToArray<float>());
            Assert.Equal(new[] { 2f, 4f, 6f }, grads[1]!.ToArray<float>());
        }

        // Refusals name what is wrong.
        var other = NF.Ragged.Constant(new[] { new[] { 1, 2, 3 }, [4, 5] });
        Assert.Contains("row splits", Assert.Throws<ArgumentException>(() => RaggedTensor.Stack([t1, other], 2)).Message);
        Assert.Contains("row splits", Assert.Throws<ArgumentException>(() => RaggedTensor.Concat([a, RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 7 }, { 8 }, { 9 } }), [0, 1, 3])], 2)).Message);
        var c = RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 7 }, { 8 }, { 9 } }), [0, 2, 3]);
        Assert.Contains("stacking needs them equal", Assert.Throws<ArgumentException>(() => RaggedTensor.Stack([a, c], 2)).Message);
        Assert.Contains("axis 3 is out of range for rank 3", Assert.Throws<ArgumentException>(() => RaggedTensor.Concat([a, b], 3)).Message);
        Assert.Contains("axis -4", Assert.Throws<ArgumentException>(() => RaggedTensor.Stack([t1, t2], -4)).Message);
        Assert.Contains("inner axes", Assert.Throws<ArgumentException>(() => RaggedTensor.Concat([a, b], 0)).Message);
        Assert.Contains("same dtype, rank", Assert.Throws<ArgumentException>(() => RaggedTensor.Concat([t1, a], 2)).Message);
    }
}

/// <summary>Uniform rows and deep concat/stack on the managed backend.</summary>
public sealed class ManagedRagged2ShapesTests() : Ragged2ShapesTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuRagged2ShapesTests() : Ragged2ShapesTests("cpu");

/// <summary>On the emulated CUDA backend.</summary>
public sealed class CudaRagged2ShapesTests() : Ragged2ShapesTests("cuda");
