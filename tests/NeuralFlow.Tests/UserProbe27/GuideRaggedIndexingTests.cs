using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// TensorFlow's "Ragged tensors" guide, its indexing, slicing and combining cells: rt[i], rt[i, j], rt[a:b],
/// rt[:, a:b] with negative bounds (cells 12-14, 98-108), tf.concat along axes 0 and 1 (cells 8, 46), tf.stack,
/// tf.reverse for cell 79's palindrome and tile([1, 2]) as a concat. Expected rows from guide_ragged_references.py.
/// </summary>
public abstract class GuideRaggedIndexingTests(string backend) : BackendTest(backend)
{
    private static RaggedTensor Digits() => NF.Ragged.Constant(new[] { new[] { 3, 1, 4, 1 }, [], [5, 9, 2], [6], [] });

    [SkippableFact]
    public void Rows_and_values_by_index()
    {
        RequireBackend();
        var digits = Digits();
        Assert.Equal(new[] { 3, 1, 4, 1 }, digits[0].ToArray<int>());
        Assert.Equal(new Shape(0), digits[-1].Shape);
        Assert.Equal(9, digits[2, 1].Item<int>());
        Assert.Equal(2, digits[2, -1].Item<int>());
        Assert.Equal("<tf.RaggedTensor [[], [5, 9, 2], [6], []]>", digits.Slice(1, null).ToString());
        Assert.Equal("<tf.RaggedTensor [[5, 9, 2]]>", digits.Slice(-3, -2).ToString());
        Assert.Equal("<tf.RaggedTensor []>", digits.Slice(4, 1).ToString());

        // Cells 104-106: a tensor with two ragged axes.
        var rt = NF.Ragged.Constant(new[] { new[] { new[] { 1, 2, 3 }, [4] }, [[5], [], [6]], [[7]], [[8, 9], [10]] });
        Assert.Equal("<tf.RaggedTensor [[5], [], [6]]>", rt.Row(1).ToString());
        Assert.Equal(new[] { 8, 9 }, rt[3, 0].ToArray<int>());

        Assert.Contains("Row(1)", Assert.Throws<InvalidOperationException>(() => rt[1]).Message);
        Assert.Contains("rt[0]", Assert.Throws<InvalidOperationException>(() => digits.Row(0)).Message);
        Assert.Contains("index 5", Assert.Throws<IndexOutOfRangeException>(() => digits[5]).Message);
        Assert.Contains("index 0 is out of range on axis 1", Assert.Throws<IndexOutOfRangeException>(() => digits[1, 0]).Message);
    }

    [SkippableFact]
    public void Slices_within_each_row()
    {
        RequireBackend();
        var digits = Digits();
        Assert.Equal("<tf.RaggedTensor [[3, 1], [], [5, 9], [6], []]>", digits.SliceRows(null, 2).ToString());
        Assert.Equal("<tf.RaggedTensor [[4, 1], [], [9, 2], [6], []]>", digits.SliceRows(-2, null).ToString());
        Assert.Equal("<tf.RaggedTensor [[1, 4], [], [9, 2], [], []]>", digits.SliceRows(1, 3).ToString());
        // Cells 107-108 on two ragged axes: whole inner rows are kept.
        var rt = NF.Ragged.Constant(new[] { new[] { new[] { 1, 2, 3 }, [4] }, [[5], [], [6]], [[7]], [[8, 9], [10]] });
        Assert.Equal("<tf.RaggedTensor [[[4]], [[], [6]], [], [[10]]]>", rt.SliceRows(1, 3).ToString());
        Assert.Equal("<tf.RaggedTensor [[[4]], [[6]], [[7]], [[10]]]>", rt.SliceRows(-1, null).ToString());
        // Uniform inner axes travel with their values.
        var pairs = RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 1, 3 }, { 0, 0 }, { 1, 3 }, { 5, 3 } }), [0, 3, 4]);
        Assert.Equal("<tf.RaggedTensor [[[1, 3]], [[5, 3]]]>", pairs.SliceRows(-1, null).ToString());
    }

    [SkippableFact]
    public void Concat_stack_reverse_and_tile()
    {
        RequireBackend();
        var digits = Digits();
        // Cell 8: concat with a dense [[5, 3]], as a ragged tensor.
        Assert.Equal("<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], [], [5, 3]]>",
            RaggedTensor.Concat([digits, RaggedTensor.FromTensor(NF.Constant(new[,] { { 5, 3 } }))], 0).ToString());
        // Cell 8's tile([1, 2]) is the row joined with itself.
        Assert.Equal("<tf.RaggedTensor [[3, 1, 4, 1, 3, 1, 4, 1], [], [5, 9, 2, 5, 9, 2], [6, 6], []]>", RaggedTensor.Concat([digits, digits], 1).ToString());
        var x = NF.Ragged.Constant(new[] { new[] { 1, 2 }, [3] });
        var y = NF.Ragged.Constant(new[] { new[] { 4 }, [5, 6, 7] });
        Assert.Equal("<tf.RaggedTensor [[1, 2], [3], [4], [5, 6, 7]]>", RaggedTensor.Concat([x, y], 0).ToString());
        Assert.Equal("<tf.RaggedTensor [[1, 2, 4], [3, 5, 6, 7]]>", RaggedTensor.Concat([x, y], 1).ToString());
        Assert.Equal("<tf.RaggedTensor [[[1, 2], [3]], [[4], [5, 6, 7]]]>", RaggedTensor.Stack([x, y], 0).ToString());
        Assert.Equal("<tf.RaggedTensor [[[1, 2], [4]], [[3], [5, 6, 7]]]>", RaggedTensor.Stack([x, y], 1).ToString());
        Assert.Equal("(2, None, None)", RaggedTensor.Stack([x, y], 1).Shape);
        // Nested inputs concatenate their inner rows too.
        var n1 = NF.Ragged.Constant(new[] { new[] { new[] { 1 }, [2, 3] } });
        var n2 = NF.Ragged.Constant(new[] { new[] { new[] { 4, 5 } } });
        Assert.Equal("<tf.RaggedTensor [[[1], [2, 3], [4, 5]]]>", RaggedTensor.Concat([n1, n2], 1).ToString());

        // Cell 79: make_palindrome of a ragged tensor along axis 1.
        var rt = NF.Ragged.Constant(new[] { new[] { 1, 2 }, [3], [4, 5, 6] });
        Assert.Equal("<tf.RaggedTensor [[1, 2, 2, 1], [3, 3], [4, 5, 6, 6, 5, 4]]>", RaggedTensor.Concat([rt, rt.Reverse(1)], 1).ToString());
        Assert.Equal("<tf.RaggedTensor [[4, 5, 6], [3], [1, 2]]>", rt.Reverse(0).ToString());

        Assert.Contains("same number of rows", Assert.Throws<ArgumentException>(() => RaggedTensor.Concat([digits, x], 1)).Message);
        Assert.Contains("same dtype", Assert.Throws<ArgumentException>(() => RaggedTensor.Concat([x, NF.Ragged.Constant(new[] { new[] { 1f } })], 0)).Message);
        Assert.Contains("same dtype", Assert.Throws<ArgumentException>(() => RaggedTensor.Stack([x, n1], 0)).Message);
        Assert.Contains("axis 2", Assert.Throws<ArgumentException>(() => RaggedTensor.Concat([x, y], 2)).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => RaggedTensor.Concat([], 0)).Message);
    }
}

/// <summary>The guide's indexing cells on the managed backend.</summary>
public sealed class ManagedGuideRaggedIndexingTests() : GuideRaggedIndexingTests("managed");

/// <summary>The guide's indexing cells on the native CPU backend.</summary>
public sealed class NativeCpuGuideRaggedIndexingTests() : GuideRaggedIndexingTests("cpu");

/// <summary>The guide's indexing cells on the CUDA backend.</summary>
public sealed class CudaGuideRaggedIndexingTests() : GuideRaggedIndexingTests("cuda");
