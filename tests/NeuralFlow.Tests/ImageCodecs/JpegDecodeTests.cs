namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>
/// NF.Image.DecodeJpeg against Pillow's decode on libjpeg-turbo 2.1 (islow IDCT, fancy upsampling),
/// bit for bit: 43x37 images (partial MCUs on both axes) at 4:4:4, 4:2:2, 4:2:0, 4:4:0 and 4:1:1,
/// progressive, with restart intervals, Huffman-optimized, grayscale (make_fixtures.py, cjpeg).
/// </summary>
public class JpegDecodeTests
{
    public static IEnumerable<object[]> Jpegs() => ImageFixtures.Named(".jpg");

    private static int ChannelsOf(string name) => name.EndsWith("_as_gray", StringComparison.Ordinal) ? 1 : name.EndsWith("_as_rgb", StringComparison.Ordinal) ? 3 : 0;

    [Theory]
    [MemberData(nameof(Jpegs))]
    public void Every_fixture_decodes_to_libjpeg_turbos_pixels(string name)
    {
        using var t = NF.Image.DecodeJpeg(ImageFixtures.File(name), ChannelsOf(name));
        Assert.Equal(DType.UInt8, t.DType);
        ImageFixtures.AssertDecodesTo(name, t);
    }

    [Fact]
    public void Float32_is_the_uint8_decode_over_255()
    {
        var (_, want, _) = ImageFixtures.Expected("jpeg420");
        using var f = NF.Image.DecodeJpeg(ImageFixtures.File("jpeg420"), dtype: DType.Float32);
        Assert.Equal(want.Select(v => v * (float)(1.0 / 255)).ToArray(), f.ToArray<float>());
        using var i = NF.Image.DecodeJpeg(ImageFixtures.File("jpeg420"), dtype: DType.Int32);
        Assert.Equal(want, i.ToArray<int>());
    }

    [Fact]
    public void Arithmetic_coding_is_refused_by_name()
    {
        var e = Assert.Throws<NotSupportedException>(() => NF.Image.DecodeJpeg(ImageFixtures.RawFile("arithmetic.jpg")));
        Assert.Contains("arithmetic", e.Message);
    }

    [Fact]
    public void Four_channels_are_refused_as_tensorflow_does()
    {
        var e = Assert.Throws<ArgumentException>(() => NF.Image.DecodeJpeg(ImageFixtures.File("jpeg444"), channels: 4));
        Assert.Contains("channels", e.Message);
    }
}
