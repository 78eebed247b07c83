namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>
/// The image decoders' fuzz corpora (tests/fuzz/corpus/png, jpeg, gif: seeds and the inputs that once
/// failed) decode or raise a clear error naming the format, and the faults the fuzzer found stay fixed.
/// </summary>
public class ImageFuzzCorpusTests
{
    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("gif")]
    public void Every_fuzz_corpus_file_decodes_or_is_a_clear_error(string kind)
    {
        var files = Directory.GetFiles(Path.Combine(NeuralFlow.Tests.Samples.Repo.Root, "tests", "fuzz", "corpus", kind));
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            try { NF.Image.DecodeImage(bytes).Dispose(); }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException)
            {
                Assert.True(e.Message.Contains(kind.ToUpperInvariant(), StringComparison.Ordinal) || e.Message.Contains("not a JPEG, PNG, GIF or BMP", StringComparison.Ordinal),
                    $"{Path.GetFileName(file)}: {e.Message}");
            }
        }
    }

    [Fact]
    public void A_huffman_table_with_more_codes_than_its_lengths_allow_is_named()
    {
        // Found by the fuzzer: three 1-bit codes overran the 9-bit lookup (IndexOutOfRangeException).
        byte[] dht = [0xFF, 0xC4, 0, 2 + 17 + 3, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3];
        byte[] jpeg = [0xFF, 0xD8, .. dht, 0xFF, 0xD9];
        var e = Assert.Throws<InvalidDataException>(() => NF.Image.DecodeJpeg(jpeg));
        Assert.Contains("more codes than its lengths allow", e.Message);
    }
}
