using System.IO.Compression;
using System.Text;
using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// <see cref="TextLineDataset"/> reads as <c>tf.data.TextLineDataset</c>: one scalar tf.string per
/// line, '\n' ending a line and every '\r' dropped (TensorFlow's BufferedInputStream::ReadLine), empty
/// lines kept, a last line without '\n' kept, files in the order given, each read lazily and afresh
/// every pass, a missing file failing the pass that reaches it (TensorFlow fails at iteration too),
/// GZIP and ZLIB files as compression_type reads them. Expected lines worked out by hand from the
/// bytes written (text_lines_references.py's lines() does the same split).
/// </summary>
public abstract class DataTextLineTests(string backend) : BackendFileTest(backend)
{
    private string Write(string name, string text)
    {
        var path = Temp.File(name);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    private static string[] Lines(Dataset<StringTensor> ds) => ds.Select(l => l.Item()).ToArray();

    [SkippableFact]
    public void Lines_end_at_newlines_without_carriage_returns_and_files_keep_their_order()
    {
        RequireBackend();
        var a = Write("a.txt", "first\r\nsecond\r\n\r\nlast without newline");
        var b = Write("b.txt", "b1\nb\r2\n\n");
        var empty = Write("empty.txt", "");
        var ds = new TextLineDataset(a, empty, b);
        Assert.Equal("TensorSpec(shape=(), dtype=tf.string, name=None)", ds.ElementSpec.ToString());
        Assert.Equal(Dataset.Unknown, ds.Cardinality);
        Assert.Equal(new[] { "first", "second", "", "last without newline", "b1", "b2", "" }, Lines(ds));
        Assert.Equal(new[] { "b1", "b2", "", "first", "second", "", "last without newline" }, Lines(new TextLineDataset([b, a])));
        Assert.Empty(Lines(new TextLineDataset(empty)));
        Assert.Equal(0, new TextLineDataset().Cardinality);
        // Text is UTF-8; a byte-order mark is kept, as TensorFlow keeps its bytes.
        var utf8 = Write("utf8.txt", "\uFEFFcafé ☕\n𝄞 clef\n");
        Assert.Equal(new[] { "\uFEFFcafé ☕", "𝄞 clef" }, Lines(new TextLineDataset(utf8)));
    }

    [SkippableFact]
    public void The_tutorial_steps_skip_filter_take_map_and_batch_lines()
    {
        RequireBackend();
        var csv = Write("titanic.csv", "survived,sex,age\n0,male,22\n1,female,38\n1,female,26\n0,male,35\n");
        var lines = new TextLineDataset(csv);
        // Skip the header, keep the survivors, as the "Load text" guide's titanic_lines.skip(1).filter(...).
        var survivors = lines.Skip(1).Filter(l => l.Item().Split(',')[0] == "1");
        Assert.Equal(new[] { "1,female,38", "1,female,26" }, Lines(survivors));
        Assert.Equal(new[] { "survived,sex,age", "0,male,22" }, Lines(lines.Take(2)));
        // Label the lines of a file, as the guide's labeler(example, index).
        var labeled = lines.Skip(1).Map(l => (l, NF.Constant(3L)));
        Assert.Equal("(TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))", labeled.ElementSpec.ToString());
        var (texts, labels) = labeled.Batch(4).Single();
        using (labels)
        {
            Assert.Equal(new[] { "0,male,22", "1,female,38", "1,female,26", "0,male,35" }, texts.ToArray());
            Assert.Equal(new long[] { 3, 3, 3, 3 }, labels.ToArray<long>());
        }
        // Lines of a dataset of file names (Interleave of TextLineDatasets, the guide's parallel read).
        var other = Write("other.txt", "x\ny\n");
        var files = Dataset.FromTensorSlices(new[] { csv, other }).Interleave(f => new TextLineDataset(f.Item()).Take(2), cycleLength: 2);
        Assert.Equal(new[] { "survived,sex,age", "x", "0,male,22", "y" }, Lines(files));
    }

    [SkippableFact]
    public void Files_are_read_lazily_every_pass_and_a_missing_one_fails_the_pass_that_reaches_it()
    {
        RequireBackend();
        var present = Write("present.txt", "one\ntwo\n");
        var missing = Temp.File("missing.txt");
        var ds = new TextLineDataset(present, missing);   // no error yet: tf.data fails at iteration
        var read = new List<string>();
        var error = Assert.Throws<FileNotFoundException>(() => { foreach (var line in ds) read.Add(line.Item()); });
        Assert.Equal(new[] { "one", "two" }, read);   // the first file's lines came before the error
        Assert.Contains(missing, error.Message);
        Assert.Equal(missing, error.FileName);
        Assert.Contains("is a directory", Assert.Throws<FileNotFoundException>(() => new TextLineDataset(Temp.Path).ToList()).Message);

        // The file written after the dataset was made, then changed between passes.
        File.WriteAllText(missing, "three\n");
        Assert.Equal(new[] { "one", "two", "three" }, Lines(ds));
        File.WriteAllText(missing, "four\nfive");
        Assert.Equal(new[] { "one", "two", "four", "five" }, Lines(ds));
        // A pass left early, then a file deleted since: the next pass fails on it.
        Assert.Equal("one", ds.First().Item());
        File.Delete(present);
        Assert.Throws<FileNotFoundException>(() => ds.ToList());

        Assert.Contains("filename 1 is null", Assert.Throws<ArgumentException>(() => new TextLineDataset("a.txt", null!)).Message);
        Assert.Throws<ArgumentNullException>(() => new TextLineDataset((string[])null!));
    }

    [SkippableFact]
    public void Epochs_of_lines_leave_no_string_tables_behind()
    {
        RequireBackend();
        var path = Write("many.txt", string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i}\n")));
        var ds = new TextLineDataset(path).Shuffle(50, seed: 1).Batch(16).Map(b => b.Apply(s => s.ToUpperInvariant()));
        long strings = 0;
        for (int epoch = 0; epoch < 30; epoch++)
            foreach (var batch in ds.AutoDispose()) strings += batch.Count;
        Assert.Equal(30 * 200, strings);
        // Every line, batch and mapped batch had a table (over 7,000 in all): the GC frees them with their carriers.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.InRange(NeuralFlow.Data.Pipeline.StringCarrier.LiveTables, 0, 1000);
    }

    [SkippableFact]
    public void Gzip_and_zlib_files_read_as_compression_type_says_and_bad_data_is_named()
    {
        RequireBackend();
        const string text = "alpha\r\nbeta\ngamma";
        var gz = Temp.File("lines.txt.gz");
        using (var file = File.Create(gz))
        using (var zip = new GZipStream(file, CompressionLevel.Optimal)) zip.Write(Encoding.UTF8.GetBytes(text));
        var zl = Temp.File("lines.txt.zz");
        using (var file = File.Create(zl))
        using (var zip = new ZLibStream(file, CompressionLevel.Optimal)) zip.Write(Encoding.UTF8.GetBytes(text));
        string[] expected = ["alpha", "beta", "gamma"];
        Assert.Equal(expected, Lines(new TextLineDataset([gz], compressionType: "GZIP")));
        Assert.Equal(expected, Lines(new TextLineDataset([zl], compressionType: "ZLIB")));
        Assert.Equal(expected, Lines(new TextLineDataset([Write("plain.txt", text)], compressionType: "")));

        // A gzip file cut inside its trailer: .NET's GZipStream would end quietly; this fails naming the file.
        var bytes = File.ReadAllBytes(gz);
        var cut = Temp.File("cut.txt.gz");
        File.WriteAllBytes(cut, bytes[..^4]);
        var error = Assert.Throws<InvalidDataException>(() => new TextLineDataset([cut], compressionType: "GZIP").ToList());
        Assert.Contains(cut, error.Message);
        // The CSV readers share the file opener: a cut .csv.gz, which they read quietly before, fails the same way.
        var csv = Temp.File("cut.csv.gz");
        using (var file = File.Create(csv))
        using (var zip = new GZipStream(file, CompressionLevel.Optimal)) zip.Write("x,y\n1,2\n3,4\n"u8);
        File.WriteAllBytes(csv, File.ReadAllBytes(csv)[..^4]);
        Assert.Contains(csv, Assert.Throws<InvalidDataException>(() => new CsvDataset(csv, [0, 0], header: true, compressionType: "GZIP")).Message);
        Assert.Contains("is gzip-compressed", Assert.Throws<InvalidDataException>(() => new TextLineDataset(gz).ToList()).Message);
        Assert.Contains("is not gzip-compressed", Assert.Throws<InvalidDataException>(() => new TextLineDataset([Write("p.txt", "x")], "GZIP").ToList()).Message);
        Assert.Contains("\"GZIP\" or \"ZLIB\", not \"gzip\"", Assert.Throws<ArgumentException>(() => new TextLineDataset([gz], "gzip")).Message);
    }
}

/// <summary>TextLineDataset on the managed backend.</summary>
public sealed class ManagedDataTextLineTests() : DataTextLineTests("managed");

/// <summary>TextLineDataset on the native CPU backend.</summary>
public sealed class NativeCpuDataTextLineTests() : DataTextLineTests("cpu");

/// <summary>TextLineDataset on CUDA.</summary>
public sealed class CudaDataTextLineTests() : DataTextLineTests("cuda");
