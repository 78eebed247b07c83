using System.Buffers.Binary;
using System.Text;

namespace NeuralFlow.IO.Hdf5;

/// <summary>The element types <see cref="Hdf5Writer"/> stores: little-endian IEEE floats and integers.</summary>
internal enum Hdf5Element { Float16, Float32, Float64, UInt8, Int32, Int64 }

/// <summary>
/// The bytes of the structures <see cref="Hdf5Writer"/> writes, encoded as libhdf5 1.10 does with
/// <c>libver='latest'</c> (superblock version 2, "OHDR" object headers) and as
/// <see cref="Hdf5File"/> decodes them. Addresses and lengths are 8 bytes; every value is little-endian.
/// </summary>
internal static class Hdf5WriterMessages
{
    public const ulong Undefined = ulong.MaxValue;
    /// <summary>A message's body size is a 16-bit field: libhdf5 holds no larger message in an object header.</summary>
    public const int MaxMessageBody = ushort.MaxValue;
    public const int SuperblockSize = 48;

    // Message types (HDF5 file format specification, section IV.A.2).
    private const int Dataspace = 0x01, LinkInfo = 0x02, Datatype = 0x03, FillValue = 0x05, Layout = 0x08,
        GroupInfo = 0x0A, Link = 0x06, Attribute = 0x0C, AttributeInfo = 0x15;
    // Message flags: constant (the datatype, fill value and group info h5py writes are marked so); not shareable.
    private const int Constant = 0x01, DoNotShare = 0x04;

    /// <summary>One header message: its type, flags and body.</summary>
    public readonly record struct Message(int Type, int Flags, byte[] Body);

    public static int Size(this Hdf5Element e) => e switch
    {
        Hdf5Element.Float16 => 2,
        Hdf5Element.Float32 or Hdf5Element.Int32 => 4,
        Hdf5Element.Float64 or Hdf5Element.Int64 => 8,
        _ => 1,
    };

    /// <summary>Superblock version 2: sizes, base 0, no extension, the end of file and the root group's header, checksummed.</summary>
    public static byte[] Superblock(ulong rootAddress, ulong endOfFile)
    {
        var b = new byte[SuperblockSize];
        Hdf5Source.Signature.CopyTo(b);
        b[8] = 2;    // version
        b[9] = 8;    // size of offsets
        b[10] = 8;   // size of lengths
        b[11] = 0;   // file consistency flags
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(12), 0);   // base address
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(20), Undefined);   // superblock extension
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(28), endOfFile);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(36), rootAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(44), Hdf5Checksum.Lookup3(b.AsSpan(0, 44)));
        return b;
    }

    /// <summary>
    /// A version 2 object header: "OHDR", version, flags (only the width of the chunk size: no
    /// times, so the same content writes the same bytes), the chunk's size, the messages, checksum.
    /// </summary>
    public static byte[] ObjectHeader(IReadOnlyList<Message> messages)
    {
        long body = 0;
        foreach (var m in messages) body += 4 + m.Body.Length;
        int width = body <= byte.MaxValue ? 1 : body <= ushort.MaxValue ? 2 : body <= uint.MaxValue ? 4 : 8;
        var b = new Builder();
        b.Bytes("OHDR"u8);
        b.U8(2);
        b.U8(width switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 });
        b.Sized((ulong)body, width);
        foreach (var m in messages)
        {
            b.U8(m.Type);
            b.U16(m.Body.Length);
            b.U8(m.Flags);
            b.Bytes(m.Body);
        }
        b.U32(Hdf5Checksum.Lookup3(b.Written));
        return b.ToArray();
    }

    /// <summary>The messages that open a new-style (compact) group: link info and group info, as libhdf5 writes them.</summary>
    public static IEnumerable<Message> GroupStart()
    {
        var info = new Builder();
        info.U8(0);   // version
        info.U8(0);   // flags: creation order neither tracked nor indexed
        info.U64(Undefined);   // fractal heap: none, the links are in the header
        info.U64(Undefined);   // name index B-tree: none
        yield return new Message(LinkInfo, 0, info.ToArray());
        yield return new Message(GroupInfo, Constant, [0, 0]);   // version 0, default phase change values
    }

    /// <summary>A hard link named <paramref name="name"/> to the object header at <paramref name="address"/>.</summary>
    public static Message HardLink(string name, ulong address)
    {
        var utf8 = Encoding.UTF8.GetBytes(name);
        bool ascii = Ascii(utf8);
        var b = new Builder();
        b.U8(1);   // version
        int width = utf8.Length <= byte.MaxValue ? 1 : 2;
        b.U8((width == 1 ? 0 : 1) | (ascii ? 0 : 0x10));   // name length width; character set field present for UTF-8
        if (!ascii) b.U8(1);   // UTF-8
        b.Sized((ulong)utf8.Length, width);
        b.Bytes(utf8);
        b.U64(address);
        return new Message(Link, 0, b.ToArray());
    }

    /// <summary>The dataset messages: dataspace, datatype, fill value (libhdf5's defaults) and a contiguous layout.</summary>
    public static IEnumerable<Message> DatasetMessages(Hdf5Element element, long[] shape, ulong address, ulong size)
    {
        yield return new Message(Dataspace, 0, DataspaceBody(shape));
        yield return new Message(Datatype, Constant, DatatypeBody(element));
        // Version 3, flags 0x0A: allocation late, fill written "if set", no fill value defined (what h5py writes).
        yield return new Message(FillValue, Constant, [3, 0x0A]);
        var layout = new Builder();
        layout.U8(3);   // version
        layout.U8(1);   // contiguous
        layout.U64(address);
        layout.U64(size);
        yield return new Message(Layout, 0, layout.ToArray());
    }

    /// <summary>The attribute info message libhdf5 puts before the attributes of a version 2 header: all in the header.</summary>
    public static Message AttributeInfoMessage()
    {
        var b = new Builder();
        b.U8(0);
        b.U8(0);
        b.U64(Undefined);   // fractal heap: none (compact storage)
        b.U64(Undefined);   // name index B-tree: none
        return new Message(AttributeInfo, DoNotShare, b.ToArray());
    }

    /// <summary>An attribute message (version 3) of the given datatype, dims (null: scalar) and raw data.</summary>
    public static Message AttributeMessage(string name, byte[] datatype, long[] dims, byte[] data)
    {
        var utf8 = Encoding.UTF8.GetBytes(name);
        var space = DataspaceBody(dims);
        var b = new Builder();
        b.U8(3);   // version
        b.U8(0);   // flags: datatype and dataspace not shared
        b.U16(utf8.Length + 1);   // the name's size, with its terminating null
        b.U16(datatype.Length);
        b.U16(space.Length);
        b.U8(Ascii(utf8) ? 0 : 1);   // name character set
        b.Bytes(utf8);
        b.U8(0);
        b.Bytes(datatype);
        b.Bytes(space);
        b.Bytes(data);
        return new Message(Attribute, 0, b.ToArray());
    }

    /// <summary>A dataspace message (version 2): scalar for no dimensions, else simple with these dimensions (maximum = current).</summary>
    public static byte[] DataspaceBody(long[] dims)
    {
        var b = new Builder();
        b.U8(2);
        b.U8(dims.Length);
        b.U8(0);   // flags: no maximum dimensions
        b.U8(dims.Length == 0 ? 0 : 1);   // scalar or simple
        foreach (var d in dims) b.U64((ulong)d);
        return b.ToArray();
    }

    /// <summary>The datatype of <paramref name="element"/>: class 1 (IEEE float) or 0 (integer), little-endian.</summary>
    public static byte[] DatatypeBody(Hdf5Element element)
    {
        var b = new Builder();
        int size = element.Size();
        bool isFloat = element is Hdf5Element.Float16 or Hdf5Element.Float32 or Hdf5Element.Float64;
        if (isFloat)
        {
            // Sign bit location, exponent location and size, mantissa size, bias (IEEE 754 binary16/32/64).
            var (exponentAt, exponentBits, mantissaBits, bias) = element switch
            {
                Hdf5Element.Float16 => (10, 5, 10, 15u),
                Hdf5Element.Float32 => (23, 8, 23, 127u),
                _ => (52, 11, 52, 1023u),
            };
            b.U8(0x11);   // class 1, version 1
            b.U8(0x20);   // little-endian, no padding, mantissa normalized with an implied leading 1
            b.U8(size * 8 - 1);   // sign bit location
            b.U8(0);
            b.U32((uint)size);
            b.U16(0);   // bit offset
            b.U16(size * 8);   // precision
            b.U8(exponentAt);
            b.U8(exponentBits);
            b.U8(0);   // mantissa location
            b.U8(mantissaBits);
            b.U32(bias);
        }
        else
        {
            b.U8(0x10);   // class 0, version 1
            b.U8(element == Hdf5Element.UInt8 ? 0 : 0x08);   // little-endian, signed bit
            b.U8(0);
            b.U8(0);
            b.U32((uint)size);
            b.U16(0);
            b.U16(size * 8);
        }
        return b.ToArray();
    }

    /// <summary>A fixed-length string of <paramref name="width"/> bytes, null-padded (numpy's 'S' type as h5py writes it).</summary>
    public static byte[] FixedStringType(int width, bool ascii)
    {
        var b = new Builder();
        b.U8(0x13);   // class 3, version 1
        b.U8(1 | (ascii ? 0 : 0x10));   // null-padded; ASCII or UTF-8
        b.U8(0);
        b.U8(0);
        b.U32((uint)width);
        return b.ToArray();
    }

    /// <summary>
    /// A variable-length UTF-8 string, null-terminated, as h5py writes a Python str: class 9,
    /// type 1 (string), each element a 16-byte global heap ID, the characters unsigned bytes.
    /// </summary>
    public static byte[] VariableStringType()
    {
        var b = new Builder();
        b.U8(0x19);   // class 9, version 1
        b.U8(0x01);   // a string, null-terminated
        b.U8(0x01);   // UTF-8
        b.U8(0);
        b.U32(Hdf5HeapString.IdSize);
        b.Bytes(DatatypeBody(Hdf5Element.UInt8));   // the base type
        return b.ToArray();
    }

    public static bool Ascii(ReadOnlySpan<byte> utf8) => utf8.IndexOfAnyInRange((byte)0x80, (byte)0xFF) < 0;

    /// <summary>Appends little-endian fields to a growing buffer.</summary>
    private sealed class Builder
    {
        private readonly List<byte> _bytes = [];
        public ReadOnlySpan<byte> Written => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes);
        public void U8(int v) => _bytes.Add((byte)v);
        public void U16(int v) { Span<byte> s = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v); _bytes.AddRange(s); }
        public void U32(uint v) { Span<byte> s = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(s, v); _bytes.AddRange(s); }
        public void U64(ulong v) { Span<byte> s = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(s, v); _bytes.AddRange(s); }
        public void Sized(ulong v, int width)
        {
            Span<byte> s = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(s, v);
            _bytes.AddRange(s[..width]);
        }
        public void Bytes(ReadOnlySpan<byte> v) => _bytes.AddRange(v);
        public byte[] ToArray() => [.. _bytes];
    }
}
