using System.Runtime.InteropServices;
using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// Output buffers with guard bytes behind them, for tests that call a backend's kernels
/// directly: a kernel that writes past the end of its output (a vector tail, an off-by-one
/// row, a wrong stride) corrupts memory that nothing else reads, so results alone cannot show
/// it. Each buffer gets <see cref="GuardBytes"/> extra bytes filled with a pattern; call
/// <see cref="Check"/> after every kernel call. Only <see cref="IBackend.Allocate"/>, Upload and
/// Download are used, so it works on every engine: managed, native CPU, CUDA and the emulated
/// CUDA engine, whose buffers the test cannot dereference.
/// </summary>
internal sealed class Sentinels(IBackend backend) : IDisposable
{
    /// <summary>One 512-bit vector: catches a full vector stored past the end.</summary>
    public const int GuardBytes = 64;

    // Not a value kernels write by accident (0, 1, NaN, a repeated byte).
    private static readonly byte[] Pattern = Enumerable.Range(0, GuardBytes).Select(i => (byte)(0xC3 + 37 * i)).ToArray();

    private readonly List<(string Name, DeviceBuffer Buffer, long Bytes)> _outputs = [];

    /// <summary>A guarded output of <paramref name="bytes"/> bytes (contents undefined).</summary>
    public nint Output(long bytes, string name)
    {
        var buffer = backend.Allocate(bytes + GuardBytes);
        _outputs.Add((name, buffer, bytes));
        backend.Upload(Pattern, buffer.Pointer, bytes);
        return buffer.Pointer;
    }

    /// <summary>A guarded output that starts as <paramref name="data"/> (in-place kernels).</summary>
    public nint Output<T>(T[] data, string name) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data.AsSpan());
        nint p = Output(bytes.Length, name);
        backend.Upload(bytes, p, 0);
        return p;
    }

    /// <summary>Reads <paramref name="count"/> elements of the output at <paramref name="pointer"/>.</summary>
    public T[] Read<T>(nint pointer, long count) where T : unmanaged
    {
        var r = new T[count];
        backend.Download(pointer, 0, MemoryMarshal.AsBytes(r.AsSpan()));
        return r;
    }

    /// <summary>Fails, naming the output and the call, when any guard byte has changed.</summary>
    public void Check(string after)
    {
        var seen = new byte[GuardBytes];
        foreach (var (name, buffer, bytes) in _outputs)
        {
            backend.Download(buffer.Pointer, bytes, seen);
            int at = seen.AsSpan().CommonPrefixLength(Pattern);
            Assert.True(at == GuardBytes,
                $"{backend.Name}: {after} wrote past the end of {name} ({bytes} bytes): guard byte {at} changed");
        }
    }

    public void Dispose()
    {
        foreach (var o in _outputs) o.Buffer.Dispose();
        _outputs.Clear();
    }
}
