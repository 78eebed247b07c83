using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// <see cref="DecodeJpeg(byte[], int, DType)"/> of a scalar string holding the file's bytes, as
        /// <c>tf.io.decode_jpeg(tf.io.read_file(path))</c> gets them (<see cref="IO.ReadFile(StringTensor)"/>).
        /// </summary>
        /// <exception cref="ArgumentException">contents is not a scalar (one image per call, as TF's), or as the byte[] overload.</exception>
        public static Tensor DecodeJpeg(StringTensor contents, int channels = 0, DType dtype = DType.UInt8) =>
            DecodeJpeg(ScalarBytes("Image.DecodeJpeg", contents), channels, dtype);

        /// <summary><see cref="DecodePng(byte[], int, DType)"/> of a scalar string holding the file's bytes (<c>tf.io.decode_png</c>).</summary>
        /// <exception cref="ArgumentException">contents is not a scalar, or as the byte[] overload.</exception>
        public static Tensor DecodePng(StringTensor contents, int channels = 0, DType dtype = DType.UInt8) =>
            DecodePng(ScalarBytes("Image.DecodePng", contents), channels, dtype);

        /// <summary><see cref="DecodeImage(byte[], int, DType, bool)"/> of a scalar string holding the file's bytes (<c>tf.io.decode_image</c>).</summary>
        /// <exception cref="ArgumentException">contents is not a scalar, or as the byte[] overload.</exception>
        public static Tensor DecodeImage(StringTensor contents, int channels = 0, DType dtype = DType.UInt8, bool expandAnimations = true) =>
            DecodeImage(ScalarBytes("Image.DecodeImage", contents), channels, dtype, expandAnimations);

        // TF's decoders take a 0-D string: a batch of files is a dataset map, not one call.
        private static byte[] ScalarBytes(string op, StringTensor contents)
        {
            ArgumentNullException.ThrowIfNull(contents);
            if (contents.Rank != 0)
                throw new ArgumentException($"{op}: contents must be a scalar string (one file's bytes), got shape {contents.Shape}; map the decode over a dataset of files to read several.", nameof(contents));
            return contents.ToBytes();
        }
    }
}
