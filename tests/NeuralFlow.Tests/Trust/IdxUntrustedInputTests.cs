using NeuralFlow.Data;
using NeuralFlow.Tests.Data;
using NeuralFlow.Tests.Samples;

namespace NeuralFlow.Tests.Trust;

/// <summary>
/// What the fuzz harness (tests/fuzz) found in the IDX reader, one test per class of input: a
/// header's claims are checked before allocating, and a cut or padded gzip file is an error,
/// never a quiet success. The inputs are kept in tests/fuzz/corpus/idx (replayed below too).
/// </summary>
public sealed class IdxUntrustedInputTests
{
    private const string Name = "untrusted.idx";

    private static (InvalidDataException Error, long Allocated) ReadExpectingError(Stream stream)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadBytes(stream, Name));
        Assert.Contains(Name, e.Message);
        return (e, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_header_claiming_more_than_the_file_holds_is_rejected_before_allocating()
    {
        // 12 bytes that claim 256 MiB of data (the fuzzer's crash-idx-* inputs claimed up to 1.5 GB).
        byte[] file = [.. IdxTests.Header(0x08, 1 << 28), 1, 2, 3, 4];
        var (e, allocated) = ReadExpectingError(new MemoryStream(file));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("268,435,456", e.Message);
        Assert.Contains("only 4 follow", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated for a 12-byte file");
    }

    [Fact]
    public void A_stream_without_a_length_allocates_only_as_its_bytes_arrive()
    {
        byte[] file = [.. IdxTests.Header(0x08, 1 << 28), 1, 2, 3, 4];
        var (e, allocated) = ReadExpectingError(new NonSeekableStream(file));
        Assert.Contains("only 4 follow", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated for a 12-byte stream");
    }

    [Fact]
    public void A_gzip_header_claiming_more_than_deflate_can_expand_to_is_rejected_before_allocating()
    {
        var gz = IdxTests.Gzip([.. IdxTests.Header(0x08, 1 << 28), 1, 2, 3, 4]);
        var (e, allocated) = ReadExpectingError(new MemoryStream(gz));
        Assert.Contains("more than its", e.Message);
        Assert.Contains("1032-fold", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated for a {gz.Length}-byte file");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void A_gzip_file_cut_inside_its_crc_and_size_trailer_is_an_error(int cut)
    {
        var gz = IdxTests.Gzip([.. IdxTests.Header(0x08, 3), 1, 7, 9]);
        var (e, _) = ReadExpectingError(new MemoryStream(gz[..^cut]));
        Assert.Contains("gzip", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF })]
    [InlineData(new byte[] { 0 })]
    public void Bytes_after_the_gzip_data_are_an_error(byte[] garbage)
    {
        byte[] gz = [.. IdxTests.Gzip([.. IdxTests.Header(0x08, 3), 1, 7, 9]), .. garbage];
        var (e, _) = ReadExpectingError(new MemoryStream(gz));
        Assert.Contains("after its last gzip member is not gzip", e.Message);
    }

    [Fact]
    public void Concatenated_gzip_members_still_read_as_one_file()
    {
        byte[] raw = [.. IdxTests.Header(0x08, 2, 3), 1, 2, 3, 4, 5, 6];
        byte[] gz = [.. IdxTests.Gzip(raw[..7]), .. IdxTests.Gzip(raw[7..])];
        var (data, shape) = Idx.ReadBytes(new MemoryStream(gz), Name);
        Assert.Equal(new Shape(2, 3), shape);
        Assert.Equal(raw[12..], data);
        Assert.Equal(raw[12..], Idx.ReadBytes(new NonSeekableStream(gz), Name).Data);
    }

    [Fact]
    public void Data_larger_than_the_first_buffer_reads_whole_where_its_size_is_not_known()
    {
        // Two gzip members: the trailer's size is the second member's, so the reader grows its
        // buffer as the data arrives instead of trusting the header.
        var values = Enumerable.Range(0, 700_000).Select(i => (byte)(i * 31 + i / 1000)).ToArray();
        byte[] header = IdxTests.Header(0x08, 700, 1000);
        byte[] gz = [.. IdxTests.Gzip(header), .. IdxTests.Gzip(values)];
        Assert.Equal(values, Idx.ReadBytes(new MemoryStream(gz), Name).Data);
        Assert.Equal(values, Idx.ReadBytes(new NonSeekableStream([.. header, .. values]), Name).Data);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadBytes(new NonSeekableStream([.. header, .. values[..^1]]), Name));
        Assert.Contains("only 699,999 follow", e.Message);
    }

    /// <summary>Every file of the fuzz corpus (seeds and the inputs that once failed) parses or raises a clear error.</summary>
    [Fact]
    public void Every_fuzz_corpus_file_parses_or_is_a_clear_error()
    {
        var files = Directory.GetFiles(Path.Combine(Repo.Root, "tests", "fuzz", "corpus", "idx"));
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var stream in new Stream[] { new MemoryStream(bytes), new NonSeekableStream(bytes) })
            {
                try
                {
                    var (data, shape) = Idx.ReadBytes(stream, Name);
                    Assert.Equal(shape.Count, data.Length);
                }
                catch (InvalidDataException e)
                {
                    Assert.Contains(Name, e.Message);
                }
            }
        }
    }

    /// <summary>A download: no length, no seeking, a few bytes per read.</summary>
    private sealed class NonSeekableStream(byte[] data) : NeuralFlow.Data.ForwardOnlyStream
    {
        private int _position;
        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, data.Length - _position), 4096 + _position % 7);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
