using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// What a killed Dataset.Save leaves (missing before: its hidden directories stayed for ever): the
/// next save to the same path removes them, and only them (not a save still running, here or in
/// another process, which holds its lock; not the user's other hidden files); a save killed within
/// its commit loses no complete save; Load of a path with only such leftovers says so, naming it.
/// </summary>
public abstract class DataSaveLeftoversTests(string backend) : BackendFileTest(backend)
{
    private static long[] Longs(Dataset<Tensor> ds) => ds.Select(x => x.Item<long>()).ToArray();

    private string[] Hidden() => Directory.GetFileSystemEntries(Temp.Path, ".*").Select(e => Path.GetFileName(e)!).Order(StringComparer.Ordinal).ToArray();

    // What a save killed midway leaves: its directory with a shard cut short and no spec, and its
    // lock file, which the system unlocked when the process died. A save stores the same file names.
    private string KilledSave(string name, string id, bool withSpecOf = false, string? completeFrom = null)
    {
        string stem = Path.Combine(Temp.Path, $".{name}.nf-saving-{id}");
        Directory.CreateDirectory(stem + ".tmp");
        if (completeFrom is not null)
            foreach (var file in Directory.GetFiles(completeFrom)) File.Copy(file, Path.Combine(stem + ".tmp", Path.GetFileName(file)));
        else
            File.WriteAllBytes(Path.Combine(stem + ".tmp", "shard-00000.nfdata"), "NFCACHE\u0001"u8.ToArray());
        File.WriteAllText(stem + ".lock", "");
        return stem;
    }

    [SkippableFact]
    public void The_next_save_removes_a_killed_saves_hidden_files_and_only_those()
    {
        RequireBackend();
        string path = Temp.File("data");
        Dataset.Range(4).Save(path);
        string killed = KilledSave("data", new string('a', 32));
        // The user's own hidden files beside it, and names that only look alike, are not ours.
        Directory.CreateDirectory(Temp.File(".data.backup"));
        Directory.CreateDirectory(Temp.File(".data.nf-saving-mine.tmp"));
        File.WriteAllText(Temp.File(".other.nf-saving-" + new string('b', 32) + ".lock"), "");
        // The killed save changed nothing Load reads.
        Assert.Equal([0L, 1, 2, 3], Longs(Dataset.Load<Tensor>(path)));
        Assert.True(Directory.Exists(killed + ".tmp"));

        Dataset.Range(3).Map(x => x * 10).Save(path);
        Assert.Equal([0L, 10, 20], Longs(Dataset.Load<Tensor>(path)));
        Assert.Equal([".data.backup", ".data.nf-saving-mine.tmp", ".other.nf-saving-" + new string('b', 32) + ".lock"], Hidden());

        // A save that fails also removes a killed one's files, and its own.
        KilledSave("data", new string('c', 32));
        Assert.Throws<FormatException>(() => Dataset.Range(5).Map(x => x.Item<long>() == 2 ? throw new FormatException("bad") : x).Save(path));
        Assert.Equal([0L, 10, 20], Longs(Dataset.Load<Tensor>(path)));
        Assert.Equal(3, Hidden().Length);
    }

    [SkippableFact]
    public void A_save_still_running_is_left_alone()
    {
        RequireBackend();
        string path = Temp.File("data");
        // Another process's running save: it holds its lock file (FileShare.None is an exclusive lock,
        // flock on Linux and macOS, which the system drops only when that process ends).
        string other = KilledSave("data", new string('d', 32));
        using (new FileStream(other + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Dataset.Range(2).Save(path);
            Assert.True(Directory.Exists(other + ".tmp"));
        }
        // Its process gone (the lock dropped), the next save removes its files.
        Dataset.Range(3).Save(path);
        Assert.False(Directory.Exists(other + ".tmp"));
        Assert.Empty(Hidden());

        // A save in this process runs while another save to the same path starts and ends inside it
        // (its Map saves): neither removes the other's files, and the one ending last is what is there.
        int nested = 0;
        Dataset.Range(4).Map(x =>
        {
            if (x.Item<long>() == 2 && nested++ == 0)
            {
                Assert.Single(Hidden(), h => h.EndsWith(".tmp", StringComparison.Ordinal));
                Dataset.Range(7).Save(path);
                Assert.Equal(7, Dataset.Load<Tensor>(path).Count());
                Assert.Single(Hidden(), h => h.EndsWith(".tmp", StringComparison.Ordinal));   // the outer save's, still writing
            }
            return x + 100;
        }).Save(path);
        Assert.Equal([100L, 101, 102, 103], Longs(Dataset.Load<Tensor>(path)));
        Assert.Empty(Hidden());
    }

    [SkippableFact]
    public void Load_of_only_a_killed_saves_files_names_the_path_and_the_next_save_recovers_a_killed_commit()
    {
        RequireBackend();
        string path = Temp.File("data");
        KilledSave("data", new string('e', 32));
        var nothing = Assert.Throws<DirectoryNotFoundException>(() => Dataset.Load<Tensor>(path));
        Assert.Contains($"no saved dataset at '{path}'", nothing.Message);
        Assert.Contains("hidden files of a save that has not completed", nothing.Message);
        Assert.Contains(".data.nf-saving-" + new string('e', 32), nothing.Message);
        Dataset.Range(2).Save(path);
        Assert.Empty(Hidden());

        // Killed within its commit, between moving the earlier save aside and renaming its own complete
        // one into place: nothing is at the path, but both saves are whole. The next save, even one
        // that then fails, puts the newest complete one back first.
        string complete = Temp.File("complete");
        Dataset.Range(5).Map(x => x * 2).Save(complete);
        string stem = KilledSave("data", new string('f', 32), completeFrom: complete);
        Directory.Move(path, stem + ".old");
        Assert.Throws<DirectoryNotFoundException>(() => Dataset.Load<Tensor>(path));
        Assert.Throws<FormatException>(() => Dataset.Range(3).Map(x => x.Item<long>() == 1 ? throw new FormatException("bad") : x).Save(path));
        Assert.Equal([0L, 2, 4, 6, 8], Longs(Dataset.Load<Tensor>(path)));
        Assert.Empty(Hidden());
    }
}

/// <summary>Killed saves' leftovers, on the managed backend.</summary>
public sealed class ManagedDataSaveLeftoversTests() : DataSaveLeftoversTests("managed");

/// <summary>Killed saves' leftovers, on the native CPU backend.</summary>
public sealed class NativeCpuDataSaveLeftoversTests() : DataSaveLeftoversTests("cpu");

/// <summary>Killed saves' leftovers, on CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataSaveLeftoversTests() : DataSaveLeftoversTests("cuda");
