using System.Security.Cryptography;
using NeuralFlow.Data;
using NeuralFlow.Data.Sources;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// Downloads against a local HTTP server on 127.0.0.1 (no test reaches the internet): success,
/// checksum mismatch, offline, and a cache folder that cannot be written.
/// </summary>
public sealed class DownloadTests : IDisposable
{
    private static readonly string[] Names =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private readonly string _root = Directory.CreateTempSubdirectory("nf-data-").FullName;
    private readonly string? _savedData = Environment.GetEnvironmentVariable("NEURALFLOW_DATA");
    private readonly IList<string> _savedMnist = Datasets.Mnist.Mirrors;
    private readonly IList<string> _savedFashion = Datasets.FashionMnist.Mirrors;
    private readonly TextWriter? _savedProgress = Datasets.Progress;
    private readonly StringWriter _progress = new();

    public DownloadTests()
    {
        Environment.SetEnvironmentVariable("NEURALFLOW_DATA", _root);
        Datasets.Progress = _progress;
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("NEURALFLOW_DATA", _savedData);
        Datasets.Mnist.Mirrors = _savedMnist;
        Datasets.FashionMnist.Mirrors = _savedFashion;
        Datasets.Progress = _savedProgress;
        Directory.Delete(_root, recursive: true);
    }

    private static Dictionary<string, byte[]> SampleFiles() =>
        Names.ToDictionary(n => n, n => File.ReadAllBytes(MnistTests.SamplePath(n)));

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public void Downloads_verifies_renames_and_loads_with_progress()
    {
        var files = SampleFiles();
        using var server = new LocalHttpServer(files);
        var source = new IdxSource("sample-download", "Sample", ["http://127.0.0.1:1/unreachable/", server.BaseUrl], [],
            [.. Names.Select(n => new RemoteFile(n, Sha256(files[n])))]);

        var ((xTrain, yTrain), (xTest, _)) = source.Load();
        Assert.Equal(new Shape(8000, 28, 28), xTrain.Shape);
        Assert.Equal(new Shape(2000, 28, 28), xTest.Shape);
        Assert.Equal(MnistTests.CountsFromRawBytes(MnistTests.SamplePath(Names[1])), MnistTests.WorkshopCounts(yTrain));
        var folder = Path.Combine(_root, "sample-download");
        Assert.Equal(Names.Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.Contains($"Downloading train-images-idx3-ubyte.gz from {server.BaseUrl}", _progress.ToString());
        Assert.Contains("100%", _progress.ToString());

        // A second load reads the cache and asks the server for nothing.
        int requests = server.Requests.Count;
        source.Load();
        Assert.Equal(requests, server.Requests.Count);
    }

    [Fact]
    public void A_corrupted_download_fails_the_checksum_and_leaves_no_file()
    {
        var files = SampleFiles(); // real sample files, but not the real MNIST: every SHA-256 differs
        files[Names[1]] = [.. files[Names[1]][..^10], .. new byte[10]];
        using var server = new LocalHttpServer(files);
        Datasets.Mnist.Mirrors = [server.BaseUrl];

        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Mnist.LoadData());
        Assert.Contains("SHA-256 mismatch", e.Message);
        Assert.Contains("expected 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", e.Message);
        Assert.Contains("the download was discarded", e.Message);
        Assert.Contains("LoadSample()", e.Message);
        var folder = Path.Combine(_root, "mnist");
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void Offline_and_absent_is_one_clear_error_saying_where_to_put_the_files()
    {
        Datasets.Mnist.Mirrors = ["http://127.0.0.1:1/"];
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Mnist.LoadData());
        var folder = Path.Combine(_root, "mnist");
        Assert.Contains($"MNIST is not in {folder}", e.Message);
        Assert.Contains("http://127.0.0.1:1/train-images-idx3-ubyte.gz", e.Message);
        Assert.All(Names, n => Assert.Contains(n, e.Message));
        Assert.Contains("Datasets.Mnist.LoadSample()", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void A_cache_folder_that_cannot_be_written_is_a_clear_error()
    {
        // Tests run as root, which ignores permission bits; a folder *under a regular file*
        // cannot be created by anyone (ENOTDIR), so it really is not writable.
        var blocker = Path.Combine(_root, "a-file");
        File.WriteAllText(blocker, "not a folder");
        Environment.SetEnvironmentVariable("NEURALFLOW_DATA", blocker);
        using var server = new LocalHttpServer(SampleFiles());
        Datasets.Mnist.Mirrors = [server.BaseUrl];

        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Mnist.LoadData());
        Assert.Contains("cannot be written", e.Message);
        Assert.Contains(Path.Combine(blocker, "mnist"), e.Message);
        Assert.Contains("NEURALFLOW_DATA", e.Message);
        Assert.Empty(server.Requests); // it fails before downloading anything
        Assert.Equal("not a folder", File.ReadAllText(blocker));
    }

    [Fact]
    public void Label_count_not_matching_image_count_names_both_files()
    {
        var folder = Path.Combine(_root, "mnist");
        Directory.CreateDirectory(folder);
        foreach (var n in Names) File.Copy(MnistTests.SamplePath(n), Path.Combine(folder, n));
        File.Copy(MnistTests.SamplePath("t10k-labels-idx1-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"), overwrite: true);
        var e = Assert.Throws<InvalidDataException>(() => Datasets.Mnist.LoadData());
        Assert.Contains("2,000 labels", e.Message);
        Assert.Contains("8,000 images", e.Message);
        Assert.Contains(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), e.Message);
        Assert.Contains(Path.Combine(folder, "train-images-idx3-ubyte.gz"), e.Message);
    }

    [SkippableFact]
    public void FashionMnist_downloads_with_its_published_hashes()
    {
        Skip.IfNot(Directory.Exists(Datasets.FashionMnist.DebianFolder), "Debian's Fashion-MNIST files are absent");
        // Zalando's published files are Debian's deflate streams under the original gzip header;
        // rebuilding them exercises the real SHA-256 values end to end.
        var files = Names.ToDictionary(n => n, n => Upstream(Path.Combine(Datasets.FashionMnist.DebianFolder, n)));
        using var server = new LocalHttpServer(files);
        Datasets.FashionMnist.Mirrors = [server.BaseUrl];
        var source = Datasets.FashionMnist.Source;
        Assert.Equal(Names, source.Files.Select(f => f.Sha256 == Sha256(files[f.Name]) ? f.Name : "hash differs"));

        var cache = Path.Combine(_root, "fashion-mnist");
        var folder = new IdxSource("fashion-mnist", "Fashion-MNIST", [server.BaseUrl], [], [.. source.Files]);
        var ((xTrain, _), _) = folder.Load();
        Assert.Equal(new Shape(60000, 28, 28), xTrain.Shape);
        Assert.Equal(4, Directory.GetFiles(cache).Length);
    }

    private static byte[] Upstream(string debianFile)
    {
        var d = File.ReadAllBytes(debianFile);
        var name = Path.GetFileNameWithoutExtension(debianFile);
        uint mtime = name.StartsWith("train") ? 1504176606u : 1504176627u; // 2017-08-31, as published
        byte[] header = [0x1F, 0x8B, 8, 8, (byte)mtime, (byte)(mtime >> 8), (byte)(mtime >> 16), (byte)(mtime >> 24), 0, 3];
        return [.. header, .. System.Text.Encoding.ASCII.GetBytes(name), 0, .. d[10..]];
    }
}
