using System.Text;

namespace NeuralFlow.Data;

/// <summary>
/// The result of the <c>tf.strings</c> ops that give each string a different number of pieces
/// (<see cref="NF.Strings.Split"/>, <see cref="NF.Strings.UnicodeDecode"/>, ...): TensorFlow's
/// <c>tf.RaggedTensor</c> of shape <c>(n, None)</c> for n strings, held on the host as its rows.
/// For one string (a scalar input) TensorFlow returns a plain 1-D tensor instead: then <see cref="Rank"/>
/// is 1, <see cref="Shape"/> is <c>(k,)</c> and only <see cref="ToTensor"/>-style reads apply.
/// It is immutable.
/// </summary>
public abstract class RaggedTensor<T>
{
    private readonly T[] _values;
    private readonly int[] _splits;   // row i is _values[_splits[i] .. _splits[i + 1]]

    private protected RaggedTensor(T[] values, int[] splits, bool dense)
    {
        _values = values;
        _splits = splits;
        IsDense = dense;
    }

    // A scalar input's pieces: one row, shown as TensorFlow's dense 1-D tensor.
    private protected bool IsDense { get; }

    /// <summary>2 for a ragged <c>(n, None)</c> result; 1 for the dense vector a scalar input gives.</summary>
    public int Rank => IsDense ? 1 : 2;

    /// <summary>Number of rows (<c>nrows()</c>); for a dense result, its length.</summary>
    public int RowCount => IsDense ? _values.Length : _splits.Length - 1;

    /// <summary>The shape as TensorFlow prints it: <c>(2, None)</c>, or <c>(k,)</c> for a dense result.</summary>
    public string Shape => IsDense ? $"({_values.Length},)" : $"({RowCount}, None)";

    /// <summary>Every value, row after row (<c>flat_values</c>); a copy.</summary>
    public T[] FlatValues => (T[])_values.Clone();

    /// <summary>The length of each row (<c>row_lengths()</c>), an int64 tensor of shape [n].</summary>
    public Tensor RowLengths()
    {
        RequireRagged(nameof(RowLengths));
        var lengths = new long[RowCount];
        for (int i = 0; i < lengths.Length; i++) lengths[i] = _splits[i + 1] - _splits[i];
        return NF.Constant(lengths, new Shape(lengths.Length));
    }

    /// <summary>The row offsets (<c>row_splits</c>): n + 1 of them, row i spans [splits[i], splits[i + 1]).</summary>
    public long[] RowSplits()
    {
        RequireRagged(nameof(RowSplits));
        return Array.ConvertAll(_splits, s => (long)s);
    }

    /// <summary>Row <paramref name="index"/> (a negative index counts from the end), as <c>rt[i]</c>.</summary>
    public T[] this[int index]
    {
        get
        {
            RequireRagged("the indexer");
            int i = index < 0 ? index + RowCount : index;
            if (i < 0 || i >= RowCount) throw new IndexOutOfRangeException($"RaggedTensor: row {index} is out of range for {RowCount} rows.");
            return _values[_splits[i].._splits[i + 1]];
        }
    }

    /// <summary>The rows as arrays (<c>to_list()</c>).</summary>
    public List<T[]> ToList()
    {
        RequireRagged(nameof(ToList));
        var rows = new List<T[]>(RowCount);
        for (int i = 0; i < RowCount; i++) rows.Add(this[i]);
        return rows;
    }

    /// <summary>Row-major values padded with <paramref name="fill"/> to the longest row, and that width.</summary>
    private protected (T[] Values, int Width) Padded(T fill)
    {
        if (IsDense) return ((T[])_values.Clone(), _values.Length);
        int width = 0;
        for (int i = 0; i < RowCount; i++) width = Math.Max(width, _splits[i + 1] - _splits[i]);
        var padded = new T[RowCount * width];
        Array.Fill(padded, fill);
        for (int i = 0; i < RowCount; i++) Array.Copy(_values, _splits[i], padded, i * width, _splits[i + 1] - _splits[i]);
        return (padded, width);
    }

    private void RequireRagged(string member)
    {
        if (IsDense)
            throw new InvalidOperationException(
                $"RaggedTensor.{member}: this is the dense 1-D result of a scalar input (shape {Shape}), as TensorFlow returns a tf.Tensor there; read it with ToTensor() or FlatValues.");
    }

    private protected abstract string Format(T value);

    private protected abstract string DenseSuffix { get; }

    /// <summary>As TensorFlow prints it: <c>&lt;tf.RaggedTensor [[b'hello', b'world'], [b'a']]&gt;</c>, or a dense result as a tf.Tensor.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (IsDense)
        {
            text.Append("tf.Tensor([").AppendJoin(' ', _values.Select(Format)).Append("], shape=").Append(Shape).Append(DenseSuffix).Append(')');
            return text.ToString();
        }
        text.Append("<tf.RaggedTensor [");
        for (int i = 0; i < RowCount; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append('[').AppendJoin(", ", this[i].Select(Format)).Append(']');
        }
        return text.Append("]>").ToString();
    }

    // Row splits from row lengths.
    private protected static int[] Splits(IReadOnlyList<int> lengths)
    {
        var splits = new int[lengths.Count + 1];
        for (int i = 0; i < lengths.Count; i++) splits[i + 1] = checked(splits[i] + lengths[i]);
        return splits;
    }
}

/// <summary>Rows of strings (<c>tf.RaggedTensor</c> of <c>tf.string</c>), e.g. the words of each text.</summary>
public sealed class RaggedStrings : RaggedTensor<string>
{
    private RaggedStrings(string[] values, int[] splits, bool dense) : base(values, splits, dense) { }

    /// <summary>Ragged rows of the given strings (each row copied); none may be null.</summary>
    public static RaggedStrings FromRows(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var values = new List<string>();
        var lengths = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i] ?? throw new ArgumentNullException(nameof(rows), $"RaggedStrings: row {i} is null.");
            foreach (var s in row) values.Add(s ?? throw new ArgumentException($"RaggedStrings: row {i} holds a null string.", nameof(rows)));
            lengths[i] = row.Count;
        }
        return new(values.ToArray(), Splits(lengths), dense: false);
    }

    // The pieces of one string per input string: ragged for a vector input, dense for a scalar.
    internal static RaggedStrings Of(StringTensor input, List<string>[] pieces) =>
        new(pieces.SelectMany(p => p).ToArray(), Splits(pieces.Select(p => p.Count).ToArray()), dense: input.Rank == 0);

    /// <summary>
    /// A string tensor padded with <paramref name="defaultValue"/> to the longest row, shape [n, longest]
    /// (<c>to_tensor(default_value=...)</c>); the dense result of a scalar input as its 1-D tensor.
    /// </summary>
    public StringTensor ToTensor(string defaultValue = "")
    {
        ArgumentNullException.ThrowIfNull(defaultValue);
        var (values, width) = Padded(defaultValue);
        return StringTensor.Wrap(values, IsDense ? new Shape(width) : new Shape(RowCount, width));
    }

    private protected override string Format(string value) => "b'" + value.Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n") + "'";

    private protected override string DenseSuffix => ", dtype=string";
}

/// <summary>Rows of int32 values (<c>tf.RaggedTensor</c> of <c>tf.int32</c>), e.g. the code points of each text.</summary>
public sealed class RaggedInts : RaggedTensor<int>
{
    private RaggedInts(int[] values, int[] splits, bool dense) : base(values, splits, dense) { }

    /// <summary>Ragged rows of the given values (each row copied).</summary>
    public static RaggedInts FromRows(IReadOnlyList<IReadOnlyList<int>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var lengths = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++) lengths[i] = (rows[i] ?? throw new ArgumentNullException(nameof(rows), $"RaggedInts: row {i} is null.")).Count;
        return new(rows.SelectMany(r => r).ToArray(), Splits(lengths), dense: false);
    }

    internal static RaggedInts Of(StringTensor input, List<int>[] pieces) =>
        new(pieces.SelectMany(p => p).ToArray(), Splits(pieces.Select(p => p.Count).ToArray()), dense: input.Rank == 0);

    /// <summary>An int32 tensor padded with <paramref name="defaultValue"/> to the longest row, shape [n, longest] (<c>to_tensor()</c>).</summary>
    public Tensor ToTensor(int defaultValue = 0)
    {
        var (values, width) = Padded(defaultValue);
        return NF.Constant(values, IsDense ? new Shape(width) : new Shape(RowCount, width));
    }

    private protected override string Format(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private protected override string DenseSuffix => ", dtype=int32";
}
