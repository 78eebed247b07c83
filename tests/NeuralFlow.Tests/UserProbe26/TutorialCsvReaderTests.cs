using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The CSV readers' semantics the "Load CSV data" tutorial leans on, against TensorFlow's documented rules and
/// Python's csv module (csv_references.py): quoted fields with commas, line breaks and doubled quotes; the NA
/// marker; type inference keeping -inf in a float column (TF's value &lt; dtype.max); select_columns mixing names
/// and positions, with a repeated column refused by name; decode_csv keeping its records' shape; the one-dictionary
/// view of an element; list_files refusing a pattern that matches nothing.
/// </summary>
public abstract class TutorialCsvReaderTests(string backend) : BackendFileTest(backend)
{
    // csv_references.py's QUOTED.
    private const string Quoted = "name,note,score\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\",3.5\nLee,NA,\n\"O'Brien\",plain,-inf\n";

    private string Write(string name, string text)
    {
        string path = Temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [SkippableFact]
    public void Quoted_fields_na_values_and_minus_infinity_read_as_python_and_tensorflow()
    {
        RequireBackend();
        string path = Write("quoted.csv", Quoted);
        var batch = Csv.MakeCsvDataset(path, batchSize: 3, numEpochs: 1, shuffle: false, naValue: "NA").Single();
        // csv_references.py: ['Smith, J', 'said "hi"\nthen left', '3.5'], ['Lee', 'NA', ''], ["O'Brien", 'plain', '-inf'].
        Assert.Equal(["Smith, J", "Lee", "O'Brien"], batch.Strings["name"]);
        // NA is missing: a string column's default "" (as the empty field).
        Assert.Equal(["said \"hi\"\nthen left", "", "plain"], batch.Strings["note"]);
        // -inf is a float32 (np.float32('-inf') < float32 max is True); before, it made the column strings.
        Assert.Equal(DType.Float32, batch["score"].DType);
        Assert.Equal(new[] { 3.5f, 0f, float.NegativeInfinity }, batch["score"].ToArray<float>());
        // +inf is not below the max: the column widens to string, as TF's inference does.
        string plus = Write("plus.csv", "v\ninf\n");
        Assert.Null(Csv.MakeCsvDataset(plus, batchSize: 1, numEpochs: 1).Types["v"]);

        // A required column with no value: the row (line) and the column are named.
        var required = Assert.Throws<InvalidDataException>(() => new CsvDataset(path, [typeof(string), typeof(string), DType.Float32], header: true, naValue: "NA"));
        Assert.Contains("line 4, column 2 ('note'): the field is missing and the column has no default", required.Message);
    }

    [SkippableFact]
    public void Select_columns_mixes_names_and_positions_and_refuses_a_column_twice()
    {
        RequireBackend();
        string path = Write("titanic.csv", TutorialCsvData.Titanic(6));
        // TF's _get_sorted_col_indices takes ints and names together and keeps file order.
        var mixed = Csv.MakeCsvDataset(path, batchSize: 6, numEpochs: 1, shuffle: false, labelName: "survived", selectColumns: ["fare", 0, "sex"]);
        Assert.Equal(["sex", "fare"], mixed.ColumnNames);
        Assert.Equal(new[] { 68f, 39.03f }, mixed.Single()["fare"].ToArray<float>()[..2]);
        // Before: the repeated name reached a dictionary's "An item with the same key has already been added".
        var twice = Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(path, batchSize: 2, selectColumns: ["sex", "sex"]));
        Assert.Contains("selectColumns names the column 'sex' (position 1) more than once", twice.Message);
        Assert.Contains("the column 'sex' (position 1) more than once", Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(path, batchSize: 2, selectColumns: ["sex", 1])).Message);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => Csv.MakeCsvDataset(path, batchSize: 2, selectColumns: ["sex", 10]));
        Assert.Contains("the position 10, outside the 10 columns (0 to 9)", outside.Message);
        Assert.Contains("holds 1.5 (Double)", Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(path, batchSize: 2, selectColumns: [1.5])).Message);
    }

    [SkippableFact]
    public void Decode_csv_keeps_its_records_shape_and_elements_are_one_dictionary()
    {
        RequireBackend();
        // tf.io.decode_csv on a [2, 2] string tensor gives [2, 2] columns.
        var records = new StringTensor(["1,a", "2,b", "3,c", "4,\"d,e\""], new Shape(2, 2));
        var decoded = Csv.DecodeCsv(records, [0, ""]);
        Assert.Equal(new Shape(2, 2), ((Tensor)decoded.Columns["0"]).Shape);
        Assert.Equal(new[] { 1, 2, 3, 4 }, ((Tensor)decoded.Columns["0"]).ToArray<int>());
        var text = (StringTensor)decoded.Columns["1"];
        Assert.Equal(new Shape(2, 2), text.Shape);
        Assert.Equal(["a", "b", "c", "d,e"], text.ToArray());
        // A scalar record gives scalars.
        var one = Csv.DecodeCsv(new StringTensor("7,x"), [0, ""]);
        Assert.Equal(Shape.Scalar, ((StringTensor)one.Columns["1"]).Shape);
        Assert.Equal(7, ((Tensor)one.Columns["0"]).Item<int>());
        Assert.Contains("record 0, line 1: expected 2 fields but found 1", Assert.Throws<InvalidDataException>(() => Csv.DecodeCsv(new StringTensor("7"), [0, ""])).Message);

        // A CsvDataset row's Columns: numbers and text in file order, scalars.
        string path = Write("titanic.csv", TutorialCsvData.Titanic(2));
        var row = new CsvDataset(path, [0, "", 0f, 0, 0, 0f, "", "", "", ""], header: true).First();
        Assert.Equal(["survived", "sex", "age", "n_siblings_spouses", "parch", "fare", "class", "deck", "embark_town", "alone"], row.Columns.Keys);
        Assert.Equal(Shape.Scalar, ((StringTensor)row.Columns["sex"]).Shape);
        Assert.Equal("male", ((StringTensor)row.Columns["sex"]).Item());

        // list_files: a pattern matching nothing is refused by name (TF's InvalidArgumentError).
        var none = Assert.Throws<ArgumentException>(() => Dataset.ListFiles(Path.Combine(Temp.Path, "*.tsv")));
        Assert.Contains("No files matched pattern", none.Message);
        Assert.Contains("*.tsv", none.Message);
    }
}

public sealed class ManagedTutorialCsvReaderTests() : TutorialCsvReaderTests("managed");

public sealed class NativeCpuTutorialCsvReaderTests() : TutorialCsvReaderTests("cpu");

/// <summary>On the CUDA backend.</summary>
public sealed class CudaTutorialCsvReaderTests() : TutorialCsvReaderTests("cuda");
