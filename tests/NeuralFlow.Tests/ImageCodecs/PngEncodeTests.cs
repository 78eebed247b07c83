namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>NF.Image.EncodePng: what it writes DecodePng reads back exactly, at every level; bad images are refused by name.</summary>
public class PngEncodeTests
{
    [Theory]
    [InlineData("gray8", -1)]
    [InlineData("gray_alpha8", 0)]
    [InlineData("rgb8", 1)]
    [InlineData("rgba8", 9)]
    [InlineData("palette4_trns", 6)]
    public void Encoded_images_decode_back_exactly(string name, int compression)
    {
        using var image = NF.Image.DecodePng(ImageFixtures.File(name));
        var png = NF.Image.EncodePng(image, compression);
        using var back = NF.Image.DecodePng(png);
        Assert.Equal(image.Shape.ToArray(), back.Shape.ToArray());
        Assert.Equal(image.ToArray<byte>(), back.ToArray<byte>());
    }

    [Fact]
    public void Higher_levels_compress_a_smooth_image_smaller_than_none()
    {
        var pixels = new byte[64 * 64 * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i / 3 % 64 + i / 192);
        using var image = NF.Constant(pixels, [64, 64, 3]);
        int stored = NF.Image.EncodePng(image, 0).Length, best = NF.Image.EncodePng(image, 9).Length;
        Assert.True(stored > pixels.Length, $"level 0 stores the rows ({stored} bytes)");
        Assert.True(best < stored / 4, $"level 9 gave {best} bytes against {stored} stored");
    }

    [Fact]
    public void Bad_images_and_levels_are_refused_naming_them()
    {
        using var floats = NF.Zeros([2, 2, 3]);
        Assert.Contains("uint8", Assert.Throws<ArgumentException>(() => NF.Image.EncodePng(floats)).Message);
        using var five = NF.Constant(new byte[20], [2, 2, 5]);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => NF.Image.EncodePng(five)).Message);
        using var flat = NF.Constant(new byte[4], [4]);
        Assert.Contains("[height, width, channels]", Assert.Throws<ArgumentException>(() => NF.Image.EncodePng(flat)).Message);
        using var ok = NF.Constant(new byte[4], [2, 2, 1]);
        Assert.Contains("compression", Assert.Throws<ArgumentException>(() => NF.Image.EncodePng(ok, 10)).Message);
    }
}
