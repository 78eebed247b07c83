using System.Collections;

namespace NeuralFlow.Data;

/// <summary>
/// Rows of CSV files (TensorFlow's <c>tf.data.experimental.CsvDataset</c>, and what
/// <c>Csv.MakeCsvDataset</c> returns): each element a <see cref="CsvElement"/> holding one
/// row's typed columns, or a batch of rows after <see cref="Batch"/>. The files are read and
/// checked when the dataset is made (errors name the file, line and column); a pass reads the
/// rows from memory. <see cref="Map{TResult}"/> turns elements into a <see cref="Dataset{T}"/>
/// for <c>Fit</c>: numeric columns go to the model as they are, string columns through a
/// StringLookup first (NeuralFlow tensors hold no strings).
/// </summary>
public sealed class CsvDataset : IEnumerable<CsvElement>
{
    // The pipeline carries tensors only: a string column travels as int64 indices into its table of distinct values.
    private readonly Dataset<IReadOnlyDictionary<string, Tensor>> _rows;
    private readonly IReadOnlyDictionary<string, string[]> _tables;
    private readonly IReadOnlyList<string> _features;
    private readonly string? _label;

    /// <summary>
    /// The rows of <paramref name="filenames"/> (TF's <c>CsvDataset(filenames, record_defaults, ...)</c>).
    /// <paramref name="recordDefaults"/> has one item per kept column and fixes its type: a value
    /// (<c>0f</c>, <c>0.0</c>, <c>0</c>, <c>0L</c>, <c>""</c>) makes an optional column that a missing
    /// field (empty, or <paramref name="naValue"/>) fills with it; a type (<c>DType.Float32</c>,
    /// <c>typeof(string)</c>) a required one, where a missing field is an error. The kept columns are
    /// all of them, or <paramref name="selectCols"/> (sorted positions), or all but
    /// <paramref name="excludeCols"/>. <paramref name="header"/> skips each file's first line;
    /// columns are named by it then, else by position ("0", "1", ...). <paramref name="compressionType"/>
    /// reads "GZIP" or "ZLIB" compressed files, as TF's compression_type.
    /// </summary>
    public CsvDataset(IEnumerable<string> filenames, IReadOnlyList<object?> recordDefaults, bool header = false, char fieldDelim = ',', bool useQuoteDelim = true,
                      string naValue = "", IReadOnlyList<int>? selectCols = null, IReadOnlyList<int>? excludeCols = null, string? compressionType = null)
        : this(Build(filenames, recordDefaults, new CsvFormat(fieldDelim, useQuoteDelim, naValue ?? throw new ArgumentNullException(nameof(naValue)), header,
                                                              CompressedFile.CheckedCompression(compressionType, "CsvDataset")), selectCols, excludeCols), null)
    {
    }

    /// <summary>The rows of one file; see the constructor taking a list of files.</summary>
    public CsvDataset(string filename, IReadOnlyList<object?> recordDefaults, bool header = false, char fieldDelim = ',', bool useQuoteDelim = true,
                      string naValue = "", IReadOnlyList<int>? selectCols = null, IReadOnlyList<int>? excludeCols = null, string? compressionType = null)
        : this([filename ?? throw new ArgumentNullException(nameof(filename))], recordDefaults, header, fieldDelim, useQuoteDelim, naValue, selectCols, excludeCols, compressionType)
    {
    }

    internal CsvDataset(CsvColumnValues[] columns, string? label)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var tables = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var values in columns)
        {
            if (values.Column.IsString)
            {
                var (table, ids) = values.ToStringIds();
                tables.Add(values.Column.Name, table);
                tensors.Add(values.Column.Name, ids);
            }
            else tensors.Add(values.Column.Name, values.ToTensor());
        }
        _rows = Dataset.FromTensorSlices(tensors);
        _tables = tables;
        _features = columns.Select(c => c.Column.Name).Where(n => n != label).ToArray();
        _label = label;
        Types = columns.ToDictionary(c => c.Column.Name, c => c.Column.Type);
    }

    private CsvDataset(CsvDataset from, Dataset<IReadOnlyDictionary<string, Tensor>> rows)
    {
        (_rows, _tables, _features, _label, Types) = (rows, from._tables, from._features, from._label, from.Types);
    }

    /// <summary>
    /// The same rows with the files they came from in a new random order each pass (each file's
    /// rows together, or <paramref name="cycleLength"/> files interleaved), as make_csv_dataset's shuffled file list.
    /// </summary>
    internal CsvDataset WithShuffledFiles(int[] rowsPerFile, int cycleLength, int? seed) =>
        new(this, new Dataset<IReadOnlyDictionary<string, Tensor>>(new Pipeline.ShuffledFilesNode(_rows.Node, rowsPerFile, cycleLength, seed), _rows.Elements));

    /// <summary>The feature columns in file order (the label excluded).</summary>
    public IReadOnlyList<string> ColumnNames => _features;

    /// <summary>The label column's name (make_csv_dataset's labelName), or null.</summary>
    public string? LabelName => _label;

    /// <summary>Each column's type: its dtype, or null for a string column.</summary>
    public IReadOnlyDictionary<string, DType?> Types { get; }

    /// <summary>Elements in one pass, <see cref="Dataset.Infinite"/> or <see cref="Dataset.Unknown"/>.</summary>
    public long Cardinality => _rows.Cardinality;

    /// <summary>Groups rows into batches (<c>batch</c>): each numeric column a [batch] tensor, each string column batch strings.</summary>
    public CsvDataset Batch(int batchSize, bool dropRemainder = false) => new(this, _rows.Batch(batchSize, dropRemainder));

    /// <summary>Shuffles with a buffer, as <see cref="Dataset{T}.Shuffle"/>.</summary>
    public CsvDataset Shuffle(int bufferSize, int? seed = null, bool reshuffleEachIteration = true) => new(this, _rows.Shuffle(bufferSize, seed, reshuffleEachIteration));

    /// <summary>
    /// <c>cache()</c>, as <see cref="Dataset{T}.Cache()"/>: the steps before it run once and later passes replay
    /// their elements (the files themselves are read once, when the dataset is made).
    /// </summary>
    public CsvDataset Cache() => new(this, _rows.Cache());

    /// <summary>Repeats the rows <paramref name="count"/> times, forever when -1 (<c>repeat</c>).</summary>
    public CsvDataset Repeat(int count = -1) => new(this, _rows.Repeat(count));

    /// <summary>The first <paramref name="count"/> elements (<c>take</c>).</summary>
    public CsvDataset Take(long count) => new(this, _rows.Take(count));

    /// <summary>All but the first <paramref name="count"/> elements (<c>skip</c>).</summary>
    public CsvDataset Skip(long count) => new(this, _rows.Skip(count));

    /// <summary>
    /// A tensor dataset made from each element (tf.data's <c>map</c>), e.g.
    /// <c>csv.Map(e =&gt; (e.Columns, e.Label!))</c> for <c>Fit</c> with a model whose inputs (string Inputs for
    /// the text columns) are named after the columns, or <c>e.Features</c> joined with <c>lookup.Call(e.Strings["sex"])</c>. The
    /// function runs as a <see cref="Dataset{T}.Map{TResult}"/> function, with the same tensor ownership.
    /// </summary>
    public Dataset<TResult> Map<TResult>(Func<CsvElement, TResult> fn, int parallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return _rows.Map(row => fn(Element(row, disposeIds: false)), parallelism);
    }

    /// <summary>The numeric column <paramref name="name"/> alone, element by element (for <c>Normalization.Adapt</c>).</summary>
    public Dataset<Tensor> Column(string name)
    {
        CheckColumn(name, numeric: true);
        return _rows.Map(row => row[name]);
    }

    /// <summary>Every string of column <paramref name="name"/> in one pass, in order (for <c>StringLookup.Adapt</c>).</summary>
    public IEnumerable<string> Strings(string name)
    {
        // Checked now, not when the first string is asked for.
        CheckColumn(name, numeric: false);
        return StringsOf(name);
    }

    private IEnumerable<string> StringsOf(string name)
    {
        foreach (var element in this)
        {
            foreach (var t in element.Features.Values) t.Dispose();
            foreach (var s in name == _label ? element.LabelStrings! : element.Strings[name]) yield return s;
            element.Label?.Dispose();
        }
    }

    /// <inheritdoc/>
    public IEnumerator<CsvElement> GetEnumerator()
    {
        foreach (var row in _rows) yield return Element(row, disposeIds: true);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private CsvElement Element(IReadOnlyDictionary<string, Tensor> row, bool disposeIds)
    {
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var strings = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var shapes = new Dictionary<string, Shape>(StringComparer.Ordinal);
        Tensor? label = null;
        string[]? labelStrings = null;
        foreach (var (name, tensor) in row)
        {
            if (_tables.TryGetValue(name, out var table))
            {
                var values = tensor.ToArray<long>().Select(i => table[i]).ToArray();
                if (name == _label) labelStrings = values;
                else { strings.Add(name, values); shapes.Add(name, tensor.Shape); }
                if (disposeIds) tensor.Dispose();
            }
            else if (name == _label) label = tensor;
            else features.Add(name, tensor);
        }
        return new CsvElement(_features, Ordered(features), Ordered(strings), label, labelStrings, shapes);
    }

    // The element's dictionaries list the columns in file order, as TF's OrderedDict does.
    private IReadOnlyDictionary<string, TValue> Ordered<TValue>(Dictionary<string, TValue> byName)
    {
        var ordered = new OrderedDictionary<string, TValue>(StringComparer.Ordinal);
        foreach (var name in _features)
            if (byName.TryGetValue(name, out var v)) ordered.Add(name, v);
        return ordered;
    }

    private void CheckColumn(string name, bool numeric)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Types.TryGetValue(name, out var type))
            throw new ArgumentException($"There is no CSV column '{name}'; the columns are {string.Join(", ", Types.Keys.Select(n => $"'{n}'"))}.", nameof(name));
        if (numeric && type is null)
            throw new ArgumentException($"CSV column '{name}' holds strings; read them with Strings(\"{name}\").", nameof(name));
        if (!numeric && type is not null)
            throw new ArgumentException($"CSV column '{name}' holds {type.Value.Name()} numbers; read it with Column(\"{name}\").", nameof(name));
    }

    // The constructor's columns: the record defaults matched to the kept positions of the files' records.
    private static CsvColumnValues[] Build(IEnumerable<string> filenames, IReadOnlyList<object?> recordDefaults, CsvFormat format,
                                           IReadOnlyList<int>? selectCols, IReadOnlyList<int>? excludeCols)
    {
        ArgumentNullException.ThrowIfNull(recordDefaults);
        var files = Csv.Files(filenames);
        if (selectCols is not null && excludeCols is not null)
            throw new ArgumentException("CsvDataset: give selectCols or excludeCols, not both.", nameof(excludeCols));
        int fieldCount;
        int[] kept;
        if (selectCols is not null)
        {
            kept = Csv.CheckedPositions(selectCols, nameof(selectCols));
            if (kept.Length != recordDefaults.Count)
                throw new ArgumentException($"CsvDataset: selectCols keeps {kept.Length} columns but recordDefaults has {recordDefaults.Count} items; give one default per kept column.", nameof(recordDefaults));
            fieldCount = Csv.FieldCount(files[0], format);
            if (kept[^1] >= fieldCount)
                throw new ArgumentException($"CsvDataset: selectCols holds column {kept[^1]}, but '{files[0]}' has {fieldCount} columns.", nameof(selectCols));
        }
        else
        {
            var excluded = excludeCols is null ? [] : Csv.CheckedPositions(excludeCols, nameof(excludeCols));
            fieldCount = recordDefaults.Count + excluded.Length;
            kept = Enumerable.Range(0, fieldCount).Except(excluded).ToArray();
            if (excluded.Length > 0 && excluded[^1] >= fieldCount)
                throw new ArgumentException($"CsvDataset: excludeCols holds column {excluded[^1]}, but recordDefaults and excludeCols together describe {fieldCount} columns.", nameof(excludeCols));
        }
        var header = format.Header ? format.HeaderOf(files[0]) : null;
        bool named = header is not null && header.Length == fieldCount && header.Distinct(StringComparer.Ordinal).Count() == header.Length;
        var columns = kept.Select((at, k) => CsvColumn.FromDefault(named ? header![at] : at.ToString(System.Globalization.CultureInfo.InvariantCulture), at, recordDefaults[k], "recordDefaults")).ToArray();
        return CsvTable.Read(files, format, fieldCount, columns, ignoreErrors: false);
    }
}
