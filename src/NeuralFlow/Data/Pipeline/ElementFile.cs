using System.Buffers.Binary;
using NeuralFlow.IO;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// A file of dataset elements, the one format of <c>Cache(filename)</c> (<see cref="FileCacheNode"/>)
/// and of the shards of <c>Save</c> and <c>Snapshot</c> (<see cref="SavedDataset"/>): the magic
/// <c>NFCACHE\x01</c>, the components per element (int32), then per element a 1 byte and each
/// component as a .npy record (a string component as a <see cref="StringCacheRecord"/>), and at
/// the end a 0 byte and the element count (int64). The end mark is what makes a file complete: a
/// file without it, or with another number of components, is refused by <see cref="Read"/>.
/// </summary>
internal static class ElementFile
{
    private static readonly byte[] Magic = "NFCACHE\x01"u8.ToArray();

    /// <summary>A writer of one file of elements of a number of components onto a stream, which stays the caller's.</summary>
    public sealed class Writer
    {
        private readonly Stream _stream;

        public Writer(Stream stream, int width)
        {
            _stream = stream;
            stream.Write(Magic);
            WriteInt64(stream, width, 4);
        }

        /// <summary>Elements written so far.</summary>
        public long Count { get; private set; }

        /// <summary>Writes one element; a row part is a view of its source, freed once written. The element stays the caller's.</summary>
        public void Append(Part[] element)
        {
            _stream.WriteByte(1);
            foreach (var part in element)
            {
                if (part.Tensor is { } owned) WriteComponent(_stream, owned);
                else using (var row = part.Take()) WriteComponent(_stream, row);
            }
            Count++;
        }

        /// <summary>Writes the end mark, without which a reader refuses the file.</summary>
        public void Finish()
        {
            _stream.WriteByte(0);
            WriteInt64(_stream, Count, 8);
        }
    }

    /// <summary>
    /// The elements of the file at <paramref name="path"/>, each owned by the caller, read lazily
    /// (the file is open while the sequence is enumerated). A file that is not one of these, holds
    /// another number of components than <paramref name="width"/>, or ends without its end mark is
    /// refused with <paramref name="bad"/>'s exception, given why.
    /// </summary>
    public static IEnumerable<Part[]> Read(string path, int width, Func<string, Exception?, Exception> bad, string compression = "")
    {
        using var stream = new BufferedStream(compression == "" ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete)
                                                                : CompressedFile.Open(path, compression), 1 << 16);
        var head = new byte[Magic.Length + 4];
        if (stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || !head.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw bad("it is not a dataset cache file written by NeuralFlow", null);
        int written = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(Magic.Length));
        if (written != width)
            throw bad($"it holds elements of {written} components, but this dataset's have {width}, so it caches another pipeline", null);
        for (long index = 0; ; index++)
        {
            int marker = stream.ReadByte();
            if (marker == 0)
            {
                var tail = new byte[8];
                if (stream.ReadAtLeast(tail, 8, throwOnEndOfStream: false) < 8 || BinaryPrimitives.ReadInt64LittleEndian(tail) != index)
                    throw bad($"its end mark does not count the {index} elements it holds", null);
                yield break;
            }
            if (marker != 1) throw bad($"it ends after {index} elements without the end mark (a copy cut short?)", null);
            var element = new Part[width];
            try
            {
                for (int c = 0; c < width; c++) element[c] = Part.Owned(ReadComponent(stream, $"element {index}, component {c}"));
            }
            catch (Exception e)
            {
                Element.Dispose(element);
                // A record cut short or damaged: the file as a whole is what the user must act on.
                if (e is InvalidDataException or EndOfStreamException) throw bad($"{e.Message.TrimEnd('.')} (a copy cut short?)", e);
                throw;
            }
            yield return element;
        }
    }

    /// <summary>One component as the files hold it (also what a snapshot's fingerprint hashes of a tensor).</summary>
    internal static void WriteComponent(Stream stream, Tensor component)
    {
        if (RaggedCarrier.Of(component) is { } ragged)
            throw new NotSupportedException(
                $"A dataset element holds a RaggedTensor ({ragged.Shape}), which NeuralFlow cannot write to a file (Cache to a file, Save, Snapshot); " +
                "cache, save or snapshot the rows before they are batched, or the padded tensor (ToTensor()).");
        if (StringCarrier.DTypeOf(component) == DType.String) StringCacheRecord.Write(stream, component);
        else NpyFormat.Write(stream, component);
    }

    // The first byte tells a string record from a .npy one, whose reader wants its magic whole: the
    // byte is put back in front (the stream may be a decompressor, which cannot seek back).
    private static Tensor ReadComponent(Stream stream, string name)
    {
        int first = stream.ReadByte();
        if (first == StringCacheRecord.Marker) return StringCacheRecord.Read(stream, name);
        if (first < 0) throw new EndOfStreamException($"'{name}' is missing.");
        return NpyFormat.Read(new SpliceStream([(byte)first], stream, []), name);
    }

    private static void WriteInt64(Stream stream, long value, int bytes)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
        stream.Write(buffer[..bytes]);
    }
}
