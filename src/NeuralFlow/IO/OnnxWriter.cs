using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace NeuralFlow.IO;

/// <summary>
/// Builds the protobuf messages of an ONNX model (onnx/onnx.proto), each field written by its
/// number with <see cref="CodedOutputStream"/>: the few messages an inference graph needs, without
/// generated code or a .proto compiler in the build. Every builder returns the message's bytes,
/// which a parent message embeds as a length-delimited field.
/// </summary>
internal static class OnnxWriter
{
    /// <summary>The default (ai.onnx) operator set the graphs use: Softmax along one axis is opset 13+.</summary>
    public const long Opset = 17;

    /// <summary>The IR version that goes with opset 17 (ONNX 1.12), so that older runtimes accept the file.</summary>
    public const long IrVersion = 8;

    /// <summary>TensorProto.DataType values.</summary>
    public const int Float = 1, Double = 11;

    /// <summary>The TensorProto.DataType of <paramref name="dtype"/> (Cast's "to").</summary>
    public static int ElemTypeOf(DType dtype) => dtype switch
    {
        DType.Float32 => Float,
        DType.UInt8 => 2,
        DType.Int32 => 6,
        DType.Int64 => 7,
        DType.Bool => 9,
        DType.Float16 => 10,
        DType.Float64 => Double,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "No ONNX element type."),
    };

    /// <summary>A tensor dimension: a fixed size, or a name for a size known only at run time ("batch").</summary>
    public readonly record struct Dim(long Value, string? Param = null)
    {
        /// <summary>A symbolic dimension.</summary>
        public static Dim Symbol(string name) => new(0, name);
    }

    /// <summary>ModelProto: the IR version, one opset import, the producer and the graph.</summary>
    public static byte[] Model(byte[] graph, string producerName, string producerVersion) => Message(m => m
        .Int64(1, IrVersion)
        .String(2, producerName)
        .String(3, producerVersion)
        .Bytes(7, graph)
        .Bytes(8, Message(o => o.String(1, "").Int64(2, Opset))));

    /// <summary>GraphProto: nodes in topological order, initializers (the weights), inputs and outputs.</summary>
    public static byte[] Graph(string name, IEnumerable<byte[]> nodes, IEnumerable<byte[]> initializers,
                               IEnumerable<byte[]> inputs, IEnumerable<byte[]> outputs) => Message(g =>
    {
        foreach (var n in nodes) g.Bytes(1, n);
        g.String(2, name);
        foreach (var t in initializers) g.Bytes(5, t);
        foreach (var i in inputs) g.Bytes(11, i);
        foreach (var o in outputs) g.Bytes(12, o);
    });

    /// <summary>NodeProto: one operator of the default domain.</summary>
    public static byte[] Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs,
                              IEnumerable<byte[]>? attributes = null) => Message(n =>
    {
        foreach (var i in inputs) n.String(1, i);
        foreach (var o in outputs) n.String(2, o);
        n.String(3, name).String(4, opType);
        foreach (var a in attributes ?? []) n.Bytes(5, a);
    });

    /// <summary>AttributeProto of type INT.</summary>
    public static byte[] IntAttribute(string name, long value) => Message(a => a.String(1, name).Int64(3, value).Int64(20, 2));

    /// <summary>AttributeProto of type FLOAT (LeakyRelu's alpha, HardSigmoid's alpha and beta).</summary>
    public static byte[] FloatAttribute(string name, double value) => Message(a => a.String(1, name).Float(2, (float)value).Int64(20, 1));

    /// <summary>AttributeProto of type INTS.</summary>
    public static byte[] IntsAttribute(string name, IEnumerable<long> values) => Message(a =>
    {
        a.String(1, name);
        foreach (var v in values) a.Int64(8, v);
        a.Int64(20, 7);
    });

    /// <summary>AttributeProto of type STRING (Einsum's equation).</summary>
    public static byte[] StringAttribute(string name, string value) => Message(a => a.String(1, name).String(4, value).Int64(20, 3));

    /// <summary>AttributeProto of type STRINGS (a recurrent op's activations).</summary>
    public static byte[] StringsAttribute(string name, IEnumerable<string> values) => Message(a =>
    {
        a.String(1, name);
        foreach (var v in values) a.String(9, v);
        a.Int64(20, 8);
    });

    /// <summary>TensorProto of int64 values (shapes for Reshape), stored as little-endian raw_data.</summary>
    public static byte[] Tensor(string name, IEnumerable<long> dims, long[] values) =>
        Tensor(name, dims, 7, LittleEndian(values, sizeof(long), (span, v) => BinaryPrimitives.WriteInt64LittleEndian(span, v)));

    /// <summary>ValueInfoProto of a tensor: name, element type and shape.</summary>
    public static byte[] ValueInfo(string name, int elemType, IEnumerable<Dim> dims)
    {
        var shape = Message(s =>
        {
            foreach (var d in dims)
                s.Bytes(1, Message(dim => { if (d.Param is null) dim.Int64(1, d.Value); else dim.String(2, d.Param); }));
        });
        var tensorType = Message(t => t.Int64(1, elemType).Bytes(2, shape));
        return Message(v => v.String(1, name).Bytes(2, Message(type => type.Bytes(1, tensorType))));
    }

    /// <summary>TensorProto of float32 values, stored as little-endian raw_data.</summary>
    public static byte[] Tensor(string name, IEnumerable<long> dims, float[] values) =>
        Tensor(name, dims, Float, LittleEndian(values, sizeof(float), (span, v) => BinaryPrimitives.WriteSingleLittleEndian(span, v)));

    /// <summary>TensorProto of float64 values, stored as little-endian raw_data.</summary>
    public static byte[] Tensor(string name, IEnumerable<long> dims, double[] values) =>
        Tensor(name, dims, Double, LittleEndian(values, sizeof(double), (span, v) => BinaryPrimitives.WriteDoubleLittleEndian(span, v)));

    /// <summary>
    /// TensorProto of <paramref name="dtype"/> holding <paramref name="values"/>, converted as
    /// NF.Cast converts them (an integer truncated, a bool true when nonzero): the exporter's typed
    /// scalars and constants.
    /// </summary>
    public static byte[] Tensor(string name, IEnumerable<long> dims, DType dtype, double[] values) => dtype switch
    {
        DType.Float32 => Tensor(name, dims, values.Select(v => (float)v).ToArray()),
        DType.Float64 => Tensor(name, dims, values),
        DType.Int64 => Tensor(name, dims, values.Select(v => (long)v).ToArray()),
        DType.Int32 => Tensor(name, dims, ElemTypeOf(dtype), LittleEndian(values.Select(v => (int)v).ToArray(), sizeof(int), (span, v) => BinaryPrimitives.WriteInt32LittleEndian(span, v))),
        DType.Float16 => Tensor(name, dims, ElemTypeOf(dtype), LittleEndian(values.Select(v => (Half)v).ToArray(), 2, (span, v) => BinaryPrimitives.WriteHalfLittleEndian(span, v))),
        DType.UInt8 => Tensor(name, dims, ElemTypeOf(dtype), values.Select(v => (byte)v).ToArray()),
        DType.Bool => Tensor(name, dims, ElemTypeOf(dtype), values.Select(v => v != 0 ? (byte)1 : (byte)0).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "No ONNX element type."),
    };

    private static byte[] Tensor(string name, IEnumerable<long> dims, int dataType, byte[] raw) => Message(t =>
    {
        foreach (var d in dims) t.Int64(1, d);
        t.Int64(2, dataType).String(8, name).Bytes(9, raw);
    });

    // raw_data is little-endian by the specification; only a big-endian host needs the slow path.
    private static byte[] LittleEndian<T>(T[] values, int size, SpanAction<T> write) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian) return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var bytes = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++) write(bytes.AsSpan(i * size, size), values[i]);
        return bytes;
    }

    private delegate void SpanAction<T>(Span<byte> span, T value);

    private static byte[] Message(Action<ProtoFields> write) => ProtoFields.Message(write);
}
