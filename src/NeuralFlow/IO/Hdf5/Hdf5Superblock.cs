namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// The superblock (versions 0 and 1, written by h5py's default <c>libver='earliest'</c>; 2 and 3,
/// by <c>libver='latest'</c>): the sizes of addresses and lengths, the base address, the end of
/// file (a shorter file is truncated) and where the root group's object header is.
/// </summary>
internal static class Hdf5Superblock
{
    /// <summary>Reads the superblock at <paramref name="at"/>, sets the source's sizes and base, and returns the root group's object header address.</summary>
    public static ulong Read(Hdf5Source source, long at)
    {
        var c = new Hdf5Cursor(source, source.ReadUpTo((ulong)at, 256, "the superblock"), "the superblock");
        c.Skip(8);
        int version = c.U8();
        int offsets, lengths;
        if (version is 0 or 1)
        {
            c.Skip(3);   // free-space, root symbol table and shared-message versions, reserved
            c.Skip(1);   // shared header message format version
            offsets = c.U8();
            lengths = c.U8();
            c.Skip(1 + 2 + 2 + 4);   // reserved, group leaf and internal node K, consistency flags
            if (version == 1) c.Skip(4);   // indexed storage internal node K, reserved
        }
        else if (version is 2 or 3)
        {
            offsets = c.U8();
            lengths = c.U8();
            c.Skip(1);   // consistency flags
        }
        else throw source.Corrupt($"its superblock has version {version}; versions 0 to 3 are known");
        if (offsets is not (2 or 4 or 8) || lengths is not (2 or 4 or 8))
            throw source.Corrupt($"its superblock gives addresses of {offsets} bytes and lengths of {lengths}; 2, 4 or 8 are valid");
        source.OffsetSize = offsets;
        source.LengthSize = lengths;
        ulong baseAddress = c.Address();
        ulong root;
        ulong endOfFile;
        if (version <= 1)
        {
            c.Address();   // free-space info
            endOfFile = c.Address();
            c.Address();   // driver info
            c.Address();   // root symbol table entry: link name offset
            root = c.Address();
        }
        else
        {
            c.Address();   // superblock extension
            endOfFile = c.Address();
            root = c.Address();
        }
        if (baseAddress > (ulong)source.Length) throw source.Corrupt($"its base address {baseAddress} lies past the end of the file");
        source.Base = (long)baseAddress;
        // h5py writes the end-of-file address counting from the file's start even after a user
        // block (base address 512, end of file = the file's length), so it is compared as is.
        if (endOfFile > (ulong)source.Length)
            throw source.Corrupt($"the superblock says the file has {endOfFile} bytes but it has {source.Length}: the file is truncated");
        return root;
    }
}
