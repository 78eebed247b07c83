using NeuralFlow.Image.Codecs;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// Decodes a PNG file's bytes to a [height, width, channels] tensor (<c>tf.io.decode_png</c>).
        /// <paramref name="channels"/> 0 keeps the stored channels (gray 1, gray+alpha 2, RGB 3, RGBA 4; a
        /// palette gives RGB, or RGBA when it has a tRNS chunk); 1, 3 and 4 convert as TensorFlow does
        /// (alpha dropped or added opaque, gray replicated, RGB to gray with libpng's fixed-point
        /// 0.299/0.587/0.114 weights). All bit depths, palettes, tRNS and Adam7 interlacing are read; low
        /// bit depths are scaled to 8 bits. <paramref name="dtype"/>: uint8 (16-bit samples keep their
        /// high byte, TF's uint8 decode), int32 (the samples as stored, 0..65535 for a 16-bit file) or
        /// float32 (scaled to [0, 1], <c>tf.image.convert_image_dtype</c>). As TF's, it also reads JPEG, BMP
        /// and one-frame GIF bytes (one decoder behind decode_png and decode_jpeg).
        /// </summary>
        /// <exception cref="ArgumentException">channels is not 0, 1, 3 or 4, or dtype is not uint8, int32 or float32.</exception>
        /// <exception cref="InvalidDataException">The bytes are not a valid PNG (the message says what is wrong), or claim more than 2^28 pixels.</exception>
        public static Tensor DecodePng(byte[] contents, int channels = 0, DType dtype = DType.UInt8)
        {
            CheckDecode("Image.DecodePng", contents, channels, dtype, 0, 1, 3, 4);
            return DecodeStill("Image.DecodePng", contents, channels, dtype);
        }

        /// <summary>
        /// Decodes a JPEG file's bytes to a [height, width, channels] tensor (<c>tf.io.decode_jpeg</c>):
        /// baseline and progressive Huffman JPEGs, grayscale or 3-component (YCbCr; RGB when an Adobe
        /// marker or the component ids say so), any sampling factors (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1),
        /// restart intervals; EXIF and other APPn segments are skipped (the orientation is not applied,
        /// as TF). The pixels are libjpeg-turbo's default decode, bit for bit: the accurate integer IDCT
        /// ("islow", TF's dct_method="INTEGER_ACCURATE", Pillow's default), fancy chroma upsampling and
        /// libjpeg's fixed-point YCbCr to RGB. <paramref name="channels"/> 0 keeps the file's (1 or 3), 1
        /// gives libjpeg's grayscale output (the Y plane), 3 RGB. <paramref name="dtype"/>: uint8, int32
        /// (0..255) or float32 (x / 255). As TF's, it also reads PNG, BMP and one-frame GIF bytes (a PNG
        /// with alpha keeps its 4 channels when channels is 0); an animated GIF is refused.
        /// </summary>
        /// <exception cref="ArgumentException">channels is not 0, 1 or 3, or dtype is not uint8, int32 or float32.</exception>
        /// <exception cref="InvalidDataException">The bytes are not a valid JPEG (the message says what is wrong), or claim more than 2^28 pixels.</exception>
        /// <exception cref="NotSupportedException">An arithmetic-coded, lossless, hierarchical, 12-bit or CMYK JPEG.</exception>
        public static Tensor DecodeJpeg(byte[] contents, int channels = 0, DType dtype = DType.UInt8)
        {
            CheckDecode("Image.DecodeJpeg", contents, channels, dtype, 0, 1, 3);
            return DecodeStill("Image.DecodeJpeg", contents, channels, dtype);
        }

        // TF's decode_jpeg and decode_png share one kernel that reads whichever format the bytes are
        // ("this op also supports decoding PNGs and non-animated GIFs"): a folder of .jpg files that
        // are really PNGs still loads. Only GIF animations are refused, as TF refuses them here.
        private static Tensor DecodeStill(string op, byte[] contents, int channels, DType dtype)
        {
            if (JpegDecoder.IsJpeg(contents)) return JpegDecoder.Decode(contents, gray: channels == 1).WithChannels(channels).ToTensor(dtype);
            if (PngDecoder.IsPng(contents)) return PngDecoder.Decode(contents).WithChannels(channels).ToTensor(dtype);
            if (BmpDecoder.IsBmp(contents)) return BmpDecoder.Decode(contents).WithChannels(channels).ToTensor(dtype);
            if (GifDecoder.IsGif(contents))
            {
                if (channels is not (0 or 3))
                    throw new ArgumentException($"{op}: a GIF decodes to RGB only, so channels must be 0 or 3, got {channels}.", nameof(channels));
                int frames = GifDecoder.Decode(contents, firstOnly: false).Frames.Count;
                if (frames != 1)
                    throw new InvalidDataException($"{op}: the GIF has {frames} frames; an animation decodes with Image.DecodeGif or Image.DecodeImage.");
                return GifTensor(contents, dtype, firstOnly: true);
            }
            // The format's own decoder names what is wrong with the bytes.
            return op == "Image.DecodePng" ? PngDecoder.Decode(contents).WithChannels(channels).ToTensor(dtype)
                                           : JpegDecoder.Decode(contents, gray: channels == 1).WithChannels(channels).ToTensor(dtype);
        }

        /// <summary>
        /// Decodes an uncompressed BMP file's bytes to a [height, width, channels] tensor
        /// (<c>tf.io.decode_bmp</c>): 24-bit gives RGB, 32-bit RGBA (the fourth byte as alpha, as TF), 1/4/8-bit
        /// palettes RGB; bottom-up and top-down files. <paramref name="channels"/> 0 keeps those; 1, 3 and 4
        /// convert as <see cref="DecodePng"/> does. <paramref name="dtype"/>: uint8, int32 or float32 (x / 255).
        /// </summary>
        /// <exception cref="ArgumentException">channels is not 0, 1, 3 or 4, or dtype is not uint8, int32 or float32.</exception>
        /// <exception cref="InvalidDataException">The bytes are not a valid BMP, or claim more than 2^28 pixels.</exception>
        /// <exception cref="NotSupportedException">A compressed (RLE, embedded JPEG/PNG) or 16-bit BMP.</exception>
        public static Tensor DecodeBmp(byte[] contents, int channels = 0, DType dtype = DType.UInt8)
        {
            CheckDecode("Image.DecodeBmp", contents, channels, dtype, 0, 1, 3, 4);
            return BmpDecoder.Decode(contents).WithChannels(channels).ToTensor(dtype);
        }

        /// <summary>
        /// Decodes a GIF file's bytes to its frames, a uint8 [frames, height, width, 3] tensor on the
        /// logical screen (<c>tf.io.decode_gif</c>): each frame is painted over a copy of the previous one
        /// (black before the first), pixels of the transparent index letting the previous frame show, as
        /// TF composes them; interlaced frames are reordered.
        /// </summary>
        /// <exception cref="InvalidDataException">The bytes are not a valid GIF, or its frames hold more than 2^28 pixels.</exception>
        public static Tensor DecodeGif(byte[] contents)
        {
            ArgumentNullException.ThrowIfNull(contents);
            return GifTensor(contents, DType.UInt8, firstOnly: false);
        }

        /// <summary>
        /// Decodes a JPEG, PNG, GIF or BMP file's bytes, whichever its signature says it is
        /// (<c>tf.io.decode_image</c>): [height, width, channels], or [frames, height, width, 3] for a GIF
        /// unless <paramref name="expandAnimations"/> is false (then its first frame, 3-D). Channels and
        /// dtype as the format's own decoder (a GIF takes channels 0 or 3; a JPEG asked for 4 gets opaque
        /// alpha). float32 is scaled to [0, 1] as <c>tf.image.convert_image_dtype</c>.
        /// </summary>
        /// <exception cref="ArgumentException">channels is not 0, 1, 3 or 4 (0 or 3 for a GIF), or dtype is not uint8, int32 or float32.</exception>
        /// <exception cref="InvalidDataException">The bytes are none of the four formats, or are a malformed file of one.</exception>
        public static Tensor DecodeImage(byte[] contents, int channels = 0, DType dtype = DType.UInt8, bool expandAnimations = true)
        {
            const string op = "Image.DecodeImage";
            CheckDecode(op, contents, channels, dtype, 0, 1, 3, 4);
            if (PngDecoder.IsPng(contents)) return PngDecoder.Decode(contents).WithChannels(channels).ToTensor(dtype);
            if (JpegDecoder.IsJpeg(contents)) return JpegDecoder.Decode(contents, gray: channels == 1).WithChannels(channels).ToTensor(dtype);
            if (BmpDecoder.IsBmp(contents)) return BmpDecoder.Decode(contents).WithChannels(channels).ToTensor(dtype);
            if (GifDecoder.IsGif(contents))
            {
                if (channels is not (0 or 3))
                    throw new ArgumentException($"{op}: a GIF decodes to RGB only, so channels must be 0 or 3, got {channels}.", nameof(channels));
                return GifTensor(contents, dtype, firstOnly: !expandAnimations);
            }
            throw new InvalidDataException($"{op}: the data is not a JPEG, PNG, GIF or BMP image (unknown signature{(contents.Length == 0 ? ", no bytes" : $" {Convert.ToHexString(contents.AsSpan(0, Math.Min(4, contents.Length)))}")}).");
        }

        // The frames as one tensor: [frames, height, width, 3], or [height, width, 3] for the first frame alone.
        private static Tensor GifTensor(byte[] contents, DType dtype, bool firstOnly)
        {
            var (frames, width, height) = GifDecoder.Decode(contents, firstOnly);
            var samples = new ushort[(long)frames.Count * width * height * 3];
            long at = 0;
            foreach (var frame in frames)
                foreach (byte b in frame) samples[at++] = b;
            var stacked = new DecodedImage(width, frames.Count * height, 3, 8, samples).ToTensor(dtype);
            return firstOnly ? stacked : Reshape(stacked, [frames.Count, height, width, 3]);
        }

        /// <summary>
        /// Encodes a uint8 [height, width, channels] image (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) as PNG
        /// bytes (<c>tf.io.encode_png</c>), 8 bits per sample, not interlaced; <paramref name="compression"/>
        /// is zlib's level, -1 (its default) or 0 to 9. <see cref="DecodePng"/> reads the result back
        /// exactly; write it with <c>File.WriteAllBytes</c>.
        /// </summary>
        /// <exception cref="ArgumentException">The image is not uint8 of rank 3 with 1 to 4 channels and at least one pixel, or compression is outside -1..9.</exception>
        public static byte[] EncodePng(Tensor image, int compression = -1)
        {
            const string op = "Image.EncodePng";
            ArgumentNullException.ThrowIfNull(image);
            if (image.Rank != 3 || image.Shape[2] is < 1 or > 4 || image.Shape[0] < 1 || image.Shape[1] < 1)
                throw new ArgumentException($"{op}: image must be [height, width, channels] with 1 to 4 channels and at least one pixel, got shape {image.Shape}.", nameof(image));
            if (image.DType != DType.UInt8)
                throw new ArgumentException($"{op}: image must be uint8, got {image.DType.Name()}; cast it (float images: NF.Cast(NF.Round(x * 255), DType.UInt8)).", nameof(image));
            if (compression is < -1 or > 9)
                throw new ArgumentException($"{op}: compression must be -1 (zlib's default) or 0 to 9, got {compression}.", nameof(compression));
            return PngEncoder.Encode(image.ToArray<byte>(), image.Shape[1], image.Shape[0], image.Shape[2], compression);
        }

        // The argument checks every decoder makes before it reads a byte.
        private static void CheckDecode(string op, byte[] contents, int channels, DType dtype, params int[] allowedChannels)
        {
            ArgumentNullException.ThrowIfNull(contents);
            if (!allowedChannels.Contains(channels))
                throw new ArgumentException($"{op}: channels must be {string.Join(", ", allowedChannels)} (0: as stored), got {channels}.", nameof(channels));
            if (dtype is not (DType.UInt8 or DType.Int32 or DType.Float32))
                throw new ArgumentException($"{op}: dtype must be uint8, int32 or float32, got {dtype.Name()}.", nameof(dtype));
        }
    }
}
