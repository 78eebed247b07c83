using System.IO.Compression;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Trust;

/// <summary>
/// The fuzz corpora of the file readers added to the fuzzer in the thirty-third session
/// (tests/fuzz/corpus/bmp, wav, npy, npz, h5model, h5weights, text: seeds and the inputs that once
/// failed) read or raise a clear error: an InvalidDataException naming the file for the file
/// readers, naming the format for the decoders of bytes. The faults the fuzzer found stay fixed.
/// </summary>
public sealed class FileFuzzCorpusTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string[] Corpus(string kind)
    {
        var files = Directory.GetFiles(Path.Combine(Samples.Repo.Root, "tests", "fuzz", "corpus", kind));
        Assert.NotEmpty(files);
        return files;
    }

    [Theory]
    [InlineData("npy")]
    [InlineData("npz")]
    [InlineData("h5model")]
    [InlineData("h5weights")]
    [InlineData("text")]
    public void Every_file_reader_corpus_file_loads_or_is_an_error_naming_it(string kind)
    {
        string extension = kind switch { "h5model" => ".h5", "h5weights" => ".weights.h5", "text" => ".csv", _ => "." + kind };
        foreach (var file in Corpus(kind))
        {
            string copy = _temp.File("fuzz-input" + extension);
            File.Copy(file, copy, overwrite: true);
            try
            {
                switch (kind)
                {
                    case "npy": NF.Numpy.Load(copy).Dispose(); break;
                    case "npz": foreach (var t in NF.Numpy.LoadNpz(copy).Values) t.Dispose(); break;
                    case "h5model": Model.Load(copy); break;
                    case "text":
                        foreach (var batch in NeuralFlow.Data.Csv.MakeCsvDataset(copy, 4, numEpochs: 1, shuffle: false))
                            foreach (var t in batch.Features.Values) t.Dispose();
                        break;
                    default: SmallModel().LoadWeights(copy); break;
                }
            }
            catch (Exception e) when (e is InvalidDataException or FormatException)
            {
                Assert.True(e.Message.Contains(copy, StringComparison.Ordinal), $"{Path.GetFileName(file)}: {e.Message}");
            }
        }
    }

    [Fact]
    public void Every_bmp_and_wav_corpus_file_decodes_or_is_an_error_naming_its_format()
    {
        foreach (var file in Corpus("bmp"))
        {
            try { NF.Image.DecodeBmp(File.ReadAllBytes(file)).Dispose(); }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException)
            {
                Assert.True(e.Message.Contains("BMP", StringComparison.Ordinal), $"{Path.GetFileName(file)}: {e.Message}");
            }
        }
        foreach (var file in Corpus("wav"))
        {
            try { NF.Audio.DecodeWav(File.ReadAllBytes(file)).Audio.Dispose(); }
            catch (InvalidDataException e)
            {
                Assert.True(e.Message.Contains("DecodeWav", StringComparison.Ordinal), $"{Path.GetFileName(file)}: {e.Message}");
            }
        }
    }

    [Fact]
    public void A_npz_whose_central_directory_disagrees_with_its_end_record_is_named()
    {
        // Found by the fuzzer: ZipArchive reads the central directory when Entries is first
        // enumerated, after the open, and its InvalidDataException named no file.
        var (path, bytes) = SavedNpz("counts.npz");
        // The end-of-central-directory record is the last 22 bytes (no comment); its entry counts
        // (this disk's, and the total) are at 8 and 10.
        int end = bytes.Length - 22;
        Assert.Equal(0x06054b50u, BitConverter.ToUInt32(bytes, end));
        bytes[end + 8] = bytes[end + 10] = 3;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => NF.Numpy.LoadNpz(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("damaged .npz", e.Message);
    }

    [Fact]
    public void A_csv_header_naming_a_column_twice_is_an_error_naming_the_file()
    {
        // Found by the fuzzer: the duplicate check of make_csv_dataset's column names raised an
        // ArgumentException about the columnNames argument when the names came from the file.
        string path = _temp.File("twice.csv");
        File.WriteAllText(path, "x,y,x\n1,2,3\n");
        var e = Assert.Throws<InvalidDataException>(() => NeuralFlow.Data.Csv.MakeCsvDataset(path, 2));
        Assert.Contains(path, e.Message);
        Assert.Contains("'x' more than once", e.Message);
    }

    [Fact]
    public void A_npz_entry_with_a_corrupt_local_header_is_named()
    {
        var (path, bytes) = SavedNpz("local.npz");
        Assert.Equal(0x04034b50u, BitConverter.ToUInt32(bytes, 0));
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => NF.Numpy.LoadNpz(path));
        Assert.Contains(path, e.Message);
    }

    // A one-array .npz written by SaveNpz, and its bytes.
    private (string Path, byte[] Bytes) SavedNpz(string name)
    {
        string path = _temp.File(name);
        using (var a = NF.Constant(new float[] { 1, 2 }, [2]))
            NF.Numpy.SaveNpz(path, new Dictionary<string, Tensor> { ["a"] = a });
        return (path, File.ReadAllBytes(path));
    }

    // The model the fuzzer's h5weights target loads into (tests/fuzz/NeuralFlow.Fuzz/FuzzSeeds.cs).
    private static Sequential SmallModel()
    {
        var model = new Sequential(new Layers.Dense(3, activation: "relu"), new Layers.Dense(2));
        model.Build([2]);
        return model;
    }
}
