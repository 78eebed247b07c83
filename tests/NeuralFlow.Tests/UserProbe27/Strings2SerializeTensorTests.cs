using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// tf.io.serialize_tensor / tf.io.parse_tensor (NF.IO.SerializeTensor, ParseTensor, ParseStringTensor): a TensorProto
/// in protobuf wire format. Expected bytes: strings2_references.py (protobuf's own encoder on TensorProto messages
/// built from TF's tensor.proto field numbers, filled as TF's AsProtoTensorContent fills them).
/// </summary>
public abstract class Strings2SerializeTensorTests(string backend) : BackendTest(backend)
{
    private static byte[] Bytes(StringTensor serialized) => serialized.ToBytes();

    [SkippableFact]
    public void Numeric_tensors_serialize_to_TFs_bytes_and_parse_back()
    {
        RequireBackend();
        // strings2_references.py "serialize float32 [2,3]"
        var matrix = NF.Reshape(NF.Constant(new[] { 0f, 1, 2, 3, 4, 5 }), [2, 3]);
        var serialized = NF.IO.SerializeTensor(matrix);
        Assert.Equal(Shape.Scalar, serialized.Shape);
        Assert.Equal(new byte[] { 8, 1, 18, 8, 18, 2, 8, 2, 18, 2, 8, 3, 34, 24, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64 }, Bytes(serialized));
        var back = NF.IO.ParseTensor(serialized, DType.Float32);
        Assert.Equal(new Shape(2, 3), back.Shape);
        Assert.Equal(matrix.ToArray<float>(), back.ToArray<float>());

        // "serialize float32 scalar 1.0": [8, 1, 18, 0, 34, 4, 0, 0, 128, 63] (a scalar's shape still written, empty)
        Assert.Equal(new byte[] { 8, 1, 18, 0, 34, 4, 0, 0, 128, 63 }, Bytes(NF.IO.SerializeTensor(NF.Constant(1f))));
        Assert.Equal(Shape.Scalar, NF.IO.ParseTensor(NF.IO.SerializeTensor(NF.Constant(1f)), DType.Float32).Shape);
        // "serialize int64 [2]"
        var longs = NF.IO.SerializeTensor(NF.Constant(new[] { -1L, 300L }));
        Assert.Equal(new byte[] { 8, 9, 18, 4, 18, 2, 8, 2, 34, 16, 255, 255, 255, 255, 255, 255, 255, 255, 44, 1, 0, 0, 0, 0, 0, 0 }, Bytes(longs));
        Assert.Equal(new[] { -1L, 300L }, NF.IO.ParseTensor(longs, DType.Int64).ToArray<long>());
        // "serialize int32 [0,2]": [8, 3, 18, 6, 18, 0, 18, 2, 8, 2] (a size-0 dim is an empty Dim, no tensor_content)
        var empty = NF.IO.SerializeTensor(NF.Zeros([0, 2], DType.Int32));
        Assert.Equal(new byte[] { 8, 3, 18, 6, 18, 0, 18, 2, 8, 2 }, Bytes(empty));
        Assert.Equal(new Shape(0, 2), NF.IO.ParseTensor(empty, DType.Int32).Shape);
        // "serialize bool [3]" and "serialize float16 [2]"
        var flags = NF.IO.SerializeTensor(NF.Constant(new[] { true, false, true }));
        Assert.Equal(new byte[] { 8, 10, 18, 4, 18, 2, 8, 3, 34, 3, 1, 0, 1 }, Bytes(flags));
        Assert.Equal(new[] { true, false, true }, NF.IO.ParseTensor(flags, DType.Bool).ToArray<bool>());
        var halves = NF.IO.SerializeTensor(NF.Constant(new[] { (Half)1.5, (Half)(-2) }));
        Assert.Equal(new byte[] { 8, 19, 18, 4, 18, 2, 8, 2, 34, 4, 0, 62, 0, 192 }, Bytes(halves));
        Assert.Equal(new[] { (Half)1.5, (Half)(-2) }, NF.IO.ParseTensor(halves, DType.Float16).ToArray<Half>());
        // uint8 and float64 round trip too.
        Assert.Equal(new byte[] { 0, 7, 255 }, NF.IO.ParseTensor(NF.IO.SerializeTensor(NF.Constant(new byte[] { 0, 7, 255 })), DType.UInt8).ToArray<byte>());
        Assert.Equal(new[] { 0.1, -1e300 }, NF.IO.ParseTensor(NF.IO.SerializeTensor(NF.Constant(new[] { 0.1, -1e300 })), DType.Float64).ToArray<double>());
    }

    [SkippableFact]
    public void String_tensors_use_string_val_and_parse_back()
    {
        RequireBackend();
        // strings2_references.py "serialize string [2]": [8, 7, 18, 4, 18, 2, 8, 2, 66, 2, 104, 105, 66, 2, 195, 169]
        var serialized = NF.IO.SerializeTensor(new StringTensor(["hi", "é"]));
        Assert.Equal(new byte[] { 8, 7, 18, 4, 18, 2, 8, 2, 66, 2, 104, 105, 66, 2, 195, 169 }, Bytes(serialized));
        Assert.Equal(new StringTensor(["hi", "é"]), NF.IO.ParseStringTensor(serialized));
        var grid = new StringTensor(["a", "", "c", "dd"], new Shape(2, 2));
        Assert.Equal(grid, NF.IO.ParseStringTensor(NF.IO.SerializeTensor(grid)));
        // Binary records keep their bytes exactly (not UTF-8 text).
        var binary = StringTensor.FromBytes([0xFF, 0x00, 0x80]);
        Assert.Equal(new byte[] { 0xFF, 0x00, 0x80 }, NF.IO.ParseStringTensor(NF.IO.SerializeTensor(binary)).ToBytes());
    }

    [SkippableFact]
    public void Typed_value_lists_from_other_writers_fill_the_shape_as_TF_does()
    {
        RequireBackend();
        // strings2_references.py "typed float_val [1, 2.5] for [2,2]": the last value repeats (Tensor::FromProto).
        var floats = NF.IO.ParseTensor(new byte[] { 8, 1, 18, 8, 18, 2, 8, 2, 18, 2, 8, 2, 42, 8, 0, 0, 128, 63, 0, 0, 32, 64 }, DType.Float32);
        Assert.Equal(new Shape(2, 2), floats.Shape);
        Assert.Equal(new[] { 1f, 2.5f, 2.5f, 2.5f }, floats.ToArray<float>());
        // "typed int_val [7,-8,9]"
        var ints = NF.IO.ParseTensor(new byte[] { 8, 3, 18, 4, 18, 2, 8, 3, 58, 12, 7, 248, 255, 255, 255, 255, 255, 255, 255, 255, 1, 9 }, DType.Int32);
        Assert.Equal(new[] { 7, -8, 9 }, ints.ToArray<int>());
    }

    [SkippableFact]
    public void A_dtype_mismatch_or_bytes_that_are_no_TensorProto_are_refused_naming_them()
    {
        RequireBackend();
        var floats = NF.IO.SerializeTensor(NF.Constant(new[] { 1f, 2f }));
        var mismatch = Assert.Throws<ArgumentException>(() => NF.IO.ParseTensor(floats, DType.Int32));
        Assert.Equal("outType", mismatch.ParamName);
        Assert.Contains("Type mismatch between parsed tensor (float) and dtype (int32)", mismatch.Message);
        Assert.Contains("(string) and dtype (float)", Assert.Throws<ArgumentException>(() => NF.IO.ParseTensor(NF.IO.SerializeTensor(new StringTensor("a")), DType.Float32)).Message);
        Assert.Contains("(int64) and dtype (string)", Assert.Throws<ArgumentException>(() => NF.IO.ParseStringTensor(NF.IO.SerializeTensor(NF.Constant(new[] { 1L })))).Message);
        Assert.Contains("ParseStringTensor", Assert.Throws<ArgumentException>(() => NF.IO.ParseTensor(floats, DType.String)).Message);
        // An int16 TensorProto (DataType 5, types.proto), a dtype NeuralFlow has none of, is named as TF names it.
        Assert.Contains("(int16) and dtype (int32)", Assert.Throws<ArgumentException>(() => NF.IO.ParseTensor(new byte[] { 8, 5, 18, 0, 34, 2, 1, 0 }, DType.Int32)).Message);

        var garbage = Assert.Throws<ArgumentException>(() => NF.IO.ParseTensor(new byte[] { 0x0A, 0x05, 1 }, DType.Float32));
        Assert.Equal("serialized", garbage.ParamName);
        Assert.Contains("not a serialized TensorProto", garbage.Message);
        // tensor_content of 3 bytes for a [2] float tensor.
        var shortContent = Assert.Throws<ArgumentException>(() => NF.IO.ParseTensor(new byte[] { 8, 1, 18, 4, 18, 2, 8, 2, 34, 3, 0, 0, 0 }, DType.Float32));
        Assert.Contains("do not fill its shape", shortContent.Message);
        // three float_val values for a [2] tensor.
        var tooMany = Assert.Throws<ArgumentException>(() => NF.IO.ParseTensor(new byte[] { 8, 1, 18, 4, 18, 2, 8, 2, 42, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, DType.Float32));
        Assert.Contains("do not fit its shape", tooMany.Message);
        var batch = Assert.Throws<ArgumentException>(() => NF.IO.ParseTensor(new StringTensor(["a", "b"]), DType.Float32));
        Assert.Contains("one string (a scalar)", batch.Message);
        Assert.Equal("tensor", Assert.Throws<ArgumentNullException>(() => NF.IO.SerializeTensor((Tensor)null!)).ParamName);
    }
}

/// <summary>serialize_tensor / parse_tensor on the managed backend.</summary>
public sealed class ManagedStrings2SerializeTensorTests() : Strings2SerializeTensorTests("managed");

/// <summary>serialize_tensor / parse_tensor on the native CPU backend.</summary>
public sealed class NativeCpuStrings2SerializeTensorTests() : Strings2SerializeTensorTests("cpu");

/// <summary>serialize_tensor / parse_tensor on CUDA.</summary>
public sealed class CudaStrings2SerializeTensorTests() : Strings2SerializeTensorTests("cuda");
