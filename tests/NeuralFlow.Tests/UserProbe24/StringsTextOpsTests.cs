using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// tf.strings' element-wise text ops: Lower, Upper, Strip, Length, Join, ReduceJoin, Substr, RegexReplace,
/// RegexFullMatch, ToHashBucketFast/Strong. Expected values: strings_references.py and the TF docs' examples
/// (tf.strings.length, reduce_join, substr, regex_replace, to_hash_bucket_fast/strong pages).
/// </summary>
public abstract class StringsTextOpsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Case_strip_and_length_follow_TF_bytes_rules()
    {
        RequireBackend();
        var texts = new StringTensor(["  CamelCase ÉTÉ\n", "abc"]);
        // TF lowers ASCII only by default (bytes); encoding "utf-8" lowers every letter.
        Assert.Equal(["  camelcase ÉtÉ\n", "abc"], NF.Strings.Lower(texts).ToArray());
        Assert.Equal(["  camelcase été\n", "abc"], NF.Strings.Lower(texts, "utf-8").ToArray());
        Assert.Equal(["  CAMELCASE ÉTÉ\n", "ABC"], NF.Strings.Upper(texts).ToArray());
        Assert.Equal("ÉTÉ", NF.Strings.Upper("été", "utf-8").Item());
        Assert.Equal("éTé", NF.Strings.Upper("été").Item());
        Assert.Equal(["CamelCase ÉTÉ", "abc"], NF.Strings.Strip(texts).ToArray());

        // strings_references.py "length bytes": [6, 6, 0] chars [5, 2, 0]
        var words = new StringTensor(["héllo", "日本", ""]);
        var bytes = NF.Strings.Length(words);
        Assert.Equal(DType.Int32, bytes.DType);
        Assert.Equal(new[] { 6, 6, 0 }, bytes.ToArray<int>());
        Assert.Equal(new[] { 5, 2, 0 }, NF.Strings.Length(words, "UTF8_CHAR").ToArray<int>());
        Assert.Equal("unit", Assert.Throws<ArgumentException>(() => NF.Strings.Length(words, "CHAR")).ParamName);
        Assert.Equal("encoding", Assert.Throws<ArgumentException>(() => NF.Strings.Lower(words, "latin-1")).ParamName);
    }

    [SkippableFact]
    public void Join_and_reduce_join_follow_the_TF_docs()
    {
        RequireBackend();
        // TF docs (tf.strings.join): join([['abc','123'], ['def','456']], separator=' ') -> ['abc def', '123 456']
        var joined = NF.Strings.Join([new StringTensor(["abc", "123"]), new StringTensor(["def", "456"])], " ");
        Assert.Equal(["abc def", "123 456"], joined.ToArray());
        // A scalar goes with every element.
        Assert.Equal(["x-a", "x-b"], NF.Strings.Join([new StringTensor("x"), new StringTensor(["a", "b"])], "-").ToArray());
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => NF.Strings.Join([new StringTensor(["a"]), new StringTensor(["a", "b"])])).ParamName);

        // TF docs (tf.strings.reduce_join): [['abc','123'], ['def','456']]: all -> b'abc123def456';
        // axis=0 -> [b'abcdef', b'123456']; axis=1 -> [b'abc123', b'def456']; axis=-1, separator=' ' -> [b'abc 123', b'def 456']
        var table = new StringTensor(["abc", "123", "def", "456"], new Shape(2, 2));
        Assert.Equal("abc123def456", NF.Strings.ReduceJoin(table).Item());
        Assert.Equal(["abcdef", "123456"], NF.Strings.ReduceJoin(table, 0).ToArray());
        Assert.Equal(["abc123", "def456"], NF.Strings.ReduceJoin(table, 1).ToArray());
        Assert.Equal(["abc 123", "def 456"], NF.Strings.ReduceJoin(table, -1, separator: " ").ToArray());
        Assert.Equal(new Shape(2, 1), NF.Strings.ReduceJoin(table, 1, keepdims: true).Shape);
        Assert.Equal("axis", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Strings.ReduceJoin(table, 2)).ParamName);
    }

    [SkippableFact]
    public void Substr_counts_bytes_or_characters_and_refuses_a_position_past_the_end()
    {
        RequireBackend();
        // TF docs (tf.strings.substr): substr(b'Hello World', 0, 5) -> b'Hello'; pos -5 counts from the end.
        Assert.Equal("Hello", NF.Strings.Substr("Hello World", 0, 5).Item());
        Assert.Equal("World", NF.Strings.Substr("Hello World", -5, 5).Item());
        Assert.Equal("World", NF.Strings.Substr("Hello World", 6, 100).Item());   // clipped at the end
        // "héllo" in characters; in bytes 'é' is 2 of them (strings_references.py "length bytes").
        Assert.Equal("él", NF.Strings.Substr("héllo", 1, 2, "UTF8_CHAR").Item());
        Assert.Equal("é", NF.Strings.Substr("héllo", 1, 2).Item());
        // Bytes [2, 4) of "héllo" (68 c3 a9 6c ...) cut the é: its second byte stays escaped, as TF's b'\xa9l'.
        var cut = NF.Strings.Substr("héllo", 2, 2);
        Assert.Equal(new byte[] { 0xa9, 0x6c }, cut.ToBytes());
        Assert.Equal(2, NF.Strings.Length(cut).Item<int>());
        Assert.Equal("héllo", NF.Strings.Join([NF.Strings.Substr("héllo", 0, 2), cut, NF.Strings.Substr("héllo", 4, 2)]).Item());
        Assert.Equal("pos", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Strings.Substr("Hello", 7, 1)).ParamName);
        Assert.Equal("unit", Assert.Throws<ArgumentException>(() => NF.Strings.Substr("Hello", 0, 1, "utf8")).ParamName);
    }

    [SkippableFact]
    public void Regex_replace_takes_RE2_rewrites_and_full_match_anchors_both_ends()
    {
        RequireBackend();
        // TF docs (tf.strings.regex_replace): regex_replace("Text with tags.<br /><b>contains html</b>", "<[^>]+>", " ")
        // -> b'Text with tags.  contains html '
        Assert.Equal("Text with tags.  contains html ", NF.Strings.RegexReplace("Text with tags.<br /><b>contains html</b>", "<[^>]+>", " ").Item());
        // The text classification tutorial's standardization: lower, strip <br />, strip punctuation.
        Assert.Equal("a film  so bad", NF.Strings.RegexReplace(NF.Strings.RegexReplace(NF.Strings.Lower("A Film<br />, so BAD!"), "<br />", " "), "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]", "").Item());
        // RE2 groups: \1 \2 swap, \0 the match; '$' is a plain character; only the first match without replaceGlobal.
        Assert.Equal("b-a d-c", NF.Strings.RegexReplace("a-b c-d", @"(\w)-(\w)", @"\2-\1").Item());
        Assert.Equal("[a-b]$ c-d", NF.Strings.RegexReplace("a-b c-d", @"\w-\w", @"[\0]$", replaceGlobal: false).Item());
        Assert.Equal("rewrite", Assert.Throws<ArgumentException>(() => NF.Strings.RegexReplace("a", "(a)", @"\2")).ParamName);
        Assert.Equal("pattern", Assert.Throws<ArgumentException>(() => NF.Strings.RegexReplace("a", "(", "")).ParamName);

        // TF docs (tf.strings.regex_full_match): ["TF lib", "lib TF"] with ".*lib$" -> [True, False]
        var match = NF.Strings.RegexFullMatch(new StringTensor(["TF lib", "lib TF"]), ".*lib$");
        Assert.Equal(DType.Bool, match.DType);
        Assert.Equal(new[] { true, false }, match.ToArray<bool>());
        Assert.Equal(new[] { false, true }, NF.Strings.RegexFullMatch(new StringTensor(["ab", "abab"]), "(ab){2}|b").ToArray<bool>());
    }

    [SkippableFact]
    public void Hash_buckets_match_TF_and_Keras_Hashing()
    {
        RequireBackend();
        // TF docs (tf.strings.to_hash_bucket_fast): (["Hello", "TensorFlow", "2.x"], 3) -> [0, 2, 2]
        var fast = NF.Strings.ToHashBucketFast(new StringTensor(["Hello", "TensorFlow", "2.x"]), 3);
        Assert.Equal(DType.Int64, fast.DType);
        Assert.Equal(new long[] { 0, 2, 2 }, fast.ToArray<long>());
        // The same bins as Keras' Hashing layer (FarmHash Fingerprint64).
        var hashing = new Keras.Layers.Hashing(7);
        var words = new StringTensor(["the", "cat", "sat", "on", "mat"]);
        Assert.Equal(hashing.Call(words).ToArray<long>(), NF.Strings.ToHashBucketFast(words, 7).ToArray<long>());
        // TF docs (tf.strings.to_hash_bucket_strong): (["Hello", "TF"], 3, [1, 2]) -> [2, 0]
        Assert.Equal(new long[] { 2, 0 }, NF.Strings.ToHashBucketStrong(new StringTensor(["Hello", "TF"]), 3, [1, 2]).ToArray<long>());

        Assert.Equal("numBuckets", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Strings.ToHashBucketFast(words, 0)).ParamName);
        Assert.Equal("numBuckets", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Strings.ToHashBucketFast(words, -3)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => NF.Strings.ToHashBucketStrong(words, 3, [1])).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => NF.Strings.ToHashBucketFast(null!, 3)).ParamName);
    }
}

/// <summary>tf.strings' text ops on the managed backend.</summary>
public sealed class ManagedStringsTextOpsTests() : StringsTextOpsTests("managed");

/// <summary>tf.strings' text ops on the native CPU backend.</summary>
public sealed class NativeCpuStringsTextOpsTests() : StringsTextOpsTests("cpu");

/// <summary>tf.strings' text ops on CUDA.</summary>
public sealed class CudaStringsTextOpsTests() : StringsTextOpsTests("cuda");
