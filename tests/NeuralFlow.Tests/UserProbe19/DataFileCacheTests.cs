using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// <c>cache(filename)</c> (missing before: only the memory cache existed), as the tf.data guides
/// use it: the first complete pass writes the elements to a file and later passes, and later runs,
/// read them instead of running the pipeline again. A pass left early, a failure or a killed run
/// must not leave a partial cache that a later run would take for the whole data.
/// </summary>
public abstract class DataFileCacheTests(string backend) : BackendTest(backend), IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nf-data-cache-").FullName;

    // Re-implements IDisposable so that the folder goes too; the backend scope is still ended first.
    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static (Tensor Images, Tensor Labels) Data()
    {
        var images = NF.Reshape(NF.Cast(NF.Range(5 * 2 * 3), DType.Float32), [5, 2, 3]);
        return (images, NF.Constant(new[] { 3, 1, 4, 1, 5 }));
    }

    private static string Show((Tensor, Tensor) e) => $"{e.Item1.DType}{e.Item1.Shape}[{string.Join(",", e.Item1.ToArray<float>())}] {e.Item2.DType}:{e.Item2.Item<int>()}";

    [SkippableFact]
    public void The_first_pass_writes_the_file_and_later_passes_and_runs_read_it()
    {
        RequireBackend();
        var (images, labels) = Data();
        string path = Path.Combine(_dir, "train.cache");
        int calls = 0;
        var cached = Dataset.FromTensorSlices(images, labels).Map((x, y) => { Interlocked.Increment(ref calls); return (x / 2f, y); }).Cache(path);
        var first = cached.Select(Show).ToArray();
        Assert.Equal(5, calls);
        Assert.True(File.Exists(path));
        Assert.Equal(first, cached.Select(Show).ToArray());
        Assert.Equal(5, calls);
        // A later run builds the same pipeline: the file answers, the Map never runs.
        var later = Dataset.FromTensorSlices(images, labels).Map((Func<Tensor, Tensor, (Tensor, Tensor)>)((x, y) => throw new InvalidOperationException("the cache should answer"))).Cache(path);
        Assert.Equal(first, later.Select(Show).ToArray());
        Assert.Equal(first.Order(), later.Shuffle(5, seed: 1).Select(Show).Order());
        // The values are the Map's (x / 2) with their dtypes and shapes.
        Assert.Equal("Float32(2, 3)[0,0.5,1,1.5,2,2.5] Int32:3", first[0]);
        Assert.Single(Directory.GetFiles(_dir));   // no temporary file left beside it
    }

    [SkippableFact]
    public void A_pass_left_early_or_failed_leaves_no_cache_and_the_next_pass_writes_it()
    {
        RequireBackend();
        var (images, labels) = Data();
        string path = Path.Combine(_dir, "partial.cache");
        int calls = 0;
        bool fail = true;
        var ds = Dataset.FromTensorSlices(images, labels).Map((x, y) =>
        {
            if (Interlocked.Increment(ref calls) == 4 && fail) throw new FormatException("bad record");
            return (x, y);
        }).Cache(path);
        Assert.Equal(2, ds.Take(2).Count());
        Assert.Empty(Directory.GetFiles(_dir));
        Assert.Throws<FormatException>(() => ds.ToList());
        Assert.Empty(Directory.GetFiles(_dir));
        fail = false;
        calls = 0;
        Assert.Equal(5, ds.Count());
        Assert.Equal(5, calls);
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [SkippableFact]
    public void A_killed_runs_leftovers_are_not_read_and_a_cut_file_is_named()
    {
        RequireBackend();
        var (images, labels) = Data();
        string path = Path.Combine(_dir, "killed.cache");
        // A run killed mid-pass leaves only its hidden temporary file: the next run ignores it and writes the cache.
        string leftover = Path.Combine(_dir, ".killed.cache.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllBytes(leftover, [1, 2, 3]);
        var ds = Dataset.FromTensorSlices(images, labels).Cache(path);
        Assert.Equal(5, ds.Count());
        Assert.Equal(5, ds.Count());
        Assert.True(File.Exists(path));
        // A cache file cut short (copied while written elsewhere, a full disk) is refused, naming the file, not read as fewer elements.
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var cut = Assert.Throws<InvalidDataException>(() => ds.ToList());
        Assert.Contains(path, cut.Message);
        Assert.Contains("Delete the file", cut.Message);
        // A file of another pipeline (another number of components) is refused too.
        File.WriteAllBytes(path, bytes);
        var other = Assert.Throws<InvalidDataException>(() => Dataset.FromTensorSlices(images).Cache(path).ToList());
        Assert.Contains("2 components, but this dataset's have 1", other.Message);
        File.WriteAllText(path, "not a cache");
        Assert.Contains("not a dataset cache file", Assert.Throws<InvalidDataException>(() => ds.ToList()).Message);
    }

    [SkippableFact]
    public void An_empty_name_caches_in_memory_and_fit_trains_from_the_file()
    {
        RequireBackend();
        var (images, labels) = Data();
        int calls = 0;
        var memory = Dataset.FromTensorSlices(images, labels).Map((x, y) => { Interlocked.Increment(ref calls); return (x, y); }).Cache("");
        memory.ToList();
        memory.ToList();
        Assert.Equal(5, calls);
        Assert.Empty(Directory.GetFiles(_dir));
        // Dictionaries whose keys a Map makes cannot be read back by a later run: refused when made.
        var named = Dataset.Range(3).Map(x => (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor> { ["x"] = x });
        Assert.Contains("Map into dictionaries after Cache", Assert.Throws<NotSupportedException>(() => named.Cache(Path.Combine(_dir, "named"))).Message);
        // Fit over epochs: the preprocessing runs in the first epoch only.
        calls = 0;
        string path = Path.Combine(_dir, "fit.cache");
        var train = Dataset.FromTensorSlices(NF.Reshape(images, [5, 6]), NF.Cast(NF.Reshape(labels, [5, 1]), DType.Float32))
            .Map((x, y) => { Interlocked.Increment(ref calls); return (x / 30f, y); }).Cache(path).Shuffle(5, seed: 2).Batch(2);
        var model = new Sequential(Layers.Input([6]), new Layers.Dense(1));
        model.Compile(optimizer: "sgd", loss: "mse");
        var history = model.Fit(train, epochs: 3, verbose: 0);
        Assert.Equal(3, history.Epochs);
        Assert.Equal(5, calls);
        Assert.True(File.Exists(path));
    }
}

/// <summary>File caches, on the managed backend.</summary>
public sealed class ManagedDataFileCacheTests() : DataFileCacheTests("managed");

/// <summary>File caches, on the native CPU backend.</summary>
public sealed class NativeCpuDataFileCacheTests() : DataFileCacheTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataFileCacheTests() : DataFileCacheTests("cuda");
