using System.Runtime.InteropServices;
using Google.Protobuf;
using NeuralFlow.Data;

namespace NeuralFlow.IO;

/// <summary>
/// TensorFlow's <c>TensorProto</c> (tensorflow/core/framework/tensor.proto) in protobuf wire format, written as
/// <c>Tensor::AsProtoTensorContent</c> writes it: dtype = 1, tensor_shape = 2 (TensorShapeProto: dim = 2, each Dim's
/// size = 1), then the values as raw little-endian tensor_content = 4, or string_val = 8 for strings. Reading also
/// takes the typed value lists (float_val = 5, ..., half_val = 13) that other writers use, as Tensor::FromProto does.
/// </summary>
internal static class TensorProtoCodec
{
    // tensorflow/core/framework/types.proto's DataType numbers.
    private const int DtFloat = 1, DtDouble = 2, DtInt32 = 3, DtUInt8 = 4, DtInt16 = 5, DtInt8 = 6, DtString = 7, DtComplex64 = 8,
        DtInt64 = 9, DtBool = 10, DtBFloat16 = 14, DtUInt16 = 17, DtComplex128 = 18, DtHalf = 19, DtUInt32 = 22, DtUInt64 = 23;

    public static int DataType(DType dtype) => dtype switch
    {
        DType.Float32 => DtFloat,
        DType.Float64 => DtDouble,
        DType.Int32 => DtInt32,
        DType.UInt8 => DtUInt8,
        DType.String => DtString,
        DType.Int64 => DtInt64,
        DType.Bool => DtBool,
        DType.Float16 => DtHalf,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>TF's name of a DataType number, as its messages print it ("float", "int32", ...).</summary>
    public static string Name(int dataType) => dataType switch
    {
        DtFloat => "float", DtDouble => "double", DtInt32 => "int32", DtUInt8 => "uint8", DtInt16 => "int16", DtInt8 => "int8",
        DtString => "string", DtComplex64 => "complex64", DtInt64 => "int64", DtBool => "bool", DtBFloat16 => "bfloat16",
        DtUInt16 => "uint16", DtComplex128 => "complex128", DtHalf => "half", DtUInt32 => "uint32", DtUInt64 => "uint64",
        _ => $"DataType {dataType}",
    };

    public static byte[] Write(DType dtype, Shape shape, byte[]? content, IReadOnlyList<string>? strings) => ProtoFields.Message(p =>
    {
        p.Int64(1, DataType(dtype));
        // proto3 leaves zero scalars out: a dim of size 0 is an empty Dim, a scalar's shape an empty message (still written, as TF sets it).
        p.Bytes(2, ProtoFields.Message(s => { foreach (int d in shape.Dims) s.Bytes(2, ProtoFields.Message(dim => { if (d != 0) dim.Int64(1, d); })); }));
        if (strings is not null) foreach (var v in strings) p.Bytes(8, ByteStrings.Encode(v));
        else if (content is { Length: > 0 }) p.Bytes(4, content);
    });

    /// <summary>A parsed TensorProto: its DataType number, shape, and values (raw bytes, or strings).</summary>
    public sealed record Parsed(int DataType, int[] Dims, bool UnknownRank, byte[] Content, List<List<byte[]>> Typed);

    public static Parsed Read(byte[] bytes)
    {
        int dataType = 0;
        var dims = new List<int>();
        bool unknownRank = false;
        byte[] content = [];
        var typed = new List<List<byte[]>>();   // the value lists by field number (0 to 13), filled at the end
        var lists = new Dictionary<int, List<byte[]>>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            var wire = WireFormat.GetTagWireType(tag);
            if (field == 1 && wire == WireFormat.WireType.Varint) dataType = input.ReadInt32();
            else if (field == 2 && wire == WireFormat.WireType.LengthDelimited)
            {
                dims.Clear();
                var shape = input.ReadBytes().CreateCodedInput();
                uint t;
                while ((t = shape.ReadTag()) != 0)
                {
                    if (t == WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited)) dims.Add(DimSize(shape.ReadBytes()));
                    else if (t == WireFormat.MakeTag(3, WireFormat.WireType.Varint)) unknownRank = shape.ReadBool();
                    else shape.SkipLastField();
                }
            }
            else if (field == 4 && wire == WireFormat.WireType.LengthDelimited) content = input.ReadBytes().ToByteArray();
            else if (field is >= 5 and <= 13 && field != 9 && field != 12)
            {
                if (!lists.TryGetValue(field, out var list)) lists[field] = list = [];
                list.Add(ReadValue(input, field, wire));
            }
            else input.SkipLastField();
        }
        for (int f = 0; f <= 13; f++) typed.Add(lists.TryGetValue(f, out var l) ? l : []);
        return new Parsed(dataType, [.. dims], unknownRank, content, typed);
    }

    // A Dim message's size (field 1), checked to fit a NeuralFlow axis.
    private static int DimSize(ByteString dim)
    {
        var input = dim.CreateCodedInput();
        long size = 0;
        uint t;
        while ((t = input.ReadTag()) != 0)
            if (t == WireFormat.MakeTag(1, WireFormat.WireType.Varint)) size = input.ReadInt64();
            else input.SkipLastField();
        if (size is < 0 or > int.MaxValue)
            throw new InvalidDataException($"a dimension of size {size} (unknown, or too large for an axis)");
        return (int)size;
    }

    // One occurrence of a value-list field, packed or not, as the raw little-endian bytes of its values
    // (string_val: the string's bytes; varint lists: 8 bytes per value, as int64).
    private static byte[] ReadValue(CodedInputStream input, int field, WireFormat.WireType wire)
    {
        if (field == 8) return input.ReadBytes().ToByteArray();
        var values = new List<byte>();
        void One(CodedInputStream s)
        {
            switch (field)
            {
                case 5: values.AddRange(BitConverter.GetBytes(s.ReadFloat())); break;
                case 6: values.AddRange(BitConverter.GetBytes(s.ReadDouble())); break;
                case 7 or 13: values.AddRange(BitConverter.GetBytes((long)s.ReadInt32())); break;
                case 10: values.AddRange(BitConverter.GetBytes(s.ReadInt64())); break;
                case 11: values.AddRange(BitConverter.GetBytes(s.ReadBool() ? 1L : 0L)); break;
            }
        }
        if (wire == WireFormat.WireType.LengthDelimited)
        {
            var packed = input.ReadBytes().CreateCodedInput();
            while (!packed.IsAtEnd) One(packed);
        }
        else One(input);
        return [.. values];
    }

    /// <summary>The raw bytes of <paramref name="count"/> elements of <paramref name="dtype"/> from a typed value list: the last value repeats to fill, none gives zeros (Tensor::FromProto).</summary>
    public static byte[] FromTyped(Parsed proto, DType dtype, long count)
    {
        int field = dtype switch
        {
            DType.Float32 => 5, DType.Float64 => 6, DType.Int32 or DType.UInt8 => 7, DType.Int64 => 10, DType.Bool => 11, DType.Float16 => 13,
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
        var list = proto.Typed[field].SelectMany(b => b).ToArray();
        int width = field is 5 ? 4 : 8;
        int n = list.Length / width;
        if (n > count) throw new InvalidDataException($"{n} values for a tensor of {count} elements");
        int size = dtype.SizeInBytes();
        var result = new byte[checked(count * size)];
        for (long i = 0; i < count && n > 0; i++)
        {
            var v = list.AsSpan((int)Math.Min(i, n - 1) * width, width);
            switch (dtype)
            {
                case DType.Float32 or DType.Float64 or DType.Int64: v.CopyTo(result.AsSpan((int)(i * size))); break;
                case DType.Int32: BitConverter.TryWriteBytes(result.AsSpan((int)(i * 4)), (int)BitConverter.ToInt64(v)); break;
                case DType.Float16: BitConverter.TryWriteBytes(result.AsSpan((int)(i * 2)), (ushort)BitConverter.ToInt64(v)); break;
                default: result[i] = (byte)BitConverter.ToInt64(v); break;   // uint8 and bool
            }
        }
        return result;
    }

    /// <summary>The raw bytes of a tensor's values, little-endian, as tensor_content holds them.</summary>
    public static byte[] Content(Tensor t) => t.DType switch
    {
        DType.Float32 => Bytes(t.ToArray<float>()),
        DType.Float64 => Bytes(t.ToArray<double>()),
        DType.Int32 => Bytes(t.ToArray<int>()),
        DType.Int64 => Bytes(t.ToArray<long>()),
        DType.UInt8 => t.ToArray<byte>(),
        DType.Bool => Bytes(t.ToArray<bool>()),
        DType.Float16 => Bytes(t.ToArray<Half>()),
        _ => throw new ArgumentOutOfRangeException(nameof(t), t.DType, "unknown dtype"),
    };

    private static byte[] Bytes<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
