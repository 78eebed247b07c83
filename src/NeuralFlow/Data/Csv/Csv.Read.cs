namespace NeuralFlow.Data;

// pd.read_csv(...) and df.pop(label): a whole CSV file as one batch of named columns.
public static partial class Csv
{
    /// <summary>
    /// Every row of the CSV file <paramref name="path"/> as one batch, the nearest to pandas'
    /// <c>pd.read_csv</c> (then <c>df.pop(labelName)</c>, a numeric label in <see cref="CsvElement.Label"/>, a
    /// text one in <see cref="CsvElement.LabelStrings"/>). Columns are named by the header line, or by
    /// <paramref name="columnNames"/> (read_csv's names=, which as there means the file has no header line
    /// unless <paramref name="header"/> says so). Each column's type is inferred from all its values as
    /// make_csv_dataset infers them (int32, int64, float32, float64, else string); give
    /// <paramref name="columnDefaults"/> to fix them instead. Unlike pandas, a missing number reads as 0
    /// (make_csv_dataset's default) rather than NaN. The numeric columns are [rows] tensors, the text ones
    /// string arrays; <see cref="CsvElement.Columns"/> holds them all for <c>Fit</c> on a dictionary.
    /// </summary>
    public static CsvElement ReadCsv(string path, IReadOnlyList<string>? columnNames = null, string? labelName = null, bool? header = null,
        IReadOnlyList<object?>? columnDefaults = null, IReadOnlyList<object>? selectColumns = null, char fieldDelim = ',', string naValue = "",
        string? compressionType = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rows = Rows([path], columnNames, columnDefaults, labelName, selectColumns, fieldDelim, useQuoteDelim: true, naValue,
                        header ?? columnNames is null, numRowsForInference: int.MaxValue, ignoreErrors: false, compressionType, numParallelReads: 1, op: "read_csv");
        if (rows.Cardinality == 0) throw new InvalidDataException($"read_csv: '{path}' has no rows{(header ?? columnNames is null ? " after its header line" : "")}.");
        using var batches = rows.Batch(checked((int)rows.Cardinality)).GetEnumerator();
        batches.MoveNext();
        return batches.Current;
    }
}
