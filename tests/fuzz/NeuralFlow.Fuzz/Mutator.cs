using System.Buffers.Binary;
using System.IO.Compression;

namespace NeuralFlow.Fuzz;

/// <summary>
/// Deterministic mutations of IDX inputs (raw or gzip): byte and bit edits, header-field edits
/// (rank, type code, dimensions set to edge values), truncations, insertions, deletions, splices
/// and gzip member concatenation. A gzip input is mutated half of the time inside its payload and
/// recompressed, so structural edits get past the CRC to the IDX parser; a zip archive (a model
/// file) most of the time inside one of its entries, rewritten with fresh CRCs.
/// </summary>
internal sealed class Mutator(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly int[] InterestingInts =
        [0, 1, 2, 3, 7, 28, 255, 256, 65535, 65536, 1 << 20, 1 << 24, 1 << 30, int.MaxValue, int.MinValue, -1, -2, 0x7FFFFFC7, 0x7FFFFFC8];
    private static readonly byte[] InterestingBytes = [0, 1, 2, 3, 4, 8, 9, 0x0D, 0x1F, 0x7F, 0x80, 0x8B, 0xFE, 0xFF];

    /// <summary>A mutant of <paramref name="input"/>; <paramref name="other"/> feeds splices.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        if (IsGzip(input) && _random.Next(2) == 0 && TryGunzip(input) is { } payload)
            return Gzip(MutateRaw(payload, TryGunzip(other) ?? other));
        if (IsZip(input) && _random.Next(4) != 0 && MutateInsideZip(input, other) is { } rezipped) return rezipped;
        return MutateRaw(input, other);
    }

    // A model archive (.nfmodel, .keras) with one entry mutated and the archive rewritten, so that
    // the edit gets past the entries' CRCs to the JSON, safetensors or HDF5 reader behind them.
    private byte[]? MutateInsideZip(byte[] input, byte[] other)
    {
        try
        {
            var entries = new List<(string Name, byte[] Bytes)>();
            using (var zip = new ZipArchive(new MemoryStream(input, writable: false), ZipArchiveMode.Read))
                foreach (var e in zip.Entries)
                {
                    if (e.Length > 1 << 24) return null;
                    using var s = e.Open();
                    var buffer = new MemoryStream();
                    s.CopyTo(buffer);
                    entries.Add((e.FullName, buffer.ToArray()));
                }
            if (entries.Count == 0) return null;
            int pick = _random.Next(entries.Count);
            entries[pick] = (entries[pick].Name, MutateRaw(entries[pick].Bytes, other));
            var output = new MemoryStream();
            using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
                foreach (var (name, bytes) in entries)
                {
                    using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                    s.Write(bytes);
                }
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;   // not a readable zip: mutate its bytes instead
        }
    }

    public static bool IsZip(byte[] data) => data.Length >= 4 && data[0] == (byte)'P' && data[1] == (byte)'K' && data[2] == 3 && data[3] == 4;

    private byte[] MutateRaw(byte[] input, byte[] other)
    {
        var bytes = new List<byte>(input);
        int edits = 1 + _random.Next(4);
        for (int i = 0; i < edits; i++) Edit(bytes, other);
        return bytes.ToArray();
    }

    private void Edit(List<byte> bytes, byte[] other)
    {
        switch (_random.Next(12))
        {
            case 0 when bytes.Count > 0: // flip one bit
                bytes[Index(bytes)] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when bytes.Count > 0: // an edge-case byte anywhere
                bytes[Index(bytes)] = Pick(InterestingBytes);
                break;
            case 2: // the rank byte (header byte 3)
                SetAt(bytes, 3, Pick<byte>([0, 1, 2, 3, 4, 8, 9, 10, 255]));
                break;
            case 3: // the type code (header byte 2)
                SetAt(bytes, 2, Pick<byte>([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]));
                break;
            case 4: // one dimension of the header to an edge value, or one off its value
            case 5:
            {
                int at = 4 + 4 * _random.Next(Math.Max(1, Math.Min(9, bytes.Count >= 4 ? bytes[3] : 1)));
                while (bytes.Count < at + 4) bytes.Add(0);
                var span = bytes.GetRange(at, 4).ToArray();
                int current = BinaryPrimitives.ReadInt32BigEndian(span);
                int value = _random.Next(3) switch { 0 => current + 1, 1 => current - 1, _ => Pick(InterestingInts) };
                BinaryPrimitives.WriteInt32BigEndian(span, value);
                for (int k = 0; k < 4; k++) bytes[at + k] = span[k];
                break;
            }
            case 6 when bytes.Count > 0: // truncate
            {
                int cut = Index(bytes);
                bytes.RemoveRange(cut, bytes.Count - cut);
                break;
            }
            case 7: // insert random bytes
            {
                var chunk = new byte[1 + _random.Next(16)];
                _random.NextBytes(chunk);
                bytes.InsertRange(_random.Next(bytes.Count + 1), chunk);
                break;
            }
            case 8 when bytes.Count > 0: // delete a range
            {
                int start = Index(bytes);
                bytes.RemoveRange(start, Math.Min(bytes.Count - start, 1 + _random.Next(16)));
                break;
            }
            case 9 when bytes.Count > 0: // duplicate a range
            {
                int start = Index(bytes);
                var range = bytes.GetRange(start, Math.Min(bytes.Count - start, 1 + _random.Next(32)));
                bytes.InsertRange(_random.Next(bytes.Count + 1), range);
                break;
            }
            case 10: // splice: our head, the other input's tail
            {
                int head = _random.Next(bytes.Count + 1), tail = _random.Next(other.Length + 1);
                bytes.RemoveRange(head, bytes.Count - head);
                bytes.AddRange(other.AsSpan(tail).ToArray());
                break;
            }
            case 11: // a second gzip member, or gzip/raw data appended
                bytes.AddRange(_random.Next(2) == 0 ? Gzip(other) : other);
                break;
        }
    }

    private int Index(List<byte> bytes) => _random.Next(bytes.Count);
    private T Pick<T>(T[] values) => values[_random.Next(values.Length)];

    private static void SetAt(List<byte> bytes, int at, byte value)
    {
        while (bytes.Count <= at) bytes.Add(0);
        bytes[at] = value;
    }

    public static bool IsGzip(byte[] data) => data.Length >= 2 && data[0] == 0x1F && data[1] == 0x8B;

    public static byte[] Gzip(byte[] raw)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(raw);
        return output.ToArray();
    }

    /// <summary>The decompressed bytes (at most <paramref name="limit"/>), or null when it is not valid gzip.</summary>
    public static byte[]? TryGunzip(byte[] data, int limit = 1 << 24)
    {
        if (!IsGzip(data)) return null;
        try
        {
            using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
            var output = new MemoryStream();
            var buffer = new byte[1 << 16];
            int n;
            while (output.Length < limit && (n = gz.Read(buffer)) > 0) output.Write(buffer, 0, n);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
