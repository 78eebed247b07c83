namespace NeuralFlow.IO.Hdf5;

/// <summary>The kinds of element this reader decodes.</summary>
internal enum Hdf5Class { Integer, Float, FixedString, VariableString }

/// <summary>
/// A datatype message: little-endian integers of 1, 2, 4 or 8 bytes, IEEE floats of 2, 4 or 8
/// bytes, fixed-length strings and variable-length strings. Anything else (big-endian numbers,
/// compounds, references, variable-length sequences of numbers) is refused with its name.
/// </summary>
internal sealed record Hdf5Datatype(Hdf5Class Class, int Size, bool Signed)
{
    public static Hdf5Datatype Read(Hdf5Cursor c, string what)
    {
        var source = c.Source;
        int classAndVersion = c.U8();
        int cls = classAndVersion & 0x0F;
        int bits = c.U8() | (c.U8() << 8) | (c.U8() << 16);
        uint size = c.U32();
        switch (cls)
        {
            case 0:   // fixed-point
                if ((bits & 1) != 0) throw source.Corrupt($"{what} is a big-endian integer; only little-endian data is read");
                if (size is not (1 or 2 or 4 or 8)) throw source.Corrupt($"{what} is an integer of {size} bytes");
                c.Skip(4);   // bit offset, precision
                return new(Hdf5Class.Integer, (int)size, (bits & 8) != 0);
            case 1:   // floating point
                if ((bits & 0x41) != 0) throw source.Corrupt($"{what} is a big-endian (or VAX) float; only little-endian data is read");
                if (size is not (2 or 4 or 8)) throw source.Corrupt($"{what} is a float of {size} bytes; float16, float32 and float64 are read");
                int offset = c.U16(), precision = c.U16();
                c.Skip(4);   // exponent and mantissa locations and sizes
                uint bias = c.U32();
                uint standardBias = size switch { 2 => 15u, 4 => 127u, _ => 1023u };
                if (offset != 0 || precision != size * 8 || bias != standardBias)
                    throw source.Corrupt($"{what} is a float of {size} bytes that is not IEEE 754 (precision {precision}, bias {bias})");
                return new(Hdf5Class.Float, (int)size, true);
            case 3:   // fixed-length string
                if (size == 0 || size > 1 << 20) throw source.Corrupt($"{what} is a string of {size} bytes");
                return new(Hdf5Class.FixedString, (int)size, false);
            case 9:   // variable-length
                if ((bits & 0x0F) != 1) throw source.Corrupt($"{what} is a variable-length sequence; only variable-length strings are read");
                Read(c, $"the base type of {what}");   // the string's characters: one byte each
                return new(Hdf5Class.VariableString, (int)size, false);
            default:
                string name = cls switch
                {
                    2 => "a time", 4 => "a bitfield", 5 => "an opaque type", 6 => "a compound", 7 => "a reference",
                    8 => "an enumeration", 10 => "an array type", _ => $"of unknown class {cls}",
                };
                throw source.Corrupt($"{what} is {name}; only numbers and strings are read");
        }
    }

    /// <summary>The NumPy-style name (float32, int64, ...), for messages.</summary>
    public string Name => Class switch
    {
        Hdf5Class.Float => $"float{Size * 8}",
        Hdf5Class.Integer => $"{(Signed ? "" : "u")}int{Size * 8}",
        Hdf5Class.FixedString => $"string of {Size} bytes",
        _ => "variable-length string",
    };
}
