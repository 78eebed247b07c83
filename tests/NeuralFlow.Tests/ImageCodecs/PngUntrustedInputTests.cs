using System.Buffers.Binary;

namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>
/// Malformed PNGs raise an InvalidDataException naming the format and the fault: truncations, CRC
/// and zlib corruption, forged headers that claim more pixels than allowed or than the data holds.
/// </summary>
public class PngUntrustedInputTests
{
    private static InvalidDataException Refused(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => NF.Image.DecodePng(bytes).Dispose());

    [Fact]
    public void Every_truncation_of_a_file_is_a_clear_error()
    {
        var png = ImageFixtures.File("palette4_trns");
        for (int n = 0; n < png.Length - 12; n++) // the last 12 bytes are IEND
        {
            var e = Refused(png[..n]);
            Assert.StartsWith("Invalid PNG image", e.Message);
        }
    }

    [Fact]
    public void A_flipped_byte_in_the_image_data_fails_the_crc()
    {
        var png = ImageFixtures.File("rgb8");
        int idat = IndexOf(png, "IDAT");
        png[idat + 10] ^= 0x40;
        Assert.Contains("CRC", Refused(png).Message);
    }

    [Fact]
    public void Corrupt_zlib_data_with_a_valid_crc_is_named()
    {
        var raw = new byte[3 * (1 + 3)];
        var z = PngBytes.Zlib(raw);
        z[^1] ^= 0xFF; // the Adler-32
        var e = Refused(PngBytes.File(PngBytes.Header(3, 3, 8, 0), z));
        Assert.Contains("zlib", e.Message);
    }

    [Fact]
    public void Too_little_image_data_is_a_truncation()
    {
        var z = PngBytes.Zlib(new byte[2 * 4]); // two rows of a 3x3 gray image
        Assert.Contains("truncated", Refused(PngBytes.File(PngBytes.Header(3, 3, 8, 0), z)).Message);
    }

    [Fact]
    public void An_unknown_filter_type_is_named()
    {
        var raw = new byte[3 * 4];
        raw[4] = 7;
        Assert.Contains("filter type 7", Refused(PngBytes.File(PngBytes.Header(3, 3, 8, 0), PngBytes.Zlib(raw))).Message);
    }

    [Theory]
    [InlineData(100000u, 100000u, "2^28")]
    [InlineData(0u, 5u, "empty")]
    [InlineData(0x80000000u, 1u, "2^28")]
    [InlineData(16384u, 16384u, "compressed")] // allowed size, but 14 bytes of zlib cannot hold 268 MB
    public void Forged_sizes_are_refused_before_allocating(uint width, uint height, string named)
    {
        var z = PngBytes.Zlib(new byte[4]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(PngBytes.File(PngBytes.Header(width, height, 8, 6), z));
        Assert.Contains(named, e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the claimed size was allocated");
    }

    [Theory]
    [InlineData(8, 3, "colour type 3 with bit depth 8")] // valid
    [InlineData(16, 3, "colour type 3 with bit depth 16")]
    [InlineData(4, 2, "colour type 2 with bit depth 4")]
    [InlineData(8, 5, "colour type 5")]
    public void Invalid_depth_and_colour_type_pairs_are_named(byte depth, byte colorType, string named)
    {
        var png = PngBytes.File(PngBytes.Header(2, 2, depth, colorType), PngBytes.Zlib(new byte[2 * 7]));
        var e = Refused(png);
        // The valid pair fails later, for its missing palette.
        Assert.Contains(colorType == 3 && depth == 8 ? "PLTE" : named, e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_png_is_named()
    {
        Assert.Contains("signature", Refused("not an image"u8.ToArray()).Message);
        Assert.Contains("signature", Refused([]).Message);
        // A GIF header is read as a GIF (TF's decode_png reads GIFs too), and this one's missing rest named.
        Assert.Contains("GIF", Refused("GIF89a"u8.ToArray()).Message);
    }

    [Fact]
    public void An_unknown_critical_chunk_is_refused_and_an_unknown_ancillary_one_skipped()
    {
        byte[] idat = PngBytes.Zlib(new byte[2 * 3]);
        byte[] head = [.. PngBytes.Signature, .. PngBytes.Chunk("IHDR", PngBytes.Header(2, 2, 8, 0))];
        byte[] tail = [.. PngBytes.Chunk("IDAT", idat), .. PngBytes.Chunk("IEND", [])];
        Assert.Contains("XYZW", Refused([.. head, .. PngBytes.Chunk("XYZW", [1]), .. tail]).Message);
        using var t = NF.Image.DecodePng([.. head, .. PngBytes.Chunk("xyZW", [1]), .. tail]);
        Assert.Equal(new[] { 2, 2, 1 }, t.Shape.ToArray());
    }

    private static int IndexOf(byte[] data, string type)
    {
        var t = System.Text.Encoding.ASCII.GetBytes(type);
        return data.AsSpan().IndexOf(t);
    }
}
