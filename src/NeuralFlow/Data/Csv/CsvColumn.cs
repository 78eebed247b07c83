using System.Globalization;

namespace NeuralFlow.Data;

/// <summary>
/// One column a CSV reader keeps: its name, its position in the file's records, its type (a
/// numeric <see cref="DType"/>, or null for strings) and the value a missing field takes (null:
/// the field is required). Made from one item of TensorFlow's <c>record_defaults</c>.
/// </summary>
internal sealed record CsvColumn(string Name, int FileIndex, DType? Type, object? Default)
{
    internal bool IsString => Type is null;

    /// <summary>
    /// The column one <c>record_defaults</c> item describes, as TF reads them: a value (float,
    /// double, int, long, string) is an optional column of its type with that default; a
    /// <see cref="DType"/> or a <see cref="Type"/> (<c>typeof(string)</c>, <c>typeof(float)</c>) a required one.
    /// </summary>
    internal static CsvColumn FromDefault(string name, int fileIndex, object? item, string what) => item switch
    {
        float f => new(name, fileIndex, DType.Float32, f),
        double d => new(name, fileIndex, DType.Float64, d),
        int i => new(name, fileIndex, DType.Int32, i),
        long l => new(name, fileIndex, DType.Int64, l),
        string s => new(name, fileIndex, null, s),
        DType t when t is DType.Float32 or DType.Float64 or DType.Int32 or DType.Int64 => new(name, fileIndex, t, null),
        Type t when t == typeof(string) => new(name, fileIndex, null, null),
        Type t when t == typeof(float) || t == typeof(double) || t == typeof(int) || t == typeof(long) => new(name, fileIndex, DTypeOf(t), null),
        _ => throw new ArgumentException(
            $"{what} for column '{name}' is {(item is null ? "null" : $"{item} ({item.GetType().Name})")}; CSV columns are float32, float64, int32, int64 or string: " +
            "give a default value of that type (0f, 0.0, 0, 0L, \"\") for an optional column, or the type (DType.Float32, typeof(string)) for a required one.", what),
    };

    private static DType DTypeOf(Type t) =>
        t == typeof(float) ? DType.Float32 : t == typeof(double) ? DType.Float64 : t == typeof(int) ? DType.Int32 : DType.Int64;

    internal string TypeName => Type?.Name() ?? "string";

    /// <summary>
    /// The value of <paramref name="field"/> in this column, or null when it does not parse. TF
    /// allows spaces around numbers and reads nan/inf as strtod does.
    /// </summary>
    internal object? Parse(string field)
    {
        if (Type is null) return field;
        var s = field.AsSpan().Trim();
        switch (Type)
        {
            case DType.Int32: return int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) ? i : null;
            case DType.Int64: return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) ? l : null;
            default:
                if (!TryParseReal(s, out double d)) return null;
                return Type == DType.Float32 ? (object)(float)d : d;
        }
    }

    /// <summary>A real number as C's strtod reads one (nan, inf, infinity in any case, a sign), without .NET's thousands separators.</summary>
    internal static bool TryParseReal(ReadOnlySpan<char> s, out double value)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        bool negative = s.Length > 0 && s[0] == '-';
        var body = s.Length > 0 && s[0] is '-' or '+' ? s[1..] : s;
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase)) { value = double.NaN; return true; }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        return false;
    }
}

/// <summary>The values of one CSV column as they are read, turned into a tensor (numbers) or a string table at the end.</summary>
internal sealed class CsvColumnValues(CsvColumn column)
{
    private readonly List<object> _values = [];

    internal CsvColumn Column { get; } = column;

    internal int Count => _values.Count;

    internal void Add(object value) => _values.Add(value);

    internal void RemoveLast() => _values.RemoveAt(_values.Count - 1);

    /// <summary>Puts the values in <paramref name="order"/> (positions into the current order).</summary>
    internal void Reorder(int[] order)
    {
        var reordered = order.Select(i => _values[i]).ToList();
        _values.Clear();
        _values.AddRange(reordered);
    }

    /// <summary>The numbers as a tensor of the column's dtype, [rows] or <paramref name="shape"/> (as many elements).</summary>
    internal Tensor ToTensor(Shape? shape = null)
    {
        var dims = shape ?? new Shape(_values.Count);
        return Column.Type switch
        {
            DType.Int32 => NF.Constant(_values.Select(v => (int)v).ToArray(), dims),
            DType.Int64 => NF.Constant(_values.Select(v => (long)v).ToArray(), dims),
            DType.Float32 => NF.Constant(_values.Select(v => (float)v).ToArray(), dims),
            DType.Float64 => NF.Constant(_values.Select(v => (double)v).ToArray(), dims),
            _ => throw new InvalidOperationException($"Internal: column '{Column.Name}' holds strings."),
        };
    }

    /// <summary>The strings, in row order.</summary>
    internal string[] Strings() => _values.Cast<string>().ToArray();

    /// <summary>The strings as a table of distinct values and, per row, its int64 index into it.</summary>
    internal (string[] Table, Tensor Ids) ToStringIds()
    {
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        var table = new List<string>();
        var ids = new long[_values.Count];
        for (int r = 0; r < ids.Length; r++)
        {
            var s = (string)_values[r];
            if (!positions.TryGetValue(s, out long id)) { id = table.Count; positions.Add(s, id); table.Add(s); }
            ids[r] = id;
        }
        return (table.ToArray(), NF.Constant(ids));
    }
}
