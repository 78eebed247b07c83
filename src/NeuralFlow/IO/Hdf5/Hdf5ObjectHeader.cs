namespace NeuralFlow.IO.Hdf5;

/// <summary>One header message: its type (HDF5's message type number), flags and body.</summary>
internal sealed record Hdf5Message(int Type, int Flags, byte[] Body);

/// <summary>
/// An object header (version 1, h5py's default, or version 2, "OHDR", with <c>libver='latest'</c>)
/// read into its messages, following continuation blocks; a continuation chain that loops, or a
/// header with absurdly many messages, fails.
/// </summary>
internal static class Hdf5ObjectHeader
{
    public const int Continuation = 0x10;
    private const int MaxMessages = 1 << 16, MaxBlocks = 1 << 12;

    public static List<Hdf5Message> Read(Hdf5Source source, ulong address, string what)
    {
        var messages = new List<Hdf5Message>();
        var first = source.ReadUpTo(address, 16, $"the object header of {what}");
        if (first.Length >= 4 && first[0] == 'O' && first[1] == 'H' && first[2] == 'D' && first[3] == 'R')
            ReadVersion2(source, address, what, messages);
        else
            ReadVersion1(source, address, what, messages);
        return messages;
    }

    private static void ReadVersion1(Hdf5Source source, ulong address, string what, List<Hdf5Message> messages)
    {
        var head = source.Cursor(address, 16, $"the object header of {what}");
        int version = head.U8();
        if (version != 1) throw source.Corrupt($"the object header of {what} has version {version}; 1 and 2 are known");
        head.Skip(1);
        head.Skip(2 + 4);   // message count (the blocks' sizes bound them), reference count
        uint size = head.U32();
        var blocks = new Queue<(ulong Address, ulong Size)>();
        blocks.Enqueue((address + 16, size));
        var seen = new HashSet<ulong>();
        while (blocks.Count > 0)
        {
            var (at, length) = blocks.Dequeue();
            if (!seen.Add(at) || seen.Count > MaxBlocks) throw source.Corrupt($"the object header of {what} has continuation blocks that loop");
            var c = source.Cursor(at, (long)Math.Min(length, (ulong)Hdf5Source.MaxStructureBytes + 1), $"the object header of {what}");
            while (c.Remaining >= 8)
            {
                int type = c.U16();
                int bodySize = c.U16();
                int flags = c.U8();
                c.Skip(3);
                var body = c.ToArray(bodySize);
                c.Align(8);
                Add(source, messages, new Hdf5Message(type, flags, body), blocks, what);
            }
        }
    }

    private static void ReadVersion2(Hdf5Source source, ulong address, string what, List<Hdf5Message> messages)
    {
        var head = new Hdf5Cursor(source, source.ReadUpTo(address, 40, $"the object header of {what}"), $"the object header of {what}");
        head.Skip(4);
        int version = head.U8();
        if (version != 2) throw source.Corrupt($"the object header of {what} has version {version}; 1 and 2 are known");
        int flags = head.U8();
        if ((flags & 0x20) != 0) head.Skip(16);   // access, modification, change and birth times
        if ((flags & 0x10) != 0) head.Skip(4);    // attribute storage phase change values
        ulong size = head.Sized(1 << (flags & 3));
        if (size > Hdf5Source.MaxStructureBytes) throw source.Corrupt($"the object header of {what} claims {size} bytes");
        bool creationOrder = (flags & 0x04) != 0;
        int prefix = head.Position;
        var blocks = new Queue<(ulong Address, ulong Size, bool First)>();
        blocks.Enqueue((address, (ulong)prefix + size + 4, true));
        var seen = new HashSet<ulong>();
        var chained = new Queue<(ulong Address, ulong Size)>();
        while (blocks.Count > 0)
        {
            var (at, length, isFirst) = blocks.Dequeue();
            if (!seen.Add(at) || seen.Count > MaxBlocks) throw source.Corrupt($"the object header of {what} has continuation blocks that loop");
            // The first block is the prefix, messages and checksum; a continuation block "OCHK", messages, checksum.
            string where = isFirst ? $"the object header of {what}" : $"a continuation block of {what}'s header";
            if (length < 8 || length > Hdf5Source.MaxStructureBytes) throw source.Corrupt($"{where} claims {length} bytes");
            var bytes = source.Read(at, (long)length, where);
            if (!isFirst && !bytes.AsSpan(0, 4).SequenceEqual("OCHK"u8)) throw source.Corrupt($"{where} lacks its signature 'OCHK'");
            Hdf5Checksum.Verify(source, bytes, bytes.Length - 4, where);
            int start = isFirst ? prefix : 4;
            var c = new Hdf5Cursor(source, bytes[start..^4], where);
            int minimum = creationOrder ? 6 : 4;
            while (c.Remaining >= minimum)
            {
                int type = c.U8();
                int bodySize = c.U16();
                int messageFlags = c.U8();
                if (creationOrder) c.Skip(2);
                var body = c.ToArray(bodySize);
                Add(source, messages, new Hdf5Message(type, messageFlags, body), chained, what);
            }
            while (chained.Count > 0)
            {
                var next = chained.Dequeue();
                blocks.Enqueue((next.Address, next.Size, false));
            }
        }
    }

    private static void Add(Hdf5Source source, List<Hdf5Message> messages, Hdf5Message message, Queue<(ulong, ulong)> blocks, string what)
    {
        if (messages.Count >= MaxMessages) throw source.Corrupt($"the object header of {what} has more than {MaxMessages} messages");
        if (message.Type == Continuation)
        {
            var c = new Hdf5Cursor(source, message.Body, $"a continuation message of {what}");
            blocks.Enqueue((c.Address(), c.Length()));
        }
        else messages.Add(message);
    }
}
