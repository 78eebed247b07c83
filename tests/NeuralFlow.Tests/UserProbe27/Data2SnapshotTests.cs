using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// tf.data.Dataset.snapshot (missing before): the first complete pass writes the elements while
/// yielding them; later passes, and later programs, read the files instead of running the
/// upstream; an interrupted first pass (a loop left early, an iterator never finished as in a
/// killed run) leaves nothing a later pass reads as complete; another pipeline (another element
/// spec or count) writes a snapshot of its own, as tf.data keys snapshots by the pipeline's fingerprint.
/// </summary>
public abstract class Data2SnapshotTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Images() => NF.Reshape(NF.Cast(NF.Range(5 * 3), DType.Float32), [5, 3]);

    private static string Show(Tensor x) => $"{x.Shape}[{string.Join(",", x.ToArray<float>())}]";

    // The snapshots under a Snapshot path: one directory per pipeline fingerprint, plus hidden files of a pass in progress.
    private static string[] Snapshots(string path) => Directory.Exists(path) ? Directory.GetDirectories(path).Where(d => !Path.GetFileName(d).StartsWith('.')).ToArray() : [];

    [SkippableFact]
    public void The_first_pass_writes_and_later_passes_and_programs_read_without_the_upstream()
    {
        RequireBackend();
        string path = Temp.File("snap");
        int calls = 0;
        // The same code builds it again below, as a later program would (the fingerprint sees the same function).
        Dataset<Tensor> Pipeline() => Dataset.FromTensorSlices(Images()).Map(x => { Interlocked.Increment(ref calls); return x * 3f; }).Snapshot(path);
        var ds = Pipeline();
        var first = ds.Select(Show).ToArray();
        // One call per element, and one on placeholder zeros: the trace that tells the element spec
        // the snapshot is written and checked with (tf.data traces a map function once too).
        Assert.Equal(6, calls);
        Assert.Equal("(3,)[0,3,6]", first[0]);
        Assert.True(Directory.Exists(path));
        Assert.Equal(first, ds.Select(Show));
        Assert.Equal(6, calls);
        // A later program builds the same pipeline: the snapshot answers; its Map only runs the trace.
        calls = 0;
        var later = Pipeline();
        Assert.Equal(first, later.Select(Show));
        Assert.Equal(1, calls);
        Assert.Equal(first.Order(), later.Shuffle(5, seed: 3).Select(Show).Order());
        Assert.Equal("<_SnapshotDataset element_spec=TensorSpec(shape=(3,), dtype=tf.float32, name=None)>", later.ToString());
        // The snapshot (path/{fingerprint}) is a saved dataset: Load reads it too.
        Assert.Equal(first, Dataset.Load<Tensor>(Assert.Single(Snapshots(path))).Select(Show));
        Assert.Empty(Directory.GetFileSystemEntries(Temp.Path, ".*"));
    }

    [SkippableFact]
    public void An_interrupted_first_pass_leaves_no_snapshot_and_the_next_pass_writes_it()
    {
        RequireBackend();
        string path = Temp.File("snap");
        int calls = 0;
        var ds = Dataset.Range(6).Map(x => { Interlocked.Increment(ref calls); return x + 100; }).Snapshot(path);
        // A loop left early.
        Assert.Equal([100L, 101], ds.Take(2).Select(x => x.Item<long>()));
        Assert.Empty(Directory.GetFileSystemEntries(path));

        // A run killed mid-pass: its iterator is never finished nor disposed. What it leaves is
        // hidden and incomplete: neither Load nor a later pass takes it for the data.
        var killed = ds.GetEnumerator();
        Assert.True(killed.MoveNext());
        Assert.True(killed.MoveNext());
        Assert.Empty(Snapshots(path));
        Assert.Throws<InvalidDataException>(() => Dataset.Load<Tensor>(path));
        calls = 0;
        Assert.Equal([100L, 101, 102, 103, 104, 105], ds.Select(x => x.Item<long>()));
        Assert.Equal(6, calls);
        Assert.Equal([100L, 101, 102, 103, 104, 105], ds.Select(x => x.Item<long>()));
        Assert.Equal(6, calls);
        killed.Dispose();
        Assert.Equal(6, Dataset.Load<Tensor>(Assert.Single(Snapshots(path))).Count());
        Assert.Empty(Directory.GetFileSystemEntries(path, ".*"));

        // A failing first pass leaves none either; the pass after the fix writes it.
        string other = Temp.File("failing");
        bool fail = true;
        var failing = Dataset.Range(4).Map(x => fail && x.Item<long>() == 2 ? throw new FormatException("bad record") : x).Snapshot(other);
        Assert.Throws<FormatException>(() => failing.ToList());
        Assert.Empty(Directory.GetFileSystemEntries(other));
        fail = false;
        Assert.Equal(4, failing.Count());
        Assert.Single(Snapshots(other));
        Assert.Empty(Directory.GetFileSystemEntries(other, ".*"));
    }

    [SkippableFact]
    public void Another_pipeline_writes_its_own_snapshot_and_the_first_is_still_read()
    {
        RequireBackend();
        string path = Temp.File("snap");
        Assert.Equal(5, Dataset.Range(5).Snapshot(path).Count());
        // Another count, another dtype, another structure: each a snapshot of its own, none refused.
        Assert.Equal(6, Dataset.Range(6).Snapshot(path).Count());
        Assert.Equal(5, Dataset.FromTensorSlices(Images()).Snapshot(path).Count());
        Assert.Equal(5, Dataset.Range(5).Map(x => (x, x)).Snapshot(path).Count());
        Assert.Equal(4, Snapshots(path).Length);
        // The same pipeline still reads its own.
        Assert.Equal([0L, 1, 2, 3, 4], Dataset.Range(5).Snapshot(path).Select(x => x.Item<long>()));
        Assert.Equal(4, Snapshots(path).Length);
    }

    [SkippableFact]
    public void Dictionaries_a_map_makes_and_text_are_snapshotted_and_a_shard_function_spreads_them()
    {
        RequireBackend();
        string path = Temp.File("snap");
        var ds = Dataset.Range(4).Map(x => (IReadOnlyDictionary<string, object>)new Dictionary<string, object>
        {
            ["n"] = x,
            ["name"] = new StringTensor($"item {x.Item<long>()}"),
        }).Snapshot(path, shardFunc: d => ((Tensor)d["n"]).Item<long>() % 2);
        string Row(IReadOnlyDictionary<string, object> d) => $"{((Tensor)d["n"]).Item<long>()}={((StringTensor)d["name"]).Item()}";
        Assert.Equal(["0=item 0", "1=item 1", "2=item 2", "3=item 3"], ds.Select(Row));
        // Later passes read shard 0 and shard 1 interleaved.
        Assert.Equal(["0=item 0", "1=item 1", "2=item 2", "3=item 3"], ds.Select(Row));
        string snapshot = Assert.Single(Snapshots(path));
        Assert.Equal(2, Directory.GetFiles(snapshot, "shard-*").Length);
        Assert.Equal("{'n': TensorSpec(shape=(), dtype=tf.int64, name=None), 'name': TensorSpec(shape=(), dtype=tf.string, name=None)}",
                     Dataset.Load<IReadOnlyDictionary<string, object>>(snapshot).ElementSpec.ToString());
    }
}

/// <summary>Snapshots, on the managed backend.</summary>
public sealed class ManagedData2SnapshotTests() : Data2SnapshotTests("managed");

/// <summary>Snapshots, on the native CPU backend.</summary>
public sealed class NativeCpuData2SnapshotTests() : Data2SnapshotTests("cpu");

/// <summary>Snapshots, on CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaData2SnapshotTests() : Data2SnapshotTests("cuda");
