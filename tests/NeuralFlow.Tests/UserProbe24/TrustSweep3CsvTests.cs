using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// The hostile-input sweep of the CSV readers' arguments: an IndexOutOfRangeException, an
/// ArgumentNullException naming a dictionary's 'key', and a file error blaming the data for an
/// empty name list, before.
/// </summary>
public sealed class TrustSweep3CsvTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"trust3-{Guid.NewGuid():N}.csv");

    public TrustSweep3CsvTests() => File.WriteAllText(_file, "a,b\n1,2\n3,4\n");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void DecodeCsv_names_empty_record_defaults()
    {
        var e = Assert.Throws<ArgumentException>(() => Csv.DecodeCsv(["1"], []));
        Assert.Equal("recordDefaults", e.ParamName);
    }

    [Fact]
    public void MakeCsvDataset_names_a_null_or_missing_column_name()
    {
        var nullName = Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(_file, 2, columnNames: ["x", null!], numEpochs: 1));
        Assert.Equal("columnNames", nullName.ParamName);
        Assert.Contains("columnNames[1] is null", nullName.Message);
        var none = Assert.Throws<ArgumentException>(() => Csv.MakeCsvDataset(_file, 2, columnNames: [], numEpochs: 1));
        Assert.Equal("columnNames", none.ParamName);
    }
}
