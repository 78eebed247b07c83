using System.IO.Compression;
using NeuralFlow.Data;

namespace NeuralFlow.Tests.Data;

/// <summary>IDX files: round trips, gzip detection by content, and clear errors naming the file.</summary>
public sealed class IdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nf-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    internal static byte[] Header(byte type, params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (var d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return bytes.ToArray();
    }

    internal static byte[] Gzip(byte[] raw)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(raw);
        return output.ToArray();
    }

    [Theory]
    [InlineData("images.idx")]
    [InlineData("images.idx.gz")]
    public void Write_then_Read_round_trips_uint8_tensors(string name)
    {
        var values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        using var t = NF.Constant(values, [2, 3, 4]);
        Idx.Write(PathOf(name), t);
        Assert.Equal(name.EndsWith(".gz"), File.ReadAllBytes(PathOf(name))[0] == 0x1F);
        using var back = Idx.Read(PathOf(name));
        Assert.Equal(DType.UInt8, back.DType);
        Assert.Equal(new Shape(2, 3, 4), back.Shape);
        Assert.Equal(values, back.ToArray<byte>());
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Gzip_is_recognised_by_its_magic_bytes_not_the_name()
    {
        File.WriteAllBytes(PathOf("labels"), Gzip([.. Header(0x08, 3), 1, 2, 3]));
        File.WriteAllBytes(PathOf("labels.gz"), [.. Header(0x08, 3), 4, 5, 6]);
        Assert.Equal([1, 2, 3], Idx.Read(PathOf("labels")).ToArray<byte>());
        Assert.Equal([4, 5, 6], Idx.Read(PathOf("labels.gz")).ToArray<byte>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Wrong_magic_number_is_a_clear_error(bool gzip)
    {
        byte[] raw = [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4];
        File.WriteAllBytes(PathOf("bad"), gzip ? Gzip(raw) : raw);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(PathOf("bad")));
        Assert.Contains(PathOf("bad"), e.Message);
        Assert.Contains("magic number 0x504B0304", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_file_is_a_clear_error(bool gzip)
    {
        byte[] raw = [.. Header(0x08, 10, 28, 28), .. new byte[28 * 28 * 10 - 5]];
        File.WriteAllBytes(PathOf("short"), gzip ? Gzip(raw) : raw);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(PathOf("short")));
        Assert.Contains(PathOf("short"), e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("7,840", e.Message);

        File.WriteAllBytes(PathOf("header"), Header(0x08, 10, 28, 28)[..9]);
        Assert.Contains("ends inside its header", Assert.Throws<InvalidDataException>(() => Idx.Read(PathOf("header"))).Message);

        var gz = Gzip(raw);
        File.WriteAllBytes(PathOf("cut.gz"), gz[..(gz.Length / 2)]);
        Assert.Contains(PathOf("cut.gz"), Assert.Throws<InvalidDataException>(() => Idx.Read(PathOf("cut.gz"))).Message);
    }

    [Fact]
    public void Unsupported_type_and_trailing_data_are_clear_errors()
    {
        File.WriteAllBytes(PathOf("floats"), [.. Header(0x0D, 1), 0, 0, 0, 0]);
        Assert.Contains("type code 0x0D", Assert.Throws<InvalidDataException>(() => Idx.Read(PathOf("floats"))).Message);
        File.WriteAllBytes(PathOf("long"), [.. Header(0x08, 2), 1, 2, 3]);
        Assert.Contains("beyond", Assert.Throws<InvalidDataException>(() => Idx.Read(PathOf("long"))).Message);
    }

    [Fact]
    public void Reading_uses_memory_near_the_data_size()
    {
        byte[] raw = [.. Header(0x08, 2000, 28, 28), .. new byte[2000 * 28 * 28]];
        File.WriteAllBytes(PathOf("big.gz"), Gzip(raw));
        Idx.Read(PathOf("big.gz")).Dispose(); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var t = Idx.Read(PathOf("big.gz"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // One managed array of the data (1.57 MB) plus small buffers; no per-pixel objects.
        Assert.InRange(allocated, 2000 * 28 * 28, 2000 * 28 * 28 + 512 * 1024);
    }
}
