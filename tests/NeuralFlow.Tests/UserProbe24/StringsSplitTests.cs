using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// tf.strings.split and its ragged result (NF.Strings.Split, BytesSplit, UnicodeSplit, UnicodeDecode,
/// UnicodeEncode; RaggedStrings / RaggedInts). Expected values: strings_references.py (Python's
/// bytes.split, which tf.strings.split's docs say it matches) and the TF docs' examples.
/// </summary>
public abstract class StringsSplitTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Split_on_whitespace_drops_empty_pieces_and_gives_a_ragged_result_per_string()
    {
        RequireBackend();
        // strings_references.py "split whitespace": [[b'hello', b'world'], [b'a', b'b', b'c'], [], []]
        var words = NF.Strings.Split(new StringTensor(["  hello   world \t", "a b c", "", "  "]));
        Assert.Equal("(4, None)", words.Shape);
        Assert.Equal(2, words.Rank);
        var rows = words.ToList();
        Assert.Equal(["hello", "world"], rows[0]);
        Assert.Equal(["a", "b", "c"], rows[1]);
        Assert.Empty(rows[2]);
        Assert.Empty(rows[3]);
        Assert.Equal(["a", "b", "c"], words[-3]);
        Assert.Equal(new long[] { 2, 3, 0, 0 }, words.RowLengths().ToArray<long>());
        Assert.Equal(new long[] { 0, 2, 5, 5, 5 }, words.RowSplits());
        Assert.Equal(["hello", "world", "a", "b", "c"], words.FlatValues);
        // TF's printing: <tf.RaggedTensor [[b'hello', b'world'], [b'a', b'b', b'c'], [], []]>
        Assert.Equal("<tf.RaggedTensor [[b'hello', b'world'], [b'a', b'b', b'c'], [], []]>", words.ToString());

        // to_tensor() pads with b'' to the longest row; a default value pads with it.
        var dense = words.ToTensor();
        Assert.Equal(new Shape(4, 3), dense.Shape);
        Assert.Equal(["hello", "world", "", "a", "b", "c", "", "", "", "", "", ""], dense.ToArray());
        Assert.Equal("<pad>", words.ToTensor("<pad>")[2].ToArray()[0]);
    }

    [SkippableFact]
    public void Split_on_a_separator_keeps_empty_pieces_and_maxsplit_leaves_the_rest_whole()
    {
        RequireBackend();
        // strings_references.py "split sep": [[b'1', b'2', b'', b'3'], [b''], [b'', b'a', b'']]
        var pieces = NF.Strings.Split(new StringTensor(["1<>2<><>3"]), "<>");
        Assert.Equal(["1", "2", "", "3"], pieces[0]);
        Assert.Equal([""], NF.Strings.Split(new StringTensor([""]), ",")[0]);
        Assert.Equal(["", "a", ""], NF.Strings.Split(new StringTensor([",a,"]), ",")[0]);
        // An empty separator is whitespace splitting, as TF's sep="" does.
        Assert.Equal(["a", "b"], NF.Strings.Split(new StringTensor(["a  b"]), "")[0]);

        // strings_references.py "split maxsplit": [[b'a', b'b  c d '], [b'a', b'b', b'c'], [b'1', b'2', b'3,4'], [b'a b']]
        Assert.Equal(["a", "b  c d "], NF.Strings.Split(new StringTensor(["a b  c d "]), maxsplit: 1)[0]);
        Assert.Equal(["a", "b", "c"], NF.Strings.Split(new StringTensor(["  a b c"]), maxsplit: 2)[0]);
        Assert.Equal(["1", "2", "3,4"], NF.Strings.Split(new StringTensor(["1,2,3,4"]), ",", maxsplit: 2)[0]);
        Assert.Equal(["a b"], NF.Strings.Split(new StringTensor(["a b"]), maxsplit: 0)[0]);
    }

    [SkippableFact]
    public void A_scalar_string_splits_into_a_dense_vector_as_TF_returns_a_tf_Tensor()
    {
        RequireBackend();
        // TF docs: tf.strings.split('hello world') is <Tensor ['hello', 'world']>, a 1-D tensor, not ragged.
        var words = NF.Strings.Split(new StringTensor("hello world"));
        Assert.Equal(1, words.Rank);
        Assert.Equal("(2,)", words.Shape);
        var dense = words.ToTensor();
        Assert.Equal(new Shape(2), dense.Shape);
        Assert.Equal(["hello", "world"], dense.ToArray());
        Assert.Equal("tf.Tensor([b'hello' b'world'], shape=(2,), dtype=string)", words.ToString());
        // Rows belong to ragged results only; the message says how to read a dense one.
        var e = Assert.Throws<InvalidOperationException>(() => words.ToList());
        Assert.Contains("ToTensor()", e.Message);
        // A line of numbers: tf.strings.to_number(tf.strings.split(line, ",")).
        Assert.Equal(new[] { 1.5f, 2f, -3f }, NF.Strings.ToNumber(NF.Strings.Split("1.5,2,-3", ",").ToTensor()).ToArray<float>());
    }

    [SkippableFact]
    public void Unicode_split_decode_and_encode_work_on_code_points()
    {
        RequireBackend();
        var texts = new StringTensor(["héllo", "日本"]);
        // strings_references.py "unicode decode": [104, 233, 108, 108, 111] [26085, 26412]
        var points = NF.Strings.UnicodeDecode(texts);
        Assert.Equal(new[] { 104, 233, 108, 108, 111 }, points[0]);
        Assert.Equal(new[] { 26085, 26412 }, points[1]);
        Assert.Equal("<tf.RaggedTensor [[104, 233, 108, 108, 111], [26085, 26412]]>", points.ToString());
        var padded = points.ToTensor();
        Assert.Equal(DType.Int32, padded.DType);
        Assert.Equal(new Shape(2, 5), padded.Shape);
        Assert.Equal(new[] { 104, 233, 108, 108, 111, 26085, 26412, 0, 0, 0 }, padded.ToArray<int>());

        Assert.Equal(["h", "é", "l", "l", "o"], NF.Strings.UnicodeSplit(texts)[0]);
        Assert.Equal(["日", "本"], NF.Strings.UnicodeSplit(texts)[1]);

        // Round trip, ragged and from a dense [2, 5] tensor whose zero padding is U+0000.
        Assert.Equal(texts, NF.Strings.UnicodeEncode(points));
        Assert.Equal("héllo", NF.Strings.UnicodeEncode(NF.Constant(new[] { 104, 233, 108, 108, 111 })).Item());
        Assert.Equal(["hi", "é\0"], NF.Strings.UnicodeEncode(NF.Constant(new[,] { { 104, 105 }, { 233, 0 } })).ToArray());
        // An invalid code point becomes U+FFFD (TF's errors="replace").
        Assert.Equal("a\uFFFD", NF.Strings.UnicodeEncode(RaggedInts.FromRows([[97, 0x110000]])).Item());

        // BytesSplit: ASCII as characters; a multi-byte character's bytes escaped one by one (TF's [b'h', b'\xc3', b'\xa9']),
        // which joined again give the character back.
        Assert.Equal(["a", "b", "c"], NF.Strings.BytesSplit(new StringTensor(["abc"]))[0]);
        var pieces = NF.Strings.BytesSplit(new StringTensor(["hé"]))[0];
        Assert.Equal(3, pieces.Count());
        Assert.Equal(new byte[] { 0xc3 }, new StringTensor(pieces[1]).ToBytes());
        Assert.Equal("hé", NF.Strings.ReduceJoin(new StringTensor(pieces.ToArray())).Item());
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_naming_the_parameter()
    {
        RequireBackend();
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => NF.Strings.Split(null!)).ParamName);
        Assert.Equal("inputEncoding", Assert.Throws<ArgumentException>(() => NF.Strings.UnicodeDecode(new StringTensor("a"), "UTF-7")).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => NF.Strings.UnicodeEncode(NF.Constant(new[] { 1f }))).ParamName);
    }
}

/// <summary>tf.strings.split on the managed backend.</summary>
public sealed class ManagedStringsSplitTests() : StringsSplitTests("managed");

/// <summary>tf.strings.split on the native CPU backend.</summary>
public sealed class NativeCpuStringsSplitTests() : StringsSplitTests("cpu");

/// <summary>tf.strings.split on CUDA.</summary>
public sealed class CudaStringsSplitTests() : StringsSplitTests("cuda");
