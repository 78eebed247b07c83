using System.Text;

namespace NeuralFlow.Data;

/// <summary>
/// The result of the <c>tf.strings</c> ops that give each string a different number of pieces
/// (<see cref="NF.Strings.Split"/>, <see cref="NF.Strings.UnicodeDecode"/>, ...): TensorFlow's
/// <c>tf.RaggedTensor</c> of shape <c>(n, None)</c> for n strings, held on the host as its rows.
/// A string tensor of rank N ≥ 2 gives rank N + 1: the input's axes (uniform rows, as TensorFlow's
/// <c>RaggedTensor.from_tensor</c> makes them) and a ragged last one (<c>(2, 3, None)</c> for a [2, 3] input): each of its strings is an innermost row, read by
/// <c>rt[i, j]</c>, <see cref="NestedRowSplits"/> or the padding of <c>ToTensor()</c>.
/// For one string (a scalar input) TensorFlow returns a plain 1-D tensor instead: then <see cref="Rank"/>
/// is 1, <see cref="Shape"/> is <c>(k,)</c> and only <c>ToTensor()</c> and <see cref="FlatValues"/> apply.
/// It is immutable.
/// </summary>
public abstract class RaggedTensor<T>
{
    private readonly T[] _values;
    private readonly int[] _splits;   // innermost row i is _values[_splits[i] .. _splits[i + 1]]
    private readonly int[] _outer;    // the shape of the rows: the input's shape ([] for a scalar input's dense result)

    private protected RaggedTensor(T[] values, int[] splits, int[] outer)
    {
        _values = values;
        _splits = splits;
        _outer = outer;
    }

    // A scalar input's pieces: one row, shown as TensorFlow's dense 1-D tensor.
    private protected bool IsDense => _outer.Length == 0;

    /// <summary>The input's rank + 1: 2 for a ragged <c>(n, None)</c> result, 3 for <c>(n, m, None)</c>, ...; 1 for the dense vector a scalar input gives.</summary>
    public int Rank => _outer.Length + 1;

    /// <summary>Number of rows (<c>nrows()</c>); for a dense result, its length.</summary>
    public int RowCount => IsDense ? _values.Length : _outer[0];

    /// <summary>The shape as TensorFlow prints it: <c>(2, None)</c>, <c>(2, 3, None)</c>, or <c>(k,)</c> for a dense result.</summary>
    public string Shape => IsDense ? $"({_values.Length},)" : $"({string.Join(", ", _outer)}, None)";

    /// <summary>Every value, row after row (<c>flat_values</c>); a copy.</summary>
    public T[] FlatValues => (T[])_values.Clone();

    /// <summary>The length of each row of the outermost axis (<c>row_lengths()</c>), an int64 tensor of shape [n].</summary>
    public Tensor RowLengths()
    {
        RequireRagged(nameof(RowLengths));
        var splits = RowSplits();
        var lengths = new long[RowCount];
        for (int i = 0; i < lengths.Length; i++) lengths[i] = splits[i + 1] - splits[i];
        return NF.Constant(lengths, new Shape(lengths.Length));
    }

    /// <summary>The row offsets of the outermost axis (<c>row_splits</c>): n + 1 of them, row i spans [splits[i], splits[i + 1]).</summary>
    public long[] RowSplits()
    {
        RequireRagged(nameof(RowSplits));
        return NestedRowSplits()[0];
    }

    /// <summary>
    /// The row offsets of each row partition, outermost first (<c>nested_row_splits</c>, the uniform ones included, as TF keeps them): one array for a
    /// <c>(n, None)</c> result; for a [2, 3] input's <c>(2, 3, None)</c>, [0, 3, 6] and then the 7 offsets of
    /// its 6 strings' pieces in <see cref="FlatValues"/>.
    /// </summary>
    public IReadOnlyList<long[]> NestedRowSplits()
    {
        RequireRagged(nameof(NestedRowSplits));
        var levels = new List<long[]>(_outer.Length);
        int rows = 1;
        for (int axis = 0; axis < _outer.Length - 1; axis++)
        {
            rows *= _outer[axis];
            int width = _outer[axis + 1];   // the outer axes hold the input's shape: every row there is as long
            var splits = new long[rows + 1];
            for (int i = 1; i <= rows; i++) splits[i] = (long)i * width;
            levels.Add(splits);
        }
        levels.Add(Array.ConvertAll(_splits, s => (long)s));
        return levels;
    }

    /// <summary>Row <paramref name="index"/> (a negative index counts from the end), as <c>rt[i]</c>, of a <c>(n, None)</c> result.</summary>
    public T[] this[int index]
    {
        get
        {
            RequireRagged("the indexer");
            if (_outer.Length > 1)
                throw new InvalidOperationException(
                    $"RaggedTensor: rt[{index}] of shape {Shape} is itself ragged; give {_outer.Length} indices (rt[i, j]) for one string's pieces, or read ToTensor().");
            return InnerRow(Flat(index, 0));
        }
    }

    /// <summary>The pieces of the input string at <paramref name="indices"/> (one per input axis, negative from the end): <c>rt[i, j]</c>.</summary>
    public T[] this[params int[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            RequireRagged("the indexer");
            if (indices.Length != _outer.Length)
                throw new ArgumentException($"RaggedTensor: {indices.Length} indices for shape {Shape}; give {_outer.Length}, one per axis before the ragged one.", nameof(indices));
            int flat = 0;
            for (int axis = 0; axis < indices.Length; axis++) flat = flat * _outer[axis] + Flat(indices[axis], axis);
            return InnerRow(flat);
        }
    }

    private int Flat(int index, int axis)
    {
        int i = index < 0 ? index + _outer[axis] : index;
        if (i < 0 || i >= _outer[axis]) throw new IndexOutOfRangeException($"RaggedTensor: index {index} is out of range for {_outer[axis]} rows on axis {axis}.");
        return i;
    }

    private T[] InnerRow(int flat) => _values[_splits[flat].._splits[flat + 1]];

    /// <summary>
    /// A numeric <see cref="RaggedTensor"/> with these rows (every row partition) and other flat values, one per piece in
    /// <see cref="FlatValues"/> order: numbers computed per word (lengths, hash buckets, ids) keep the words' rows.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is the dense 1-D result of a scalar input.</exception>
    /// <exception cref="ArgumentException">flatValues does not have one row per piece.</exception>
    public RaggedTensor WithFlatValues(Tensor flatValues)
    {
        ArgumentNullException.ThrowIfNull(flatValues);
        RequireRagged(nameof(WithFlatValues));
        if (flatValues.Shape.Rank == 0 || flatValues.Shape[0] != _values.Length)
            throw new ArgumentException($"RaggedTensor.WithFlatValues: {_values.Length} pieces, but the flat values have shape {flatValues.Shape}; give one row per piece.", nameof(flatValues));
        return RaggedTensor.FromNestedRowSplits(flatValues, [.. NestedRowSplits()]);
    }

    /// <summary>The rows as arrays (<c>to_list()</c>) of a <c>(n, None)</c> result.</summary>
    public List<T[]> ToList()
    {
        RequireRagged(nameof(ToList));
        if (_outer.Length > 1)
            throw new InvalidOperationException(
                $"RaggedTensor.ToList: shape {Shape} nests rows in rows; read one string's pieces with rt[i, j], every row with InnerRows(), or pad with ToTensor().");
        return InnerRows();
    }

    /// <summary>The pieces of every input string, in row-major order of the input (one array per string); the input's shape is <see cref="OuterShape"/>.</summary>
    public List<T[]> InnerRows()
    {
        RequireRagged(nameof(InnerRows));
        var rows = new List<T[]>(_splits.Length - 1);
        for (int i = 0; i < _splits.Length - 1; i++) rows.Add(InnerRow(i));
        return rows;
    }

    /// <summary>The shape of the input whose strings the innermost rows are (every axis but the ragged last one); scalar for a dense result.</summary>
    public Shape OuterShape => new(_outer);

    /// <summary>Row-major values padded with <paramref name="fill"/> to the longest row, and that width.</summary>
    // With a shape (to_tensor's shape=[None, w]), rows are padded or cut to its last size; its other sizes must be null or the input's.
    private protected (T[] Values, int Width) Padded(T fill, int?[]? shape = null)
    {
        if (IsDense && shape is not null)
            throw new ArgumentException($"RaggedTensor.ToTensor: this is the dense 1-D result of a scalar input (shape {Shape}); it takes no shape.", nameof(shape));
        if (IsDense) return ((T[])_values.Clone(), _values.Length);
        int rows = _splits.Length - 1, width = 0;
        for (int i = 0; i < rows; i++) width = Math.Max(width, _splits[i + 1] - _splits[i]);
        if (shape is not null)
        {
            if (shape.Length != Rank)
                throw new ArgumentException($"RaggedTensor.ToTensor: shape has {shape.Length} sizes, but {Shape} has rank {Rank}.", nameof(shape));
            for (int a = 0; a < _outer.Length; a++)
                if (shape[a] is { } size && size != _outer[a])
                    throw new ArgumentException($"RaggedTensor.ToTensor: shape[{a}]={size}, but that axis has {_outer[a]} rows; give null or {_outer[a]}.", nameof(shape));
            if (shape[^1] is { } w)
                width = w >= 0 ? w : throw new ArgumentException($"RaggedTensor.ToTensor: shape[{Rank - 1}]={w} is negative.", nameof(shape));
        }
        var padded = new T[checked(rows * width)];
        Array.Fill(padded, fill);
        for (int i = 0; i < rows; i++) Array.Copy(_values, _splits[i], padded, i * width, Math.Min(width, _splits[i + 1] - _splits[i]));
        return (padded, width);
    }

    // The shape of a padded result: the input's shape and the longest row.
    private protected Shape PaddedShape(int width) => new([.. _outer, width]);

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
        text.Append("<tf.RaggedTensor ");
        int row = 0;
        AppendAxis(text, 0, ref row);
        return text.Append('>').ToString();
    }

    // One axis of the outer shape as nested brackets; the innermost rows in order.
    private void AppendAxis(StringBuilder text, int axis, ref int row)
    {
        text.Append('[');
        for (int i = 0; i < _outer[axis]; i++)
        {
            if (i > 0) text.Append(", ");
            if (axis == _outer.Length - 1) text.Append('[').AppendJoin(", ", InnerRow(row++).Select(Format)).Append(']');
            else AppendAxis(text, axis + 1, ref row);
        }
        text.Append(']');
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
    private RaggedStrings(string[] values, int[] splits, int[] outer) : base(values, splits, outer) { }

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
        return new(values.ToArray(), Splits(lengths), [rows.Count]);
    }

    /// <summary>
    /// Strings laid out as a numeric ragged tensor's rows (<paramref name="nestedRowSplits"/>, outermost first): every
    /// level but the last must hold rows of one length (the input shape the rows hang from), as strings carry one
    /// ragged axis, the last.
    /// </summary>
    internal static RaggedStrings FromNestedRowSplits(string[] values, IReadOnlyList<long[]> nestedRowSplits, string paramName)
    {
        var outer = new List<int> { nestedRowSplits[0].Length - 1 };
        for (int level = 0; level < nestedRowSplits.Count - 1; level++)
        {
            var splits = nestedRowSplits[level];
            long width = splits.Length > 1 ? splits[1] - splits[0] : 0;
            for (int i = 1; i < splits.Length; i++)
                if (splits[i] - splits[i - 1] != width)
                    throw new ArgumentException($"RaggedStrings: ragged axis {level + 1} of {nestedRowSplits.Count} varies in length (rows of {width} and {splits[i] - splits[i - 1]}); " +
                                                "strings keep one ragged axis, the last: look the rows up one outer row at a time.", paramName);
            outer.Add(checked((int)width));
        }
        var last = nestedRowSplits[^1];
        if (last[^1] != values.Length)
            throw new ArgumentException($"RaggedStrings: the row splits end at {last[^1]}, but there are {values.Length} values.", paramName);
        return new(values, last.Select(s => checked((int)s)).ToArray(), outer.ToArray());
    }

    // The pieces of each input string: ragged below the input's shape, dense for a scalar.
    internal static RaggedStrings Of(StringTensor input, List<string>[] pieces) =>
        new(pieces.SelectMany(p => p).ToArray(), Splits(pieces.Select(p => p.Count).ToArray()), input.Shape.ToArray());

    /// <summary>
    /// A string tensor padded with <paramref name="defaultValue"/> to the longest row, shape [n, longest]
    /// (<c>to_tensor(default_value=...)</c>; the input's shape + [longest] for a nested result); the dense result of a scalar input as its 1-D tensor.
    /// </summary>
    /// <param name="defaultValue">The padding.</param>
    /// <param name="shape">As TF's <c>shape=[None, 10]</c>: the last size pads or cuts every row; the others must be null or the input's.</param>
    /// <exception cref="ArgumentException">shape has another rank, a negative size, or changes an outer size.</exception>
    public StringTensor ToTensor(string defaultValue = "", int?[]? shape = null)
    {
        ArgumentNullException.ThrowIfNull(defaultValue);
        var (values, width) = Padded(defaultValue, shape);
        return StringTensor.Wrap(values, PaddedShape(width));
    }

    private protected override string Format(string value) => "b'" + value.Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n") + "'";

    private protected override string DenseSuffix => ", dtype=string";
}

/// <summary>Rows of int32 values (<c>tf.RaggedTensor</c> of <c>tf.int32</c>), e.g. the code points of each text.</summary>
public sealed class RaggedInts : RaggedTensor<int>
{
    private RaggedInts(int[] values, int[] splits, int[] outer) : base(values, splits, outer) { }

    /// <summary>Ragged rows of the given values (each row copied).</summary>
    public static RaggedInts FromRows(IReadOnlyList<IReadOnlyList<int>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var lengths = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++) lengths[i] = (rows[i] ?? throw new ArgumentNullException(nameof(rows), $"RaggedInts: row {i} is null.")).Count;
        return new(rows.SelectMany(r => r).ToArray(), Splits(lengths), [rows.Count]);
    }

    internal static RaggedInts Of(StringTensor input, List<int>[] pieces) =>
        new(pieces.SelectMany(p => p).ToArray(), Splits(pieces.Select(p => p.Count).ToArray()), input.Shape.ToArray());

    /// <summary>An int32 tensor padded with <paramref name="defaultValue"/> to the longest row, shape [n, longest] (<c>to_tensor()</c>; the input's shape + [longest] for a nested result).</summary>
    /// <exception cref="ArgumentException">shape (as <see cref="RaggedStrings.ToTensor"/>'s) does not fit.</exception>
    public Tensor ToTensor(int defaultValue = 0, int?[]? shape = null)
    {
        var (values, width) = Padded(defaultValue, shape);
        return NF.Constant(values, PaddedShape(width));
    }

    /// <summary>These rows as a numeric <see cref="RaggedTensor"/> (int32 values on the device, the same row splits), for its math, padding and slicing.</summary>
    /// <exception cref="InvalidOperationException">This is the dense 1-D result of a scalar input.</exception>
    public RaggedTensor ToRaggedTensor() => WithFlatValues(NF.Constant(FlatValues, new Shape(FlatValues.Length)));

    private protected override string Format(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private protected override string DenseSuffix => ", dtype=int32";
}
