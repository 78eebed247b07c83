using System.IO.Compression;
using NeuralFlow.Data;
using NeuralFlow.IO.TFRecord;

namespace NeuralFlow.IO;

/// <summary>
/// Writes a TFRecord file (<c>tf.io.TFRecordWriter</c>): records of bytes, each framed with its length and
/// CRC-32C checksums, readable by <see cref="TFRecordDataset"/> and by TensorFlow's
/// <c>tf.data.TFRecordDataset</c>; typically serialized <see cref="Train.Example"/>s. Optionally GZIP or ZLIB
/// compressed. The file appears under its name, complete, when the writer is disposed (written to a temporary
/// file first, so a killed run never leaves a cut-short file); a writer disposed after an exception in a
/// <c>using</c> block still commits what was written.
/// </summary>
public sealed class TFRecordWriter : IDisposable
{
    private readonly AtomicFile.Pending _file;
    private readonly Stream _stream;
    private bool _disposed;

    /// <summary>Starts writing <paramref name="path"/> (<c>tf.io.TFRecordWriter(path, options)</c>), compressed as <paramref name="compressionType"/> says (null or "", "GZIP" or "ZLIB").</summary>
    public TFRecordWriter(string path, string? compressionType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string compression = CompressedFile.CheckedCompression(compressionType, nameof(TFRecordWriter));
        Path = path;
        _file = AtomicFile.Begin(path);
        _stream = compression switch
        {
            "GZIP" => new GZipStream(_file.Stream, CompressionLevel.Optimal, leaveOpen: true),
            "ZLIB" => new ZLibStream(_file.Stream, CompressionLevel.Optimal, leaveOpen: true),
            _ => _file.Stream,
        };
    }

    /// <summary>The file being written.</summary>
    public string Path { get; }

    /// <summary>Appends one record of <paramref name="record"/>'s bytes (<c>writer.write(example.SerializeToString())</c>).</summary>
    public void Write(byte[] record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        TFRecordFraming.Write(_stream, record);
    }

    /// <summary>Appends one record of <paramref name="record"/>'s bytes: UTF-8, escaped bytes as they were (a record read back as a string).</summary>
    public void Write(string record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Write(ByteStrings.Encode(record));
    }

    /// <summary>Appends <paramref name="example"/> serialized (<c>writer.write(example.SerializeToString())</c>).</summary>
    public void Write(Train.Example example)
    {
        ArgumentNullException.ThrowIfNull(example);
        Write(example.ToByteArray());
    }

    /// <summary>Pushes buffered records to the temporary file (the file appears under its name at <see cref="Dispose"/>).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _stream.Flush();
    }

    /// <summary>Ends the compressed stream and puts the file in place.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (!ReferenceEquals(_stream, _file.Stream)) _stream.Dispose();
            _file.Commit();
        }
        finally
        {
            _file.Dispose();
        }
    }
}
