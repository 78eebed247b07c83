using System.Buffers.Binary;

namespace NeuralFlow.Data;

/// <summary>
/// Parses IDX data (raw or gzip, told apart by the first bytes) from untrusted bytes. A header's
/// claims are checked against what the input can hold before anything is allocated, and a
/// truncated, over-long or damaged input is an <see cref="InvalidDataException"/> that names it.
/// tests/fuzz feeds it mutated files (see tests/fuzz/README.md).
/// </summary>
internal static class IdxReader
{
    // Deflate expands at most 1032-fold (a 258-byte match in under 2 bits): the most data a gzip
    // input of known length can hold.
    private const long MaxDeflateRatio = 1032;

    // Where the data's size is not known to be real (a stream without a length, a gzip file whose
    // trailer disagrees), the buffer starts this big and doubles only as the bytes arrive, so a
    // header claiming 2 GB over a few bytes costs a few hundred KB, not 2 GB.
    private const int FirstChunk = 1 << 18;

    public static (byte[] Data, Shape Shape) Read(Stream stream, string name)
    {
        Span<byte> magic = stackalloc byte[4];
        int peeked = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        long? rest = stream.CanSeek ? stream.Length - stream.Position : null;
        bool gzip = peeked >= 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        uint? trailerSize = gzip ? TrailerSize(stream) : null;
        // Gzip that is cut or has bytes appended fails when read to its end (see CheckedGzipStream).
        using var gunzip = gzip ? new CheckedGzipStream(magic[..peeked].ToArray(), stream) : null;
        Stream input = gunzip ?? stream;
        int got = gzip ? ReadFully(input, magic, name) : peeked;

        if (got < 4)
            throw new InvalidDataException($"{name} is not an IDX file: it is truncated before the end of its 4-byte magic number.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException(
                $"{name} is not an IDX file: wrong magic number 0x{Convert.ToHexString(magic)} (IDX files start with 0x0000, then a type code and the rank, e.g. 0x00000803 for MNIST images).");
        if (magic[2] != Idx.UnsignedByte)
            throw new InvalidDataException($"{name}: IDX type code 0x{magic[2]:X2} is not supported; only unsigned bytes (0x08) are, as in MNIST.");
        int rank = magic[3];
        if (rank is 0 or > Shape.MaxRank)
            throw new InvalidDataException($"{name}: the IDX header gives rank {rank}; expected 1 to {Shape.MaxRank}.");
        var header = new byte[4 * rank];
        if (ReadFully(input, header, name) < header.Length)
            throw new InvalidDataException($"{name} is truncated: it ends inside its header (the {rank} dimensions).");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * i));
            count *= dims[i];
            if (dims[i] < 0 || count > Array.MaxLength)
                throw new InvalidDataException($"{name}: the IDX header gives impossible dimensions ({string.Join(", ", dims[..(i + 1)])}).");
        }
        // Shape's own rules too (with a 0 among them, the other dimensions' product must still fit
        // a 64-bit stride), so a damaged header is a data error, not an OverflowException later.
        Shape shape;
        try { shape = new Shape(dims); }
        catch (OverflowException e)
        {
            throw new InvalidDataException($"{name}: the IDX header gives impossible dimensions ({string.Join(", ", dims)}): {e.Message}", e);
        }

        // The claim against the input's length, where the stream knows it.
        if (rest is long after && !gzip)
        {
            long available = after - header.Length;
            if (count > available) throw Truncated(name, dims, count, available);
            if (count < available) throw Beyond(name, dims, count);
        }
        if (rest is long compressedRest && gzip && count > (peeked + compressedRest) * MaxDeflateRatio)
            throw new InvalidDataException(
                $"{name}: its IDX header promises shape ({string.Join(", ", dims)}) = {count:N0} bytes of data, more than its {peeked + compressedRest:N0} bytes of gzip data can hold " +
                $"(deflate expands at most {MaxDeflateRatio}-fold); the header is damaged.");
        // One buffer of the exact size where the size is known to be real: a raw file's length
        // matched above, or a gzip file's trailer gives the same size as the header.
        bool sizeKnown = count <= FirstChunk || (!gzip && rest is not null) || trailerSize == unchecked((uint)(4 + header.Length + count));
        var data = ReadData(input, count, sizeKnown, name, dims);

        if ((gzip || rest is null) && ReadFully(input, stackalloc byte[1], name) != 0)
            throw Beyond(name, dims, count);
        return (data, shape);
    }

    private static byte[] ReadData(Stream input, long count, bool sizeKnown, string name, int[] dims)
    {
        if (sizeKnown)
        {
            var data = new byte[count];
            int read = ReadFully(input, data, name);
            if (read < count) throw Truncated(name, dims, count, read);
            return data;
        }
        var buffer = new byte[FirstChunk];
        int filled = 0;
        while (true)
        {
            filled += ReadFully(input, buffer.AsSpan(filled), name);
            if (filled < buffer.Length) throw Truncated(name, dims, count, filled);
            if (filled == count) return buffer;
            Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
        }
    }

    /// <summary>The size the last gzip member's trailer gives (mod 2^32), when the stream can seek there.</summary>
    private static uint? TrailerSize(Stream stream)
    {
        if (!stream.CanSeek || stream.Length - stream.Position < 4) return null;
        long position = stream.Position;
        Span<byte> size = stackalloc byte[4];
        stream.Seek(-4, SeekOrigin.End);
        int got = stream.ReadAtLeast(size, 4, throwOnEndOfStream: false);
        stream.Position = position;
        return got == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(size) : null;
    }

    private static InvalidDataException Truncated(string name, int[] dims, long count, long read) => new(
        $"{name} is truncated: its header promises shape ({string.Join(", ", dims)}) = {count:N0} bytes of data, but only {read:N0} follow.");

    private static InvalidDataException Beyond(string name, int[] dims, long count) => new(
        $"{name} has data beyond the {count:N0} bytes its header describes ({string.Join(", ", dims)}); it is not a valid IDX file.");

    private static int ReadFully(Stream input, Span<byte> into, string name)
    {
        try
        {
            return input.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name} is not valid gzip data (a damaged or truncated download?): {e.Message}", e);
        }
    }
}
