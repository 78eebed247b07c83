namespace NeuralFlow.Data;

/// <summary>
/// One element of a <see cref="CsvDataset"/>: a row (scalars) or a batch of rows (vectors) of its
/// columns by name. NeuralFlow tensors hold no strings, so numeric columns are tensors
/// (<see cref="Features"/>) and string columns host <c>string[]</c> (<see cref="Strings"/>), one per
/// row, for a StringLookup in the input pipeline, as Keras runs its string layers; <see cref="Columns"/>
/// holds both kinds in one dictionary (text as <see cref="StringTensor"/>s), tf.data's features. The label
/// column of <c>Csv.MakeCsvDataset</c> is kept apart (<see cref="Label"/> or <see cref="LabelStrings"/>).
/// </summary>
public sealed class CsvElement
{
    // A row's string columns are scalars and decode_csv's take the records' shape: stringShapes gives them,
    // as Strings holds flat arrays (a batch's are vectors when it is null).
    internal CsvElement(IReadOnlyList<string> columnNames, IReadOnlyDictionary<string, Tensor> features, IReadOnlyDictionary<string, string[]> strings,
                        Tensor? label, string[]? labelStrings, IReadOnlyDictionary<string, Shape>? stringShapes = null)
    {
        (ColumnNames, Features, Strings, Label, LabelStrings) = (columnNames, features, strings, label, labelStrings);
        var columns = new OrderedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var name in columnNames)
            columns.Add(name, features.TryGetValue(name, out var t) ? t
                : new StringTensor(strings[name], stringShapes?.GetValueOrDefault(name) ?? new Shape(strings[name].Length)));
        Columns = columns;
    }

    /// <summary>
    /// The columns of <paramref name="values"/> (decode_csv's result), each shaped as <paramref name="shape"/>:
    /// numbers as tensors, strings as string tensors.
    /// </summary>
    internal static CsvElement FromValues(CsvColumnValues[] values, Shape shape)
    {
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var strings = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var shapes = new Dictionary<string, Shape>(StringComparer.Ordinal);
        foreach (var column in values)
        {
            if (column.Column.IsString) { strings.Add(column.Column.Name, column.Strings()); shapes.Add(column.Column.Name, shape); }
            else features.Add(column.Column.Name, column.ToTensor(shape));
        }
        return new CsvElement(values.Select(v => v.Column.Name).ToArray(), features, strings, null, null, shapes);
    }

    /// <summary>The feature columns in file order (the label excluded).</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The numeric feature columns: int32, int64, float32 or float64 tensors, scalars for a row, [batch] for a batch.</summary>
    public IReadOnlyDictionary<string, Tensor> Features { get; }

    /// <summary>The string feature columns, one string per row.</summary>
    public IReadOnlyDictionary<string, string[]> Strings { get; }

    /// <summary>
    /// Every feature column in file order as one dictionary, numbers as tensors and text as
    /// <see cref="StringTensor"/>s: tf.data's features dictionary, which a dataset element may be
    /// (<c>csv.Map(e =&gt; (e.Columns, e.Label!))</c>) and which <c>Fit</c> and <c>Predict</c> take for a
    /// model whose Inputs (string ones included) are named after the columns.
    /// </summary>
    public IReadOnlyDictionary<string, object> Columns { get; }

    /// <summary>The label column when it is numeric (make_csv_dataset's labelName), else null.</summary>
    public Tensor? Label { get; }

    /// <summary>The label column when it holds strings, else null.</summary>
    public string[]? LabelStrings { get; }

    /// <summary>The numeric column <paramref name="name"/>; a string column or an unknown name is refused, naming what there is.</summary>
    public Tensor this[string name] =>
        Features.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out var t) ? t
        : Strings.ContainsKey(name) ? throw new KeyNotFoundException($"CSV column '{name}' holds strings, which tensors cannot: read it from Strings[\"{name}\"] (and turn it into numbers with a StringLookup).")
        : throw new KeyNotFoundException($"There is no CSV feature column '{name}'; the columns are {string.Join(", ", ColumnNames.Select(n => $"'{n}'"))}.");

    /// <summary>The numeric column at <paramref name="position"/> among <see cref="ColumnNames"/> (CsvDataset's tuple item).</summary>
    public Tensor this[int position] => this[ColumnNames[position]];
}
