using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// TensorFlow's "Ragged tensors" guide, its creation and conversion cells, on NeuralFlow's numeric RaggedTensor:
/// tf.ragged.constant, from_value_rowids / row_lengths / row_splits / nested_row_splits, shape and bounding_shape,
/// to_tensor (padding, a shape that cuts) and from_tensor (padding, lengths), multidimensional flat values and the
/// tf.strings.split result as numbers. The notebook stores no outputs: the expected rows come from
/// guide_ragged_references.py (numpy on the guide's lists), the printed forms from TF's to_list() format.
/// </summary>
public abstract class GuideRaggedCreationTests(string backend) : BackendTest(backend)
{
    private static readonly int[] Seven = [3, 1, 4, 1, 5, 9, 2];

    [SkippableFact]
    public void Factories_build_the_guides_rows()
    {
        RequireBackend();
        var digits = RaggedTensor.Constant(new[] { new[] { 3, 1, 4, 1 }, [], [5, 9, 2], [6], [] });
        Assert.Equal("<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], []]>", digits.ToString());
        Assert.Equal(DType.Int32, digits.DType);
        Assert.Equal("(5, None)", digits.Shape);
        Assert.Equal(new long[] { 0, 4, 4, 7, 8, 8 }, digits.RowSplits);

        // Cells 27, 29, 31: the same rows from each partitioning.
        const string want = "<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9], [2]]>";
        Assert.Equal(want, RaggedTensor.FromValueRowIds(NF.Constant(Seven), [0, 0, 0, 0, 2, 2, 3]).ToString());
        Assert.Equal(want, RaggedTensor.FromRowLengths(NF.Constant(Seven), [4, 0, 2, 1]).ToString());
        Assert.Equal(want, RaggedTensor.FromRowSplits(NF.Constant(Seven), [0, 4, 4, 6, 7]).ToString());
        var rt = RaggedTensor.FromRowSplits(NF.Constant(Seven), [0, 4, 4, 6, 7]);
        Assert.Equal(new long[] { 4, 0, 2, 1 }, rt.RowLengths().ToArray<long>());
        Assert.Equal(new long[] { 0, 0, 0, 0, 2, 2, 3 }, rt.ValueRowIds());
        // nrows adds empty rows at the end, as TF's from_value_rowids(nrows=...).
        Assert.Equal("<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9], [2], []]>", RaggedTensor.FromValueRowIds(NF.Constant(Seven), [0, 0, 0, 0, 2, 2, 3], 5).ToString());

        // Cell 117's decomposition: values, splits, an indexed row.
        var small = NF.Ragged.Constant(new[] { new[] { 1, 2 }, [3, 4, 5], [6], [], [7] });
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7 }, small.Values!.ToArray<int>());
        Assert.Equal(new long[] { 0, 2, 5, 6, 6, 7 }, small.RowSplits);
        Assert.Equal(new[] { 3, 4, 5 }, small[1].ToArray<int>());
    }

    [SkippableFact]
    public void Nested_and_multidimensional_values()
    {
        RequireBackend();
        // Cell 35: rank 3 from a nested list.
        var r3 = NF.Ragged.Constant(new[] { new[] { new[] { 1, 2 }, [3] }, [[4, 5]] });
        Assert.Equal("<tf.RaggedTensor [[[1, 2], [3]], [[4, 5]]]>", r3.ToString());
        Assert.Equal("(2, None, None)", r3.Shape);
        Assert.Equal(2, r3.RaggedRank);

        // Cells 154 and 156: two ragged axes from splits, nested or in one call.
        var inner = RaggedTensor.FromRowSplits(NF.Range(10, 20), [0, 3, 3, 5, 9, 10]);
        var nested = RaggedTensor.FromRowSplits(inner, [0, 1, 1, 5]);
        const string want = "<tf.RaggedTensor [[[10, 11, 12]], [], [[], [13, 14], [15, 16, 17, 18], [19]]]>";
        Assert.Equal(want, nested.ToString());
        Assert.Equal("(3, None, None)", nested.Shape);
        Assert.Equal(want, RaggedTensor.FromNestedRowSplits(NF.Range(10, 20), [0, 1, 1, 5], [0, 3, 3, 5, 9, 10]).ToString());
        Assert.Equal(new[] { new long[] { 0, 1, 1, 5 }, [0, 3, 3, 5, 9, 10] }, nested.NestedRowSplits);
        Assert.Equal(Enumerable.Range(10, 10).ToArray(), nested.FlatValues.ToArray<int>());

        // Cell 162: a uniform inner axis in the flat values.
        var pairs = RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 1, 3 }, { 0, 0 }, { 1, 3 }, { 5, 3 }, { 3, 3 }, { 1, 2 } }), [0, 3, 4, 6]);
        Assert.Equal("<tf.RaggedTensor [[[1, 3], [0, 0], [1, 3]], [[5, 3]], [[3, 3], [1, 2]]]>", pairs.ToString());
        Assert.Equal("(3, None, 2)", pairs.Shape);
        Assert.Equal(1, pairs.RaggedRank);
        Assert.Equal(new Shape(6, 2), pairs.FlatValues.Shape);
        // ragged_rank=1 of a 3-level list (cell 144's x) makes the same kind.
        Assert.Equal("(2, None, 2)", NF.Ragged.Constant(new[] { new[] { new[] { 1, 2 }, [3, 4], [5, 6] }, [[7, 8]] }, raggedRank: 1).Shape);
    }

    [SkippableFact]
    public void Shape_bounding_shape_and_float_printing()
    {
        RequireBackend();
        var rt = NF.Ragged.Constant(new[] { new[] { 1 }, [2, 3], [], [4] });   // cell 121
        Assert.Equal("(4, None)", rt.Shape);
        Assert.Equal(new long[] { 4, 2 }, rt.BoundingShape());
        Assert.Equal(new long[] { 2, 2, 2 }, NF.Ragged.Constant(new[] { new[] { new[] { 1, 2 }, [3] }, [[4, 5]] }).BoundingShape());
        // Cell 88's input prints as Python floats.
        Assert.Equal("<tf.RaggedTensor [[1.0, 4.0, 3.0], [2.0]]>", NF.Ragged.Constant(new[] { new[] { 1f, 4f, 3f }, [2f] }).ToString());
        Assert.Equal("<tf.RaggedTensor [[0.5, 1e-05], [nan]]>", NF.Ragged.Constant(new[] { new[] { 0.5, 1e-5 }, [double.NaN] }).ToString());
    }

    [SkippableFact]
    public void To_tensor_pads_and_cuts()
    {
        RequireBackend();
        var rt = NF.Ragged.Constant(new[] { new[] { 1 }, [2, 3], [], [4] });
        var dense = rt.ToTensor();
        Assert.Equal(new Shape(4, 2), dense.Shape);
        Assert.Equal(new[] { 1, 0, 2, 3, 0, 0, 4, 0 }, dense.ToArray<int>());
        // Cell 112's shape=[None, w]: pad to 3 with 9, the longer row cut.
        var cut = NF.Ragged.Constant(new[] { new[] { 1, 2, 3, 4 }, [5] }).ToTensor(9, [null, 3]);
        Assert.Equal(new Shape(2, 3), cut.Shape);
        Assert.Equal(new[] { 1, 2, 3, 5, 9, 9 }, cut.ToArray<int>());
        // Two ragged axes and a uniform inner one pad every ragged axis.
        var nested = NF.Ragged.Constant(new[] { new[] { new[] { 1, 2 }, [3] }, [[4, 5]] }).ToTensor(-1);
        Assert.Equal(new[] { 1, 2, 3, -1, 4, 5, -1, -1 }, nested.ToArray<int>());
        var pairs = RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 1f, 3f }, { 0f, 0f }, { 5f, 3f } }), [0, 2, 2, 3]).ToTensor();
        Assert.Equal(new Shape(3, 2, 2), pairs.Shape);
        Assert.Equal(new[] { 1f, 3, 0, 0, 0, 0, 0, 0, 5, 3, 0, 0 }, pairs.ToArray<float>());
        // No values at all: only padding.
        Assert.Equal(new[] { 7, 7 }, RaggedTensor.FromRowLengths(NF.Zeros(new Shape(0), DType.Int32), [0, 0]).ToTensor(7, [null, 1]).ToArray<int>());

        Assert.Contains("uniform axis", Assert.Throws<ArgumentException>(() => RaggedTensor.FromRowSplits(NF.Zeros(new Shape(2, 2)), [0, 2]).ToTensor(0, [null, null, 3])).Message);
        Assert.Contains("rank 2", Assert.Throws<ArgumentException>(() => rt.ToTensor(0, [4])).Message);
    }

    [SkippableFact]
    public void Strings_to_tensor_takes_the_guides_shape()
    {
        RequireBackend();
        // Cells 111-112: to_tensor(default_value='', shape=[None, 10]) pads every sentence to 10 words.
        var sentences = RaggedStrings.FromRows([["Hi"], ["Welcome", "to", "the", "fair"], ["Have", "fun"]]);
        var dense = sentences.ToTensor("", [null, 10]);
        Assert.Equal(new Shape(3, 10), dense.Shape);
        var want = new string[30];
        Array.Fill(want, "");
        want[0] = "Hi"; want[10] = "Welcome"; want[11] = "to"; want[12] = "the"; want[13] = "fair"; want[20] = "Have"; want[21] = "fun";
        Assert.Equal(want, dense.ToArray());
        // A shorter width cuts, as TF's shape does; nested results take [n, m, w].
        Assert.Equal(new[] { "Hi", "", "Welcome", "to", "Have", "fun" }, sentences.ToTensor("", [3, 2]).ToArray());
        var cells = NF.Strings.Split(new StringTensor(["a b c", "d"], new Shape(1, 2)));
        Assert.Equal(new[] { "a", "d" }, cells.ToTensor("", [null, 2, 1]).ToArray());
        Assert.Equal(new[] { 104, 0, 0, 97, 0, 0 }, NF.Strings.UnicodeDecode(new StringTensor(["h", "a"])).ToTensor(0, [null, 3]).ToArray<int>());

        Assert.Contains("give null or 3", Assert.Throws<ArgumentException>(() => sentences.ToTensor("", [4, 2])).Message);
        Assert.Contains("rank 2", Assert.Throws<ArgumentException>(() => sentences.ToTensor("", [10])).Message);
        Assert.Contains("takes no shape", Assert.Throws<ArgumentException>(() => NF.Strings.Split(new StringTensor("a b")).ToTensor("", [2])).Message);
    }

    [SkippableFact]
    public void From_tensor_by_padding_or_lengths()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1, 3, -1, -1 }, { 2, -1, -1, -1 }, { 4, 5, 8, 9 } });   // cell 113
        Assert.Equal("<tf.RaggedTensor [[1, 3], [2], [4, 5, 8, 9]]>", RaggedTensor.FromTensor(x, padding: -1).ToString());
        Assert.Equal("<tf.RaggedTensor [[1], [2, -1, -1], []]>", RaggedTensor.FromTensor(x, lengths: [1, 3, 0]).ToString());
        Assert.Equal("<tf.RaggedTensor [[1, 3, -1, -1], [2, -1, -1, -1], [4, 5, 8, 9]]>", RaggedTensor.FromTensor(x).ToString());
        // A [n, m, k] tensor: a value is padding only when all of its k entries are.
        var pairs = NF.Constant(new[,,] { { { 1, 0 }, { 0, 0 } }, { { 0, 0 }, { 0, 0 } } });
        Assert.Equal("<tf.RaggedTensor [[[1, 0]], []]>", RaggedTensor.FromTensor(pairs, padding: 0).ToString());
        // Round trip with to_tensor.
        var back = RaggedTensor.FromTensor(RaggedTensor.FromTensor(x, padding: -1).ToTensor(-1), padding: -1);
        Assert.Equal(new long[] { 0, 2, 3, 7 }, back.RowSplits);

        Assert.Contains("lengths[1]=5", Assert.Throws<ArgumentException>(() => RaggedTensor.FromTensor(x, lengths: [1, 5, 0])).Message);
        Assert.Contains("rank >= 2", Assert.Throws<ArgumentException>(() => RaggedTensor.FromTensor(NF.Constant(Seven), padding: 0)).Message);
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => RaggedTensor.FromTensor(x, -1, [1, 1, 1])).Message);
    }

    [SkippableFact]
    public void Ragged_range()
    {
        RequireBackend();
        // Cell 75's tf.ragged.range(lengths) for the lengths [7], [], [1, 3], [3, 5, 2] of one batch row each.
        var r = RaggedTensor.Range([3, 0, 2]);
        Assert.Equal("<tf.RaggedTensor [[0, 1, 2], [], [0, 1]]>", r.ToString());
        Assert.Equal(DType.Int64, r.DType);
        Assert.Equal("<tf.RaggedTensor [[2, 4], [5, 4, 3], []]>", RaggedTensor.Range([2, 5, 1], [6, 2, 3], [2, -1, -1]).ToString());
        Assert.Contains("deltas[0] is 0", Assert.Throws<ArgumentException>(() => RaggedTensor.Range([0], [3], [0])).Message);
        Assert.Contains("one of each per row", Assert.Throws<ArgumentException>(() => RaggedTensor.Range([0, 1], [3])).Message);
    }

    [SkippableFact]
    public void Bad_partitions_are_refused_by_name()
    {
        RequireBackend();
        var values = NF.Constant(Seven);
        Assert.Contains("end at 6", Assert.Throws<ArgumentException>(() => RaggedTensor.FromRowSplits(values, [0, 4, 6])).Message);
        Assert.Contains("start with 0", Assert.Throws<ArgumentException>(() => RaggedTensor.FromRowSplits(values, [1, 7])).Message);
        Assert.Contains("must not decrease", Assert.Throws<ArgumentException>(() => RaggedTensor.FromRowSplits(values, [0, 5, 4, 7])).Message);
        Assert.Contains("row_lengths[1]=-1", Assert.Throws<ArgumentException>(() => RaggedTensor.FromRowLengths(values, [4, -1, 4])).Message);
        Assert.Contains("value_rowids[2]=0", Assert.Throws<ArgumentException>(() => RaggedTensor.FromValueRowIds(values, [0, 1, 0, 1, 1, 1, 1])).Message);
        Assert.Contains("nrows=-1", Assert.Throws<ArgumentException>(() => RaggedTensor.FromValueRowIds(NF.Zeros(new Shape(0), DType.Int32), [], -1)).Message);
        Assert.Contains("6 value_rowids", Assert.Throws<ArgumentException>(() => RaggedTensor.FromValueRowIds(values, [0, 0, 0, 0, 0, 0])).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => RaggedTensor.FromRowSplits(NF.Constant(1), [0, 1])).Message);
        Assert.Contains("raggedRank", Assert.Throws<ArgumentException>(() => NF.Ragged.Constant(new[] { new[] { new[] { 1 } } }, 3)).Message);
        Assert.Contains("2 values", Assert.Throws<ArgumentException>(() => NF.Ragged.Constant(new[] { new[] { new[] { 1, 2 }, [3] } }, 1)).Message);
    }

    [SkippableFact]
    public void Strings_split_results_become_numeric_ragged_tensors()
    {
        RequireBackend();
        // Cell 53's path: split words, then numbers per word (here each word's length).
        var words = NF.Strings.Split(new StringTensor(["What makes you", "A newt?"]), " ");
        var lengths = NF.Strings.Length(new StringTensor(words.FlatValues));
        var numeric = words.WithFlatValues(lengths);
        Assert.Equal("<tf.RaggedTensor [[4, 5, 3], [1, 5]]>", numeric.ToString());
        Assert.Equal("<tf.RaggedTensor [[1, 5]]>", numeric.Slice(-1, null).ToString());
        var codes = NF.Strings.UnicodeDecode(new StringTensor(["hi", "a"]), "UTF-8").ToRaggedTensor();
        Assert.Equal(new long[] { 0, 2, 3 }, codes.RowSplits);
        Assert.Equal(new[] { 104, 105, 97 }, codes.FlatValues.ToArray<int>());
        Assert.Contains("3 pieces", Assert.Throws<ArgumentException>(() => NF.Strings.Split(new StringTensor(["a b c"])).WithFlatValues(NF.Constant(new[] { 1 }))).Message);
        Assert.Contains("dense 1-D result", Assert.Throws<InvalidOperationException>(() => NF.Strings.Split(new StringTensor("a b")).WithFlatValues(NF.Constant(new[] { 1, 2 }))).Message);
    }
}

/// <summary>The guide's creation cells on the managed backend.</summary>
public sealed class ManagedGuideRaggedCreationTests() : GuideRaggedCreationTests("managed");

/// <summary>The guide's creation cells on the native CPU backend.</summary>
public sealed class NativeCpuGuideRaggedCreationTests() : GuideRaggedCreationTests("cpu");

/// <summary>The guide's creation cells on the CUDA backend.</summary>
public sealed class CudaGuideRaggedCreationTests() : GuideRaggedCreationTests("cuda");
