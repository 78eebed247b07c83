using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// tf.io.decode_jpeg and decode_png share one kernel that reads whichever format the bytes are ("this op
/// also supports decoding PNGs and non-animated GIFs"): the pix2pix tutorial's decode_jpeg of a file that is
/// a PNG works, an animation is refused by name. And the decoders take the scalar string tf.io.read_file
/// gives (NF.IO.ReadFile), refusing a batch of strings.
/// </summary>
public abstract class ImageDecodeAnyFormatTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Pixels(int channels)
    {
        var p = new byte[3, 4, channels];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                for (int c = 0; c < channels; c++) p[i, j, c] = (byte)(i * 60 + j * 17 + c * 5);
        return NF.Constant(p);
    }

    [SkippableFact]
    public void Decode_jpeg_reads_png_bytes_as_tf_does()
    {
        RequireBackend();
        var rgb = Pixels(3);
        var png = NF.Image.EncodePng(rgb);
        Assert.Equal(rgb.ToArray<byte>(), NF.Image.DecodeJpeg(png).ToArray<byte>());
        Assert.Equal(new Shape(3, 4, 1), NF.Image.DecodeJpeg(png, channels: 1).Shape);
        Assert.Equal(NF.Cast(rgb, DType.Int32).ToArray<int>(), NF.Image.DecodeJpeg(png, dtype: DType.Int32).ToArray<int>());
        // RGBA stays 4 channels with channels 0, as TF's decode of the PNG.
        var rgba = Pixels(4);
        Assert.Equal(rgba.ToArray<byte>(), NF.Image.DecodeJpeg(NF.Image.EncodePng(rgba)).ToArray<byte>());
        // decode_jpeg's channel rule still holds: 4 is refused whatever the bytes.
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => NF.Image.DecodeJpeg(png, channels: 4)).Message);
        // A BMP reads too; a GIF animation is refused by name (decode_gif and decode_image read those).
        Assert.Equal(ImageCodecs.ImageFixtures.Expected("rgb24").Item1, NF.Image.DecodePng(ImageCodecs.ImageFixtures.File("rgb24")).Shape.ToArray());
        Assert.Contains("2 frames", Assert.Throws<InvalidDataException>(() => NF.Image.DecodeJpeg(ImageCodecs.ImageFixtures.File("two_frames"))).Message);
        // Bytes of no known format: the JPEG decoder's own complaint.
        Assert.Throws<InvalidDataException>(() => NF.Image.DecodeJpeg([1, 2, 3, 4, 5]));
        Assert.Throws<InvalidDataException>(() => NF.Image.DecodePng([1, 2, 3, 4, 5]));
    }

    [SkippableFact]
    public void The_decoders_take_the_scalar_string_read_file_returns()
    {
        RequireBackend();
        var rgb = Pixels(3);
        string file = Temp.File("image.png");
        File.WriteAllBytes(file, NF.Image.EncodePng(rgb));
        var contents = NF.IO.ReadFile(file);
        Assert.Equal(rgb.ToArray<byte>(), NF.Image.DecodeJpeg(contents).ToArray<byte>());
        Assert.Equal(rgb.ToArray<byte>(), NF.Image.DecodePng(contents).ToArray<byte>());
        Assert.Equal(rgb.ToArray<byte>(), NF.Image.DecodeImage(contents).ToArray<byte>());
        Assert.Equal(rgb.ToArray<byte>(), NF.Image.DecodeJpeg(NF.IO.ReadFile(new StringTensor(file))).ToArray<byte>());
        var two = new StringTensor([file, file]);
        Assert.Contains("scalar string", Assert.Throws<ArgumentException>(() => NF.Image.DecodeJpeg(two)).Message);
        Assert.Throws<ArgumentNullException>(() => NF.Image.DecodeJpeg((StringTensor)null!));
    }
}

/// <summary>Decoding any image format on the managed backend.</summary>
public sealed class ManagedImageDecodeAnyFormatTests() : ImageDecodeAnyFormatTests("managed");

/// <summary>Decoding any image format on the native CPU backend.</summary>
public sealed class NativeCpuImageDecodeAnyFormatTests() : ImageDecodeAnyFormatTests("cpu");

/// <summary>Decoding any image format on CUDA.</summary>
public sealed class CudaImageDecodeAnyFormatTests() : ImageDecodeAnyFormatTests("cuda");
