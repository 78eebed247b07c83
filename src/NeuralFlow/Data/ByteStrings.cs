using System.Text;

namespace NeuralFlow.Data;

/// <summary>
/// tf.string holds bytes; a <see cref="StringTensor"/> holds .NET strings. Text is its UTF-8 bytes, and bytes
/// that are not UTF-8 (a serialized protobuf, an image file) are kept as Python's "surrogateescape" keeps them:
/// each invalid byte b becomes the lone surrogate U+DC00 + b (b ≥ 0x80), which turns back into that byte. So a
/// TFRecord's records, read as strings, give their exact bytes to NF.IO.ParseSingleExample or NF.IO.DecodeRaw,
/// while a record that is text reads as that text.
/// </summary>
internal static class ByteStrings
{
    private const char EscapeBase = '\uDC00';

    /// <summary>The string of <paramref name="bytes"/>: UTF-8, with every byte that is not part of valid UTF-8 escaped.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        // Valid UTF-8 (all text, most records) in one call; the rune loop below only for bytes that need escapes.
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return Encoding.UTF8.GetString(bytes);
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out int used) == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
                bytes = bytes[used..];
            }
            else
            {
                text.Append((char)(EscapeBase + bytes[0]));
                bytes = bytes[1..];
            }
        }
        return text.ToString();
    }

    /// <summary>The bytes of <paramref name="value"/>: UTF-8, with escaped bytes given back as they were.</summary>
    public static byte[] Encode(string value)
    {
        if (!HasEscapes(value)) return Encoding.UTF8.GetBytes(value);   // text, the common case (a lone surrogate: U+FFFD's bytes, as below)
        var bytes = new List<byte>(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length;)
        {
            char c = value[i];
            if (c >= '\uDC80' && c <= '\uDCFF')   // a low surrogate alone (a pair starts with a high one): an escaped byte
            {
                bytes.Add((byte)(c - EscapeBase));
                i++;
                continue;
            }
            Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out int used);   // a lone surrogate gives U+FFFD, as UTF-8 encoders do
            int n = rune.EncodeToUtf8(utf8);
            for (int k = 0; k < n; k++) bytes.Add(utf8[k]);
            i += used;
        }
        return [.. bytes];
    }

    /// <summary>
    /// <paramref name="value"/> with escaped bytes that together make valid UTF-8 turned back into their characters (the
    /// pieces of a byte split or a byte substring joined again): strings of equal bytes are then equal strings.
    /// </summary>
    public static string Canonical(string value) =>
        HasEscapes(value) ? Decode(Encode(value)) : value;

    private static bool HasEscapes(string value) => value.AsSpan().IndexOfAnyInRange('\uDC80', '\uDCFF') >= 0;

    /// <summary>The number of bytes <see cref="Encode"/> gives.</summary>
    public static int ByteCount(string value)
    {
        if (!HasEscapes(value)) return Encoding.UTF8.GetByteCount(value);
        int count = 0;
        for (int i = 0; i < value.Length;)
        {
            char c = value[i];
            if (c >= '\uDC80' && c <= '\uDCFF') { count++; i++; continue; }
            Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out int used);
            count += rune.Utf8SequenceLength;
            i += used;
        }
        return count;
    }
}
