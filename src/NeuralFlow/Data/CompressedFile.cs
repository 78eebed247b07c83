using System.IO.Compression;

namespace NeuralFlow.Data;

/// <summary>
/// Opening a data file that may be compressed, as tf.data's readers take <c>compression_type</c>
/// (CSV files, text lines): "" for plain bytes, "GZIP" or "ZLIB".
/// </summary>
internal static class CompressedFile
{
    /// <summary>
    /// TF's compression_type, checked: null or "" (plain text), "GZIP" or "ZLIB" (case as TF
    /// takes it); anything else is an error naming the choices.
    /// </summary>
    internal static string CheckedCompression(string? compressionType, string who) => compressionType switch
    {
        null or "" => "",
        "GZIP" or "ZLIB" => compressionType,
        _ => throw new ArgumentException($"{who}: compressionType must be null, \"\", \"GZIP\" or \"ZLIB\", not \"{compressionType}\".", nameof(compressionType)),
    };

    /// <summary>
    /// The bytes of <paramref name="path"/>, decompressed as <paramref name="compression"/> says
    /// (a checked compression); disposing the stream closes the file. Its first bytes are checked
    /// against the compression first, so that the common mistakes (a .gz read as text, a text file
    /// read as GZIP) are named instead of surfacing as garbage or a bare decoder error, and gzip
    /// data cut short or followed by other bytes fails (<see cref="CheckedGzipStream"/>) with an
    /// <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    internal static Stream Open(string path, string compression)
    {
        Stream stream = File.OpenRead(path);
        try
        {
            Span<byte> head = stackalloc byte[2];
            int n = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            stream.Position = 0;
            bool gzip = n == 2 && head[0] == 0x1f && head[1] == 0x8b;
            bool zlib = n == 2 && (head[0] & 0x0f) == 8 && (head[0] * 256 + head[1]) % 31 == 0;
            if (compression == "" && gzip)
                throw new InvalidDataException($"'{path}' is gzip-compressed; read it with compressionType: \"GZIP\".");
            if (compression == "GZIP" && !gzip)
                throw new InvalidDataException($"'{path}' is not gzip-compressed (compressionType is \"GZIP\"); give compressionType only for compressed files.");
            if (compression == "ZLIB" && !zlib)
                throw new InvalidDataException($"'{path}' does not start with a zlib header (compressionType is \"ZLIB\").");
            return compression switch
            {
                "GZIP" => new Decompressing(new CheckedGzipStream([], stream), stream, path, compression),
                "ZLIB" => new Decompressing(new ZLibStream(stream, CompressionMode.Decompress), stream, path, compression),
                _ => stream,
            };
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A decompressing stream whose errors name the file, and that closes the file under it
    /// (CheckedGzipStream leaves its input open).
    /// </summary>
    private sealed class Decompressing(Stream inner, Stream file, string path, string compression) : ForwardOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{path}' is not valid {compression} data (cut short?): {e.Message}", e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                file.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
