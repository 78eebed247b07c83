namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// The write-only stream a dataset's writer gets from <see cref="Hdf5Writer"/>: it passes bytes on
/// to the file and holds the writer to exactly the dataset's byte count, since every address after
/// the dataset was computed from it. A byte too many fails at once; too few, once the writer returns.
/// </summary>
internal sealed class Hdf5ExactStream(Stream inner, long expected, string dataset) : Stream
{
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length > expected - _written)
            throw new ArgumentException($"The writer of HDF5 dataset '{dataset}' wrote more than the {expected} bytes its shape and element type take.");
        inner.Write(buffer);
        _written += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Fails unless the writer wrote the whole dataset.</summary>
    public void CheckComplete()
    {
        if (_written != expected)
            throw new ArgumentException($"The writer of HDF5 dataset '{dataset}' wrote {_written} bytes; its shape and element type take {expected}.");
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
