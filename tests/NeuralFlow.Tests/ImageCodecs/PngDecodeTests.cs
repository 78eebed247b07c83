namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>
/// NF.Image.DecodePng against files of every colour type and bit depth, palettes with tRNS, Adam7,
/// all five filters (make_fixtures.py writes them; the expected samples are their source arrays,
/// checked against Pillow), and TensorFlow's channel and dtype conversions.
/// </summary>
public class PngDecodeTests
{
    public static IEnumerable<object[]> Pngs() => ImageFixtures.Named(".png");

    // The fixtures whose expected samples are another channel choice than "as stored".
    private static int ChannelsOf(string name) => name.EndsWith("_rgba", StringComparison.Ordinal) ? 4 : name.EndsWith("_gray", StringComparison.Ordinal) ? 1 : 0;

    [Theory]
    [MemberData(nameof(Pngs))]
    public void Every_fixture_decodes_to_its_source_samples(string name)
    {
        using var t = NF.Image.DecodePng(ImageFixtures.File(name), ChannelsOf(name), DType.Int32);
        ImageFixtures.AssertDecodesTo(name, t);
    }

    [Theory]
    [InlineData("gray16")]
    [InlineData("rgb16")]
    [InlineData("rgba16")]
    [InlineData("gray_alpha16")]
    public void Sixteen_bit_files_give_the_high_byte_as_uint8_and_fractions_as_float32(string name)
    {
        var (shape, want, depth) = ImageFixtures.Expected(name);
        Assert.Equal(16, depth);
        var bytes = ImageFixtures.File(name);
        using var u8 = NF.Image.DecodePng(bytes);
        Assert.Equal(DType.UInt8, u8.DType);
        ImageFixtures.AssertSamples(name, shape, want.Select(v => v >> 8).ToArray(), u8.ToArray<byte>().Select(b => (int)b).ToArray());
        using var f = NF.Image.DecodePng(bytes, dtype: DType.Float32);
        var got = f.ToArray<float>();
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i] * (float)(1.0 / 65535), got[i]);
        Assert.Equal(1f, (float)(65535 * (float)(1.0 / 65535)));
    }

    [Fact]
    public void Eight_bit_files_give_uint8_by_default_and_value_over_255_as_float32()
    {
        var (shape, want, _) = ImageFixtures.Expected("rgb8");
        using var u8 = NF.Image.DecodePng(ImageFixtures.File("rgb8"));
        Assert.Equal(DType.UInt8, u8.DType);
        Assert.Equal(shape, u8.Shape.ToArray());
        ImageFixtures.AssertSamples("rgb8", shape, want, u8.ToArray<byte>().Select(b => (int)b).ToArray());
        using var f = NF.Image.DecodePng(ImageFixtures.File("rgb8"), dtype: DType.Float32);
        Assert.Equal(want.Select(v => v * (float)(1.0 / 255)).ToArray(), f.ToArray<float>());
    }

    [Fact]
    public void Channels_convert_as_tensorflow_does()
    {
        var (_, gray, _) = ImageFixtures.Expected("gray8");
        using var asRgb = NF.Image.DecodePng(ImageFixtures.File("gray8"), channels: 3, DType.Int32);
        Assert.Equal(gray.SelectMany(v => new[] { v, v, v }).ToArray(), asRgb.ToArray<int>());
        using var asGrayAlpha = NF.Image.DecodePng(ImageFixtures.File("gray8"), channels: 4, DType.Int32);
        Assert.Equal(gray.SelectMany(v => new[] { v, v, v, 255 }).ToArray(), asGrayAlpha.ToArray<int>());

        var (_, rgba, _) = ImageFixtures.Expected("rgba8");
        using var dropped = NF.Image.DecodePng(ImageFixtures.File("rgba8"), channels: 3, DType.Int32);
        Assert.Equal(rgba.Where((_, i) => i % 4 != 3).ToArray(), dropped.ToArray<int>());

        var (_, paletteRgba, _) = ImageFixtures.Expected("palette4_trns");
        using var paletteRgb = NF.Image.DecodePng(ImageFixtures.File("palette4_trns"), channels: 3, DType.Int32);
        Assert.Equal(paletteRgba.Where((_, i) => i % 4 != 3).ToArray(), paletteRgb.ToArray<int>());

        // 16-bit RGB to gray: libpng rounds at 16 bits (+16384 before the shift), then uint8 keeps the high byte.
        var (_, rgb16, _) = ImageFixtures.Expected("rgb16");
        using var gray16 = NF.Image.DecodePng(ImageFixtures.File("rgb16"), channels: 1, DType.Int32);
        var g = gray16.ToArray<int>();
        for (int p = 0; p < g.Length; p++)
        {
            long r = rgb16[3 * p], gr = rgb16[3 * p + 1], b = rgb16[3 * p + 2];
            long want = r == gr && r == b ? r : (9797 * r + 19234 * gr + 3737 * b + 16384) >> 15;
            Assert.Equal(want, g[p]);
        }
    }

    [Fact]
    public void Bad_arguments_are_refused_naming_them()
    {
        var png = ImageFixtures.File("rgb8");
        var e = Assert.Throws<ArgumentException>(() => NF.Image.DecodePng(png, channels: 2));
        Assert.Contains("channels", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Image.DecodePng(png, dtype: DType.Float64));
        Assert.Contains("dtype", e.Message);
        Assert.Throws<ArgumentNullException>(() => NF.Image.DecodePng((byte[])null!));
    }
}
