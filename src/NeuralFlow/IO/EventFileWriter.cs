using System.Text;

namespace NeuralFlow.IO;

/// <summary>
/// A TensorBoard event file (<c>events.out.tfevents.*</c>): TFRecord-framed <c>Event</c> protobufs
/// (tensorflow/core/util/event.proto, summary.proto), the format TensorBoard reads. Each record is
/// its length (uint64, little-endian), the masked CRC-32C of those 8 bytes, the message, and the
/// masked CRC-32C of the message. The first event names the format version ("brain.Event:2").
/// Records are flushed by <see cref="Flush"/>: a killed run keeps what was flushed.
/// </summary>
internal sealed class EventFileWriter : IDisposable
{
    private readonly FileStream _file;
    private static int _counter;

    /// <summary>Opens a new event file in <paramref name="directory"/> (created if missing), named as TensorFlow 2 names them.</summary>
    public EventFileWriter(string directory)
    {
        Directory.CreateDirectory(directory);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string name = $"events.out.tfevents.{now}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref _counter)}.v2";
        Path = System.IO.Path.Combine(directory, name);
        _file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        Write(ProtoFields.Message(e => e.Double(1, WallTime()).String(3, "brain.Event:2")));
        Flush();
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>A scalar (Summary.Value.simple_value) at <paramref name="step"/>.</summary>
    public void Scalar(string tag, float value, long step) =>
        Summary(step, ProtoFields.Message(v => v.String(1, tag).Float(2, value)));

    /// <summary>
    /// A histogram (HistogramProto) of <paramref name="values"/> at <paramref name="step"/>: 30
    /// equal buckets between the smallest and largest finite value, as TensorFlow 2's
    /// tf.summary.histogram buckets them; non-finite values are left out.
    /// </summary>
    public void Histogram(string tag, IReadOnlyList<double> values, long step)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        double min = finite.Length > 0 ? finite.Min() : 0, max = finite.Length > 0 ? finite.Max() : 0;
        const int Buckets = 30;
        var limits = new double[Buckets];
        var counts = new double[Buckets];
        double width = max > min ? (max - min) / Buckets : 1;
        for (int i = 0; i < Buckets; i++) limits[i] = i == Buckets - 1 ? Math.Max(max, min + width * Buckets) : min + width * (i + 1);
        foreach (var x in finite) counts[Math.Min(Buckets - 1, (int)((x - min) / width))]++;
        var histogram = ProtoFields.Message(h => h
            .Double(1, min).Double(2, max).Double(3, finite.Length)
            .Double(4, finite.Sum()).Double(5, finite.Sum(x => x * x))
            .PackedDoubles(6, limits).PackedDoubles(7, counts));
        Summary(step, ProtoFields.Message(v => v.String(1, tag).Bytes(5, histogram)));
    }

    /// <summary>Text (a string tensor for TensorBoard's text plugin, which renders Markdown) at <paramref name="step"/>.</summary>
    public void Text(string tag, string text, long step)
    {
        const int DtString = 7;
        var tensor = ProtoFields.Message(t => t.Int64(1, DtString).Bytes(2, []).Bytes(8, Encoding.UTF8.GetBytes(text)));
        var metadata = ProtoFields.Message(m => m.Bytes(1, ProtoFields.Message(p => p.String(1, "text"))));
        Summary(step, ProtoFields.Message(v => v.String(1, tag).Bytes(8, tensor).Bytes(9, metadata)));
    }

    /// <summary>Pushes the written records to the file.</summary>
    public void Flush() => _file.Flush(flushToDisk: false);

    /// <inheritdoc/>
    public void Dispose() => _file.Dispose();

    private void Summary(long step, byte[] value) =>
        Write(ProtoFields.Message(e => e.Double(1, WallTime()).Int64(2, step).Bytes(5, ProtoFields.Message(s => s.Bytes(1, value)))));

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void Write(byte[] record) => TFRecord.TFRecordFraming.Write(_file, record);
}
