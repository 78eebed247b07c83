using System.Text;

namespace NeuralFlow.Data;

/// <summary>
/// How CSV files are read and split into fields (TF's compression_type, field_delim,
/// use_quote_delim, na_value, header).
/// </summary>
internal sealed record CsvFormat(char Delimiter = ',', bool Quoting = true, string NaValue = "", bool Header = false, string Compression = "")
{
    // The file's text, decompressed as the format says (a BOM dropped).
    private StreamReader Open(string path) => new(CompressedFile.Open(path, Compression), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);

    /// <summary>The records of <paramref name="path"/> (UTF-8, a BOM dropped), after the header line when there is one.</summary>
    internal IEnumerable<CsvRecord> Records(string path)
    {
        using var reader = Open(path);
        bool first = true;
        foreach (var record in CsvRecordReader.Read(reader, $"'{path}'", Delimiter, Quoting))
        {
            if (first && Header) { first = false; continue; }
            first = false;
            yield return record;
        }
    }

    /// <summary>The header's fields of <paramref name="path"/> (its first record).</summary>
    internal string[] HeaderOf(string path)
    {
        using var reader = Open(path);
        foreach (var record in CsvRecordReader.Read(reader, $"'{path}'", Delimiter, Quoting)) return record.Fields;
        throw new InvalidDataException($"'{path}' is empty: it has no header line to take the column names from.");
    }

    internal bool IsMissing(string field) => field.Length == 0 || field == NaValue;
}

/// <summary>
/// The kept columns of every record of some CSV files, typed and checked as TF's CsvDataset does:
/// each record must have the file's column count (<c>fieldCount</c>), a missing field
/// (empty or the NA value) takes its column's default or is an error when the column has none, and
/// a field that does not parse as its column's type is an error; every error names the file, the
/// line and the column. With <c>ignoreErrors</c> such records are skipped instead (TF's ignore_errors).
/// </summary>
internal static class CsvTable
{
    /// <remarks>
    /// The rows come file after file, or with <paramref name="cycleLength"/> above 1 interleaved as
    /// make_csv_dataset's num_parallel_reads reads them: one row from each of that many open files in
    /// turn, a finished file's place taken by the next file.
    /// </remarks>
    internal static CsvColumnValues[] Read(IReadOnlyList<string> files, CsvFormat format, int fieldCount, IReadOnlyList<CsvColumn> columns, bool ignoreErrors,
                                           int cycleLength = 1) => Read(files, format, fieldCount, columns, ignoreErrors, cycleLength, out _);

    /// <summary>As <see cref="Read(IReadOnlyList{string}, CsvFormat, int, IReadOnlyList{CsvColumn}, bool, int)"/>, also telling how many rows each file gave.</summary>
    internal static CsvColumnValues[] Read(IReadOnlyList<string> files, CsvFormat format, int fieldCount, IReadOnlyList<CsvColumn> columns, bool ignoreErrors,
                                           int cycleLength, out int[] rowsPerFile)
    {
        var values = columns.Select(c => new CsvColumnValues(c)).ToArray();
        rowsPerFile = new int[files.Count];
        for (int f = 0; f < files.Count; f++)
        {
            int before = values.Length > 0 ? values[0].Count : 0;
            foreach (var record in format.Records(files[f]))
            {
                string? error = RecordError(record, fieldCount, format, values, $"'{files[f]}'");
                if (error is null) continue;
                if (!ignoreErrors) throw new InvalidDataException(error);
            }
            rowsPerFile[f] = (values.Length > 0 ? values[0].Count : 0) - before;
        }
        if (cycleLength > 1 && files.Count > 1)
        {
            var order = Interleaved(rowsPerFile, cycleLength, Enumerable.Range(0, files.Count).ToArray());
            foreach (var column in values) column.Reorder(order);
        }
        return values;
    }

    /// <summary>
    /// The rows' order under tf.data's interleave (block length 1) of files holding <paramref name="rowsPerFile"/>
    /// rows, opened in <paramref name="fileOrder"/>, as positions into the file-after-file order: a slot whose
    /// file ends is emptied and the cycle moves on; an empty slot takes the next file when the cycle comes back to it.
    /// </summary>
    internal static int[] Interleaved(int[] rowsPerFile, int cycleLength, int[] fileOrder)
    {
        var start = new int[rowsPerFile.Length];
        for (int f = 1; f < start.Length; f++) start[f] = start[f - 1] + rowsPerFile[f - 1];
        var order = new List<int>(rowsPerFile.Sum());
        var file = new int[cycleLength];
        var taken = new int[cycleLength];
        Array.Fill(file, -1);
        int next = 0, open = 0, slot = 0;
        while (next < rowsPerFile.Length || open > 0)
        {
            if (file[slot] >= 0)
            {
                if (taken[slot] < rowsPerFile[file[slot]]) order.Add(start[file[slot]] + taken[slot]++);
                else { file[slot] = -1; open--; }
                slot = (slot + 1) % cycleLength;
            }
            else if (next < rowsPerFile.Length) { file[slot] = fileOrder[next++]; taken[slot] = 0; open++; }
            else slot = (slot + 1) % cycleLength;
        }
        return order.ToArray();
    }

    /// <summary>decode_csv's columns: each string one record, named "record i" in errors; with selected columns any longer record is fine.</summary>
    internal static CsvColumnValues[] Decode(IReadOnlyList<string> records, CsvFormat format, IReadOnlyList<CsvColumn> columns)
    {
        var values = columns.Select(c => new CsvColumnValues(c)).ToArray();
        int fieldCount = columns.Count > 0 && columns[^1].FileIndex == columns.Count - 1 ? columns.Count : -1;
        for (int r = 0; r < records.Count; r++)
        {
            string text = records[r] ?? throw new ArgumentException($"decode_csv: record {r} is null.", nameof(records));
            var parsed = CsvRecordReader.Read(new StringReader(text), $"record {r}", format.Delimiter, format.Quoting).ToArray();
            // An empty string is one empty field, as TF reads it.
            var record = parsed.Length == 0 ? new CsvRecord([""], 1) : parsed.Length == 1 ? parsed[0]
                : throw new InvalidDataException($"decode_csv: record {r} holds {parsed.Length} lines; give one record per string.");
            string? error = RecordError(record, fieldCount, format, values, $"record {r}");
            if (error is not null) throw new InvalidDataException(error);
        }
        return values;
    }

    // Adds the record's kept fields to their columns; on an error, takes back what it added and says what went wrong.
    private static string? RecordError(CsvRecord record, int fieldCount, CsvFormat format, CsvColumnValues[] values, string file)
    {
        if (fieldCount < 0 ? record.Fields.Length <= values[^1].Column.FileIndex : record.Fields.Length != fieldCount)
            return $"{file}, line {record.Line}: expected {(fieldCount < 0 ? $"more than {values[^1].Column.FileIndex}" : fieldCount)} fields but found {record.Fields.Length}.";
        for (int k = 0; k < values.Length; k++)
        {
            var column = values[k].Column;
            string field = record.Fields[column.FileIndex];
            object? value;
            string? error = null;
            if (format.IsMissing(field))
            {
                value = column.Default;
                if (value is null) error = $"{file}, line {record.Line}, column {column.FileIndex + 1} ('{column.Name}'): the field is missing and the column has no default (a required {column.TypeName} column).";
            }
            else
            {
                value = column.Parse(field);
                if (value is null) error = $"{file}, line {record.Line}, column {column.FileIndex + 1} ('{column.Name}'): '{field}' is not a valid {column.TypeName}.";
            }
            if (error is not null)
            {
                for (int j = 0; j < k; j++) values[j].RemoveLast();
                return error;
            }
            values[k].Add(value!);
        }
        return null;
    }

    /// <summary>
    /// The type TF's make_csv_dataset infers for each of <paramref name="fileIndices"/> from the first
    /// <paramref name="rows"/> records: the first of int32, int64, float32, float64 and string that
    /// holds every non-missing field (a float that overflows or is +inf/nan counts as not holding it,
    /// as TF's check value &lt; dtype.max does; -inf is held); a column with no value seen is a string column, as in TF.
    /// A record among them with another number of fields than <paramref name="fieldCount"/> is an
    /// <see cref="InvalidDataException"/> naming the file and line, even where the rows are read with
    /// ignoreErrors later: TF's inference raises "Problem inferring types: CSV row ... has ... fields"
    /// regardless, as a type inferred past a broken row would be a guess (blank lines are no records here).
    /// </summary>
    internal static DType?[] InferTypes(IReadOnlyList<string> files, CsvFormat format, int fieldCount, IReadOnlyList<int> fileIndices, int rows, string op)
    {
        // Rank 0 int32, 1 int64, 2 float32, 3 float64, 4 string; -1 no value seen yet.
        var rank = new int[fileIndices.Count];
        Array.Fill(rank, -1);
        int seen = 0;
        foreach (var file in files)
        {
            foreach (var record in format.Records(file))
            {
                if (seen++ >= rows) break;
                if (record.Fields.Length != fieldCount)
                    throw new InvalidDataException(
                        $"{op}: cannot infer the column types: '{file}', line {record.Line}: expected {fieldCount} fields but found {record.Fields.Length}. " +
                        $"The types are inferred from {(rows == int.MaxValue ? "every row" : $"the first {rows} rows")}, which must all have every field, as in TensorFlow (ignoreErrors skips bad rows only when reading); " +
                        "fix the row, or give columnDefaults so that nothing is inferred.");
                for (int k = 0; k < rank.Length; k++)
                {
                    string field = record.Fields[fileIndices[k]];
                    if (format.IsMissing(field)) continue;
                    rank[k] = Math.Max(rank[k], 0);
                    while (rank[k] < 4 && !Holds(rank[k], field)) rank[k]++;
                }
            }
            if (seen >= rows) break;
        }
        return rank.Select(r => r is >= 0 and < 4 ? Widening[r] : (DType?)null).ToArray();
    }

    private static readonly DType[] Widening = [DType.Int32, DType.Int64, DType.Float32, DType.Float64];

    // Whether a field parses as the rank's type. TF's inference keeps a float type only for values below its
    // largest finite number (value < dtype.max): nan, inf and overflows to inf widen, -inf does not.
    private static bool Holds(int rank, string field) => new CsvColumn("", 0, Widening[rank], null).Parse(field) switch
    {
        null => false,
        float f => f < float.MaxValue,
        double d => d < double.MaxValue,
        _ => true,
    };
}
