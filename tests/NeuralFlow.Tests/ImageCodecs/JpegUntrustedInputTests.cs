using System.Buffers.Binary;

namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>
/// Malformed JPEGs raise an InvalidDataException naming the fault (or NotSupportedException for a
/// valid feature NeuralFlow does not decode); forged sizes are refused before they are allocated.
/// </summary>
public class JpegUntrustedInputTests
{
    private static InvalidDataException Refused(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => NF.Image.DecodeJpeg(bytes).Dispose());

    // The offset of the frame header's body (after FF Cx and the length).
    private static int FrameBody(byte[] jpeg)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return i + 4;
        throw new InvalidOperationException("no SOF");
    }

    [Theory]
    [InlineData("jpeg420")]
    [InlineData("jpeg420_progressive")]
    public void Every_truncation_is_a_clear_error(string name)
    {
        var jpeg = ImageFixtures.File(name);
        for (int n = 0; n < jpeg.Length; n += n < 700 ? 1 : 7)
            Assert.StartsWith("Invalid JPEG image", Refused(jpeg[..n]).Message);
    }

    [Theory]
    [InlineData("jpeg420_restart")]
    [InlineData("jpeg444_progressive")]
    [InlineData("jpeg_gray")]
    public void Random_byte_edits_decode_or_raise_a_clear_error(string name)
    {
        var original = ImageFixtures.File(name);
        var random = new Random(11);
        for (int trial = 0; trial < 400; trial++)
        {
            var jpeg = (byte[])original.Clone();
            for (int e = 0; e < 1 + trial % 4; e++) jpeg[random.Next(jpeg.Length)] = (byte)random.Next(256);
            try { NF.Image.DecodeJpeg(jpeg).Dispose(); }
            catch (InvalidDataException e) { Assert.StartsWith("Invalid JPEG image", e.Message); }
            catch (NotSupportedException e) { Assert.StartsWith("JPEG:", e.Message); }
        }
    }

    [Fact]
    public void A_forged_size_is_refused_before_allocating()
    {
        var jpeg = ImageFixtures.File("jpeg444");
        int sof = FrameBody(jpeg);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 1), 16000);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 3), 16000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("blocks", Refused(jpeg).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the claimed size was allocated");

        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 1), 65535);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 3), 65535);
        Assert.Contains("2^28", Refused(jpeg).Message);
    }

    [Fact]
    public void Twelve_bit_cmyk_and_lossless_files_are_refused_naming_the_feature()
    {
        var jpeg = ImageFixtures.File("jpeg444");
        int sof = FrameBody(jpeg);
        var twelve = (byte[])jpeg.Clone();
        twelve[sof] = 12;
        Assert.Contains("12-bit", Assert.Throws<NotSupportedException>(() => NF.Image.DecodeJpeg(twelve)).Message);
        var lossless = (byte[])jpeg.Clone();
        lossless[sof - 3] = 0xC3;
        Assert.Contains("lossless", Assert.Throws<NotSupportedException>(() => NF.Image.DecodeJpeg(lossless)).Message);
        var cmyk = (byte[])jpeg.Clone();
        cmyk[sof + 5] = 4;
        Assert.Contains("CMYK", Assert.Throws<NotSupportedException>(() => NF.Image.DecodeJpeg(cmyk)).Message);
    }

    [Fact]
    public void Not_a_jpeg_is_named()
    {
        // Bytes of no image format (a PNG is decoded, as TF's decode_jpeg decodes one).
        Assert.Contains("SOI", Refused("not an image"u8.ToArray()).Message);
        Assert.Contains("SOI", Refused([]).Message);
    }
}
