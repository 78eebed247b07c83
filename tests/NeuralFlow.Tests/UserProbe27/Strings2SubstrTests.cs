using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// tf.strings.substr with pos and len tensors broadcast against the input (NF.Strings.Substr(input, Tensor, Tensor)),
/// and a negative len, which TF reads as "as many characters as possible" (NeuralFlow refused it before).
/// Expected values: strings2_references.py, run on tf.strings.substr's doc examples (whose outputs it reproduces).
/// </summary>
public abstract class Strings2SubstrTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Words =
        ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "twentyone"];

    [SkippableFact]
    public void Pos_and_len_of_the_inputs_shape_pick_one_substring_each()
    {
        RequireBackend();
        var input = new StringTensor(Words[..9], new Shape(3, 3));
        var pos = NF.Constant(new[] { 1, 2, 3, 1, 2, 3, 1, 2, 3 }, new Shape(3, 3));
        var len = NF.Constant(new[] { 2, 3, 4, 4, 3, 2, 5, 5, 5 }, new Shape(3, 3));
        // strings2_references.py "substr same shape": [[b'en', b'eve', b'lve'], [b'hirt', b'urt', b'te'], [b'ixtee', b'vente', b'hteen']]
        var result = NF.Strings.Substr(input, pos, len);
        Assert.Equal(new Shape(3, 3), result.Shape);
        Assert.Equal(["en", "eve", "lve", "hirt", "urt", "te", "ixtee", "vente", "hteen"], result.ToArray());
    }

    [SkippableFact]
    public void Pos_and_len_broadcast_onto_the_input_and_the_input_onto_them()
    {
        RequireBackend();
        var input = new StringTensor(Words, new Shape(4, 3));
        // strings2_references.py "substr broadcast [3] onto [4,3]": [[b'e', b'ev', b'lve'], [b'h', b'ur', b'tee'], [b'i', b've', b'hte'], [b'i', b'en', b'nty']]
        var rows = NF.Strings.Substr(input, NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 1, 2, 3 }));
        Assert.Equal(new Shape(4, 3), rows.Shape);
        Assert.Equal(["e", "ev", "lve", "h", "ur", "tee", "i", "ve", "hte", "i", "en", "nty"], rows.ToArray());
        // "substr scalar onto [3]": [b'hir', b'ee', b'n'] (int64 positions work as int32 ones do)
        var one = NF.Strings.Substr(new StringTensor("thirteen"), NF.Constant(new[] { 1L, 5L, 7L }), NF.Constant(new[] { 3L, 2L, 1L }));
        Assert.Equal(new Shape(3), one.Shape);
        Assert.Equal(["hir", "ee", "n"], one.ToArray());
        // A [4, 1] column of positions against a [3] input broadcasts both ways to [4, 3].
        var both = NF.Strings.Substr(new StringTensor(["abc", "de", "f"]), NF.Constant(new[] { 0, 1, -1, 0 }, new Shape(4, 1)), NF.Constant(new[] { 1, 1, 1, 0 }, new Shape(4, 1)));
        Assert.Equal(new Shape(4, 3), both.Shape);
        Assert.Equal(["a", "d", "f", "b", "e", "", "c", "e", "f", "", "", ""], both.ToArray());
    }

    [SkippableFact]
    public void A_negative_len_takes_the_rest_of_the_string_as_in_TF()
    {
        RequireBackend();
        // strings2_references.py "substr negative": [b'llo', b'ello', b'']
        Assert.Equal("llo", NF.Strings.Substr("Hello", -3, -1).Item());
        Assert.Equal("ello", NF.Strings.Substr("Hello", 1, -5).Item());
        Assert.Equal("", NF.Strings.Substr("Hello", 5, 2).Item());
        Assert.Equal(["llo", "ello"], NF.Strings.Substr(new StringTensor(["Hello", "Hello"]), NF.Constant(new[] { -3, 1 }), NF.Constant(new[] { -1, -5 })).ToArray());
        Assert.Equal("éllo", NF.Strings.Substr("héllo", 1, -1, "UTF8_CHAR").Item());
    }

    [SkippableFact]
    public void Mismatched_shapes_dtypes_and_positions_are_refused_naming_them()
    {
        RequireBackend();
        var input = new StringTensor(Words, new Shape(4, 3));
        var differ = Assert.Throws<ArgumentException>(() => NF.Strings.Substr(input, NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 1, 2 })));
        Assert.Equal("len", differ.ParamName);
        Assert.Contains("same shape", differ.Message);
        var broadcast = Assert.Throws<ArgumentException>(() => NF.Strings.Substr(input, NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 1, 2 })));
        Assert.Contains("cannot be broadcast", broadcast.Message);
        var floats = Assert.Throws<ArgumentException>(() => NF.Strings.Substr(input, NF.Constant(new[] { 1f }), NF.Constant(new[] { 1 })));
        Assert.Equal("pos", floats.ParamName);
        Assert.Contains("float32", floats.Message);
        var far = Assert.Throws<ArgumentOutOfRangeException>(() => NF.Strings.Substr(new StringTensor(["ab", "abcdef"]), NF.Constant(new[] { 4, 4 }), NF.Constant(new[] { 1, 1 })));
        Assert.Contains("pos 4 is out of range for string b'ab' of length 2", far.Message);
        Assert.Equal("unit", Assert.Throws<ArgumentException>(() => NF.Strings.Substr(input, NF.Constant(new[] { 1 }), NF.Constant(new[] { 1 }), "char")).ParamName);
        Assert.Equal("pos", Assert.Throws<ArgumentNullException>(() => NF.Strings.Substr(input, null!, NF.Constant(new[] { 1 }))).ParamName);
    }
}

/// <summary>Substr with tensor positions on the managed backend.</summary>
public sealed class ManagedStrings2SubstrTests() : Strings2SubstrTests("managed");

/// <summary>Substr with tensor positions on the native CPU backend.</summary>
public sealed class NativeCpuStrings2SubstrTests() : Strings2SubstrTests("cpu");

/// <summary>Substr with tensor positions on CUDA.</summary>
public sealed class CudaStrings2SubstrTests() : Strings2SubstrTests("cuda");
