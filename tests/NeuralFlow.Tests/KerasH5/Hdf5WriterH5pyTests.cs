using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NeuralFlow.IO.Hdf5;
using NeuralFlow.Tests.Samples;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// The HDF5 writer's files read by libhdf5 itself, through h5py (hdf5_writer_peer.py prints what
/// h5py sees as JSON): every group with its members, every dataset's shape, numpy dtype, values
/// and address (none for a zero-size dataset, as libhdf5 writes it), every attribute as h5py
/// returns it (fixed strings as bytes, variable-length ones as str, 'S' arrays, numpy int64/float64
/// scalars); the file opened by h5py in r+ mode, attributes added, and read again; a large
/// model_config compared with the one h5py writes. Skipped only where /usr/bin/python3 cannot
/// import h5py (Debian: apt-get install python3-h5py; CI installs it).
/// </summary>
public abstract class Hdf5WriterH5pyTests(string backend) : BackendFileTest(backend)
{
    private static void RequireH5py() => H5pyPeer.Require();

    /// <summary>What h5py sees in <paramref name="path"/>, after what <paramref name="options"/> ask of the peer (its usage).</summary>
    private static JsonElement ReadWithH5py(string path, params string[] options) => H5pyPeer.Run("hdf5_writer_peer.py", [path, .. options]);

    [SkippableFact]
    public void H5py_reads_every_group_dataset_and_attribute()
    {
        RequireBackend();
        RequireH5py();
        var writer = new Hdf5Writer();
        Hdf5WriterSample.Build(writer);
        using var tensor = NF.Transpose(NF.Constant(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]));
        writer.Root.Group("tensors").Dataset("t", tensor);
        string path = Temp.File("sample.h5");
        using (var f = File.Create(path)) writer.WriteTo(f);
        var seen = ReadWithH5py(path);

        var groups = seen.GetProperty("groups");
        Assert.Equal(Hdf5WriterSample.Groups.Append("tensors").Append("/").Order(StringComparer.Ordinal),
            groups.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "big", "empty", "layers", "many", "tensors"], Members(groups, "/"));
        Assert.Empty(Members(groups, "empty"));
        Assert.Equal(["b", "empty_too"], Members(groups, "a"));
        Assert.Equal(20, Members(groups, "many").Length);

        var datasets = seen.GetProperty("datasets");
        Assert.Equal(Hdf5WriterSample.Datasets.Length + 1, datasets.EnumerateObject().Count());
        foreach (var want in Hdf5WriterSample.Datasets)
        {
            var d = datasets.GetProperty(want.Path);
            Assert.Equal(want.Shape, d.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()));
            Assert.Equal(Hdf5WriterSample.NumpyType(want.Element), d.GetProperty("dtype").GetString());
            var values = d.GetProperty("values").EnumerateArray();
            if (want.Floats is not null) Assert.Equal(want.Floats, values.Select(v => v.GetDouble()));
            else Assert.Equal(want.Integers, values.Select(v => v.GetInt64()));
            Assert.Equal(want.Count == 0, d.GetProperty("offset").ValueKind == JsonValueKind.Null);
        }
        var t = datasets.GetProperty("tensors/t");
        Assert.Equal([3L, 2L], t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()));
        Assert.Equal([1.0, 4, 2, 5, 3, 6], t.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));

        var root = groups.GetProperty("/").GetProperty("attrs");
        Assert.Equal("2.15.0", root.GetProperty("keras_version").GetProperty("bytes").GetString());
        Assert.Equal("tensorflow", root.GetProperty("backend").GetProperty("bytes").GetString());
        Assert.Equal("", root.GetProperty("blank").GetProperty("bytes").GetString());
        var names = root.GetProperty("layer_names");
        Assert.Equal(Hdf5WriterSample.LayerNames, names.GetProperty("bytes[]").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("|S7", names.GetProperty("dtype").GetString());   // "ünï" is 6 UTF-8 bytes, "dense_1" 7
        Assert.Equal(3, root.GetProperty("step").GetProperty("scalar").GetInt64());
        Assert.Equal("<i8", root.GetProperty("step").GetProperty("dtype").GetString());
        Assert.Equal(0.125, root.GetProperty("learning_rate").GetProperty("scalar").GetDouble());
        Assert.Equal("<f8", root.GetProperty("learning_rate").GetProperty("dtype").GetString());
        var dense = groups.GetProperty("layers/dense").GetProperty("attrs");
        Assert.Equal(["vars/0", "vars/1"], dense.GetProperty("weight_names").GetProperty("bytes[]").EnumerateArray().Select(x => x.GetString()));
        Assert.Empty(dense.GetProperty("none").GetProperty("bytes[]").EnumerateArray());
        var data = datasets.GetProperty("a/b/c/i64").GetProperty("attrs");
        Assert.Equal("integers", data.GetProperty("note").GetProperty("bytes").GetString());
        Assert.Equal(-1.5, data.GetProperty("scale").GetProperty("scalar").GetDouble());
        var many = groups.GetProperty("many").GetProperty("attrs");
        Assert.Equal(20, many.EnumerateObject().Count());
        Assert.Equal(19_000, many.GetProperty("a19").GetProperty("scalar").GetInt64());
    }

    private string WriteVariableLengthSample()
    {
        var writer = new Hdf5Writer();
        Hdf5WriterSample.Build(writer, variableLength: true);
        string path = Temp.File("strings.h5");
        using (var f = File.Create(path)) writer.WriteTo(f);
        return path;
    }

    /// <summary>The attributes h5py saw on the object at <paramref name="path"/> ("/", a group or a dataset).</summary>
    private static JsonElement Attributes(JsonElement seen, string path) =>
        (seen.GetProperty("groups").TryGetProperty(path, out var group) ? group : seen.GetProperty("datasets").GetProperty(path)).GetProperty("attrs");

    private static void AssertVariableLengthSample(JsonElement seen)
    {
        foreach (var v in Hdf5WriterSample.VariableStrings)
            Assert.Equal(v.Value, Attributes(seen, v.Path).GetProperty(v.Name).GetProperty("str").GetString());
        var root = Attributes(seen, "/");
        Assert.Equal("2.15.0", root.GetProperty("keras_version").GetProperty("bytes").GetString());
        Assert.Equal(3, root.GetProperty("step").GetProperty("scalar").GetInt64());
        Assert.Equal("integers", Attributes(seen, "a/b/c/i64").GetProperty("note").GetProperty("bytes").GetString());
        var big = Hdf5WriterSample.Datasets.Single(d => d.Path == "big");
        Assert.Equal(big.Floats, seen.GetProperty("datasets").GetProperty("big").GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
    }

    [SkippableFact]
    public void H5py_reads_variable_length_attributes_as_str()
    {
        RequireBackend();
        RequireH5py();
        var seen = ReadWithH5py(WriteVariableLengthSample());
        AssertVariableLengthSample(seen);
        Assert.Equal(9, Attributes(seen, "/").EnumerateObject().Count());
    }

    [SkippableFact]
    public void H5py_opens_the_file_in_r_plus_mode_and_adds_attributes()
    {
        RequireBackend();
        RequireH5py();
        string path = WriteVariableLengthSample();
        var seen = ReadWithH5py(path, "--append");
        AssertVariableLengthSample(seen);
        var objects = seen.GetProperty("groups").EnumerateObject().Concat(seen.GetProperty("datasets").EnumerateObject()).ToList();
        Assert.Equal(Hdf5WriterSample.Groups.Length + Hdf5WriterSample.Datasets.Length + 1, objects.Count);
        foreach (var o in objects)
        {
            string name = o.Name == "/" ? "/" : "/" + o.Name;
            Assert.Equal($"added by h5py: {name} ü", o.Value.GetProperty("attrs").GetProperty("appended").GetProperty("str").GetString());
        }
        Assert.Equal(7, Attributes(seen, "/").GetProperty("appended_number").GetProperty("scalar").GetInt64());
        // libhdf5 put the added strings in the free space of the collection the small strings share:
        // it made no collection of its own.
        var bytes = File.ReadAllBytes(path);
        int collections = 0;
        for (int from = 0, n; (n = bytes.AsSpan(from).IndexOf("GCOL"u8)) >= 0; from += n + 4) collections++;
        Assert.Equal(3, collections);
    }

    [SkippableFact]
    public void A_large_model_config_is_stored_as_h5py_stores_it()
    {
        RequireBackend();
        RequireH5py();
        var writer = new Hdf5Writer();
        writer.Root.VariableLengthAttribute("model_config", Hdf5WriterSample.LargeConfig);
        string ours = Temp.File("ours.h5"), theirs = Temp.File("theirs.h5"), text = Temp.File("config.json");
        using (var f = File.Create(ours)) writer.WriteTo(f);
        File.WriteAllText(text, Hdf5WriterSample.LargeConfig, new UTF8Encoding(false));
        var seen = ReadWithH5py(theirs, "--write", "model_config", text);
        Assert.Equal(Hdf5WriterSample.LargeConfig, Attributes(seen, "/").GetProperty("model_config").GetProperty("str").GetString());
        byte[] a = File.ReadAllBytes(ours), b = File.ReadAllBytes(theirs);
        // The attribute message (type, size and flags; version, sizes, name, datatype, dataspace),
        // then the heap ID's length; the collection's address differs, the object's index (the
        // heap ID's last 4 bytes) does not.
        static int Name(byte[] file) => file.AsSpan().IndexOf("model_config\0"u8);
        const int Head = 4 + 9, Id = 16;
        int an = Name(a), bn = Name(b), message = Head + 13 + 20 + 4;
        Assert.Equal(b.AsSpan(bn - Head, message + 4).ToArray(), a.AsSpan(an - Head, message + 4).ToArray());
        Assert.Equal(b.AsSpan(bn - Head + message + Id - 4, 4).ToArray(), a.AsSpan(an - Head + message + Id - 4, 4).ToArray());
        // The global heap collection, byte for byte (it holds no address).
        static byte[] Collection(byte[] file)
        {
            int at = file.AsSpan().IndexOf("GCOL"u8);
            return file.AsSpan(at, (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at + 8))).ToArray();
        }
        Assert.Equal(Collection(b), Collection(a));
    }

    private static string[] Members(JsonElement groups, string path) =>
        groups.GetProperty(path).GetProperty("members").EnumerateArray().Select(m => m.GetString()!).ToArray();
}

/// <summary>h5py's view of the writer's files, tensors from the managed backend.</summary>
public sealed class ManagedHdf5WriterH5pyTests() : Hdf5WriterH5pyTests("managed");

/// <summary>h5py's view of the writer's files, tensors from the native CPU backend.</summary>
public sealed class NativeCpuHdf5WriterH5pyTests() : Hdf5WriterH5pyTests("cpu");

/// <summary>h5py's view of the writer's files, tensors from CUDA.</summary>
public sealed class CudaHdf5WriterH5pyTests() : Hdf5WriterH5pyTests("cuda");
