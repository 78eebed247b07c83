using System.Buffers.Binary;
using NeuralFlow.IO;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>cache(filename)</c>: the first complete pass writes its elements to a file, and every later
/// pass, in this run or the next, reads them from it instead of running the upstream. The file
/// appears under its name only when a pass has ended (it is written beside it and renamed, as
/// <see cref="AtomicFile"/> writes), so a pass left early, a failure or a killed process leaves no
/// partial cache for the next run to mistake for the data: that run writes it afresh. (TensorFlow
/// instead refuses to start until a killed run's lockfile is deleted by hand.)
/// </summary>
/// <remarks>
/// The file: the magic <c>NFCACHE\x01</c>, the components per element (int32), then per element
/// a 1 byte and each component as a .npy record (a string component as a
/// <see cref="StringCacheRecord"/>), and at the end a 0 byte and the element count (int64). A file without that end, or with another number of components, is refused naming it.
/// As in TensorFlow, the file is trusted to hold this pipeline's data: delete it when the data changes.
/// </remarks>
internal sealed class FileCacheNode(Node upstream, string path) : Node
{
    private static readonly byte[] Magic = "NFCACHE\x01"u8.ToArray();

    public override int Width => upstream.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;
    public override long Cardinality => upstream.Cardinality;

    public override IEnumerator<Part[]> Open() => File.Exists(path) ? Replay() : Record();

    private IEnumerator<Part[]> Record()
    {
        using var file = AtomicFile.Begin(path);
        var stream = file.Stream;
        stream.Write(Magic);
        WriteInt64(stream, Width, 4);
        long count = 0;
        using (var source = upstream.Open())
            while (source.MoveNext())
            {
                var element = source.Current;
                try
                {
                    stream.WriteByte(1);
                    foreach (var part in element)
                    {
                        // A row part is a view of its source; the view is freed once written.
                        if (part.Tensor is { } owned) Write(stream, owned);
                        else using (var row = part.Take()) Write(stream, row);
                    }
                }
                catch
                {
                    Element.Dispose(element);
                    throw;
                }
                count++;
                yield return element;
            }
        stream.WriteByte(0);
        WriteInt64(stream, count, 8);
        file.Commit();
    }

    private IEnumerator<Part[]> Replay()
    {
        using var stream = new BufferedStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete), 1 << 16);
        var head = new byte[Magic.Length + 4];
        if (stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || !head.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Bad("it is not a dataset cache file written by NeuralFlow");
        int width = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(Magic.Length));
        if (width != Width)
            throw Bad($"it holds elements of {width} components, but this dataset's have {Width}, so it caches another pipeline");
        for (long index = 0; ; index++)
        {
            int marker = stream.ReadByte();
            if (marker == 0)
            {
                var tail = new byte[8];
                if (stream.ReadAtLeast(tail, 8, throwOnEndOfStream: false) < 8 || BinaryPrimitives.ReadInt64LittleEndian(tail) != index)
                    throw Bad($"its end mark does not count the {index} elements it holds");
                yield break;
            }
            if (marker != 1) throw Bad($"it ends after {index} elements without the end mark (a copy cut short?)");
            var element = new Part[width];
            try
            {
                for (int c = 0; c < width; c++) element[c] = Part.Owned(Read(stream, $"element {index}, component {c}"));
            }
            catch (Exception e)
            {
                Element.Dispose(element);
                // A record cut short or damaged: the file as a whole is what the user must act on.
                if (e is InvalidDataException or EndOfStreamException) throw Bad($"{e.Message.TrimEnd('.')} (a copy cut short?)", e);
                throw;
            }
            yield return element;
        }
    }

    private static void Write(Stream stream, Tensor component)
    {
        if (StringCarrier.DTypeOf(component) == DType.String) StringCacheRecord.Write(stream, component);
        else NpyFormat.Write(stream, component);
    }

    // The first byte tells a string record from a .npy one (whose reader wants its magic whole).
    private static Tensor Read(Stream stream, string name)
    {
        int first = stream.ReadByte();
        if (first == StringCacheRecord.Marker) return StringCacheRecord.Read(stream, name);
        if (first >= 0) stream.Seek(-1, SeekOrigin.Current);
        return NpyFormat.Read(stream, name);
    }

    private InvalidDataException Bad(string why, Exception? inner = null) =>
        new($"Cache: cannot read '{path}': {why}. Delete the file to cache the dataset again, or give Cache another filename.", inner);

    private static void WriteInt64(Stream stream, long value, int bytes)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
        stream.Write(buffer[..bytes]);
    }
}
