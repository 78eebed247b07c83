namespace NeuralFlow.Data;

/// <summary>
/// A read-only, forward-only stream of <paramref name="head"/>, then the rest of
/// <paramref name="body"/>, then <paramref name="tail"/>: bytes already peeked from a stream that
/// cannot seek are put back in front, and a marker can be put behind (see <see cref="CheckedGzipStream"/>).
/// <paramref name="body"/> is not disposed.
/// </summary>
internal sealed class SpliceStream(byte[] head, Stream body, byte[] tail) : ForwardOnlyStream
{
    private int _head, _tail;
    private bool _bodyDone;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (_head < head.Length) return Take(head, ref _head, buffer);
        if (!_bodyDone)
        {
            int n = body.Read(buffer);
            if (n > 0) return n;
            _bodyDone = true;
        }
        return Take(tail, ref _tail, buffer);
    }

    private static int Take(byte[] from, ref int at, Span<byte> into)
    {
        int n = Math.Min(into.Length, from.Length - at);
        from.AsSpan(at, n).CopyTo(into);
        at += n;
        return n;
    }
}
