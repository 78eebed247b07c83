using System.Buffers.Binary;
using System.Numerics;

namespace NeuralFlow.IO.TFRecord;

/// <summary>
/// TFRecord's framing (tensorflow/core/lib/io/record_writer.cc): each record is its length as a
/// little-endian uint64, the masked CRC-32C of those 8 bytes, the record's bytes, and the masked CRC-32C of
/// them. TensorBoard's event files are framed so too (EventFileWriter writes through <see cref="Write"/>).
/// </summary>
internal static class TFRecordFraming
{
    /// <summary>TFRecord's masked CRC-32C (Castagnoli): rotated right 15 and offset, so a CRC of data holding CRCs stays strong.</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }

    /// <summary>Writes <paramref name="record"/> framed to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> record)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)record.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        stream.Write(header);
        stream.Write(record);
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(record));
        stream.Write(footer);
    }

    /// <summary>
    /// The records of <paramref name="stream"/> in order, each checked against its CRCs as TensorFlow's reader
    /// checks them: a cut-short record or a CRC mismatch is an <see cref="InvalidDataException"/> naming the
    /// file and the record's offset (TF's DataLossError "truncated record at" / "corrupted record at").
    /// </summary>
    public static IEnumerable<byte[]> Read(Stream stream, string file)
    {
        var header = new byte[12];
        var footer = new byte[4];
        long offset = 0;
        while (true)
        {
            int n = stream.ReadAtLeast(header, 12, throwOnEndOfStream: false);
            if (n == 0) yield break;
            if (n < 12) throw Truncated(file, offset);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)) != MaskedCrc(header.AsSpan(0, 8)))
                throw new InvalidDataException($"TFRecordDataset: corrupted record at {offset} in '{file}': the length's checksum does not match (not a TFRecord file, or a damaged one).");
            if (length > int.MaxValue - 64)
                throw new InvalidDataException($"TFRecordDataset: the record at {offset} in '{file}' claims {length} bytes, more than one record can hold here (2 GB).");
            var record = new byte[(int)length];
            if (stream.ReadAtLeast(record, record.Length, throwOnEndOfStream: false) < record.Length
                || stream.ReadAtLeast(footer, 4, throwOnEndOfStream: false) < 4)
                throw Truncated(file, offset);
            if (BinaryPrimitives.ReadUInt32LittleEndian(footer) != MaskedCrc(record))
                throw new InvalidDataException($"TFRecordDataset: corrupted record at {offset} in '{file}': its data's checksum does not match.");
            offset += 16 + record.Length;
            yield return record;
        }
    }

    private static InvalidDataException Truncated(string file, long offset) =>
        new($"TFRecordDataset: truncated record at {offset} in '{file}' (the file ends inside it: a write was cut short, or the compression type is wrong).");
}
