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
        /// <c>byte[]</c> through the other overload. outType is uint8, bool, int32, int64, float16, float32 or float64;
        /// TF's int8, int16, uint16 and bfloat16 go through the <see cref="RawDType"/> overload.
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

        /// <summary>
        /// The element types <c>tf.io.decode_raw</c> reads that NeuralFlow has no dtype for. Their values come back
        /// widened, exactly: the integers as int32, bfloat16 as float32 (what <c>tf.cast(tf.io.decode_raw(x, tf.int16), tf.int32)</c> gives).
        /// </summary>
        public enum RawDType
        {
            /// <summary>Signed bytes (<c>tf.int8</c>), read as int32.</summary>
            Int8,
            /// <summary>16-bit signed integers (<c>tf.int16</c>), read as int32.</summary>
            Int16,
            /// <summary>16-bit unsigned integers (<c>tf.uint16</c>), read as int32.</summary>
            UInt16,
            /// <summary>bfloat16 (<c>tf.bfloat16</c>, the upper half of a float32), read as float32.</summary>
            BFloat16,
        }

        /// <summary>
        /// <see cref="DecodeRaw(StringTensor, DType, bool, int?)"/> for the element types NeuralFlow has no dtype for
        /// (<c>tf.io.decode_raw(x, tf.int16)</c>): each string's bytes read as <paramref name="outType"/> elements
        /// (2 bytes each, 1 for Int8), their values widened exactly to int32 (or float32 for BFloat16).
        /// </summary>
        public static Tensor DecodeRaw(StringTensor input, RawDType outType, bool littleEndian = true, int? fixedLength = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            return DecodeWidened(input.Values.Select(Data.ByteStrings.Encode).ToArray(), input.Shape, outType, littleEndian, fixedLength);
        }

        /// <summary><see cref="DecodeRaw(StringTensor, RawDType, bool, int?)"/> of raw bytes: a 1-D tensor of their values.</summary>
        public static Tensor DecodeRaw(byte[] bytes, RawDType outType, bool littleEndian = true, int? fixedLength = null)
        {
            ArgumentNullException.ThrowIfNull(bytes);
            return DecodeWidened([bytes], NeuralFlow.Shape.Scalar, outType, littleEndian, fixedLength);
        }

        private static Tensor DecodeWidened(byte[][] records, Shape shape, RawDType outType, bool littleEndian, int? fixedLength)
        {
            var (size, name) = outType switch
            {
                RawDType.Int8 => (1, "int8"),
                RawDType.Int16 => (2, "int16"),
                RawDType.UInt16 => (2, "uint16"),
                RawDType.BFloat16 => (2, "bfloat16"),
                _ => throw new ArgumentException($"DecodeRaw: outType {outType} is not a RawDType.", nameof(outType)),
            };
            var (data, dims) = Elements(records, shape, size, name, littleEndian, fixedLength);
            return outType switch
            {
                RawDType.Int8 => Constant(Array.ConvertAll(data, b => (int)(sbyte)b), new Shape(dims)),
                RawDType.Int16 => Constant(Array.ConvertAll(Reinterpret<short>(data), v => (int)v), new Shape(dims)),
                RawDType.UInt16 => Constant(Array.ConvertAll(Reinterpret<ushort>(data), v => (int)v), new Shape(dims)),
                // bfloat16 is the upper 16 bits of a float32: shifted back up, every value (NaN, inf, subnormals) is exact.
                _ => Constant(Array.ConvertAll(Reinterpret<ushort>(data), h => BitConverter.Int32BitsToSingle(h << 16)), new Shape(dims)),
            };
        }

        private static Tensor Decode(byte[][] records, Shape shape, DType outType, bool littleEndian, int? fixedLength)
        {
            if (outType is DType.String || !Enum.IsDefined(outType))
                throw new ArgumentException($"DecodeRaw: outType {outType} is not a numeric dtype.", nameof(outType));
            var (data, dims) = Elements(records, shape, outType.SizeInBytes(), TypeName(outType), littleEndian, fixedLength);
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

        // The records' bytes, checked, cut or padded to one length, in the machine's byte order; and the result's dims.
        private static (byte[] Data, int[] Dims) Elements(byte[][] records, Shape shape, int size, string name, bool littleEndian, int? fixedLength)
        {
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
            return (data, shape.ToArray().Append(length / size).ToArray());
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
