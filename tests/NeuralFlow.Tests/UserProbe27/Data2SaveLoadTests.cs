using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// tf.data.Dataset.save / load (TF 2.10+), missing before: a dataset's elements written to a
/// directory and read back, in this program or another, with the same element structure and
/// element_spec; shard functions; writes that are atomic (a failed or killed save leaves nothing
/// Load accepts and loses no earlier save); and Load refusing a missing or incomplete directory by name.
/// </summary>
public abstract class Data2SaveLoadTests(string backend) : BackendFileTest(backend)
{
    private static (Tensor Images, Tensor Labels) Data()
    {
        var images = NF.Reshape(NF.Cast(NF.Range(6 * 2 * 3), DType.Float32), [6, 2, 3]) / 4f;
        return (images, NF.Constant(new[] { 3, 1, 4, 1, 5, 9 }));
    }

    private static string Show((Tensor, Tensor) e) => $"{e.Item1.DType}{e.Item1.Shape}[{string.Join(",", e.Item1.ToArray<float>())}] {e.Item2.DType}:{e.Item2.Item<int>()}";

    // The hidden leftovers a save may leave beside its target (none when it ended, failed or was left).
    private string[] Leftovers() => Directory.GetFileSystemEntries(Temp.Path, ".*");

    [SkippableFact]
    public void Save_then_load_gives_the_same_elements_structure_and_spec()
    {
        RequireBackend();
        var (images, labels) = Data();
        string path = Temp.File("pairs");
        var ds = Dataset.FromTensorSlices(images, labels).Map((x, y) => (x * 2f, y));
        ds.Save(path);
        var loaded = Dataset.Load<(Tensor, Tensor)>(path);
        Assert.Equal(ds.Select(Show), loaded.Select(Show));
        Assert.Equal("(TensorSpec(shape=(2, 3), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int32, name=None))", loaded.ElementSpec.ToString());
        Assert.Equal(6, loaded.Cardinality);
        Assert.Equal("<_LoadDataset element_spec=" + loaded.ElementSpec + ">", loaded.ToString());
        // Passes are restartable and the loaded dataset composes as any other.
        Assert.Equal([4, 2], loaded.Batch(4).Select(b => b.Item1.Shape[0]));
        Assert.Empty(Leftovers());

        // A batch's unknown first dimension (no dropRemainder) stays unknown in the saved spec.
        string batched = Temp.File("batched");
        Dataset.FromTensorSlices(images).Batch(4).Save(batched);
        var back = Dataset.Load<Tensor>(batched);
        Assert.Equal("TensorSpec(shape=(None, 2, 3), dtype=tf.float32, name=None)", back.ElementSpec.ToString());
        Assert.Equal([4, 2], back.Select(b => b.Shape[0]));

        // "name/" names the directory itself (its hidden sibling holds the save until it is complete).
        string slash = Temp.File("slash") + Path.DirectorySeparatorChar;
        Dataset.Range(3).Save(slash);
        Assert.Equal([0L, 1, 2], Dataset.Load<Tensor>(slash).Select(x => x.Item<long>()));
        Assert.Equal([0L, 1, 2], Dataset.Load<Tensor>(Temp.File("slash")).Select(x => x.Item<long>()));
        Assert.Empty(Leftovers());
    }

    [SkippableFact]
    public void Text_and_dictionaries_of_text_and_numbers_round_trip()
    {
        RequireBackend();
        string path = Temp.File("columns");
        var ds = Dataset.FromGenerator(() => Enumerable.Range(0, 4).Select(i => (IReadOnlyDictionary<string, object>)new Dictionary<string, object>
        {
            ["year"] = NF.Constant(2000L + i),
            ["title"] = new StringTensor(new[] { "alpha", "", "gr\u00fc\u00dfe", "a,b\nc" }[i]),
        }));
        ds.Save(path);
        var loaded = Dataset.Load<IReadOnlyDictionary<string, object>>(path);
        // The keys in the dictionaries' own order, as the element spec printed before the save.
        Assert.Equal("{'year': TensorSpec(shape=(), dtype=tf.int64, name=None), 'title': TensorSpec(shape=(), dtype=tf.string, name=None)}", loaded.ElementSpec.ToString());
        var rows = loaded.Select(d => $"{((Tensor)d["year"]).Item<long>()}:{((StringTensor)d["title"]).Item()}").ToArray();
        Assert.Equal(["2000:alpha", "2001:", "2002:gr\u00fc\u00dfe", "2003:a,b\nc"], rows);

        // A dataset of strings alone, and a tuple of a dictionary of tensors and a label.
        string texts = Temp.File("texts");
        StringDataset(new StringTensor(["alpha", "", "gr\u00fc\u00dfe", "a,b\nc"])).Save(texts);
        Assert.Equal(["alpha", "", "gr\u00fc\u00dfe", "a,b\nc"], Dataset.Load<StringTensor>(texts).Select(s => s.Item()));
        string pairs = Temp.File("named");
        var features = new Dictionary<string, Tensor> { ["b"] = NF.Constant(new[] { 1f, 2f }), ["a"] = NF.Constant(new[] { 10, 20 }) };
        Dataset.FromTensorSlices(features, NF.Constant(new[] { 0, 1 })).Save(pairs);
        var named = Dataset.Load<(IReadOnlyDictionary<string, Tensor>, Tensor)>(pairs).Select(e => $"{e.Item1["a"].Item<int>()},{e.Item1["b"].Item<float>()},{e.Item2.Item<int>()}");
        Assert.Equal(["10,1,0", "20,2,1"], named);
    }

    // A dataset whose elements are the rows of a string tensor.
    private static Dataset<StringTensor> StringDataset(StringTensor texts) =>
        Dataset.FromGenerator(() => texts.ToArray().Select(s => new StringTensor(s)));

    [SkippableFact]
    public void A_shard_function_spreads_elements_over_files_read_back_interleaved()
    {
        RequireBackend();
        string path = Temp.File("sharded");
        Dataset.Range(10).Save(path, shardFunc: x => x.Item<long>() % 3);
        Assert.Equal(["shard-00000.nfdata", "shard-00001.nfdata", "shard-00002.nfdata"],
                     Directory.GetFiles(path, "shard-*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // One from shard 0, one from shard 1, one from shard 2, in turn (tf.data's load interleaves the shards).
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7, 8, 9], Dataset.Load<Tensor>(path).Select(x => x.Item<long>()));
        Assert.Equal(10, Dataset.Load<Tensor>(path).Cardinality);
        // The function sees whole elements (tuples here): shard 0 gets 3, 1, 1 and shard 1 gets 4, 5, 9.
        string pairs = Temp.File("pairs");
        var (images, labels) = Data();
        Dataset.FromTensorSlices(images, labels).Save(pairs, shardFunc: e => e.Item2.Item<int>() > 3 ? 1 : 0);
        Assert.Equal([3, 4, 1, 5, 1, 9], Dataset.Load<(Tensor, Tensor)>(pairs).Select(e => e.Item2.Item<int>()));
        var negative = Assert.Throws<InvalidOperationException>(() => Dataset.Range(3).Save(Temp.File("negative"), shardFunc: _ => -1));
        Assert.Contains("returned -1", negative.Message);
        Assert.False(Directory.Exists(Temp.File("negative")));
        Assert.Empty(Leftovers());
    }

    [SkippableFact]
    public void Gzip_compression_writes_gzip_shards_that_load_reads_back()
    {
        RequireBackend();
        var (images, labels) = Data();
        var ds = Dataset.FromTensorSlices(NF.Tile(images, [20, 1, 1]), NF.Tile(labels, [20]));
        string plain = Temp.File("plain"), packed = Temp.File("packed");
        ds.Save(plain);
        ds.Save(packed, shardFunc: e => e.Item2.Item<int>() % 2, compression: "GZIP");
        foreach (var shard in Directory.GetFiles(packed, "shard-*"))
            Assert.Equal(new byte[] { 0x1f, 0x8b }, File.ReadAllBytes(shard)[..2]);
        // The 120 elements repeat 6 values: gzip makes the shards far smaller than the plain one.
        long packedBytes = Directory.GetFiles(packed, "shard-*").Sum(f => new FileInfo(f).Length);
        Assert.True(packedBytes * 4 < Directory.GetFiles(plain, "shard-*").Sum(f => new FileInfo(f).Length), $"{packedBytes} bytes compressed");
        // The even label (4) in shard 0, the odd ones (3, 1, 1, 5, 9) in shard 1, read one from each in turn.
        var loaded = Dataset.Load<(Tensor, Tensor)>(packed).Select(Show).ToArray();
        var even = ds.Select(Show).Where(s => s.EndsWith(":4", StringComparison.Ordinal)).ToArray();
        var odd = ds.Select(Show).Where(s => !s.EndsWith(":4", StringComparison.Ordinal)).ToArray();
        Assert.Equal(even.Zip(odd, (e, o) => new[] { e, o }).SelectMany(p => p).Concat(odd.Skip(even.Length)), loaded);
        Assert.Contains("GZIP", Assert.Throws<ArgumentException>(() => ds.Save(Temp.File("snappy"), compression: "SNAPPY")).Message);
        // A compressed shard cut short is refused naming it.
        string shard0 = Path.Combine(packed, "shard-00000.nfdata");
        var bytes = File.ReadAllBytes(shard0);
        File.WriteAllBytes(shard0, bytes[..(bytes.Length / 2)]);
        Assert.Contains(shard0, Assert.Throws<InvalidDataException>(() => Dataset.Load<(Tensor, Tensor)>(packed).ToList()).Message);
    }

    [SkippableFact]
    public void A_failed_save_leaves_nothing_and_loses_no_earlier_save()
    {
        RequireBackend();
        string path = Temp.File("data");
        Dataset.Range(4).Save(path);
        // A save that fails midway: the earlier save is still there, whole; nothing hidden is left.
        var failing = Dataset.Range(10).Map(x => x.Item<long>() == 6 ? throw new FormatException("bad record") : x * 10);
        Assert.Throws<FormatException>(() => failing.Save(path));
        Assert.Equal([0L, 1, 2, 3], Dataset.Load<Tensor>(path).Select(x => x.Item<long>()));
        Assert.Empty(Leftovers());
        Assert.Throws<FormatException>(() => failing.Save(Temp.File("fresh")));
        Assert.False(Directory.Exists(Temp.File("fresh")));
        // A save that completes replaces it.
        Dataset.Range(3).Map(x => x * 10).Save(path);
        Assert.Equal([0L, 10, 20], Dataset.Load<Tensor>(path).Select(x => x.Item<long>()));
        Assert.Empty(Leftovers());

        // A directory holding other files is never overwritten; an empty one is used.
        string other = Temp.File("photos");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "keep.jpg"), "x");
        Assert.Contains("not overwritten", Assert.Throws<IOException>(() => Dataset.Range(2).Save(other)).Message);
        Assert.True(File.Exists(Path.Combine(other, "keep.jpg")));
        string empty = Temp.File("empty");
        Directory.CreateDirectory(empty);
        Dataset.Range(2).Save(empty);
        Assert.Equal(2, Dataset.Load<Tensor>(empty).Count());
        // An infinite dataset would never finish: refused at once.
        Assert.Contains("infinite", Assert.Throws<InvalidOperationException>(() => Dataset.Range(2).Repeat().Save(Temp.File("forever"))).Message);
    }

    [SkippableFact]
    public void Load_refuses_a_missing_or_incomplete_directory_or_another_element_type_naming_the_path()
    {
        RequireBackend();
        string missing = Temp.File("nowhere");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => Dataset.Load<Tensor>(missing)).Message);

        // What a killed save leaves if its directory were renamed without the spec: shards, no dataset_spec.json.
        string path = Temp.File("saved");
        Dataset.Range(5).Save(path);
        string killed = Temp.File("killed");
        Directory.CreateDirectory(killed);
        File.Copy(Path.Combine(path, "shard-00000.nfdata"), Path.Combine(killed, "shard-00000.nfdata"));
        var incomplete = Assert.Throws<InvalidDataException>(() => Dataset.Load<Tensor>(killed));
        Assert.Contains(killed, incomplete.Message);
        Assert.Contains("not a complete saved dataset", incomplete.Message);

        var wrongType = Assert.Throws<ArgumentException>(() => Dataset.Load<(Tensor, Tensor)>(path));
        Assert.Contains(path, wrongType.Message);
        Assert.Contains("TensorSpec(shape=(), dtype=tf.int64, name=None)", wrongType.Message);
        Assert.Throws<ArgumentException>(() => Dataset.Load<StringTensor>(path));

        // A shard cut short is refused naming it, not read as fewer elements.
        string shard = Path.Combine(path, "shard-00000.nfdata");
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..^5]);
        var cut = Assert.Throws<InvalidDataException>(() => Dataset.Load<Tensor>(path).ToList());
        Assert.Contains(shard, cut.Message);
        // A damaged spec is refused naming the path.
        File.WriteAllText(Path.Combine(path, "dataset_spec.json"), "{\"format\": 3");
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Dataset.Load<Tensor>(path)).Message);
    }
}

/// <summary>Save and load, on the managed backend.</summary>
public sealed class ManagedData2SaveLoadTests() : Data2SaveLoadTests("managed");

/// <summary>Save and load, on the native CPU backend.</summary>
public sealed class NativeCpuData2SaveLoadTests() : Data2SaveLoadTests("cpu");

/// <summary>Save and load, on CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaData2SaveLoadTests() : Data2SaveLoadTests("cuda");
