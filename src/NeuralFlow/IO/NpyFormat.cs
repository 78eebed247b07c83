using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NeuralFlow.Backends;

namespace NeuralFlow.IO;

/// <summary>
/// NumPy's .npy format (numpy/lib/format.py, versions 1.0 to 3.0): the magic <c>\x93NUMPY</c>, the
/// version, a little-endian header length (2 bytes in 1.0, 4 after), a Python dict literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c> padded with spaces to a
/// multiple of 64 bytes and ended by a newline, then the raw data.
/// </summary>
internal static class NpyFormat
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeader = 1 << 20;

    // Each NumPy type code read (little-endian or single-byte): its item size and the dtype it loads as. A code
    // whose size is its dtype's is kept as stored; NumPy's int8, int16 and uint16 widen to int32, uint32 to int64.
    private static readonly Dictionary<string, (int Size, DType Loaded)> Codes = new()
    {
        ["f2"] = (2, DType.Float16), ["f4"] = (4, DType.Float32), ["f8"] = (8, DType.Float64), ["i4"] = (4, DType.Int32),
        ["i8"] = (8, DType.Int64), ["u1"] = (1, DType.UInt8), ["b1"] = (1, DType.Bool),
        ["i1"] = (1, DType.Int32), ["i2"] = (2, DType.Int32), ["u2"] = (2, DType.Int32), ["u4"] = (4, DType.Int64),
    };

    /// <summary>Reads one array from <paramref name="stream"/> (a .npy file or an entry of a .npz) onto the default device; <paramref name="name"/> names it in errors.</summary>
    public static Tensor Read(Stream stream, string name)
    {
        Span<byte> head = stackalloc byte[10];
        ReadExactly(stream, head[..8], name, "the magic and version");
        if (!head[..6].SequenceEqual(Magic)) throw Bad(name, "it does not start with NumPy's magic \\x93NUMPY (not a .npy file)");
        int major = head[6];
        int headerLength;
        if (major == 1)
        {
            ReadExactly(stream, head[..2], name, "the header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(head);
        }
        else if (major is 2 or 3)
        {
            ReadExactly(stream, head[..4], name, "the header length");
            long n = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (n > MaxHeader) throw Bad(name, $"its header claims {n} bytes");
            headerLength = (int)n;
        }
        else throw Bad(name, $"it has format version {major}.{head[7]}; NumPy writes 1.0 to 3.0");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, name, "the header");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = ParseHeader(header, name);

        char order = descr[0];
        string code = descr[1..];
        if (order == '>' && code[1..] != "1")
            throw Bad(name, $"its dtype '{descr}' is big-endian; NeuralFlow reads little-endian arrays (numpy: a.astype(a.dtype.newbyteorder('<')))");
        if (order is not ('<' or '|' or '=' or '>'))
            throw Bad(name, $"its dtype '{descr}' is not a plain number type (NeuralFlow reads float16/32/64, int8 to int64, uint8 to uint32 and bool)");
        if (!Codes.TryGetValue(code, out var type))
            throw Bad(name, $"its dtype '{descr}' is not one NeuralFlow holds (float16/32/64, int8 to int64, uint8 to uint32, bool){(code.StartsWith('O') ? ": object arrays are pickles, which are never loaded" : "")}");
        int itemSize = type.Size;
        long count = 1;
        foreach (var d in shape) count = checked(count * d);
        long bytes = checked(count * itemSize);
        if (bytes > int.MaxValue) throw Bad(name, $"it holds {bytes} bytes; arrays over 2 GB are not read");
        var data = new byte[bytes];
        ReadExactly(stream, data, name, $"the data ({bytes} bytes for shape ({string.Join(", ", shape)}) of '{descr}')");

        // Fortran order: the data is the transpose's, row-major; read it as that and transpose back.
        var stored = fortran ? shape.Reverse().ToArray() : shape;
        var tensor = ToTensor(data, code, type.Loaded, new Shape(stored), name);
        if (!fortran || shape.Length < 2) return tensor;
        using (tensor)
        using (var transposed = NF.Transpose(tensor, Enumerable.Range(0, shape.Length).Reverse().ToArray()))
            return transposed.Contiguous();
    }

    private static Tensor ToTensor(byte[] data, string code, DType dtype, Shape shape, string name)
    {
        var backend = NF.Backend;
        if (data.Length == 0) return NF.Zeros(shape, dtype);
        if (Codes[code].Size == dtype.SizeInBytes())
        {
            if (dtype == DType.Bool && data.Any(b => b > 1)) throw Bad(name, "a bool element holds a byte other than 0 or 1");
            var storage = new Storage(backend, data.Length);
            storage.Backend.Upload(data, storage.Pointer, 0);
            return new Tensor(storage, Layout.Contiguous(shape), dtype);
        }
        return code switch
        {
            "i1" => Engine.FromHost<int>(data.Select(b => (int)(sbyte)b).ToArray(), shape, backend),
            "i2" => Engine.FromHost<int>(Widen(data, 2, s => (int)BinaryPrimitives.ReadInt16LittleEndian(s)), shape, backend),
            "u2" => Engine.FromHost<int>(Widen(data, 2, s => (int)BinaryPrimitives.ReadUInt16LittleEndian(s)), shape, backend),
            _ => Engine.FromHost<long>(Widen(data, 4, s => (long)BinaryPrimitives.ReadUInt32LittleEndian(s)), shape, backend),
        };
    }

    private static T[] Widen<T>(byte[] data, int size, Func<ReadOnlySpan<byte>, T> read)
    {
        var values = new T[data.Length / size];
        for (int i = 0; i < values.Length; i++) values[i] = read(data.AsSpan(i * size, size));
        return values;
    }

    private static readonly Regex Descr = new(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]");
    private static readonly Regex Fortran = new(@"['""]fortran_order['""]\s*:\s*(True|False)");
    private static readonly Regex ShapeField = new(@"['""]shape['""]\s*:\s*\(([^)]*)\)");

    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string name)
    {
        var descr = Descr.Match(header);
        var fortran = Fortran.Match(header);
        var shape = ShapeField.Match(header);
        if (!header.TrimStart().StartsWith('{') || !descr.Success || !fortran.Success || !shape.Success)
            throw Bad(name, $"its header is not NumPy's dict of 'descr', 'fortran_order' and 'shape': {header.Trim()}");
        if (descr.Groups[1].Value.Length < 2)
            throw Bad(name, $"its dtype '{descr.Groups[1].Value}' is not a plain number type (a structured array's fields are not read)");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => int.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
                : throw Bad(name, $"its shape ({shape.Groups[1].Value}) has a dimension that is not a count up to {int.MaxValue}")).ToArray();
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims);
    }

    /// <summary>Writes <paramref name="tensor"/> as a .npy (version 1.0, row-major, little-endian) to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        tensor.ThrowIfDisposed();
        string code = tensor.DType switch
        {
            DType.Float32 => "<f4", DType.Float64 => "<f8", DType.Float16 => "<f2", DType.Int32 => "<i4", DType.Int64 => "<i8",
            DType.UInt8 => "|u1", DType.Bool => "|b1", _ => throw new NotSupportedException($"NF.Numpy: dtype {tensor.DType} has no NumPy type here."),
        };
        var dims = tensor.Shape.ToArray();
        string shape = dims.Length == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
        string dict = $"{{'descr': '{code}', 'fortran_order': False, 'shape': {shape}, }}";
        // NumPy pads the header so that the data starts on a multiple of 64 bytes.
        int total = Magic.Length + 2 + 2 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        if (header.Length > ushort.MaxValue) throw new NotSupportedException($"NF.Numpy: a shape of rank {dims.Length} makes a header over 64 KB.");
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        NF.Safetensors.WriteData(tensor, stream);
    }

    private static void ReadExactly(Stream stream, Span<byte> into, string name, string what)
    {
        try { stream.ReadExactly(into); }
        catch (EndOfStreamException) { throw Bad(name, $"it ends inside {what} (truncated)"); }
    }

    public static InvalidDataException Bad(string name, string what) => new($"NumPy array '{name}': {what}.");
}
