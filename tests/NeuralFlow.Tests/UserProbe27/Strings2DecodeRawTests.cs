using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// tf.io.decode_raw to int8, int16, uint16 and bfloat16, the element types NeuralFlow has no dtype for
/// (NF.IO.DecodeRaw with an NF.IO.RawDType): values widened exactly to int32 / float32.
/// Expected values: strings2_references.py (numpy.frombuffer, torch.frombuffer for bfloat16).
/// </summary>
public abstract class Strings2DecodeRawTests(string backend) : BackendTest(backend)
{
    private static readonly byte[] Raw = [0x01, 0x80, 0xFF, 0x7F];

    [SkippableFact]
    public void Narrow_integers_decode_signed_or_unsigned_in_either_byte_order()
    {
        RequireBackend();
        // strings2_references.py "decode_raw int8": [1, -128, -1, 127]
        var int8 = NF.IO.DecodeRaw(Raw, NF.IO.RawDType.Int8);
        Assert.Equal(DType.Int32, int8.DType);
        Assert.Equal(new Shape(4), int8.Shape);
        Assert.Equal(new[] { 1, -128, -1, 127 }, int8.ToArray<int>());
        // "decode_raw int16 little": [-32767, 32767], "big": [384, -129]
        Assert.Equal(new[] { -32767, 32767 }, NF.IO.DecodeRaw(Raw, NF.IO.RawDType.Int16).ToArray<int>());
        Assert.Equal(new[] { 384, -129 }, NF.IO.DecodeRaw(Raw, NF.IO.RawDType.Int16, littleEndian: false).ToArray<int>());
        // "decode_raw uint16 little": [32769, 32767]
        Assert.Equal(new[] { 32769, 32767 }, NF.IO.DecodeRaw(Raw, NF.IO.RawDType.UInt16).ToArray<int>());
    }

    [SkippableFact]
    public void Bfloat16_decodes_to_its_exact_float32_values()
    {
        RequireBackend();
        // strings2_references.py "decode_raw bfloat16 bytes": [128, 63, 32, 192, 73, 64], "values": [1.0, -2.5, 3.140625]
        var values = NF.IO.DecodeRaw(new byte[] { 128, 63, 32, 192, 73, 64 }, NF.IO.RawDType.BFloat16);
        Assert.Equal(DType.Float32, values.DType);
        Assert.Equal(new[] { 1f, -2.5f, 3.140625f }, values.ToArray<float>());
    }

    [SkippableFact]
    public void A_string_tensor_gives_its_shape_plus_one_axis_and_bad_lengths_are_refused()
    {
        RequireBackend();
        // Two records of the reference bytes: [2] strings of 4 bytes give [2, 2] int16 values.
        var records = new StringTensor([StringTensor.FromBytes(Raw).Item(), StringTensor.FromBytes([2, 0, 3, 0]).Item()]);
        var decoded = NF.IO.DecodeRaw(records, NF.IO.RawDType.Int16);
        Assert.Equal(new Shape(2, 2), decoded.Shape);
        Assert.Equal(new[] { -32767, 32767, 2, 3 }, decoded.ToArray<int>());
        // fixedLength cuts or zero-pads each record, as for the other dtypes.
        Assert.Equal(new[] { 1, -128, -1, 127, 0, 0 }, NF.IO.DecodeRaw(Raw, NF.IO.RawDType.Int8, fixedLength: 6).ToArray<int>());

        var odd = Assert.Throws<ArgumentException>(() => NF.IO.DecodeRaw(new byte[3], NF.IO.RawDType.UInt16));
        Assert.StartsWith("Input to DecodeRaw has length 3 that is not a multiple of 2, the size of uint16", odd.Message);
        Assert.Equal("fixedLength", Assert.Throws<ArgumentException>(() => NF.IO.DecodeRaw(Raw, NF.IO.RawDType.BFloat16, fixedLength: 3)).ParamName);
        Assert.Equal("outType", Assert.Throws<ArgumentException>(() => NF.IO.DecodeRaw(Raw, (NF.IO.RawDType)42)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => NF.IO.DecodeRaw((StringTensor)null!, NF.IO.RawDType.Int8)).ParamName);
    }
}

/// <summary>decode_raw of narrow types on the managed backend.</summary>
public sealed class ManagedStrings2DecodeRawTests() : Strings2DecodeRawTests("managed");

/// <summary>decode_raw of narrow types on the native CPU backend.</summary>
public sealed class NativeCpuStrings2DecodeRawTests() : Strings2DecodeRawTests("cpu");

/// <summary>decode_raw of narrow types on CUDA.</summary>
public sealed class CudaStrings2DecodeRawTests() : Strings2DecodeRawTests("cuda");
