using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// tf.data.Dataset.save's sharding and compression as TensorFlow documents them: without a
/// shard_func the elements go round robin over one shard per CPU core (one shard before) and load
/// reads the shards interleaved, so the order comes back; a shard_func returning an int64 tensor;
/// GZIP shards; load's compression argument checked against the saved one, by name.
/// </summary>
public abstract class DataSaveShardingTests(string backend) : BackendFileTest(backend)
{
    private static string[] ShardFiles(string path) => Directory.GetFiles(path, "shard-*").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    private static long[] Longs(Dataset<Tensor> ds) => ds.Select(x => x.Item<long>()).ToArray();

    [SkippableFact]
    public void Without_a_shard_function_elements_go_round_robin_over_a_shard_per_core_and_come_back_in_order()
    {
        RequireBackend();
        int cores = Environment.ProcessorCount;
        string path = Temp.File("saved");
        Dataset.Range(10 + 3 * cores).Save(path);
        // One file per core (tf.data's default shard_func), every one used as there are more elements than cores.
        Assert.Equal(Enumerable.Range(0, cores).Select(i => $"shard-{i:D5}.nfdata"), ShardFiles(path));
        Assert.Equal(Enumerable.Range(0, 10 + 3 * cores).Select(i => (long)i), Longs(Dataset.Load<Tensor>(path)));

        // Fewer elements than cores: a shard per element, none empty; the order still comes back.
        string few = Temp.File("few");
        Dataset.Range(1).Save(few);
        Assert.Equal(["shard-00000.nfdata"], ShardFiles(few));
        Assert.Equal([0L], Longs(Dataset.Load<Tensor>(few)));

        // Tuples of a batch's rows: the round robin is per element, each element whole in one shard.
        var images = NF.Reshape(NF.Cast(NF.Range(7 * 2), DType.Float32), [7, 2]);
        var labels = NF.Constant(new long[] { 6, 5, 4, 3, 2, 1, 0 });
        string pairs = Temp.File("pairs");
        Dataset.FromTensorSlices(images, labels).Save(pairs);
        Assert.Equal(["0,1:6", "2,3:5", "4,5:4", "6,7:3", "8,9:2", "10,11:1", "12,13:0"],
                     Dataset.Load<(Tensor, Tensor)>(pairs).Select(e => $"{string.Join(",", e.Item1.ToArray<float>())}:{e.Item2.Item<long>()}"));
    }

    [SkippableFact]
    public void A_shard_function_returning_an_int64_tensor_picks_the_shard()
    {
        RequireBackend();
        string path = Temp.File("by-tensor");
        // tf.data's shard_func: lambda x: x % 3 (an int64 scalar tensor).
        Dataset.Range(8).Save(path, shardFunc: Dataset<Tensor>.ShardByTensor(x => x % 3L));
        Assert.Equal(["shard-00000.nfdata", "shard-00001.nfdata", "shard-00002.nfdata"], ShardFiles(path));
        // Read one from each shard in turn: shard 0 holds 0, 3, 6; shard 1 holds 1, 4, 7; shard 2 holds 2, 5.
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7], Longs(Dataset.Load<Tensor>(path)));
        // Uneven shards: 0..5 to shard 0, 6 and 7 to shard 1.
        string uneven = Temp.File("uneven");
        Dataset.Range(8).Save(uneven, shardFunc: Dataset<Tensor>.ShardByTensor(x => NF.Cast(x > 5L, DType.Int64)));
        Assert.Equal([0L, 6, 1, 7, 2, 3, 4, 5], Longs(Dataset.Load<Tensor>(uneven)));
        // An int32 id is taken too; a float or a vector is refused naming what it was, and nothing is saved.
        string int32 = Temp.File("int32");
        Dataset.Range(4).Save(int32, shardFunc: Dataset<Tensor>.ShardByTensor(x => NF.Cast(x % 2L, DType.Int32)));
        Assert.Equal(2, ShardFiles(int32).Length);
        var real = Assert.Throws<InvalidOperationException>(() => Dataset.Range(4).Save(Temp.File("float"), shardFunc: Dataset<Tensor>.ShardByTensor(x => NF.Cast(x, DType.Float32))));
        Assert.Contains("int64 scalar", real.Message);
        Assert.Contains("Float32", real.Message);
        var vector = Assert.Throws<InvalidOperationException>(() => Dataset.Range(4).Save(Temp.File("vector"), shardFunc: Dataset<Tensor>.ShardByTensor(x => NF.Stack([x, x]))));
        Assert.Contains("shape (2)", vector.Message.Replace(",", ""));
        Assert.False(Directory.Exists(Temp.File("float")));
        Assert.Empty(Directory.GetFileSystemEntries(Temp.Path, ".*"));
    }

    [SkippableFact]
    public void Gzip_round_trips_and_load_refuses_a_compression_other_than_the_saved_one_by_name()
    {
        RequireBackend();
        var texts = Dataset.FromGenerator(() => Enumerable.Range(0, 40).Select(i => new StringTensor($"line {i % 4} of a repeated text")));
        string packed = Temp.File("packed"), plain = Temp.File("plain");
        texts.Save(packed, compression: "GZIP");
        texts.Save(plain, compression: "NONE");
        foreach (var shard in Directory.GetFiles(packed, "shard-*"))
            Assert.Equal(new byte[] { 0x1f, 0x8b }, File.ReadAllBytes(shard)[..2]);
        foreach (var shard in Directory.GetFiles(plain, "shard-*"))
            Assert.NotEqual(new byte[] { 0x1f, 0x8b }, File.ReadAllBytes(shard)[..2]);
        var expected = Enumerable.Range(0, 40).Select(i => $"line {i % 4} of a repeated text").ToArray();
        // null reads as saved; the matching name is accepted.
        Assert.Equal(expected, Dataset.Load<StringTensor>(packed).Select(s => s.Item()));
        Assert.Equal(expected, Dataset.Load<StringTensor>(packed, compression: "GZIP").Select(s => s.Item()));
        Assert.Equal(expected, Dataset.Load<StringTensor>(plain, compression: "NONE").Select(s => s.Item()));
        Assert.Equal(expected, Dataset.Load<StringTensor>(plain, compression: "").Select(s => s.Item()));
        // A mismatch names the path, what was saved and what was given.
        var wrong = Assert.Throws<ArgumentException>(() => Dataset.Load<StringTensor>(plain, compression: "GZIP"));
        Assert.Contains(plain, wrong.Message);
        Assert.Contains("saved with compression NONE, but compression GZIP was given", wrong.Message);
        Assert.Equal("compression", wrong.ParamName);
        Assert.Contains("saved with compression GZIP, but compression NONE was given",
                        Assert.Throws<ArgumentException>(() => Dataset.Load<StringTensor>(packed, compression: "NONE")).Message);
        Assert.Contains("\"ZLIB\"", Assert.Throws<ArgumentException>(() => Dataset.Load<StringTensor>(packed, compression: "ZLIB")).Message);
    }
}

/// <summary>Save's sharding and compression, on the managed backend.</summary>
public sealed class ManagedDataSaveShardingTests() : DataSaveShardingTests("managed");

/// <summary>Save's sharding and compression, on the native CPU backend.</summary>
public sealed class NativeCpuDataSaveShardingTests() : DataSaveShardingTests("cpu");

/// <summary>Save's sharding and compression, on CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataSaveShardingTests() : DataSaveShardingTests("cuda");
