using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// tf.io.decode_raw (NF.IO.DecodeRaw): bytes reinterpreted as numbers, shape input.shape + [bytes / size].
/// Expected values: strings_references.py (numpy.frombuffer over the same bytes) and TF's error messages.
/// </summary>
public abstract class DecodeRawTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Bytes_decode_to_each_dtype_little_or_big_endian()
    {
        RequireBackend();
        // strings_references.py "decode_raw float32": [1.0, 2.0]
        var floats = NF.IO.DecodeRaw(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40 }, DType.Float32);
        Assert.Equal(new Shape(2), floats.Shape);
        Assert.Equal(new[] { 1f, 2f }, floats.ToArray<float>());
        // "decode_raw int32 big": [258, -2]
        Assert.Equal(new[] { 258, -2 }, NF.IO.DecodeRaw(new byte[] { 0, 0, 1, 2, 255, 255, 255, 254 }, DType.Int32, littleEndian: false).ToArray<int>());
        // "decode_raw int64": [1, -1]
        Assert.Equal(new[] { 1L, -1L }, NF.IO.DecodeRaw(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255 }, DType.Int64).ToArray<long>());
        // "decode_raw float64": [1.5, -2.25] from [0, 0, 0, 0, 0, 0, 248, 63, 0, 0, 0, 0, 0, 0, 2, 192]
        Assert.Equal(new[] { 1.5, -2.25 }, NF.IO.DecodeRaw(new byte[] { 0, 0, 0, 0, 0, 0, 248, 63, 0, 0, 0, 0, 0, 0, 2, 192 }, DType.Float64).ToArray<double>());
        // "decode_raw float16": [1.0, -2.0]
        Assert.Equal(new[] { (Half)1, (Half)(-2) }, NF.IO.DecodeRaw(new byte[] { 0, 60, 0, 192 }, DType.Float16).ToArray<Half>());
        Assert.Equal(new byte[] { 7, 8 }, NF.IO.DecodeRaw(new byte[] { 7, 8 }, DType.UInt8).ToArray<byte>());
    }

    [SkippableFact]
    public void A_string_tensor_decodes_its_UTF8_bytes_to_shape_plus_one_axis()
    {
        RequireBackend();
        // strings_references.py "decode_raw text uint8": [97, 98, 195, 169] ('abé' in UTF-8, what tf.constant('abé') holds)
        var text = NF.IO.DecodeRaw(new StringTensor("abé"), DType.UInt8);
        Assert.Equal(new Shape(4), text.Shape);
        Assert.Equal(new byte[] { 97, 98, 195, 169 }, text.ToArray<byte>());
        // "int32 of 'abcd','efgh'": [1684234849, 1751606885]: a [2] input gives [2, 1].
        var records = NF.IO.DecodeRaw(new StringTensor(["abcd", "efgh"]), DType.Int32);
        Assert.Equal(new Shape(2, 1), records.Shape);
        Assert.Equal(new[] { 1684234849, 1751606885 }, records.ToArray<int>());
        // fixedLength pads with zeros or cuts: "decode_raw fixed 8 of 'ab' as int32" [25185, 0], of 'abcdefghij' [1684234849, 1751606885]
        var padded = NF.IO.DecodeRaw(new StringTensor(["ab", "abcdefghij"]), DType.Int32, fixedLength: 8);
        Assert.Equal(new Shape(2, 2), padded.Shape);
        Assert.Equal(new[] { 25185, 0, 1684234849, 1751606885 }, padded.ToArray<int>());
    }

    [SkippableFact]
    public void Lengths_that_do_not_fit_the_element_size_are_refused_as_TF_does()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => NF.IO.DecodeRaw(new byte[] { 1, 2, 3 }, DType.Float32));
        Assert.StartsWith("Input to DecodeRaw has length 3 that is not a multiple of 4, the size of float", e.Message);
        var uneven = Assert.Throws<ArgumentException>(() => NF.IO.DecodeRaw(new StringTensor(["abcd", "ef"]), DType.UInt8));
        Assert.StartsWith("DecodeRaw requires input strings to all be the same size, but element 1 has size 2 != 4", uneven.Message);
        Assert.Equal("fixedLength", Assert.Throws<ArgumentException>(() => NF.IO.DecodeRaw(new byte[8], DType.Int64, fixedLength: 4)).ParamName);
        Assert.Equal("outType", Assert.Throws<ArgumentException>(() => NF.IO.DecodeRaw(new byte[8], DType.String)).ParamName);
        Assert.Equal("bytes", Assert.Throws<ArgumentNullException>(() => NF.IO.DecodeRaw((byte[])null!, DType.UInt8)).ParamName);
    }
}

/// <summary>decode_raw on the managed backend.</summary>
public sealed class ManagedDecodeRawTests() : DecodeRawTests("managed");

/// <summary>decode_raw on the native CPU backend.</summary>
public sealed class NativeCpuDecodeRawTests() : DecodeRawTests("cpu");

/// <summary>decode_raw on CUDA.</summary>
public sealed class CudaDecodeRawTests() : DecodeRawTests("cuda");
