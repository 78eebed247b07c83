using System.Globalization;
using System.Text;

namespace NeuralFlow.Data;

/// <summary>
/// TensorFlow's numeric <c>tf.RaggedTensor</c>: rows of different lengths, held as TF holds them — a
/// values tensor (on the device) cut into rows by host-side <see cref="RowSplits"/>. The values are either
/// a dense tensor (its axes past the first are uniform inner axes: <c>(3, None, 2)</c>) or another
/// RaggedTensor (several ragged axes: <c>(3, None, None)</c>). Math runs as NF ops on <see cref="FlatValues"/>,
/// so it is on the device and recorded by a gradient tape. It is immutable. Strings are
/// <see cref="RaggedStrings"/>.
/// </summary>
public sealed partial class RaggedTensor
{
    private readonly long[] _splits;         // row i is values[_splits[i] .. _splits[i + 1]]
    private readonly Tensor? _dense;         // the values when they are a tensor
    private readonly RaggedTensor? _ragged;  // the values when they are themselves ragged
    private readonly long? _uniform;         // every row's length, when made by FromUniformRowLength (shown in Shape)

    private RaggedTensor(long[] splits, Tensor? dense, RaggedTensor? ragged, long? uniform = null)
    {
        _splits = splits;
        _dense = dense;
        _ragged = ragged;
        _uniform = uniform;
    }

    // Checked construction: splits start at 0, never fall, and end at the values' row count.
    private static RaggedTensor Make(string op, long[] splits, Tensor? dense, RaggedTensor? ragged)
    {
        long count = dense is not null ? dense.Shape[0] : ragged!.NRows;
        if (splits.Length == 0 || splits[0] != 0)
            throw new ArgumentException($"RaggedTensor.{op}: row_splits must start with 0 (got [{string.Join(", ", splits)}]).", "rowSplits");
        for (int i = 1; i < splits.Length; i++)
            if (splits[i] < splits[i - 1])
                throw new ArgumentException($"RaggedTensor.{op}: row_splits must not decrease, but [{i - 1}]={splits[i - 1]} > [{i}]={splits[i]}.", "rowSplits");
        if (splits[^1] != count)
            throw new ArgumentException($"RaggedTensor.{op}: row_splits end at {splits[^1]}, but the values have {count} rows; the last split must equal the number of values.", "rowSplits");
        return new RaggedTensor(splits, dense, ragged);
    }

    private static Tensor RequireValues(string op, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Shape.Rank == 0) throw new ArgumentException($"RaggedTensor.{op}: values must have rank >= 1 (got a scalar).", nameof(values));
        return values;
    }

    /// <summary><c>tf.RaggedTensor.from_row_splits</c>: row i is values[splits[i] .. splits[i + 1]].</summary>
    /// <exception cref="ArgumentException">The splits do not start at 0, decrease, or do not end at the number of values.</exception>
    public static RaggedTensor FromRowSplits(Tensor values, IReadOnlyList<long> rowSplits) =>
        Make(nameof(FromRowSplits), [.. rowSplits ?? throw new ArgumentNullException(nameof(rowSplits))], RequireValues(nameof(FromRowSplits), values), null);

    /// <summary><c>from_row_splits</c> whose values are ragged themselves: a second ragged axis.</summary>
    public static RaggedTensor FromRowSplits(RaggedTensor values, IReadOnlyList<long> rowSplits) =>
        Make(nameof(FromRowSplits), [.. rowSplits ?? throw new ArgumentNullException(nameof(rowSplits))], null, values ?? throw new ArgumentNullException(nameof(values)));

    /// <summary><c>tf.RaggedTensor.from_row_lengths</c>: consecutive rows of the given lengths.</summary>
    /// <exception cref="ArgumentException">A length is negative, or they do not add up to the number of values.</exception>
    public static RaggedTensor FromRowLengths(Tensor values, IReadOnlyList<long> rowLengths) =>
        Make(nameof(FromRowLengths), SplitsOf(nameof(FromRowLengths), rowLengths), RequireValues(nameof(FromRowLengths), values), null);

    /// <summary><c>from_row_lengths</c> over ragged values.</summary>
    public static RaggedTensor FromRowLengths(RaggedTensor values, IReadOnlyList<long> rowLengths) =>
        Make(nameof(FromRowLengths), SplitsOf(nameof(FromRowLengths), rowLengths), null, values ?? throw new ArgumentNullException(nameof(values)));

    /// <summary>
    /// <c>tf.RaggedTensor.from_value_rowids</c>: value k belongs to row valueRowIds[k] (ids sorted ascending);
    /// <paramref name="nrows"/> defaults to the last id + 1, and can add empty rows at the end.
    /// </summary>
    /// <exception cref="ArgumentException">An id is negative or decreases, there is not one id per value, or nrows is not past the last id.</exception>
    public static RaggedTensor FromValueRowIds(Tensor values, IReadOnlyList<long> valueRowIds, long? nrows = null)
    {
        const string op = nameof(FromValueRowIds);
        RequireValues(op, values);
        ArgumentNullException.ThrowIfNull(valueRowIds);
        if (valueRowIds.Count != values.Shape[0])
            throw new ArgumentException($"RaggedTensor.{op}: {valueRowIds.Count} value_rowids for {values.Shape[0]} values; give one per value.", nameof(valueRowIds));
        long rows = nrows ?? (valueRowIds.Count == 0 ? 0 : valueRowIds[^1] + 1);
        if (rows < 0 || rows > Array.MaxLength) throw new ArgumentException($"RaggedTensor.{op}: nrows={rows} is not a row count.", nameof(nrows));
        var lengths = new long[checked((int)rows)];
        for (int k = 0; k < valueRowIds.Count; k++)
        {
            long id = valueRowIds[k];
            if (id < 0 || id >= rows || (k > 0 && id < valueRowIds[k - 1]))
                throw new ArgumentException($"RaggedTensor.{op}: value_rowids[{k}]={id} must be sorted ascending and in [0, {rows}).", nameof(valueRowIds));
            lengths[id]++;
        }
        return Make(op, SplitsOf(op, lengths), values, null);
    }

    /// <summary><c>tf.RaggedTensor.from_nested_row_splits</c>: one splits array per ragged axis, outermost first.</summary>
    public static RaggedTensor FromNestedRowSplits(Tensor flatValues, params long[][] nestedRowSplits)
    {
        ArgumentNullException.ThrowIfNull(nestedRowSplits);
        if (nestedRowSplits.Length == 0) throw new ArgumentException("RaggedTensor.FromNestedRowSplits: give at least one splits array.", nameof(nestedRowSplits));
        var rt = FromRowSplits(flatValues, nestedRowSplits[^1]);
        for (int i = nestedRowSplits.Length - 2; i >= 0; i--) rt = FromRowSplits(rt, nestedRowSplits[i]);
        return rt;
    }

    private static long[] SplitsOf(string op, IReadOnlyList<long> lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var splits = new long[lengths.Count + 1];
        for (int i = 0; i < lengths.Count; i++)
        {
            if (lengths[i] < 0) throw new ArgumentException($"RaggedTensor.{op}: row_lengths[{i}]={lengths[i]} is negative.", "rowLengths");
            splits[i + 1] = checked(splits[i] + lengths[i]);
        }
        return splits;
    }

    /// <summary>Number of rows (<c>nrows()</c>).</summary>
    public int NRows => _splits.Length - 1;

    /// <summary>The row offsets (<c>row_splits</c>): NRows + 1 of them; a copy.</summary>
    public long[] RowSplits => (long[])_splits.Clone();

    /// <summary>The values, when they are a tensor (ragged rank 1); null when they are ragged (see <see cref="RaggedValues"/>).</summary>
    public Tensor? Values => _dense;

    /// <summary>The values, when they are themselves ragged; null for ragged rank 1.</summary>
    public RaggedTensor? RaggedValues => _ragged;

    /// <summary>The innermost values tensor (<c>flat_values</c>), below every ragged axis.</summary>
    public Tensor FlatValues => _dense ?? _ragged!.FlatValues;

    /// <summary>The number of ragged axes (<c>ragged_rank</c>).</summary>
    public int RaggedRank => 1 + (_ragged?.RaggedRank ?? 0);

    /// <summary>The rank: the outer axis, the ragged axes and the flat values' inner axes.</summary>
    public int Rank => 1 + (_ragged?.Rank ?? _dense!.Shape.Rank);

    /// <summary>The values' dtype.</summary>
    public DType DType => FlatValues.DType;

    /// <summary>Every ragged axis's row splits, outermost first (<c>nested_row_splits</c>).</summary>
    public IReadOnlyList<long[]> NestedRowSplits
    {
        get
        {
            var all = new List<long[]>();
            for (var rt = this; rt is not null; rt = rt._ragged) all.Add(rt.RowSplits);
            return all;
        }
    }

    /// <summary>The length of each row (<c>row_lengths()</c>), an int64 tensor of shape [NRows].</summary>
    public Tensor RowLengths()
    {
        var lengths = new long[NRows];
        for (int i = 0; i < lengths.Length; i++) lengths[i] = _splits[i + 1] - _splits[i];
        return NF.Constant(lengths, new Shape(lengths.Length));
    }

    /// <summary>The row of each value (<c>value_rowids()</c>).</summary>
    public long[] ValueRowIds() => RowIdsOf(_splits);

    private static long[] RowIdsOf(long[] splits)
    {
        var ids = new long[splits[^1]];
        for (int i = 0; i + 1 < splits.Length; i++)
            for (long k = splits[i]; k < splits[i + 1]; k++) ids[k] = i;
        return ids;
    }

    // For each flat value, its outermost row: the row ids composed through every ragged axis.
    private long[] FlatOuterRowIds()
    {
        var ids = ValueRowIds();
        for (var rt = _ragged; rt is not null; rt = rt._ragged)
        {
            var inner = rt.ValueRowIds();
            for (int k = 0; k < inner.Length; k++) inner[k] = ids[inner[k]];
            ids = inner;
        }
        return ids;
    }

    /// <summary>The static shape as TensorFlow prints it: <c>(5, None)</c>, <c>(3, None, 2)</c>, <c>(2, None, None)</c>.</summary>
    public string Shape
    {
        get
        {
            var dims = new List<string> { NRows.ToString(CultureInfo.InvariantCulture) };
            for (var rt = this; rt is not null; rt = rt._ragged)
            {
                dims.Add(rt._uniform is { } width ? width.ToString(CultureInfo.InvariantCulture) : "None");
                if (rt._dense is not null) dims.AddRange(rt._dense.Shape.ToArray()[1..].Select(d => d.ToString(CultureInfo.InvariantCulture)));
            }
            return dims.Count == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
        }
    }

    /// <summary>
    /// The tightest dense shape that holds every row (<c>bounding_shape()</c>): the row count, each ragged
    /// axis's longest row, and the flat values' inner axes.
    /// </summary>
    public long[] BoundingShape()
    {
        var dims = new List<long> { NRows };
        for (var rt = this; rt is not null; rt = rt._ragged)
        {
            long longest = 0;
            for (int i = 0; i < rt.NRows; i++) longest = Math.Max(longest, rt._splits[i + 1] - rt._splits[i]);
            dims.Add(longest);
            if (rt._dense is not null) dims.AddRange(rt._dense.Shape.ToArray()[1..].Select(d => (long)d));
        }
        return [.. dims];
    }

    /// <summary>Same row partitions (every ragged axis) with other flat values of as many rows: what elementwise ops give.</summary>
    public RaggedTensor WithFlatValues(Tensor flatValues)
    {
        ArgumentNullException.ThrowIfNull(flatValues);
        if (flatValues.Shape.Rank == 0 || flatValues.Shape[0] != FlatValues.Shape[0])
            throw new ArgumentException(
                $"RaggedTensor.WithFlatValues: the new flat values have shape {flatValues.Shape}, but the row partitions need {FlatValues.Shape[0]} rows (flat values of shape {FlatValues.Shape}).",
                nameof(flatValues));
        return _dense is not null ? new RaggedTensor(_splits, flatValues, null, _uniform) : new RaggedTensor(_splits, null, _ragged!.WithFlatValues(flatValues), _uniform);
    }

    private bool SamePartitions(RaggedTensor other)
    {
        if (!_splits.AsSpan().SequenceEqual(other._splits)) return false;
        if ((_ragged is null) != (other._ragged is null)) return false;
        return _ragged is null || _ragged.SamePartitions(other._ragged!);
    }

    /// <summary>As TensorFlow prints it: <c>&lt;tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], []]&gt;</c>.</summary>
    public override string ToString() => "<tf.RaggedTensor " + ToListString() + ">";

    /// <summary>The rows as a nested Python list would print (<c>to_list()</c>): <c>[[3, 1], [], [5]]</c>.</summary>
    public string ToListString()
    {
        var flat = FlatValues;
        var text = new StringBuilder();
        var items = FormatItems(flat);
        int inner = flat.Shape.Rank == 0 ? 1 : (int)(flat.Count / Math.Max(1, flat.Shape[0]));
        var innerShape = flat.Shape.ToArray()[1..];
        AppendRows(text, 0, NRows, items, inner, innerShape);
        return text.ToString();
    }

    private void AppendRows(StringBuilder text, long start, long stop, string[] items, int inner, int[] innerShape)
    {
        text.Append('[');
        for (long i = start; i < stop; i++)
        {
            if (i > start) text.Append(", ");
            if (_ragged is not null) _ragged.AppendRows(text, _splits[i], _splits[i + 1], items, inner, innerShape);
            else
            {
                text.Append('[');
                for (long k = _splits[i]; k < _splits[i + 1]; k++)
                {
                    if (k > _splits[i]) text.Append(", ");
                    AppendDense(text, items, k * inner, innerShape, 0);
                }
                text.Append(']');
            }
        }
        text.Append(']');
    }

    // One value of the flat values (a scalar, or nested lists over its inner axes).
    private static void AppendDense(StringBuilder text, string[] items, long offset, int[] shape, int axis)
    {
        if (axis == shape.Length) { text.Append(items[offset]); return; }
        long stride = 1;
        for (int a = axis + 1; a < shape.Length; a++) stride *= shape[a];
        text.Append('[');
        for (int i = 0; i < shape[axis]; i++)
        {
            if (i > 0) text.Append(", ");
            AppendDense(text, items, offset + i * stride, shape, axis + 1);
        }
        text.Append(']');
    }

    // Python's repr of each value, as to_list() prints them.
    private static string[] FormatItems(Tensor t) => t.DType switch
    {
        DType.Int32 => t.ToArray<int>().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
        DType.Int64 => t.ToArray<long>().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
        DType.Float32 => t.ToArray<float>().Select(v => PythonFloat(v)).ToArray(),
        DType.Float64 => t.ToArray<double>().Select(PythonFloat).ToArray(),
        DType.Bool => t.ToArray<bool>().Select(v => v ? "True" : "False").ToArray(),
        _ => NF.Cast(t, DType.Float64).ToArray<double>().Select(PythonFloat).ToArray(),
    };

    private static string PythonFloat(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        var s = v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        if (s.Contains('e'))
        {
            // Python writes the exponent with a sign and at least two digits: 1e-05, 1e+16.
            int e = s.IndexOf('e');
            string mantissa = s[..e], exp = s[(e + 1)..];
            char sign = exp[0] == '-' ? '-' : '+';
            exp = exp.TrimStart('+', '-').PadLeft(2, '0');
            return mantissa + "e" + sign + exp;
        }
        return s.Contains('.') ? s : s + ".0";
    }
}
