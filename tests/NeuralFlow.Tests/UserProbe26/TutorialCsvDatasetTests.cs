using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The "Load CSV data" tutorial's tf.data cells in C#: make_csv_dataset on a GZIP file with cache (snapshot has
/// no NeuralFlow counterpart), decode_csv on the lines of a file (all strings, then typed), CsvDataset with
/// header, TextLineDataset.skip(1).map(decode_csv), the fonts' many pixel columns packed into one image by a Map,
/// Dataset.list_files and interleave of per-file CsvDatasets, and the fast path (interleaved lines, batched,
/// decoded). Parsed values are Python's csv module's (csv_references.py) or the files' formulas.
/// </summary>
public abstract class TutorialCsvDatasetTests(string backend) : BackendFileTest(backend)
{
    // titanic_types = [int(), str(), float(), int(), int(), float(), str(), str(), str(), str()]
    private static readonly object?[] TitanicTypes = [0, "", 0f, 0, 0, 0f, "", "", "", ""];

    [SkippableFact]
    public void Make_csv_dataset_reads_a_gzip_file_and_caches_it()
    {
        RequireBackend();
        string gz = Temp.File("Metro_Interstate_Traffic_Volume.csv.gz");
        TutorialCsvData.WriteGzip(gz, TutorialCsvData.Traffic(600));
        var traffic = Csv.MakeCsvDataset(gz, batchSize: 256, labelName: "traffic_volume", numEpochs: 1, compressionType: "GZIP", shuffle: false);
        // Inferred as TF does: the text columns string, 0.0-style numbers float32, whole numbers int32.
        Assert.Null(traffic.Types["holiday"]);
        Assert.Equal(DType.Float32, traffic.Types["temp"]);
        Assert.Equal(DType.Float32, traffic.Types["snow_1h"]);
        Assert.Equal(DType.Int32, traffic.Types["clouds_all"]);
        Assert.Null(traffic.Types["date_time"]);
        var (batch, label) = traffic.Take(1).Select(e => (e, e.Label!)).Single();
        Assert.Equal(new[] { 500, 731, 962, 1193, 1327 }, label.ToArray<int>()[..5]);
        Assert.Equal(["Columbus Day", "None", "None", "None", "None"], batch.Strings["holiday"][..5]);
        Assert.Equal("2012-10-02 04:00:00", ((StringTensor)batch.Columns["date_time"]).ToArray()[4]);
        Assert.Equal(new[] { 270f, 270.037f }, batch["temp"].ToArray<float>()[..2]);

        // The tutorial's timing cells: repeat(20), then cache().shuffle(1000) repeated 20 times, the same 3 batches each pass.
        var shuffled = Csv.MakeCsvDataset(gz, batchSize: 256, labelName: "traffic_volume", numEpochs: 1, compressionType: "GZIP", shuffleSeed: 3);
        Assert.Equal(60, shuffled.Repeat(20).Count());
        var caching = shuffled.Cache().Shuffle(1000, seed: 4);
        var labels = caching.Repeat(20).Select(e => e.Label!.ToArray<int>()).ToList();
        Assert.Equal(60, labels.Count);
        // Every pass holds every row once.
        var all = Enumerable.Range(0, 600).Select(i => 500 + 200 * (i % 24) + (i * 31) % 97).Order().ToArray();
        Assert.Equal(all, labels.Take(3).SelectMany(l => l).Order().ToArray());
        Assert.Equal(all, labels.Skip(57).SelectMany(l => l).Order().ToArray());
    }

    [SkippableFact]
    public void Decode_csv_csv_dataset_and_text_lines_read_the_titanic_file_as_python()
    {
        RequireBackend();
        string path = Temp.File("train.csv");
        File.WriteAllText(path, TutorialCsvData.Titanic(120));
        // lines = text.split('\n')[1:-1]; all_strings = [str()]*10; tf.io.decode_csv(lines, record_defaults=all_strings)
        var lines = File.ReadAllText(path).Split('\n')[1..^1];
        var allStrings = Csv.DecodeCsv(lines, Enumerable.Repeat((object?)"", 10).ToArray());
        Assert.Equal(10, allStrings.Columns.Count);
        Assert.All(allStrings.Columns.Values, c => Assert.Equal(new Shape(120), Assert.IsType<StringTensor>(c).Shape));
        // csv_references.py, titanic row 2: the quoted town with its comma.
        Assert.Equal("Queenstown, Cork", allStrings.Strings["8"][2]);

        var features = Csv.DecodeCsv(lines, TitanicTypes);
        Assert.Equal([DType.Int32, DType.String, DType.Float32, DType.Int32, DType.Int32, DType.Float32, DType.String, DType.String, DType.String, DType.String],
                     features.Columns.Values.Select(c => c is StringTensor s ? s.DType : ((Tensor)c).DType));
        // Row 4's empty age takes its default, 0.
        Assert.Equal(new[] { 18f, 31f, 44f, 57f, 0f }, features["2"].ToArray<float>()[..5]);

        // simple_titanic = CsvDataset(path, record_defaults=titanic_types, header=True): the first row
        // ['1', 'male', '18.0', '0', '0', '68.00', 'First', 'C', 'Southampton', 'y'] (csv_references.py).
        var simple = new CsvDataset(path, TitanicTypes, header: true).Take(1).Single();
        Assert.Equal(1, simple[0].Item<int>());
        Assert.Equal(68f, simple["fare"].Item<float>());
        Assert.Equal("Southampton", simple.Strings["embark_town"].Single());

        // manual_titanic = TextLineDataset(path).skip(1).map(decode_titanic_line): one line decodes to scalars.
        var manual = new TextLineDataset(path).Skip(1).Map(line => Csv.DecodeCsv(line, TitanicTypes).Columns);
        var row = manual.Take(1).Single();
        Assert.Equal(Shape.Scalar, ((Tensor)row["0"]).Shape);
        Assert.Equal(1, ((Tensor)row["0"]).Item<int>());
        Assert.Equal("male", ((StringTensor)row["1"]).Item());
        Assert.Equal(68f, ((Tensor)row["5"]).Item<float>());
        Assert.Equal(120, manual.Count());
    }

    private string[] WriteFonts(int rows)
    {
        Directory.CreateDirectory(Temp.File("fonts"));
        string[] fonts = ["AGENCY", "ARIAL", "BAITI"];
        return fonts.Select((f, i) =>
        {
            string p = Path.Combine(Temp.File("fonts"), f + ".csv");
            File.WriteAllText(p, TutorialCsvData.Font(f, i, rows - i));
            return p;
        }).ToArray();
    }

    [SkippableFact]
    public void The_fonts_pixel_columns_pack_into_images_and_files_interleave()
    {
        RequireBackend();
        var fontCsvs = WriteFonts(4); // AGENCY 4 rows, ARIAL 3, BAITI 2
        string pattern = Path.Combine(Temp.File("fonts"), "*.csv");
        // fonts_ds = make_csv_dataset(file_pattern="fonts/*.csv", batch_size=10, num_epochs=1, num_parallel_reads=20)
        var fontsDs = Csv.MakeCsvDataset(pattern, batchSize: 10, numEpochs: 1, numParallelReads: 20, shuffle: false);
        Assert.Equal(412, fontsDs.ColumnNames.Count);
        Assert.Equal(DType.Int32, fontsDs.Types["m_label"]);
        // make_images: the r{row}c{col} columns stacked in row-major order, reshaped to [20, 20, batch].
        var fontsImageDs = fontsDs.Map(features =>
        {
            var image = new Tensor[400];
            var newFeats = new Dictionary<string, object>();
            foreach (var (name, value) in features.Columns)
            {
                var match = System.Text.RegularExpressions.Regex.Match(name, @"^r(\d+)c(\d+)$");
                if (match.Success) image[int.Parse(match.Groups[1].Value) * 20 + int.Parse(match.Groups[2].Value)] = (Tensor)value;
                else newFeats[name] = value;
            }
            newFeats["image"] = NF.Reshape(NF.Stack(image, axis: 0), [20, 20, -1]);
            return (IReadOnlyDictionary<string, object>)newFeats;
        });
        var first = fontsImageDs.Take(1).Single();
        var images = (Tensor)first["image"];
        Assert.Equal(new Shape(20, 20, 9), images.Shape);
        // 20 readers over 3 files: rows taken one from each file in turn (A0 B0 C0 A1 B1 C1 A2 B2 A3).
        Assert.Equal(["AGENCY", "ARIAL", "BAITI", "AGENCY", "ARIAL", "BAITI", "AGENCY", "ARIAL", "AGENCY"], ((StringTensor)first["font"]).ToArray());
        Assert.Equal(new[] { 65, 65, 65, 66, 66, 66, 67, 67, 68 }, ((Tensor)first["m_label"]).ToArray<int>());
        // Pixel r3c5 of the sixth image (BAITI, its row 1).
        // The pixels are whole numbers: inferred int32, as TF infers them.
        Assert.Equal(DType.Int32, images.DType);
        Assert.Equal(TutorialCsvData.Pixel(2, 1, 3 * 20 + 5), images[3, 5, 5].Item<int>());

        // font_column_types = [str(), str()] + [float()]*(num_font_features-2); CsvDataset over every file, header=True.
        object?[] fontColumnTypes = ["", "", .. Enumerable.Repeat((object?)0f, 410)];
        var simpleFontDs = new CsvDataset(fontCsvs, fontColumnTypes, header: true);
        Assert.Equal(["AGENCY", "AGENCY", "AGENCY", "AGENCY", "ARIAL", "ARIAL", "ARIAL", "BAITI", "BAITI"], simpleFontDs.Select(r => r.Strings["font"].Single()).ToArray());

        // font_files = tf.data.Dataset.list_files("fonts/*.csv"): shuffled, a new order each pass unless seeded or not shuffled.
        var sorted = Dataset.ListFiles(pattern, shuffle: false).Select(f => Path.GetFileName(f.Item())).ToArray();
        Assert.Equal(["AGENCY.csv", "ARIAL.csv", "BAITI.csv"], sorted);
        var seeded = Dataset.ListFiles(pattern, seed: 5);
        var epochs = Enumerable.Range(0, 6).Select(_ => string.Join(" ", seeded.Select(f => Path.GetFileName(f.Item())))).ToArray();
        Assert.All(epochs, e => Assert.Equal(sorted.Order(), e.Split(' ').Order()));
        Assert.True(epochs.Distinct().Count() > 1, "each pass reshuffles the file names");

        // font_rows = font_files.interleave(make_font_csv_ds, cycle_length=3); the first rows' font and character.
        var fontRows = Dataset.ListFiles(pattern, shuffle: false)
            .Interleave(path => new CsvDataset(path.Item(), fontColumnTypes, header: true).Map(r => r.Columns), cycleLength: 3);
        var taken = fontRows.Take(7).Select(r => $"{((StringTensor)r["font"]).Item()} {(char)((Tensor)r["m_label"]).Item<float>()}").ToArray();
        Assert.Equal(["AGENCY A", "ARIAL A", "BAITI A", "AGENCY B", "ARIAL B", "BAITI B", "AGENCY C"], taken);

        // fonts_fast: list_files, interleave of the lines (header skipped), batch, decode_csv on each batch of lines.
        var fontsFast = Dataset.ListFiles(pattern, shuffle: false)
            .Interleave(fname => new TextLineDataset(fname.Item()).Skip(1), cycleLength: 100)
            .Batch(4)
            .Map(x => Csv.DecodeCsv(x, fontColumnTypes).Columns);
        var fast = fontsFast.ToList();
        Assert.Equal([4, 4, 1], fast.Select(b => ((Tensor)b["2"]).Shape[0]));
        Assert.Equal(["AGENCY", "ARIAL", "BAITI", "AGENCY"], ((StringTensor)fast[0]["0"]).ToArray());
        Assert.Equal((float)TutorialCsvData.Pixel(1, 1, 399), ((Tensor)fast[1]["411"]).ToArray<float>()[0]);
    }

    [SkippableFact]
    public void Parallel_reads_interleave_files_of_different_lengths_as_tf_data_interleave()
    {
        RequireBackend();
        WriteFonts(3); // AGENCY 3 rows, ARIAL 2, BAITI 1
        string pattern = Path.Combine(Temp.File("fonts"), "*.csv");
        string Rows(int reads)
        {
            var batch = Csv.MakeCsvDataset(pattern, batchSize: 6, numEpochs: 1, shuffle: false, numParallelReads: reads, selectColumns: ["font", "m_label"]).Single();
            return string.Join(" ", batch.Strings["font"].Zip(batch["m_label"].ToArray<int>(), (f, m) => $"{"ABC"[Array.IndexOf(["AGENCY", "ARIAL", "BAITI"], f)]}{m - 65}"));
        }
        Assert.Equal("A0 A1 A2 B0 B1 C0", Rows(1));
        // Two at a time: a finished file's slot is empty until the cycle comes back to it (interleave's rule).
        Assert.Equal("A0 B0 A1 B1 A2 C0", Rows(2));
        Assert.Equal("A0 B0 C0 A1 B1 A2", Rows(3));
        // The same order as Dataset.Interleave over the files' row counts.
        var viaInterleave = Dataset.FromTensorSlices(NF.Constant(new long[] { 3, 2, 1 }))
            .Interleave(n => Dataset.Range(n.Item<long>()).Map(r => r * 10 + 3 - n.Item<long>()), cycleLength: 2)
            .Select(t => t.Item<long>()).ToArray();
        Assert.Equal(new long[] { 0, 1, 10, 11, 20, 2 }, viaInterleave);
        Assert.Equal("make_csv_dataset: numParallelReads must be at least 1. (Parameter 'numParallelReads')\nActual value was 0.",
                     Assert.Throws<ArgumentOutOfRangeException>(() => Csv.MakeCsvDataset(pattern, batchSize: 2, numParallelReads: 0)).Message.ReplaceLineEndings("\n"));
    }
}

public sealed class ManagedTutorialCsvDatasetTests() : TutorialCsvDatasetTests("managed");

public sealed class NativeCpuTutorialCsvDatasetTests() : TutorialCsvDatasetTests("cpu");

/// <summary>On the CUDA backend.</summary>
public sealed class CudaTutorialCsvDatasetTests() : TutorialCsvDatasetTests("cuda");
