namespace NeuralFlow.Data;

/// <summary>
/// TensorFlow's CSV readers: <c>MakeCsvDataset</c> (<c>tf.data.experimental.make_csv_dataset</c>),
/// the <see cref="CsvDataset"/> constructor (<c>tf.data.experimental.CsvDataset</c>) and
/// <see cref="DecodeCsv"/> (<c>tf.io.decode_csv</c>). For whole numeric files as one array, see
/// <c>NF.Numpy.LoadTxt</c> and <c>NF.Numpy.GenFromTxt</c>.
/// </summary>
public static partial class Csv
{
    /// <summary>
    /// Batches of (features by column name, label) read from CSV files, as
    /// <c>tf.data.experimental.make_csv_dataset</c>. <paramref name="filePattern"/> is a file or a
    /// pattern (<c>data/*.csv</c>, the wildcards in the file name). Column names come from
    /// <paramref name="columnNames"/> or the first file's header line; each file's header is
    /// skipped when <paramref name="header"/>. <paramref name="columnDefaults"/> (one per kept column,
    /// as <see cref="CsvDataset"/>'s record defaults) fixes the types; without it each column's type
    /// is inferred from the first <paramref name="numRowsForInference"/> rows as TF does (int32, then
    /// int64, float32, float64, string: the first that holds every value) and a missing value becomes
    /// 0 or "". <paramref name="selectColumns"/> keeps some columns (names or positions, which may be mixed);
    /// <paramref name="labelName"/> sets one apart as the label. The rows are shuffled (a buffer of
    /// <paramref name="shuffleBufferSize"/>, <paramref name="shuffleSeed"/>), repeated
    /// <paramref name="numEpochs"/> times (forever when null, as TF: give Fit <c>stepsPerEpoch</c>, or
    /// 1 epoch here and Fit's epochs) and batched. <paramref name="ignoreErrors"/> skips rows that
    /// do not parse instead of failing. <paramref name="compressionType"/> reads files compressed with
    /// "GZIP" (<c>.csv.gz</c>) or "ZLIB", as TF's compression_type. With <paramref name="numParallelReads"/>
    /// above 1 the rows of that many files are interleaved (one from each in turn, before any shuffle), as
    /// TF's num_parallel_reads; 1 reads the files one after another. With <paramref name="shuffle"/> the
    /// files themselves come in a new random order each epoch too (from <paramref name="shuffleSeed"/>, as
    /// TF shuffles its file list with the same seed), so rows of one file do not always come first.
    /// </summary>
    public static CsvDataset MakeCsvDataset(string filePattern, int batchSize, IReadOnlyList<string>? columnNames = null,
        IReadOnlyList<object?>? columnDefaults = null, string? labelName = null, IReadOnlyList<object>? selectColumns = null, char fieldDelim = ',',
        bool useQuoteDelim = true, string naValue = "", bool header = true, int? numEpochs = null, bool shuffle = true, int shuffleBufferSize = 10000,
        int? shuffleSeed = null, int numRowsForInference = 100, bool ignoreErrors = false, string? compressionType = null, int numParallelReads = 1) =>
        MakeCsvDataset([filePattern ?? throw new ArgumentNullException(nameof(filePattern))], batchSize, columnNames, columnDefaults, labelName, selectColumns,
                       fieldDelim, useQuoteDelim, naValue, header, numEpochs, shuffle, shuffleBufferSize, shuffleSeed, numRowsForInference, ignoreErrors, compressionType, numParallelReads);

    /// <summary>As the single-pattern <c>MakeCsvDataset</c>, over several files or patterns.</summary>
    public static CsvDataset MakeCsvDataset(IEnumerable<string> filePatterns, int batchSize, IReadOnlyList<string>? columnNames = null,
        IReadOnlyList<object?>? columnDefaults = null, string? labelName = null, IReadOnlyList<object>? selectColumns = null, char fieldDelim = ',',
        bool useQuoteDelim = true, string naValue = "", bool header = true, int? numEpochs = null, bool shuffle = true, int shuffleBufferSize = 10000,
        int? shuffleSeed = null, int numRowsForInference = 100, bool ignoreErrors = false, string? compressionType = null, int numParallelReads = 1)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "make_csv_dataset: batchSize must be at least 1.");
        if (numEpochs is < 1) throw new ArgumentOutOfRangeException(nameof(numEpochs), numEpochs, "make_csv_dataset: numEpochs must be at least 1, or null to repeat forever.");
        if (shuffleBufferSize < 1) throw new ArgumentOutOfRangeException(nameof(shuffleBufferSize), shuffleBufferSize, "make_csv_dataset: shuffleBufferSize must be at least 1.");
        if (numParallelReads < 1) throw new ArgumentOutOfRangeException(nameof(numParallelReads), numParallelReads, "make_csv_dataset: numParallelReads must be at least 1.");
        var dataset = Rows(filePatterns, columnNames, columnDefaults, labelName, selectColumns, fieldDelim, useQuoteDelim, naValue, header,
                           numRowsForInference, ignoreErrors, compressionType, numParallelReads, shuffleFiles: shuffle, shuffleSeed);
        if (shuffle) dataset = dataset.Shuffle(shuffleBufferSize, shuffleSeed);
        return dataset.Repeat(numEpochs ?? -1).Batch(batchSize);
    }

    // make_csv_dataset's rows, one element each, in file order (before the shuffle, repeat and batch); op names the caller in messages.
    private static CsvDataset Rows(IEnumerable<string> filePatterns, IReadOnlyList<string>? columnNames, IReadOnlyList<object?>? columnDefaults, string? labelName,
        IReadOnlyList<object>? selectColumns, char fieldDelim, bool useQuoteDelim, string naValue, bool header, int numRowsForInference, bool ignoreErrors,
        string? compressionType, int numParallelReads, bool shuffleFiles = false, int? shuffleSeed = null, string op = "make_csv_dataset")
    {
        if (numRowsForInference < 1) throw new ArgumentOutOfRangeException(nameof(numRowsForInference), numRowsForInference, $"{op}: numRowsForInference must be at least 1.");
        var files = Files(filePatterns);
        var format = new CsvFormat(fieldDelim, useQuoteDelim, naValue ?? throw new ArgumentNullException(nameof(naValue)), header,
                                   CompressedFile.CheckedCompression(compressionType, op));

        string[] names;
        if (columnNames is not null)
        {
            names = columnNames.ToArray();
            if (names.Length == 0)
                throw new ArgumentException($"{op}: columnNames is empty; name every column of the files (or pass null to read the header).", nameof(columnNames));
            if (Array.FindIndex(names, n => n is null) is var missing and >= 0)
                throw new ArgumentException($"{op}: columnNames[{missing}] is null; every column needs a name.", nameof(columnNames));
        }
        else if (header) names = format.HeaderOf(files[0]);
        else throw new ArgumentException($"{op}: without a header line (header: false) the column names must be given (columnNames).", nameof(columnNames));
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw columnNames is not null
                ? new ArgumentException($"{op}: the column name '{duplicate.Key}' appears more than once.", nameof(columnNames))
                // The names came from the file: its header is what is wrong, not an argument.
                : new InvalidDataException($"{op}: the header line of '{files[0]}' names the column '{duplicate.Key}' more than once; give columnNames to name them.");
        int fieldCount = names.Length;

        int[] kept = selectColumns is null ? Enumerable.Range(0, fieldCount).ToArray() : Selected(selectColumns, names, op);
        if (labelName is not null && !kept.Any(i => names[i] == labelName))
            throw new ArgumentException($"{op}: the label '{labelName}' is not {(selectColumns is null ? "a column" : "a selected column")}; the columns are {string.Join(", ", kept.Select(i => $"'{names[i]}'"))}.", nameof(labelName));

        CsvColumn[] columns;
        if (columnDefaults is not null)
        {
            if (columnDefaults.Count != kept.Length)
                throw new ArgumentException($"{op}: columnDefaults has {columnDefaults.Count} items for {kept.Length} {(selectColumns is null ? "" : "selected ")}columns; give one per column.", nameof(columnDefaults));
            columns = kept.Select((at, k) => CsvColumn.FromDefault(names[at], at, columnDefaults[k], "columnDefaults")).ToArray();
        }
        else
        {
            var types = CsvTable.InferTypes(files, format, fieldCount, kept, numRowsForInference, op);
            columns = kept.Select((at, k) => new CsvColumn(names[at], at, types[k], Zero(types[k]))).ToArray();
        }

        // Shuffled files are ordered (and interleaved) afresh each pass; else the order is fixed once, here.
        bool reorder = shuffleFiles && files.Count > 1;
        var table = CsvTable.Read(files, format, fieldCount, columns, ignoreErrors, reorder ? 1 : numParallelReads, out var rowsPerFile);
        var rows = new CsvDataset(table, labelName);
        return reorder ? rows.WithShuffledFiles(rowsPerFile, numParallelReads, shuffleSeed) : rows;
    }

    /// <summary>
    /// The columns of CSV <paramref name="records"/> (<c>tf.io.decode_csv</c>): one string per record,
    /// <paramref name="recordDefaults"/> one item per kept column as <see cref="CsvDataset"/>'s. The result
    /// is one element holding every record as a batch (columns named by position, "0", "1", ...).
    /// </summary>
    public static CsvElement DecodeCsv(IReadOnlyList<string> records, IReadOnlyList<object?> recordDefaults, char fieldDelim = ',', bool useQuoteDelim = true,
                                       string naValue = "", IReadOnlyList<int>? selectCols = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) throw new ArgumentException("decode_csv: there are no records to decode.", nameof(records));
        return CsvElement.FromValues(Decoded(records, recordDefaults, fieldDelim, useQuoteDelim, naValue, selectCols), new Shape(records.Count));
    }

    /// <summary>
    /// <c>tf.io.decode_csv</c> on a string tensor, as in a <c>Map</c> over a <see cref="TextLineDataset"/>:
    /// every column takes the shape of <paramref name="records"/> (one line gives scalars, a batch of lines
    /// vectors). Use the result's <see cref="CsvElement.Columns"/> as the dataset element
    /// (<c>lines.Map(line =&gt; Csv.DecodeCsv(line, types).Columns)</c>).
    /// </summary>
    public static CsvElement DecodeCsv(StringTensor records, IReadOnlyList<object?> recordDefaults, char fieldDelim = ',', bool useQuoteDelim = true,
                                       string naValue = "", IReadOnlyList<int>? selectCols = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        return CsvElement.FromValues(Decoded(records.ToArray(), recordDefaults, fieldDelim, useQuoteDelim, naValue, selectCols), records.Shape);
    }

    private static CsvColumnValues[] Decoded(IReadOnlyList<string> records, IReadOnlyList<object?> recordDefaults, char fieldDelim, bool useQuoteDelim,
                                             string naValue, IReadOnlyList<int>? selectCols)
    {
        ArgumentNullException.ThrowIfNull(recordDefaults);
        if (recordDefaults.Count == 0)
            throw new ArgumentException("decode_csv: recordDefaults is empty; give one default (or type) per column to decode.", nameof(recordDefaults));
        var format = new CsvFormat(fieldDelim, useQuoteDelim, naValue ?? throw new ArgumentNullException(nameof(naValue)));
        int[] kept = selectCols is null ? Enumerable.Range(0, recordDefaults.Count).ToArray() : CheckedPositions(selectCols, nameof(selectCols));
        if (kept.Length != recordDefaults.Count)
            throw new ArgumentException($"decode_csv: selectCols keeps {kept.Length} columns but recordDefaults has {recordDefaults.Count} items.", nameof(recordDefaults));
        var columns = kept.Select((at, k) => CsvColumn.FromDefault(at.ToString(System.Globalization.CultureInfo.InvariantCulture), at, recordDefaults[k], "recordDefaults")).ToArray();
        return CsvTable.Decode(records, format, columns);
    }

    /// <summary>The files <paramref name="patterns"/> name, each pattern's matches sorted; a pattern matching nothing is an error.</summary>
    internal static IReadOnlyList<string> Files(IEnumerable<string> patterns) => FilePattern.Match(patterns, "CSV file");

    /// <summary>Column positions: sorted, distinct, not negative (TF's select_cols rule).</summary>
    internal static int[] CheckedPositions(IReadOnlyList<int> positions, string what)
    {
        if (positions.Count == 0) throw new ArgumentException($"{what} is empty.", what);
        for (int i = 0; i < positions.Count; i++)
        {
            if (positions[i] < 0) throw new ArgumentOutOfRangeException(what, positions[i], $"{what} holds a negative column position.");
            if (i > 0 && positions[i] <= positions[i - 1])
                throw new ArgumentException($"{what} must be sorted in increasing order without repeats; it holds {positions[i - 1]} before {positions[i]}.", what);
        }
        return positions.ToArray();
    }

    /// <summary>The number of fields of the first record of <paramref name="file"/> (its header when it has one).</summary>
    internal static int FieldCount(string file, CsvFormat format) => (format with { Header = false }).HeaderOf(file).Length;

    // select_columns: names or positions, mixed as TF allows, kept in file order; a repeat is refused as TF does
    // (the same column twice would be one dictionary key).
    private static int[] Selected(IReadOnlyList<object> selectColumns, string[] names, string op)
    {
        if (selectColumns.Count == 0) throw new ArgumentException($"{op}: selectColumns is empty.", nameof(selectColumns));
        var positions = selectColumns.Select(c => c switch
        {
            int or long when Convert.ToInt64(c) is var at && (at < 0 || at >= names.Length) => throw new ArgumentOutOfRangeException(nameof(selectColumns), c,
                $"{op}: selectColumns holds the position {c}, outside the {names.Length} columns (0 to {names.Length - 1})."),
            int or long => (int)Convert.ToInt64(c),
            string n => Array.IndexOf(names, n) is var i and >= 0 ? i
                : throw new ArgumentException($"{op}: selectColumns names '{n}', which is not a column; the columns are {string.Join(", ", names.Select(x => $"'{x}'"))}.", nameof(selectColumns)),
            _ => throw new ArgumentException($"{op}: selectColumns holds {(c is null ? "null" : $"{c} ({c.GetType().Name})")}; give column names (strings) or positions (ints).", nameof(selectColumns)),
        }).ToArray();
        var repeated = positions.GroupBy(p => p).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentException($"{op}: selectColumns names the column '{names[repeated.Key]}' (position {repeated.Key}) more than once.", nameof(selectColumns));
        return positions.Order().ToArray();
    }

    // An inferred column's default: TF fills a missing value with 0 (its type) or "".
    private static object Zero(DType? type) => type switch
    {
        DType.Int32 => 0,
        DType.Int64 => 0L,
        DType.Float32 => 0f,
        DType.Float64 => 0.0,
        _ => "",
    };
}
