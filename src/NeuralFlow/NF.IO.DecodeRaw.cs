using System.Text;
using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>TensorFlow's <c>tf.io</c> ops that turn stored bytes into tensors.</summary>
    public static partial class IO
    {
        /// <summary>
        /// Reinterprets each string's bytes as numbers of <paramref name="outType"/> (<c>tf.io.decode_raw</c>):
        /// a tensor of shape <c>input.Shape + [bytes / size]</c>, read little-endian unless
        /// <paramref name="littleEndian"/> is false. All strings need one length, a multiple of the element size
        /// (TF's "Input to DecodeRaw has length 3 that is not a multiple of 4, the size of float"), unless
        /// <paramref name="fixedLength"/> is given: then each string is cut or zero-padded to that many bytes.
        /// A string's bytes are its UTF-8 encoding, as everywhere in <see cref="Strings"/> (and what TF holds for
        /// <c>tf.constant("text")</c>), with the bytes of binary records kept exactly (a TFRecordDataset's records, a
        /// <see cref="StringTensor.FromBytes"/>: invalid UTF-8 bytes are carried escaped); raw binary may also go in as a
        /// <c>byte[]</c> through the other overload. outType is uint8, bool, int32, int64, float16, float32 or float64.
        /// </summary>
        public static Tensor DecodeRaw(StringTensor input, DType outType, bool littleEndian = true, int? fixedLength = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            var records = input.Values.Select(Data.ByteStrings.Encode).ToArray();
            return Decode(records, input.Shape, outType, littleEndian, fixedLength);
        }

        /// <summary>
        /// Reinterprets <paramref name="bytes"/> (e.g. <c>File.ReadAllBytes</c>, TF's <c>tf.io.read_file</c>) as a
        /// 1-D tensor of <paramref name="outType"/> numbers, as <c>tf.io.decode_raw</c> does to one string.
        /// </summary>
        public static Tensor DecodeRaw(byte[] bytes, DType outType, bool littleEndian = true, int? fixedLength = null)
        {
            ArgumentNullException.ThrowIfNull(bytes);
            return Decode([bytes], NeuralFlow.Shape.Scalar, outType, littleEndian, fixedLength);
        }

        private static Tensor Decode(byte[][] records, Shape shape, DType outType, bool littleEndian, int? fixedLength)
        {
            if (outType is DType.String || !Enum.IsDefined(outType))
                throw new ArgumentException($"DecodeRaw: outType {outType} is not a numeric dtype.", nameof(outType));
            int size = outType.SizeInBytes();
            string name = TypeName(outType);
            int length;
            if (fixedLength is { } fixedBytes)
            {
                if (fixedBytes < 0 || fixedBytes % size != 0)
                    throw new ArgumentException($"DecodeRaw: fixedLength ({fixedBytes}) must be a non-negative multiple of the size of out_type ({size}, {name}).", nameof(fixedLength));
                length = fixedBytes;
            }
            else
            {
                length = records.Length == 0 ? 0 : records[0].Length;
                for (int i = 1; i < records.Length; i++)
                    if (records[i].Length != length)
                        throw new ArgumentException($"DecodeRaw requires input strings to all be the same size, but element {i} has size {records[i].Length} != {length}.", "input");
                if (length % size != 0)
                    throw new ArgumentException($"Input to DecodeRaw has length {length} that is not a multiple of {size}, the size of {name}.", "input");
            }
            var data = new byte[checked((long)records.Length * length)];
            for (int i = 0; i < records.Length; i++)
                Array.Copy(records[i], 0, data, (long)i * length, Math.Min(length, records[i].Length));   // the rest stays zero (fixedLength's padding)
            if (littleEndian != BitConverter.IsLittleEndian && size > 1)
                for (int at = 0; at < data.Length; at += size) Array.Reverse(data, at, size);
            var dims = shape.ToArray().Append(length / size).ToArray();
            return outType switch
            {
                DType.UInt8 => Constant(data, new Shape(dims)),
                DType.Bool => Constant(Array.ConvertAll(data, b => b != 0), new Shape(dims)),
                DType.Int32 => Constant(Reinterpret<int>(data), new Shape(dims)),
                DType.Int64 => Constant(Reinterpret<long>(data), new Shape(dims)),
                DType.Float16 => Constant(Reinterpret<Half>(data), new Shape(dims)),
                DType.Float32 => Constant(Reinterpret<float>(data), new Shape(dims)),
                DType.Float64 => Constant(Reinterpret<double>(data), new Shape(dims)),
                _ => throw new ArgumentException($"DecodeRaw: outType {outType} is not supported.", nameof(outType)),
            };
        }

        private static T[] Reinterpret<T>(byte[] data) where T : unmanaged =>
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(data).ToArray();

        // The C type names TF's messages use.
        private static string TypeName(DType dtype) => dtype switch
        {
            DType.Float32 => "float",
            DType.Float64 => "double",
            DType.Float16 => "Eigen::half",
            DType.Int32 => "int32",
            DType.Int64 => "int64",
            DType.UInt8 => "uint8",
            DType.Bool => "bool",
            _ => dtype.ToString(),
        };
    }
}
