using System.Buffers.Binary;
using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// The tree the HDF5 writer tests write and read back (with <see cref="Hdf5File"/> and with h5py):
/// groups three deep, empty groups, a group of 20 members and 20 attributes (past libhdf5's
/// compact limit of 8), every element type, a scalar, a zero-size and a 300k-element dataset, and
/// string, string-array and numeric attributes on the root, a group and a dataset.
/// </summary>
internal static class Hdf5WriterSample
{
    /// <summary>One dataset: where, its element type and shape, its values as doubles (floats) or longs (integers).</summary>
    public sealed record Data(string Path, Hdf5Element Element, long[] Shape, double[]? Floats, long[]? Integers)
    {
        public int Count => (int)Shape.Aggregate(1L, (a, d) => a * d);
    }

    public const int BigCount = 300_000;

    public static readonly string[] LayerNames = ["dense", "dense_1", "ünï"];

    public static readonly Data[] Datasets =
    [
        new("layers/dense/vars/0", Hdf5Element.Float32, [2, 3], [-1, -0.5, 0, 0.5, 1, 1.5], null),
        new("layers/dense/vars/1", Hdf5Element.Float64, [], [Math.PI], null),
        new("layers/dense/vars/none", Hdf5Element.Float32, [0, 3], [], null),
        new("a/b/c/i64", Hdf5Element.Int64, [4], null, [-7, 0, 1, long.MaxValue]),
        new("a/b/c/i32", Hdf5Element.Int32, [2], null, [-5, int.MaxValue]),
        new("a/b/c/u8", Hdf5Element.UInt8, [3], null, [0, 200, 255]),
        new("a/b/c/f16", Hdf5Element.Float16, [2, 1], [1.5, -65504], null),
        new("big", Hdf5Element.Float32, [BigCount], Enumerable.Range(0, BigCount).Select(i => (i % 1000) * 0.25 - 100).ToArray(), null),
    ];

    /// <summary>The groups, every one (empty ones included).</summary>
    public static readonly string[] Groups = ["layers", "layers/dense", "layers/dense/vars", "a", "a/b", "a/b/c", "empty", "a/empty_too", "many", .. Enumerable.Range(0, 20).Select(i => $"many/g{i:D2}")];

    /// <summary>Writes the sample tree into <paramref name="writer"/>, with <see cref="VariableStrings"/> if <paramref name="variableLength"/>.</summary>
    public static void Build(Hdf5Writer writer, bool variableLength = false)
    {
        foreach (var g in Groups) writer.Root.Group(g);
        var datasets = new Dictionary<string, Hdf5Writer.Node>();
        foreach (var d in Datasets)
        {
            int slash = d.Path.LastIndexOf('/');
            var group = slash < 0 ? writer.Root : writer.Root.Group(d.Path[..slash]);
            var node = group.Dataset(d.Path[(slash + 1)..], d.Element, d.Shape, s => s.Write(Bytes(d)));
            datasets[d.Path] = node;
            if (d.Path == "a/b/c/i64")
            {
                node.Attribute("note", "integers");
                node.Attribute("scale", -1.5);
            }
        }
        var root = writer.Root;
        root.Attribute("keras_version", "2.15.0");
        root.Attribute("backend", "tensorflow");
        root.Attribute("layer_names", LayerNames);
        root.Attribute("step", 3L);
        root.Attribute("learning_rate", 0.125);
        root.Attribute("blank", "");
        var dense = root.Group("layers/dense");
        dense.Attribute("weight_names", new[] { "vars/0", "vars/1" });
        dense.Attribute("none", Array.Empty<string>());
        var many = root.Group("many");
        for (int i = 0; i < 20; i++) many.Attribute($"a{i:D2}", (long)i * 1000);
        if (!variableLength) return;
        foreach (var v in VariableStrings)
        {
            var node = v.Path == "/" ? root : datasets.GetValueOrDefault(v.Path) ?? root.Group(v.Path);
            node.VariableLengthAttribute(v.Name, v.Value);
        }
    }

    /// <summary>A variable-length string attribute: the object's path ("/" for the root), its name and value.</summary>
    public sealed record VariableString(string Path, string Name, string Value);

    /// <summary>
    /// A model_config-like JSON of about 300 KB with non-ASCII text (2- to 4-byte UTF-8, a surrogate
    /// pair included): far past the 64 KB a header message holds.
    /// </summary>
    public static readonly string LargeConfig = "{\"layers\": [" + string.Join(", ", Enumerable.Range(0, 3100).Select(i =>
        $"{{\"name\": \"conv_{i}\", \"note\": \"ünïcødé 日本語 😀 {i}\", \"filters\": {i % 512}, \"kernel\": [3, 3]}}")) + "]}";

    /// <summary>
    /// The variable-length strings <see cref="Build"/> adds, in the order they are laid
    /// out: the large one fills a collection sized for it; the empty and short ones share a 4096-byte
    /// collection with the group's and dataset's, which leave it free space; the 4056-byte one does not
    /// fit there, and its own 4096-byte collection keeps 8 bytes over, too few for a free-space object.
    /// </summary>
    public static readonly VariableString[] VariableStrings =
    [
        new("/", "model_config", LargeConfig),
        new("/", "empty", ""),
        new("/", "short", "ünï"),
        new("layers/dense", "filler", new string('x', 4056)),
        new("layers/dense", "note", "a dense layer"),
        new("a/b/c/i64", "unit", "m/s²"),
    ];

    /// <summary>The dataset's little-endian bytes.</summary>
    public static byte[] Bytes(Data d)
    {
        int size = d.Element.Size();
        var bytes = new byte[d.Count * size];
        for (int i = 0; i < d.Count; i++)
        {
            var at = bytes.AsSpan(i * size);
            switch (d.Element)
            {
                case Hdf5Element.Float16: BinaryPrimitives.WriteHalfLittleEndian(at, (Half)d.Floats![i]); break;
                case Hdf5Element.Float32: BinaryPrimitives.WriteSingleLittleEndian(at, (float)d.Floats![i]); break;
                case Hdf5Element.Float64: BinaryPrimitives.WriteDoubleLittleEndian(at, d.Floats![i]); break;
                case Hdf5Element.Int32: BinaryPrimitives.WriteInt32LittleEndian(at, (int)d.Integers![i]); break;
                case Hdf5Element.Int64: BinaryPrimitives.WriteInt64LittleEndian(at, d.Integers![i]); break;
                default: at[0] = (byte)d.Integers![i]; break;
            }
        }
        return bytes;
    }

    /// <summary>NumPy's dtype string of <paramref name="element"/>, as h5py reports it.</summary>
    public static string NumpyType(Hdf5Element element) => element switch
    {
        Hdf5Element.Float16 => "<f2",
        Hdf5Element.Float32 => "<f4",
        Hdf5Element.Float64 => "<f8",
        Hdf5Element.Int32 => "<i4",
        Hdf5Element.Int64 => "<i8",
        _ => "|u1",
    };
}
