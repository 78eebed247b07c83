using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// tf.strings.split / unicode_split / bytes_split / unicode_decode of a string tensor of rank 2 and more: TF's
/// RaggedTensor of rank N + 1 (shape (2, 2, None) for a [2, 2] input: the input's axes uniform, as RaggedTensor.from_tensor makes them), which NeuralFlow refused before.
/// Expected values: strings2_references.py (bytes.split per element, as tf.strings.split's docs say it matches).
/// </summary>
public abstract class Strings2SplitTests(string backend) : BackendTest(backend)
{
    private static readonly StringTensor Grid = new(["a b", "c", "", "d  e f"], new Shape(2, 2));

    [SkippableFact]
    public void Split_of_a_matrix_gives_one_more_ragged_axis()
    {
        RequireBackend();
        var words = NF.Strings.Split(Grid);
        // strings2_references.py "split 2x2": [[[b'a', b'b'], [b'c']], [[], [b'd', b'e', b'f']]]
        Assert.Equal(3, words.Rank);
        Assert.Equal("(2, 2, None)", words.Shape);
        Assert.Equal(2, words.RowCount);
        Assert.Equal(new Shape(2, 2), words.OuterShape);
        Assert.Equal(["a", "b"], words[0, 0]);
        Assert.Equal(["c"], words[0, 1]);
        Assert.Empty(words[1, 0]);
        Assert.Equal(["d", "e", "f"], words[-1, -1]);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], words.FlatValues);
        // nested_row_splits [[0, 2, 4], [0, 2, 3, 3, 6]]; row_splits and row_lengths are the outermost axis's.
        var nested = words.NestedRowSplits();
        Assert.Equal(2, nested.Count);
        Assert.Equal(new long[] { 0, 2, 4 }, nested[0]);
        Assert.Equal(new long[] { 0, 2, 3, 3, 6 }, nested[1]);
        Assert.Equal(new long[] { 0, 2, 4 }, words.RowSplits());
        Assert.Equal(new long[] { 2, 2 }, words.RowLengths().ToArray<long>());
        Assert.Equal("<tf.RaggedTensor [[[b'a', b'b'], [b'c']], [[], [b'd', b'e', b'f']]]>", words.ToString());

        var padded = words.ToTensor("<pad>");
        Assert.Equal(new Shape(2, 2, 3), padded.Shape);
        Assert.Equal(["a", "b", "<pad>", "c", "<pad>", "<pad>", "<pad>", "<pad>", "<pad>", "d", "e", "f"], padded.ToArray());
        Assert.Equal(4, words.InnerRows().Count);
    }

    [SkippableFact]
    public void A_separator_and_rank_three_keep_every_axis()
    {
        RequireBackend();
        // strings2_references.py "split 2x2 sep ','": [[[b'1', b'2'], [b'']], [[b'', b''], [b'3']]]
        var cells = NF.Strings.Split(new StringTensor(["1,2", "", ",", "3"], new Shape(2, 2)), ",");
        Assert.Equal("<tf.RaggedTensor [[[b'1', b'2'], [b'']], [[b'', b''], [b'3']]]>", cells.ToString());

        var cube = NF.Strings.Split(new StringTensor(["a b", "c", "d", "e f g"], new Shape(2, 1, 2)));
        Assert.Equal(4, cube.Rank);
        Assert.Equal("(2, 1, 2, None)", cube.Shape);
        Assert.Equal(["e", "f", "g"], cube[1, 0, 1]);
        Assert.Equal(3, cube.NestedRowSplits().Count);
        Assert.Equal(new long[] { 0, 1, 2 }, cube.NestedRowSplits()[0]);
        Assert.Equal(new long[] { 0, 2, 4 }, cube.NestedRowSplits()[1]);
        Assert.Equal(new long[] { 0, 2, 3, 4, 7 }, cube.NestedRowSplits()[2]);
        Assert.Equal(new Shape(2, 1, 2, 3), cube.ToTensor().Shape);
    }

    [SkippableFact]
    public void Unicode_and_bytes_split_and_decode_take_a_matrix_and_encode_gives_it_back()
    {
        RequireBackend();
        var texts = new StringTensor(["hé", "日本語"], new Shape(2, 1));
        // strings2_references.py "unicode_decode 2x1": [[[104, 233]], [[26085, 26412, 35486]]]
        var points = NF.Strings.UnicodeDecode(texts);
        Assert.Equal("(2, 1, None)", points.Shape);
        Assert.Equal(new[] { 104, 233 }, points[0, 0]);
        Assert.Equal(new[] { 26085, 26412, 35486 }, points[1, 0]);
        Assert.Equal("<tf.RaggedTensor [[[104, 233]], [[26085, 26412, 35486]]]>", points.ToString());
        Assert.Equal(new Shape(2, 1, 3), points.ToTensor().Shape);
        Assert.Equal(new[] { 104, 233, 0, 26085, 26412, 35486 }, points.ToTensor().ToArray<int>());
        // unicode_encode of the (2, 1, None) decode: the [2, 1] strings again.
        Assert.Equal(texts, NF.Strings.UnicodeEncode(points));

        Assert.Equal(["日", "本", "語"], NF.Strings.UnicodeSplit(texts)[1, 0]);
        var bytes = NF.Strings.BytesSplit(texts);
        Assert.Equal("(2, 1, None)", bytes.Shape);
        Assert.Equal(3, bytes[0, 0].Length);   // 'h' and the two UTF-8 bytes of 'é'
        Assert.Equal(9, bytes[1, 0].Length);
    }

    [SkippableFact]
    public void Row_reads_that_need_one_axis_say_how_to_read_a_nested_result()
    {
        RequireBackend();
        var words = NF.Strings.Split(Grid);
        var one = Assert.Throws<InvalidOperationException>(() => words[0]);
        Assert.Contains("rt[i, j]", one.Message);
        Assert.Contains("InnerRows()", Assert.Throws<InvalidOperationException>(() => words.ToList()).Message);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => words[0, 0, 0]).ParamName);
        Assert.Throws<IndexOutOfRangeException>(() => words[2, 0]);
        Assert.Throws<IndexOutOfRangeException>(() => words[0, -3]);
        // A vector's result reads as before: rt[i] and ToList.
        var flat = NF.Strings.Split(new StringTensor(["a b", "c"]));
        Assert.Equal(["a", "b"], flat[0]);
        Assert.Equal(["c"], flat[1]);
        Assert.Equal(2, flat.ToList().Count);
        Assert.Single(flat.NestedRowSplits());
        // An empty matrix splits to an empty ragged result of its shape.
        var empty = NF.Strings.Split(new StringTensor([], new Shape(2, 0)));
        Assert.Equal("(2, 0, None)", empty.Shape);
        Assert.Equal(new Shape(2, 0, 0), empty.ToTensor().Shape);
        Assert.Equal("<tf.RaggedTensor [[], []]>", empty.ToString());
    }
}

/// <summary>Split of rank ≥ 2 on the managed backend.</summary>
public sealed class ManagedStrings2SplitTests() : Strings2SplitTests("managed");

/// <summary>Split of rank ≥ 2 on the native CPU backend.</summary>
public sealed class NativeCpuStrings2SplitTests() : Strings2SplitTests("cpu");

/// <summary>Split of rank ≥ 2 on CUDA.</summary>
public sealed class CudaStrings2SplitTests() : Strings2SplitTests("cuda");
