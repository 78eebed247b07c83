using Google.Protobuf;

namespace NeuralFlow.IO;

/// <summary>
/// Writes the fields of one protobuf message by number, with <see cref="CodedOutputStream"/>:
/// what the ONNX and TensorBoard writers build their messages with, without generated code or
/// a .proto compiler in the build. A nested message is its own bytes, embedded with <see cref="Bytes"/>.
/// </summary>
internal readonly struct ProtoFields(CodedOutputStream output)
{
    /// <summary>The bytes of the message <paramref name="write"/> fills in.</summary>
    public static byte[] Message(Action<ProtoFields> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(new ProtoFields(output));
            output.Flush();
        }
        return buffer.ToArray();
    }

    public ProtoFields Int64(int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
        return this;
    }

    public ProtoFields Float(int field, float value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFloat(value);
        return this;
    }

    public ProtoFields Double(int field, double value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed64);
        output.WriteDouble(value);
        return this;
    }

    /// <summary>A repeated double field, packed (proto3's default encoding for repeated scalars).</summary>
    public ProtoFields PackedDoubles(int field, IReadOnlyCollection<double> values)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(values.Count * sizeof(double));
        foreach (var v in values) output.WriteDouble(v);
        return this;
    }

    /// <summary>A repeated float field, packed.</summary>
    public ProtoFields PackedFloats(int field, IReadOnlyCollection<float> values)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(values.Count * sizeof(float));
        foreach (var v in values) output.WriteFloat(v);
        return this;
    }

    /// <summary>A repeated int64 field, packed (varints).</summary>
    public ProtoFields PackedInt64s(int field, IReadOnlyCollection<long> values)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(values.Sum(CodedOutputStream.ComputeInt64Size));
        foreach (var v in values) output.WriteInt64(v);
        return this;
    }

    public ProtoFields String(int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        return this;
    }

    public ProtoFields Bytes(int field, byte[] value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
        return this;
    }
}
