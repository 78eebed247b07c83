namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// A read-only HDF5 file, the subset h5py and Keras write: groups, attributes and numeric
/// datasets, opened with no native library. Every structure is checked as it is read (see
/// <see cref="Hdf5Source"/>): a corrupt, truncated or hostile file fails with an
/// <see cref="InvalidDataException"/> naming the file and what is wrong.
/// </summary>
internal sealed class Hdf5File : IDisposable
{
    /// <summary>The most bytes one dataset may decode to: a dataset claiming more than its file could hold, even compressed, is refused.</summary>
    public long MaxDataBytes { get; }
    public Hdf5Source Source { get; }
    public Hdf5GlobalHeap Heap { get; }
    public Hdf5Group Root { get; }
    public string Path => Source.Path;

    private Hdf5File(Hdf5Source source, ulong root)
    {
        Source = source;
        Heap = new Hdf5GlobalHeap(source);
        // Deflate expands at most about 1032 times; unwritten chunks read as zeros, so allow some slack for those.
        MaxDataBytes = Math.Min(Array.MaxLength, Math.Max(64L << 20, source.Length * 1100));
        Root = new Hdf5Group(this, "/", root);
    }

    public static Hdf5File Open(string path)
    {
        var source = new Hdf5Source(path);
        try
        {
            long at = source.FindSignature();
            if (at < 0) throw source.Corrupt("it has no HDF5 signature");
            return new Hdf5File(source, Hdf5Superblock.Read(source, at));
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public void Dispose() => Source.Dispose();
}

/// <summary>A group or a dataset: its path, header messages and attributes.</summary>
internal abstract class Hdf5Object
{
    private Dictionary<string, object>? _attributes;
    public Hdf5File File { get; }
    public string Path { get; }
    public ulong Address { get; }
    public List<Hdf5Message> Messages { get; }

    private protected Hdf5Object(Hdf5File file, string path, ulong address, List<Hdf5Message>? messages = null)
    {
        File = file;
        Path = path;
        Address = address;
        Messages = messages ?? Hdf5ObjectHeader.Read(file.Source, address, $"'{path}'");
    }

    /// <summary>The attributes: string, string[], long[] or double[] (scalars as one-element arrays).</summary>
    public Dictionary<string, object> Attributes => _attributes ??= Hdf5Attributes.Read(File.Source, File.Heap, Messages, $"'{Path}'");

    private protected Hdf5Cursor MessageBody(int type, string name) =>
        Messages.FirstOrDefault(m => m.Type == type) is { } m
            ? new Hdf5Cursor(File.Source, m.Body, $"the {name} of '{Path}'")
            : throw File.Source.Corrupt($"'{Path}' has no {name} message");
}

/// <summary>A group: its members by name.</summary>
internal sealed class Hdf5Group : Hdf5Object
{
    private List<(string Name, ulong Address)>? _members;

    internal Hdf5Group(Hdf5File file, string path, ulong address, List<Hdf5Message>? messages = null) : base(file, path, address, messages) { }

    /// <summary>The members' names, in the file's order (by name, as h5py lists them).</summary>
    public IReadOnlyList<string> Names => Members.Select(m => m.Name).ToList();

    private List<(string Name, ulong Address)> Members => _members ??= Hdf5Links.Read(File.Source, Messages, $"'{Path}'");

    /// <summary>The member at the relative <paramref name="path"/> ("a/b/c"), or null when there is none.</summary>
    public Hdf5Object? Get(string path)
    {
        Hdf5Object current = this;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not Hdf5Group group) return null;
            var found = group.Members.FindIndex(m => m.Name == part);
            if (found < 0) return null;
            current = group.Open(group.Members[found]);
        }
        return current;
    }

    public Hdf5Group? Group(string path) => Get(path) as Hdf5Group;

    private Hdf5Object Open((string Name, ulong Address) member)
    {
        string path = Path == "/" ? "/" + member.Name : $"{Path}/{member.Name}";
        var messages = Hdf5ObjectHeader.Read(File.Source, member.Address, $"'{path}'");
        bool isDataset = messages.Any(m => m.Type == Hdf5Layout.Message);
        return isDataset ? new Hdf5Dataset(File, path, member.Address, messages) : new Hdf5Group(File, path, member.Address, messages);
    }
}

/// <summary>A dataset: its shape, datatype and (on demand) its values.</summary>
internal sealed class Hdf5Dataset : Hdf5Object
{
    private const int Dataspace = 0x01, Datatype = 0x03;

    internal Hdf5Dataset(Hdf5File file, string path, ulong address, List<Hdf5Message> messages) : base(file, path, address, messages)
    {
        Type = Hdf5Datatype.Read(MessageBody(Datatype, "datatype"), $"'{path}'");
        Shape = Hdf5Dataspace.Read(MessageBody(Dataspace, "dataspace"), $"'{path}'") ?? [0];
    }

    public Hdf5Datatype Type { get; }
    public long[] Shape { get; }

    /// <summary>The raw little-endian elements, row-major.</summary>
    public byte[] ReadBytes()
    {
        var source = File.Source;
        long count = Hdf5Dataspace.Count(source, Shape, File.MaxDataBytes / Type.Size, $"'{Path}'");
        var layout = Hdf5Layout.Read(MessageBody(Hdf5Layout.Message, "layout"), Shape.Length, Type.Size, $"'{Path}'");
        var filters = Messages.FirstOrDefault(m => m.Type == Hdf5Filters.Message) is { } f
            ? Hdf5Filters.Read(new Hdf5Cursor(source, f.Body, $"the filters of '{Path}'"), $"'{Path}'")
            : Hdf5Filters.None;
        return Hdf5Chunks.Read(source, layout, filters, Shape, Type.Size, count * Type.Size, $"'{Path}'");
    }
}
