using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// tf.data's snapshot keyed by the pipeline, with compression, and its infinite upstreams (missing
/// before: the path alone was the key, so a changed Map with the same element spec and count read
/// the stale snapshot; there was no compression; Repeat() before Snapshot threw): a changed
/// function, source tensor or step setting writes a new snapshot; the same pipeline built again
/// reads its own; GZIP; an infinite upstream streams through unwritten with a warning; a partial
/// snapshot is never read as complete.
/// </summary>
public abstract class DataSnapshotFingerprintTests(string backend) : BackendFileTest(backend)
{
    private static long[] Longs(Dataset<Tensor> ds) => ds.Select(x => x.Item<long>()).ToArray();

    private static string[] Snapshots(string path) =>
        Directory.Exists(path) ? Directory.GetDirectories(path).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal).ToArray() : [];

    [SkippableFact]
    public void A_changed_pipeline_writes_a_new_snapshot_instead_of_reading_the_stale_one()
    {
        RequireBackend();
        string path = Temp.File("snap");
        Assert.Equal([0L, 2, 4], Longs(Dataset.Range(3).Map(x => x * 2).Snapshot(path)));
        // Same spec, same count, another function: its own values, not the stale snapshot's.
        Assert.Equal([0L, 3, 6], Longs(Dataset.Range(3).Map(x => x * 3).Snapshot(path)));
        Assert.Equal(2, Snapshots(path).Length);
        // Another source tensor of the same shape, and another setting of a step.
        Assert.Equal([1L, 2, 3], Longs(Dataset.FromTensorSlices(NF.Constant(new long[] { 1, 2, 3 })).Snapshot(path)));
        Assert.Equal([7L, 8, 9], Longs(Dataset.FromTensorSlices(NF.Constant(new long[] { 7, 8, 9 })).Snapshot(path)));
        Assert.Equal([1L, 3], Longs(Dataset.Range(4).Shard(2, 1).Snapshot(path)));
        Assert.Equal([0L, 2], Longs(Dataset.Range(4).Shard(2, 0).Snapshot(path)));
        Assert.Equal(6, Snapshots(path).Length);

        // The same pipeline built again (a later program) reads its own snapshot without running the
        // upstream: the count a function captures is no part of the key.
        int calls = 0;
        Dataset<Tensor> Build() => Dataset.Range(4).Map(x => { calls++; return x + 1; }).Batch(3).Snapshot(path);
        Assert.Equal(["1,2,3", "4"], Build().Select(b => string.Join(",", b.ToArray<long>())));
        int written = calls;
        Assert.Equal(["1,2,3", "4"], Build().Select(b => string.Join(",", b.ToArray<long>())));
        Assert.True(calls - written <= 1, $"{calls - written} calls on the second pipeline (a trace at most)");
        Assert.Equal(7, Snapshots(path).Length);
        // Batch(2) of it is another pipeline.
        Assert.Equal(["1,2", "3,4"], Dataset.Range(4).Map(x => x + 1).Batch(2).Snapshot(path).Select(b => string.Join(",", b.ToArray<long>())));
        Assert.Equal(8, Snapshots(path).Length);
    }

    [SkippableFact]
    public void Gzip_snapshots_round_trip_and_a_partial_one_is_never_read()
    {
        RequireBackend();
        string path = Temp.File("snap");
        var ds = Dataset.FromGenerator(() => Enumerable.Range(0, 30).Select(i => new StringTensor($"row {i % 3}"))).Snapshot(path, compression: "GZIP");
        var first = ds.Select(s => s.Item()).ToArray();
        Assert.Equal(first, ds.Select(s => s.Item()));
        string snapshot = Assert.Single(Snapshots(path));
        Assert.All(Directory.GetFiles(snapshot, "shard-*"), f => Assert.Equal(new byte[] { 0x1f, 0x8b }, File.ReadAllBytes(f)[..2]));
        Assert.Equal(first, Dataset.Load<StringTensor>(snapshot, compression: "GZIP").Select(s => s.Item()));
        // tf.data's "AUTO" is accepted (GZIP here); another name is refused naming it.
        Assert.Equal([0L, 1], Longs(Dataset.Range(2).Snapshot(Temp.File("auto"), compression: "AUTO")));
        Assert.Contains("\"SNAPPY\"", Assert.Throws<ArgumentException>(() => Dataset.Range(2).Snapshot(path, compression: "SNAPPY")).Message);

        // A pass killed while writing left its hidden directory (a shard, no spec) in the path: a
        // later pass does not read it, writes the snapshot, and removes it.
        string other = Temp.File("partial");
        int calls = 0;
        var counted = Dataset.Range(5).Map(x => { calls++; return x; }).Snapshot(other);
        using (var killed = counted.GetEnumerator())
        {
            Assert.True(killed.MoveNext());
            string hidden = Assert.Single(Directory.GetDirectories(other, ".*"));
            Assert.Empty(Snapshots(other));
            // Its process is gone: copy what it left under a killed save's names, lock unheld.
            string stem = hidden[..^".tmp".Length].Replace(Path.GetFileName(hidden)[^36..^4], new string('9', 32));
            Directory.CreateDirectory(stem + ".tmp");
            File.WriteAllBytes(Path.Combine(stem + ".tmp", "shard-00000.nfdata"), "NFCACHE\u0001"u8.ToArray());
            File.WriteAllText(stem + ".lock", "");
        }
        calls = 0;
        Assert.Equal([0L, 1, 2, 3, 4], Longs(counted));
        Assert.Equal(5, calls);
        Assert.Single(Snapshots(other));
        Assert.Empty(Directory.GetFileSystemEntries(other, ".*"));
    }

    [SkippableFact]
    public void An_infinite_upstream_streams_through_unwritten_with_a_warning()
    {
        RequireBackend();
        var log = new StringWriter();
        var before = NF.WarningLog;
        NF.WarningLog = log;
        try
        {
            string path = Temp.File("snap");
            // tf.data would write for ever and never complete the snapshot; a training loop over it
            // (Take of the repeat) gets its elements, and nothing is left on the disk.
            Assert.Equal([0L, 1, 2, 0, 1, 2, 0], Longs(Dataset.Range(3).Repeat().Snapshot(path).Take(7)));
            Assert.Contains("infinite", log.ToString());
            Assert.Contains("Put Repeat after Snapshot", log.ToString());
            Assert.Empty(Snapshots(path));
            Assert.False(Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any());
            // Repeat after Snapshot: the snapshot is written once and read on every later epoch.
            int calls = 0;
            var epochs = Dataset.Range(3).Map(x => { calls++; return x; }).Snapshot(path).Repeat();
            Assert.Equal([0L, 1, 2, 0, 1, 2, 0, 1], Longs(epochs.Take(8)));
            Assert.True(calls <= 4, $"{calls} calls");   // the 3 elements (and a trace at most)
            Assert.Single(Snapshots(path));
            // An upstream of unknown length is written while read: broken off, it leaves no snapshot.
            string unknown = Temp.File("generator");
            var endless = Dataset.FromGenerator(() => Enumerable.Range(0, int.MaxValue).Select(i => NF.Constant((long)i))).Snapshot(unknown);
            Assert.Equal([0L, 1, 2], Longs(endless.Take(3)));
            Assert.Empty(Snapshots(unknown));
            Assert.Empty(Directory.GetFileSystemEntries(unknown));
        }
        finally
        {
            NF.WarningLog = before;
        }
    }
}

/// <summary>Snapshot keys, compression and infinite upstreams, on the managed backend.</summary>
public sealed class ManagedDataSnapshotFingerprintTests() : DataSnapshotFingerprintTests("managed");

/// <summary>Snapshot keys, compression and infinite upstreams, on the native CPU backend.</summary>
public sealed class NativeCpuDataSnapshotFingerprintTests() : DataSnapshotFingerprintTests("cpu");

/// <summary>Snapshot keys, compression and infinite upstreams, on CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataSnapshotFingerprintTests() : DataSnapshotFingerprintTests("cuda");
