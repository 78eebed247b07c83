namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>
/// NF.Image.DecodeBmp and DecodeGif against Pillow-written files (24/32-bit, an 8-bit palette,
/// top-down rows; a two-frame GIF), and NF.Image.DecodeImage choosing the decoder by signature.
/// </summary>
public class BmpGifDecodeTests
{
    private static int[] Ints(Tensor t) => t.ToArray<byte>().Select(b => (int)b).ToArray();

    [Theory]
    [InlineData("rgb24")]
    [InlineData("rgba32")]
    [InlineData("palette8")]
    [InlineData("rgb24_topdown")]
    public void Bmp_fixtures_decode_to_their_pixels(string name)
    {
        using var t = NF.Image.DecodeBmp(ImageFixtures.File(name));
        ImageFixtures.AssertDecodesTo(name, t);
    }

    // two_frames: Pillow-written; offset_transparent (hand-made): an interlaced 3x3 frame at (1, 1)
    // whose transparent pixels let the first frame show, TF's composition (Pillow agrees).
    [Theory]
    [InlineData("two_frames")]
    [InlineData("offset_transparent")]
    public void Gif_frames_decode_to_tensorflows_composition(string name)
    {
        using var t = NF.Image.DecodeGif(ImageFixtures.File(name));
        ImageFixtures.AssertDecodesTo(name, t);
        var (shape, want, _) = ImageFixtures.Expected(name);
        using var first = NF.Image.DecodeImage(ImageFixtures.File(name), expandAnimations: false);
        Assert.Equal(shape[1..], first.Shape.ToArray());
        Assert.Equal(want[..(want.Length / shape[0])], Ints(first));
    }

    [Theory]
    [InlineData("rgb8")]
    [InlineData("jpeg420")]
    [InlineData("rgb24")]
    [InlineData("two_frames")]
    public void Decode_image_sniffs_the_format(string name)
    {
        using var t = NF.Image.DecodeImage(ImageFixtures.File(name));
        ImageFixtures.AssertDecodesTo(name, t);
        var (_, want, _) = ImageFixtures.Expected(name);
        using var f = NF.Image.DecodeImage(ImageFixtures.File(name), dtype: DType.Float32);
        Assert.Equal(want.Select(v => v * (float)(1.0 / 255)).ToArray(), f.ToArray<float>());
    }

    [Fact]
    public void Decode_image_refuses_unknown_bytes_and_gray_gifs()
    {
        Assert.Contains("not a JPEG, PNG, GIF or BMP", Assert.Throws<InvalidDataException>(() => NF.Image.DecodeImage([1, 2, 3, 4, 5])).Message);
        Assert.Contains("no bytes", Assert.Throws<InvalidDataException>(() => NF.Image.DecodeImage([])).Message);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => NF.Image.DecodeImage(ImageFixtures.File("two_frames"), channels: 1)).Message);
        using var rgba = NF.Image.DecodeImage(ImageFixtures.File("jpeg444"), channels: 4);
        Assert.Equal(255, rgba.ToArray<byte>()[3]);
    }

    [Theory]
    [InlineData("palette8", "Invalid BMP image")]
    [InlineData("rgba32", "Invalid BMP image")]
    [InlineData("two_frames", "Invalid GIF image")]
    public void Every_truncation_is_a_clear_error(string name, string prefix)
    {
        var bytes = ImageFixtures.File(name);
        for (int n = 0; n < bytes.Length; n++)
        {
            var cut = bytes[..n];
            var e = Assert.Throws<InvalidDataException>(() => (name.StartsWith("two") ? NF.Image.DecodeGif(cut) : NF.Image.DecodeBmp(cut)).Dispose());
            Assert.StartsWith(prefix, e.Message);
        }
    }

    [Fact]
    public void Random_gif_and_bmp_edits_decode_or_raise_a_clear_error()
    {
        var random = new Random(5);
        foreach (var (name, decode) in new (string, Func<byte[], Tensor>)[] { ("two_frames", b => NF.Image.DecodeGif(b)), ("palette8", b => NF.Image.DecodeBmp(b)) })
        {
            var original = ImageFixtures.File(name);
            for (int trial = 0; trial < 500; trial++)
            {
                var bytes = (byte[])original.Clone();
                for (int e = 0; e < 1 + trial % 3; e++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                try { decode(bytes).Dispose(); }
                catch (InvalidDataException e) { Assert.StartsWith("Invalid", e.Message); }
                catch (NotSupportedException e) { Assert.StartsWith("BMP:", e.Message); }
            }
        }
    }
}
