namespace NeuralFlow.Image.Codecs;

/// <summary>
/// One JPEG Huffman table (a DHT entry): canonical codes of 1 to 16 bits, decoded through a 9-bit
/// lookup for the short codes and libjpeg's per-length max-code search for the rest.
/// </summary>
internal sealed class JpegHuffman
{
    private const int LookBits = 9;
    private readonly int[] _maxCode = new int[18]; // the largest code of each length, -1 for none
    private readonly int[] _valueOffset = new int[17];
    private readonly byte[] _values;
    private readonly short[] _lookup = new short[1 << LookBits]; // (length << 8) | value, 0 when longer

    /// <summary>Builds the table from the 16 code counts and the symbols; throws when the counts overflow the code space.</summary>
    public JpegHuffman(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        _values = values.ToArray();
        int code = 0, k = 0;
        for (int length = 1; length <= 16; length++)
        {
            _valueOffset[length] = k - code;
            int n = counts[length - 1];
            if (n > 0)
            {
                for (int i = 0; i < n; i++, k++, code++)
                {
                    // Checked per code: a code past the length's space would index outside the lookup.
                    if (code >= 1 << length) throw ImageLimits.Invalid("JPEG", "a Huffman table has more codes than its lengths allow");
                    if (length <= LookBits)
                    {
                        int first = code << (LookBits - length);
                        for (int j = 0; j < 1 << (LookBits - length); j++) _lookup[first + j] = (short)(length << 8 | _values[k]);
                    }
                }
                _maxCode[length] = code - 1;
            }
            else _maxCode[length] = -1;
            code <<= 1;
        }
        _maxCode[17] = int.MaxValue; // sentinel: a 17-bit search always ends
    }

    /// <summary>The next symbol from <paramref name="bits"/>.</summary>
    public int Decode(JpegBitReader bits)
    {
        int peek = bits.Peek(LookBits);
        int entry = _lookup[peek];
        if (entry != 0)
        {
            bits.Skip(entry >> 8);
            return entry & 0xFF;
        }
        int code = 0;
        for (int length = 1; length <= 16; length++)
        {
            code = code << 1 | bits.Bit();
            if (code <= _maxCode[length] && _maxCode[length] >= 0)
            {
                int index = _valueOffset[length] + code;
                if ((uint)index < (uint)_values.Length) return _values[index];
                break;
            }
        }
        throw ImageLimits.Invalid("JPEG", "the entropy-coded data has a bit pattern that is no Huffman code (corrupt data)");
    }
}

/// <summary>
/// The bits of a JPEG scan: 0xFF 0x00 is a stuffed 0xFF, any other 0xFF xx is a marker, where the data
/// ends (as libjpeg, zeros are read past it, and <see cref="HitMarker"/> says so).
/// </summary>
internal sealed class JpegBitReader(byte[] data, int position)
{
    private uint _buffer;
    private int _count;
    private int _padding; // how many of the buffered bits (the last ones) are zeros past the data

    /// <summary>Whether more bits were consumed than the data had before its marker (truncated or corrupt data).</summary>
    public bool ReadPastEnd { get; private set; }

    /// <summary>The byte position after the bits consumed so far (the next marker, at a scan's end).</summary>
    public int Position { get; private set; } = position;

    /// <summary>Whether the data ran into a marker (or the end of the file) while more bits were wanted.</summary>
    public bool HitMarker { get; private set; }

    private void Fill()
    {
        while (_count <= 24)
        {
            int b = 0;
            if (HitMarker) _padding += 8;
            else
            {
                if (Position >= data.Length) { HitMarker = true; _padding += 8; }
                else if (data[Position] == 0xFF)
                {
                    int next = Position + 1 < data.Length ? data[Position + 1] : -1;
                    if (next == 0) { b = 0xFF; Position += 2; }
                    else { HitMarker = true; _padding += 8; }
                }
                else b = data[Position++];
            }
            _buffer |= (uint)b << (24 - _count);
            _count += 8;
        }
    }

    /// <summary>The next <paramref name="n"/> (1 to 16) bits without consuming them.</summary>
    public int Peek(int n)
    {
        if (_count < n) Fill();
        return (int)(_buffer >> (32 - n));
    }

    public void Skip(int n)
    {
        if (_count < n) Fill();
        _buffer <<= n;
        _count -= n;
        if (_count < _padding) ReadPastEnd = true;
    }

    public int Bit()
    {
        int b = Peek(1);
        Skip(1);
        return b;
    }

    /// <summary><paramref name="n"/> bits as an unsigned number (0 for n = 0).</summary>
    public int Bits(int n)
    {
        if (n == 0) return 0;
        int v = 0;
        // At most 16 at a time: the buffer holds at least 25 bits after a fill.
        while (n > 16) { v = v << 16 | Peek(16); Skip(16); n -= 16; }
        v = v << n | Peek(n);
        Skip(n);
        return v;
    }

    /// <summary>JPEG's EXTEND: <paramref name="n"/> bits as a signed magnitude category value.</summary>
    public int Receive(int n)
    {
        if (n == 0) return 0;
        int v = Bits(n);
        return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
    }

    /// <summary>
    /// Drops the buffered bits and expects a restart marker (RST0-7), as at every restart interval;
    /// returns false when there is none.
    /// </summary>
    public bool Restart()
    {
        // Bits read ahead end at the marker (an encoder pads the last byte before RSTn), so the
        // position is at the marker, or at garbage that libjpeg would skip as well.
        _buffer = 0;
        _count = 0;
        _padding = 0;
        HitMarker = false;
        Position = NextMarker(data, Position);
        if (Position + 1 < data.Length && data[Position + 1] is >= 0xD0 and <= 0xD7)
        {
            Position += 2;
            return true;
        }
        return false;
    }

    /// <summary>The position of the next marker (0xFF then neither 0 nor 0xFF) at or after <paramref name="from"/>, or the data's length.</summary>
    public static int NextMarker(byte[] data, int from)
    {
        for (int i = from; i + 1 < data.Length; i++)
            if (data[i] == 0xFF && data[i + 1] is not (0 or 0xFF)) return i;
        return data.Length;
    }
}
