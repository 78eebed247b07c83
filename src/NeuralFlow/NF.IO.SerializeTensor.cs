using Google.Protobuf;
using NeuralFlow.Data;
using NeuralFlow.IO;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class IO
    {
        /// <summary>
        /// The tensor as a serialized TensorFlow <c>TensorProto</c> (<c>tf.io.serialize_tensor</c>): a scalar string of the
        /// very bytes TensorFlow writes (dtype, shape, the values as raw little-endian tensor_content), to store in a
        /// TFRecord <see cref="Train.Feature.Bytes(string[])"/> and read back with <see cref="ParseTensor(StringTensor, DType)"/>
        /// here or <c>tf.io.parse_tensor</c> in Python.
        /// </summary>
        public static StringTensor SerializeTensor(Tensor tensor)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            return StringTensor.FromBytes(TensorProtoCodec.Write(tensor.DType, tensor.Shape, TensorProtoCodec.Content(tensor), null));
        }

        /// <summary>A string tensor as a serialized <c>TensorProto</c> (<c>tf.io.serialize_tensor</c> of a <c>tf.string</c> tensor: its strings in string_val).</summary>
        public static StringTensor SerializeTensor(StringTensor tensor)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            return StringTensor.FromBytes(TensorProtoCodec.Write(DType.String, tensor.Shape, null, tensor.Values));
        }

        /// <summary>
        /// The tensor a serialized <c>TensorProto</c> holds (<c>tf.io.parse_tensor(serialized, out_type)</c>), in its shape.
        /// <paramref name="outType"/> must be the stored dtype, as in TensorFlow ("Type mismatch between parsed tensor (float)
        /// and dtype (int32)"); a string tensor is read by <see cref="ParseStringTensor(StringTensor)"/>. Besides what
        /// <see cref="SerializeTensor(Tensor)"/> writes, the typed value lists other writers use (float_val, int_val, ...) are
        /// read too, the last value repeated to fill the shape as TensorFlow does.
        /// </summary>
        /// <exception cref="ArgumentException">The bytes are not a TensorProto, or hold another dtype than outType.</exception>
        public static Tensor ParseTensor(StringTensor serialized, DType outType)
        {
            ArgumentNullException.ThrowIfNull(serialized);
            return ParseTensor(OneRecord(serialized, nameof(ParseTensor)), outType);
        }

        /// <summary><see cref="ParseTensor(StringTensor, DType)"/> of the bytes of a serialized TensorProto.</summary>
        public static Tensor ParseTensor(byte[] serialized, DType outType)
        {
            ArgumentNullException.ThrowIfNull(serialized);
            if (outType == DType.String)
                throw new ArgumentException("ParseTensor: outType is DType.String; a string tensor is not a Tensor here: read it with NF.IO.ParseStringTensor.", nameof(outType));
            if (!Enum.IsDefined(outType)) throw new ArgumentException($"ParseTensor: outType {outType} is not a dtype.", nameof(outType));
            var proto = ReadProto(serialized, outType);
            var shape = new Shape(proto.Dims);
            byte[] data = proto.Content.Length > 0 ? proto.Content : Typed(proto, outType, shape.Count);
            if (data.LongLength != shape.Count * outType.SizeInBytes())
                throw new ArgumentException($"ParseTensor: the TensorProto's {data.LongLength} bytes of {outType.Name()} values do not fill its shape {shape} ({shape.Count} elements).", nameof(serialized));
            return Reshape(Decode([data], NeuralFlow.Shape.Scalar, outType, littleEndian: true, fixedLength: null), shape);
        }

        /// <summary>The string tensor a serialized <c>TensorProto</c> of strings holds (<c>tf.io.parse_tensor(serialized, tf.string)</c>).</summary>
        public static StringTensor ParseStringTensor(StringTensor serialized)
        {
            ArgumentNullException.ThrowIfNull(serialized);
            return ParseStringTensor(OneRecord(serialized, nameof(ParseStringTensor)));
        }

        /// <summary><see cref="ParseStringTensor(StringTensor)"/> of the bytes of a serialized TensorProto.</summary>
        public static StringTensor ParseStringTensor(byte[] serialized)
        {
            ArgumentNullException.ThrowIfNull(serialized);
            var proto = ReadProto(serialized, DType.String);
            var shape = new Shape(proto.Dims);
            var values = proto.Typed[8];
            if (values.Count > shape.Count)
                throw new ArgumentException($"ParseStringTensor: the TensorProto holds {values.Count} strings for its shape {shape} ({shape.Count} elements).", nameof(serialized));
            var strings = new string[shape.Count];   // no strings: all "", fewer: the last repeated (Tensor::FromProto)
            for (int i = 0; i < strings.Length; i++)
                strings[i] = values.Count == 0 ? "" : ByteStrings.Decode(values[Math.Min(i, values.Count - 1)]);
            return StringTensor.Wrap(strings, shape);
        }

        private static byte[] OneRecord(StringTensor serialized, string op) => serialized.Count == 1
            ? serialized.ToBytes()
            : throw new ArgumentException($"{op}: serialized must be one string (a scalar), as tf.io.parse_tensor takes; it has shape {serialized.Shape}.", nameof(serialized));

        private static TensorProtoCodec.Parsed ReadProto(byte[] serialized, DType outType)
        {
            TensorProtoCodec.Parsed proto;
            try
            {
                proto = TensorProtoCodec.Read(serialized);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
            {
                throw new ArgumentException($"ParseTensor: the {serialized.Length} bytes are not a serialized TensorProto ({e.Message}).", nameof(serialized), e);
            }
            if (proto.UnknownRank) throw new ArgumentException("ParseTensor: the TensorProto's shape has an unknown rank; a stored tensor needs a full shape.", nameof(serialized));
            int expected = TensorProtoCodec.DataType(outType);
            if (proto.DataType != expected)
                throw new ArgumentException(
                    $"ParseTensor: Type mismatch between parsed tensor ({TensorProtoCodec.Name(proto.DataType)}) and dtype ({TensorProtoCodec.Name(expected)}).", nameof(outType));
            return proto;
        }

        private static byte[] Typed(TensorProtoCodec.Parsed proto, DType outType, long count)
        {
            try
            {
                return TensorProtoCodec.FromTyped(proto, outType, count);
            }
            catch (InvalidDataException e)
            {
                throw new ArgumentException($"ParseTensor: the TensorProto's values do not fit its shape {new Shape(proto.Dims)} ({e.Message}).", "serialized", e);
            }
        }
    }
}
