using System.IO.Compression;

namespace NeuralFlow.Data;

/// <summary>
/// Decompresses gzip data (one or more members) and fails, instead of ending quietly, where the
/// data is cut inside a member's 8-byte trailer or followed by bytes that are not gzip.
/// </summary>
/// <remarks>
/// .NET's GZipStream ends without an error when its input stops inside a member's trailer (CRC and
/// size), so a cut file would be read unchecked, and it ignores bytes after the last member that
/// are not gzip. This stream puts a known member behind the input and takes its payload off the
/// end of the output: after a whole input the payload comes out last; after a cut one its bytes
/// are taken for the missing trailer or data and fail the CRC check; after trailing garbage it
/// never comes out, and the end of the data is then an <see cref="InvalidDataException"/>.
/// </remarks>
internal sealed class CheckedGzipStream : ForwardOnlyStream
{
    private static readonly byte[] EndPayload = "NeuralFlow gzip end"u8.ToArray();
    private static readonly byte[] EndMember = Compress(EndPayload);

    private readonly GZipStream _gzip;
    // The last EndPayload.Length bytes decompressed so far, held back until more follow or the end
    // shows them to be the payload.
    private readonly byte[] _held = new byte[EndPayload.Length];
    private int _heldCount;

    /// <param name="head">Bytes already read from the start of <paramref name="body"/> (its magic number).</param>
    /// <param name="body">The rest of the compressed data; not disposed.</param>
    public CheckedGzipStream(byte[] head, Stream body) =>
        _gzip = new GZipStream(new SpliceStream(head, body, EndMember), CompressionMode.Decompress);

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        int L = _held.Length;
        while (_heldCount < L)
        {
            int got = _gzip.Read(_held.AsSpan(_heldCount));
            if (got == 0) throw NotEnded();
            _heldCount += got;
        }
        int n = _gzip.Read(buffer);
        if (n == 0)
        {
            if (!_held.AsSpan().SequenceEqual(EndPayload)) throw NotEnded();
            return 0;
        }
        // Out go the held bytes and the new ones but the last L; those are held back.
        Span<byte> last = stackalloc byte[L];
        if (n >= L)
        {
            buffer.Slice(n - L, L).CopyTo(last);
            buffer[..(n - L)].CopyTo(buffer[L..]);
            _held.CopyTo(buffer);
        }
        else
        {
            _held.AsSpan(n).CopyTo(last);
            buffer[..n].CopyTo(last[(L - n)..]);
            _held.AsSpan(0, n).CopyTo(buffer);
        }
        last.CopyTo(_held);
        return n;
    }

    private static InvalidDataException NotEnded() =>
        new("the data after its last gzip member is not gzip (something appended to the file?), or the gzip data is cut short");

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }

    private static byte[] Compress(byte[] raw)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(raw);
        return output.ToArray();
    }
}
