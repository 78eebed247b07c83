using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// TensorFlow's CSV readers (tf.data.experimental.CsvDataset, make_csv_dataset, tf.io.decode_csv)
/// on small files in the shape of the tutorials' Titanic data: RFC 4180 quoting, record defaults
/// that type the columns, missing values, the header, selected columns, type inference and the
/// errors TF raises, each naming the file, line and column here. Expected values are the files'
/// own contents, as TF's documentation describes the readers' results.
/// </summary>
public abstract class CsvReaderTests(string backend) : BackendTest(backend)
{
    // Titanic's columns, a few rows: a quoted class with a comma, a missing age, a quoted quote.
    private const string Titanic =
        "survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone\n" +
        "0,male,22.0,1,0,7.25,Third,unknown,Southampton,n\n" +
        "1,female,38.0,1,0,71.2833,\"First, upper\",C,Cherbourg,n\r\n" +
        "1,female,,0,0,7.925,Third,unknown,\"Queens\"\"town\",y\n" +
        "\n" +
        "0,male,35.0,0,0,8.05,Third,unknown,Southampton,y\n";

    [SkippableFact]
    public void CsvDataset_reads_typed_columns_with_rfc4180_quoting_and_defaults()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("titanic.csv", Titanic);
        // record_defaults: survived required int32, sex string, age float32 defaulting to -1, ...
        object?[] defaults = [DType.Int32, typeof(string), -1f, 0, 0, 0.0, "", "", "", ""];
        var ds = new CsvDataset(path, defaults, header: true);
        Assert.Equal(["survived", "sex", "age", "n_siblings_spouses", "parch", "fare", "class", "deck", "embark_town", "alone"], ds.ColumnNames);
        var rows = ds.ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal(DType.Int32, rows[0]["survived"].DType);
        Assert.Equal(Shape.Scalar, rows[0]["survived"].Shape);
        Assert.Equal([0, 1, 1, 0], rows.Select(r => r["survived"].ToArray<int>()[0]));
        Assert.Equal([22f, 38f, -1f, 35f], rows.Select(r => r["age"].ToArray<float>()[0]));
        Assert.Equal(DType.Float64, rows[1]["fare"].DType);
        Assert.Equal(71.2833, rows[1]["fare"].ToArray<double>()[0]);
        Assert.Equal(["Third", "First, upper", "Third", "Third"], rows.Select(r => r.Strings["class"][0]));
        Assert.Equal("Queens\"town", rows[2].Strings["embark_town"][0]);
        // Positions as TF's tuple: item 2 is age.
        Assert.Equal(38f, rows[1][2].ToArray<float>()[0]);
        var sexError = Assert.Throws<KeyNotFoundException>(() => rows[0]["sex"]);
        Assert.Contains("Strings[\"sex\"]", sexError.Message);
    }

    [SkippableFact]
    public void CsvDataset_select_and_exclude_columns_batch_and_name_by_position_without_header()
    {
        RequireBackend();
        using var files = new CsvFiles();
        // TF's docstring example: only the last three columns, the middle one optional.
        string path = files.Write("my_file0.csv", "abcdefg,4.28E10,5.55E6,12\nhijklmn,-5.3E14,,2\n");
        var ds = new CsvDataset(path, [DType.Float32, 0f, DType.Int32], selectCols: [1, 2, 3]);
        Assert.Equal(["1", "2", "3"], ds.ColumnNames);
        var rows = ds.ToList();
        Assert.Equal([4.28e10f, -5.3e14f], rows.Select(r => r[0].ToArray<float>()[0]));
        Assert.Equal([5.55e6f, 0f], rows.Select(r => r[1].ToArray<float>()[0]));
        Assert.Equal([12, 2], rows.Select(r => r[2].ToArray<int>()[0]));

        var excluded = new CsvDataset(path, ["", 0.0], excludeCols: [1, 3]).Batch(2).Single();
        Assert.Equal(["abcdefg", "hijklmn"], excluded.Strings["0"]);
        Assert.Equal(new Shape(2), excluded["2"].Shape);
        Assert.Equal([5.55e6, 0.0], excluded["2"].ToArray<double>());
    }

    [SkippableFact]
    public void CsvDataset_errors_name_the_file_line_and_column()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string missing = files.Write("missing.csv", "a,b\n1,2\n3,\n");
        var required = Assert.Throws<InvalidDataException>(() => new CsvDataset(missing, [DType.Int32, DType.Int32], header: true));
        Assert.Contains("missing.csv', line 3, column 2 ('b')", required.Message);
        Assert.Contains("no default", required.Message);

        string ragged = files.Write("ragged.csv", "1,2\n3,4,5\n");
        var count = Assert.Throws<InvalidDataException>(() => new CsvDataset(ragged, [0, 0]));
        Assert.Contains("ragged.csv', line 2: expected 2 fields but found 3", count.Message);

        string text = files.Write("text.csv", "1,x2\n");
        var parse = Assert.Throws<InvalidDataException>(() => new CsvDataset(text, [0, 0f]));
        Assert.Contains("line 1, column 2 ('1'): 'x2' is not a valid float32", parse.Message);

        string quote = files.Write("quote.csv", "1,\"open\n2,3\n");
        Assert.Contains("not closed", Assert.Throws<InvalidDataException>(() => new CsvDataset(quote, [0, ""])).Message);
        string stray = files.Write("stray.csv", "1,ab\"c\n");
        Assert.Contains("useQuoteDelim: false", Assert.Throws<InvalidDataException>(() => new CsvDataset(stray, [0, ""])).Message);
        // Without quoting, quotes are ordinary characters.
        Assert.Equal("ab\"c", new CsvDataset(stray, [0, ""], useQuoteDelim: false).Single().Strings["1"][0]);

        Assert.Contains("CSV columns are float32, float64, int32, int64 or string",
            Assert.Throws<ArgumentException>(() => new CsvDataset(text, [0, true])).Message);
        Assert.Throws<FileNotFoundException>(() => new CsvDataset(Path.Combine(files.Folder, "none.csv"), [0]));
        Assert.Contains("sorted", Assert.Throws<ArgumentException>(() => new CsvDataset(text, [0, 0], selectCols: [1, 0])).Message);
    }

    [SkippableFact]
    public void CsvDataset_na_value_and_field_delimiter()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("semi.csv", "1;NA;x\n2;2.5;NA\n");
        var rows = new CsvDataset(path, [0L, -1.0, "?"], fieldDelim: ';', naValue: "NA").ToList();
        Assert.Equal(DType.Int64, rows[0]["0"].DType);
        Assert.Equal([-1.0, 2.5], rows.Select(r => r["1"].ToArray<double>()[0]));
        Assert.Equal(["x", "?"], rows.Select(r => r.Strings["2"][0]));
    }

    [SkippableFact]
    public void MakeCsvDataset_infers_types_sets_the_label_apart_and_batches()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("titanic.csv", Titanic);
        var ds = Csv.MakeCsvDataset(path, batchSize: 3, labelName: "survived", numEpochs: 1, shuffle: false);
        // TF's inference: int32, then float32, then string; a missing age is 0.
        Assert.Equal(DType.Int32, ds.Types["survived"]);
        Assert.Equal(DType.Float32, ds.Types["age"]);
        Assert.Equal(DType.Int32, ds.Types["parch"]);
        Assert.Equal(DType.Float32, ds.Types["fare"]);
        Assert.Null(ds.Types["sex"]);
        Assert.Equal(2, ds.Cardinality);
        var batches = ds.ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(["sex", "age", "n_siblings_spouses", "parch", "fare", "class", "deck", "embark_town", "alone"], batches[0].ColumnNames);
        Assert.Equal(["age", "n_siblings_spouses", "parch", "fare"], batches[0].Features.Keys);
        Assert.Equal([0, 1, 1], batches[0].Label!.ToArray<int>());
        Assert.Equal([22f, 38f, 0f], batches[0]["age"].ToArray<float>());
        Assert.Equal(["male", "female", "female"], batches[0].Strings["sex"]);
        Assert.Equal([35f], batches[1]["age"].ToArray<float>());

        // select_columns by name, column_defaults for the kept ones in file order (as TF), two epochs shuffled with a seed.
        var selected = Csv.MakeCsvDataset(path, batchSize: 8, selectColumns: ["survived", "age", "sex"], columnDefaults: [0, "", 30.0],
                                          labelName: "survived", numEpochs: 2, shuffleSeed: 3);
        var all = selected.Single();
        Assert.Equal(["sex", "age"], all.ColumnNames);
        Assert.Equal(8, all["age"].ToArray<double>().Length);
        Assert.Equal([22.0, 22, 30, 30, 35, 35, 38, 38], all["age"].ToArray<double>().Order());
        var again = Csv.MakeCsvDataset(path, batchSize: 8, selectColumns: ["survived", "age", "sex"], columnDefaults: [0, "", 30.0],
                                       labelName: "survived", numEpochs: 2, shuffleSeed: 3).Single();
        Assert.Equal(all["age"].ToArray<double>(), again["age"].ToArray<double>());
        Assert.Equal(all.Strings["sex"], again.Strings["sex"]);

        // numEpochs null repeats forever, as TF.
        Assert.Equal(Dataset.Infinite, Csv.MakeCsvDataset(path, batchSize: 2).Cardinality);
    }

    [SkippableFact]
    public void MakeCsvDataset_refuses_what_tensorflow_refuses()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("titanic.csv", Titanic);
        Assert.Contains("'fare_paid' is not a column", Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(path, 2, labelName: "fare_paid")).Message);
        Assert.Contains("columnNames", Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(path, 2, header: false)).Message);
        Assert.Contains("'deck' appears more than once",
            Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(path, 2, columnNames: ["a", "b", "c", "d", "e", "f", "g", "deck", "deck", "j"])).Message);
        Assert.Contains("columnDefaults has 2 items for 10 columns", Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(path, 2, columnDefaults: [0, 0])).Message);
        Assert.Contains("'cabin', which is not a column", Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(path, 2, selectColumns: ["cabin"])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Csv.MakeCsvDataset(path, 0));
        Assert.Throws<FileNotFoundException>(() => Csv.MakeCsvDataset(Path.Combine(files.Folder, "*.tsv"), 2));

        // A bad row fails naming where it is. Among the rows the types are inferred from it fails even with
        // ignoreErrors, as TF's inference does ("Problem inferring types"); with the types given it is skipped.
        string bad = files.Write("bad.csv", "a,b\n1,2\n3\n4,5\n");
        Assert.Contains("bad.csv', line 3: expected 2 fields but found 1",
            Assert.Throws<InvalidDataException>(() => Csv.MakeCsvDataset(bad, 4, numEpochs: 1, shuffle: false)).Message);
        Assert.Contains("bad.csv', line 3: expected 2 fields but found 1",
            Assert.Throws<InvalidDataException>(() => Csv.MakeCsvDataset(bad, 4, numEpochs: 1, shuffle: false, ignoreErrors: true)).Message);
        var kept = Csv.MakeCsvDataset(bad, 4, columnDefaults: [0, 0], numEpochs: 1, shuffle: false, ignoreErrors: true).Single();
        Assert.Equal([1, 4], kept["a"].ToArray<int>());
    }

    [SkippableFact]
    public void MakeCsvDataset_reads_every_file_a_pattern_matches()
    {
        RequireBackend();
        using var files = new CsvFiles();
        files.Write("part-0.csv", "x,y\n1,10\n2,20\n");
        files.Write("part-1.csv", "x,y\n3,30\n");
        files.Write("other.txt", "x,y\n9,90\n");
        var batch = Csv.MakeCsvDataset(Path.Combine(files.Folder, "part-*.csv"), batchSize: 10, labelName: "y", numEpochs: 1, shuffle: false).Single();
        Assert.Equal([1, 2, 3], batch["x"].ToArray<int>());
        Assert.Equal([10, 20, 30], batch.Label!.ToArray<int>());
    }

    [SkippableFact]
    public void Inference_widens_to_int64_float_and_string_as_tensorflow()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("wide.csv", "i,l,f,s,e\n1,1,1,1,\n2,3000000000,2.5,x,\n");
        var ds = Csv.MakeCsvDataset(path, batchSize: 2, numEpochs: 1, shuffle: false);
        Assert.Equal(DType.Int32, ds.Types["i"]);
        Assert.Equal(DType.Int64, ds.Types["l"]);
        Assert.Equal(DType.Float32, ds.Types["f"]);
        Assert.Null(ds.Types["s"]);
        Assert.Null(ds.Types["e"]);   // no value seen: TF makes it a string column
        var batch = ds.Single();
        Assert.Equal([1L, 3000000000L], batch["l"].ToArray<long>());
        Assert.Equal(["1", "x"], batch.Strings["s"]);
        // Only the first numRowsForInference rows decide; a later float in an int32 column is then an error.
        string late = files.Write("late.csv", "v\n1\n2.5\n");
        Assert.Contains("'2.5' is not a valid int32",
            Assert.Throws<InvalidDataException>(() => Csv.MakeCsvDataset(late, 2, numRowsForInference: 1)).Message);
    }

    [SkippableFact]
    public void A_spreadsheet_bom_is_not_part_of_the_first_name_and_features_map_straight_to_a_dataset()
    {
        RequireBackend();
        using var files = new CsvFiles();
        // Excel writes UTF-8 CSV with a byte order mark; the first column must still be "x".
        string path = Path.Combine(files.Folder, "excel.csv");
        File.WriteAllText(path, "x,y,label\n1,2.5,0\n3,4.5,1\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var csv = Csv.MakeCsvDataset(path, batchSize: 2, labelName: "label", numEpochs: 1, shuffle: false);
        Assert.Equal(["x", "y"], csv.ColumnNames);
        // ds.map(lambda features, label: (features, label)): the element's own tensors go on as they are.
        var (features, label) = csv.Map(e => (e.Features, e.Label!)).Single();
        Assert.Equal([1, 3], features["x"].ToArray<int>());
        Assert.Equal([2.5f, 4.5f], features["y"].ToArray<float>());
        Assert.Equal([0, 1], label.ToArray<int>());
        using var column = csv.Column("y").Single();
        Assert.Equal([2.5f, 4.5f], column.ToArray<float>());
        Assert.Contains("holds int32 numbers", Assert.Throws<ArgumentException>(() => csv.Strings("x")).Message);
    }

    [SkippableFact]
    public void DecodeCsv_decodes_records_as_tf_io_decode_csv()
    {
        RequireBackend();
        var decoded = Csv.DecodeCsv(["1,2.5,\"a,b\"", "3,,c"], [0, -1f, ""]);
        Assert.Equal([1, 3], decoded["0"].ToArray<int>());
        Assert.Equal([2.5f, -1f], decoded["1"].ToArray<float>());
        Assert.Equal(["a,b", "c"], decoded.Strings["2"]);
        Assert.Contains("record 1, line 1, column 1 ('0'): the field is missing",
            Assert.Throws<InvalidDataException>(() => Csv.DecodeCsv(["1", ""], [DType.Int32])).Message);
    }
}

public sealed class ManagedCsvReaderTests() : CsvReaderTests("managed");

public sealed class NativeCpuCsvReaderTests() : CsvReaderTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaCsvReaderTests() : CsvReaderTests("cuda");
