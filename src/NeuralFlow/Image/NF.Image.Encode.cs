using System.IO.Compression;
using NeuralFlow.Image.Codecs;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// The PNG file of a uint8 image [height, width, channels] (<c>tf.io.encode_png</c>): 1
        /// channel is gray, 2 gray and alpha, 3 RGB, 4 RGBA. <paramref name="compression"/> is zlib's
        /// level as TensorFlow takes it: -1 the default, 0 none, 1 to 9 faster to smaller.
        /// <see cref="DecodePng"/> reads the bytes back exactly.
        /// </summary>
        /// <exception cref="ArgumentException">The image is not uint8 of rank 3 with 1 to 4 channels, or the level is outside -1..9.</exception>
        public static byte[] EncodePng(Tensor image, int compression = -1)
        {
            const string op = "Image.EncodePng";
            ArgumentNullException.ThrowIfNull(image);
            if (image.Rank != 3 || image.Shape[2] is < 1 or > 4)
                throw new ArgumentException($"{op}: the image must be [height, width, channels] with 1 to 4 channels, got shape {image.Shape}.", nameof(image));
            if (image.DType != DType.UInt8)
                throw new ArgumentException($"{op}: the image must be uint8 (cast it, e.g. NF.Cast(NF.Clip(x, 0, 255), DType.UInt8)), got {image.DType.Name()}.", nameof(image));
            if (image.Shape[0] < 1 || image.Shape[1] < 1)
                throw new ArgumentException($"{op}: the image has no pixels (shape {image.Shape}).", nameof(image));
            if (compression is < -1 or > 9)
                throw new ArgumentOutOfRangeException(nameof(compression), compression, $"{op}: compression must be -1 (default) or a zlib level 0 to 9.");
            var level = compression switch { -1 => CompressionLevel.Optimal, 0 => CompressionLevel.NoCompression, < 6 => CompressionLevel.Fastest, 9 => CompressionLevel.SmallestSize, _ => CompressionLevel.Optimal };
            return PngEncoder.Encode(image.ToArray<byte>(), image.Shape[0], image.Shape[1], image.Shape[2], level);
        }
    }
}
