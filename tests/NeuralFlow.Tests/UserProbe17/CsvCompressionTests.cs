using System.IO.Compression;
using System.Text;
using NeuralFlow.Data;
using NeuralFlow.Tests.UserProbe16;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// TF's compression_type on the CSV readers: a <c>.csv.gz</c> (GZIP) or zlib-compressed file reads
/// as the same rows as the plain file, through CsvDataset and make_csv_dataset (type inference
/// included); a compressed file read as text, a text file read as GZIP and an unknown
/// compression type are errors naming the file or the choices. Before, there was no
/// compressionType and a .csv.gz parsed as garbage fields.
/// </summary>
public abstract class CsvCompressionTests(string backend) : BackendTest(backend)
{
    private const string Text = "x,y,label\n1.5,2,0\n-0.5,4,1\n3.25,,1\n";

    private static string Compressed(CsvFiles files, string name, string text, Func<Stream, Stream> compressor)
    {
        string path = Path.Combine(files.Folder, name);
        using (var file = File.Create(path))
        using (var compressed = compressor(file))
            compressed.Write(Encoding.UTF8.GetBytes(text));
        return path;
    }

    private static string Gzip(CsvFiles files, string name, string text) =>
        Compressed(files, name, text, s => new GZipStream(s, CompressionLevel.Optimal));

    private static string Zlib(CsvFiles files, string name, string text) =>
        Compressed(files, name, text, s => new ZLibStream(s, CompressionLevel.Optimal));

    private static List<(float X, int Y, int Label)> Rows(CsvDataset ds) =>
        ds.Select(r => (r["x"].ToArray<float>()[0], r["y"].ToArray<int>()[0], r["label"].ToArray<int>()[0])).ToList();

    [SkippableFact]
    public void Gzip_and_zlib_files_read_as_the_plain_file()
    {
        RequireBackend();
        using var files = new CsvFiles();
        object?[] defaults = [0f, -1, DType.Int32];
        var plain = Rows(new CsvDataset(files.Write("plain.csv", Text), defaults, header: true));
        Assert.Equal([(1.5f, 2, 0), (-0.5f, 4, 1), (3.25f, -1, 1)], plain);
        Assert.Equal(plain, Rows(new CsvDataset(Gzip(files, "data.csv.gz", Text), defaults, header: true, compressionType: "GZIP")));
        Assert.Equal(plain, Rows(new CsvDataset(Zlib(files, "data.csv.z", Text), defaults, header: true, compressionType: "ZLIB")));
    }

    [SkippableFact]
    public void Make_csv_dataset_infers_types_and_labels_from_a_gzip_file()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = Gzip(files, "train.csv.gz", Text);
        var batches = Csv.MakeCsvDataset(path, batchSize: 3, labelName: "label", numEpochs: 1, shuffle: false, compressionType: "GZIP").ToList();
        var (features, label) = (batches.Single().Features, batches.Single().Label!);
        Assert.Equal(DType.Float32, features["x"].DType);
        Assert.Equal(DType.Int32, features["y"].DType);
        Assert.Equal([1.5f, -0.5f, 3.25f], features["x"].ToArray<float>());
        Assert.Equal([2, 4, 0], features["y"].ToArray<int>());
        Assert.Equal([0, 1, 1], label.ToArray<int>());
    }

    [SkippableFact]
    public void A_mismatched_or_unknown_compression_is_named()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string gz = Gzip(files, "data.csv.gz", Text);
        string plain = files.Write("plain.csv", Text);
        object?[] defaults = [0f, -1, DType.Int32];
        var asText = Assert.Throws<InvalidDataException>(() => new CsvDataset(gz, defaults, header: true));
        Assert.Contains("data.csv.gz", asText.Message);
        Assert.Contains("\"GZIP\"", asText.Message);
        var asGzip = Assert.Throws<InvalidDataException>(() => Csv.MakeCsvDataset(plain, 2, compressionType: "GZIP"));
        Assert.Contains("plain.csv", asGzip.Message);
        Assert.Contains("not gzip-compressed", asGzip.Message);
        var asZlib = Assert.Throws<InvalidDataException>(() => new CsvDataset(plain, defaults, header: true, compressionType: "ZLIB"));
        Assert.Contains("zlib", asZlib.Message);
        var unknown = Assert.Throws<ArgumentException>(() => new CsvDataset(plain, defaults, header: true, compressionType: "zip"));
        Assert.Contains("\"GZIP\"", unknown.Message);
        Assert.Equal("compressionType", unknown.ParamName);
    }
}

/// <summary>Compressed CSV files, on the managed backend.</summary>
public sealed class ManagedCsvCompressionTests() : CsvCompressionTests("managed");

/// <summary>Compressed CSV files, on the native CPU backend.</summary>
public sealed class NativeCpuCsvCompressionTests() : CsvCompressionTests("cpu");

/// <summary>Compressed CSV files, on the CUDA backend.</summary>
public sealed class CudaCsvCompressionTests() : CsvCompressionTests("cuda");
