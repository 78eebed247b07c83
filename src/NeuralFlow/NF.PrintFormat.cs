using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using NeuralFlow.Data;

namespace NeuralFlow;

/// <summary>
/// tf.print's text for a value: a tensor as TensorFlow's print_v2 summarizes it (NumPy-like brackets without commas,
/// the first and last <c>summarize</c> entries of each longer axis around "...", numbers as TensorFlow's StrCat writes
/// them), a top-level string bare, and C# lists, dictionaries and tuples as Python prints the nested structures
/// tf.print takes (strings in them quoted, numbers as Python writes them).
/// </summary>
internal static class PrintFormat
{
    // While Tensors collects (the first pass of a print): where each tensor of the values goes; nothing is read.
    [ThreadStatic] private static List<Tensor>? _collect;
    // While Text formats: each collected tensor's values, read by one host call (a replay's own values in a compiled step).
    [ThreadStatic] private static Dictionary<Tensor, byte[]>? _values;

    /// <summary>The tensors <paramref name="values"/> hold, in the order they print (a disposed one is left out: it prints as such).</summary>
    public static List<Tensor> Tensors(IReadOnlyList<object?> values, int summarize)
    {
        var found = new List<Tensor>();
        _collect = found;
        try
        {
            foreach (var v in values) TopLevel(v, summarize);
        }
        finally
        {
            _collect = null;
        }
        return found;
    }

    /// <summary>The dtype a print reads <paramref name="t"/> as: its own where the text is written from it, else float64.</summary>
    public static DType ReadAs(Tensor t) =>
        t.DType is DType.Float32 or DType.Float16 or DType.Float64 or DType.Int64 or DType.Int32 or DType.UInt8 or DType.Bool
            ? t.DType : DType.Float64;

    /// <summary>The printed text of <paramref name="values"/>, the values of <paramref name="tensors"/> taken from <paramref name="bytes"/>.</summary>
    public static string Text(IReadOnlyList<object?> values, string sep, string end, int summarize, List<Tensor> tensors, byte[][] bytes)
    {
        var map = new Dictionary<Tensor, byte[]>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < tensors.Count; i++) map[tensors[i]] = bytes[i];
        _values = map;
        try
        {
            return string.Join(sep, values.Select(v => TopLevel(v, summarize))) + end;
        }
        finally
        {
            _values = null;
        }
    }

    private static string TopLevel(object? value, int summarize) => value switch
    {
        string text => text,
        StringTensor { Rank: 0 } text => text.Item(),   // tf.print shows a string scalar bare
        _ => Nested(value, summarize),
    };

    private static string Nested(object? value, int summarize) => value switch
    {
        null => "None",
        Tensor t => TensorText(t, summarize),
        StringTensor s => Summarized(s.Shape, s.ToArray().Select(v => "\"" + Escape(v) + "\"").ToArray(), summarize),
        string text => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'",
        bool b => b ? "True" : "False",
        double d => PythonFloat(d),
        float f => PythonFloat(f),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => Nested(k, summarize) + ": " + Nested(map[k], summarize))) + "}",
        ITuple tuple => Tuple(tuple, summarize),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(v => Nested(v, summarize))) + "]",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Tuple(ITuple tuple, int summarize)
    {
        var items = Enumerable.Range(0, tuple.Length).Select(i => Nested(tuple[i], summarize)).ToArray();
        return items.Length == 1 ? $"({items[0]},)" : $"({string.Join(", ", items)})";
    }

    private static string TensorText(Tensor t, int summarize)
    {
        if (t.IsDisposed) return "<disposed>";
        if (_collect is { } found)
        {
            found.Add(t);
            return "";
        }
        var bytes = _values![t];
        string[] cells = t.DType switch
        {
            DType.Float32 => Read<float>(bytes).Select(Float32).ToArray(),
            DType.Float16 => Read<Half>(bytes).Select(h => Float32((float)h)).ToArray(),
            DType.Float64 => Read<double>(bytes).Select(Float64).ToArray(),
            DType.Int64 => Read<long>(bytes).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
            DType.Int32 => Read<int>(bytes).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
            DType.UInt8 => bytes.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
            DType.Bool => bytes.Select(v => v != 0 ? "1" : "0").ToArray(),   // TensorFlow's StrCat of a bool
            _ => Read<double>(bytes).Select(Float64).ToArray(),   // read as float64 (Packed)
        };
        return Summarized(t.Shape, cells, summarize);
    }

    private static T[] Read<T>(byte[] bytes) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();

    // TensorFlow's PrintOneDimV2: each axis longer than 2 * summarize shows its first and last summarize entries around
    // "..."; entries of the last axis are separated by a space, those of an outer axis by as many line breaks as axes
    // below it, then an indent of its depth.
    private static string Summarized(Shape shape, string[] cells, int summarize)
    {
        if (shape.Rank == 0) return cells[0];
        var text = new StringBuilder();
        Dim(0, 0);
        return text.ToString();

        void Dim(int axis, long at)
        {
            if (axis == shape.Rank)
            {
                text.Append(cells[at]);
                return;
            }
            text.Append('[');
            long count = shape[axis], ends = summarize < 0 ? count : summarize;
            long stride = 1;
            for (int i = axis + 1; i < shape.Rank; i++) stride *= shape[i];
            bool first = true;
            for (long i = 0; i < ends && i < count; i++) Next(i);
            if (count > 2 * ends)
            {
                if (!first) Spacing(axis);
                text.Append("...");
                first = false;
            }
            for (long i = Math.Max(ends, count - ends); i < count; i++) Next(i);
            text.Append(']');

            void Next(long i)
            {
                if (!first) Spacing(axis);
                first = false;
                Dim(axis + 1, at + i * stride);
            }
        }

        void Spacing(int axis)
        {
            if (axis == shape.Rank - 1)
            {
                text.Append(' ');
                return;
            }
            text.Append('\n', shape.Rank - axis - 1).Append(' ', axis + 1);
        }
    }

    // TensorFlow's FloatToBuffer: %.6g when it reads back as the same float, else %.9g; DoubleToBuffer: %.15g, else %.17g.
    private static string Float32(float v) =>
        float.IsNaN(v) ? "nan" : float.IsInfinity(v) ? v > 0 ? "inf" : "-inf"
        : CFormatG(v, 6) is var s && float.Parse(s, CultureInfo.InvariantCulture) == v ? s : CFormatG(v, 9);

    private static string Float64(double v) =>
        double.IsNaN(v) ? "nan" : double.IsInfinity(v) ? v > 0 ? "inf" : "-inf"
        : CFormatG(v, 15) is var s && double.Parse(s, CultureInfo.InvariantCulture) == v ? s : CFormatG(v, 17);

    // C's %.{digits}g: .NET's G format with C's exponent (e+10, e-05: at least two digits, already .NET's).
    private static string CFormatG(double v, int digits)
    {
        var s = v.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return s.Replace("E", "e");
    }

    // Python's repr of a float: the shortest text that reads back (a float's own, as NumPy's float32 repr), ".0" on a
    // whole number, e-notation as Python writes it (1e-05, 1e+16).
    private static string PythonFloat(double v) => PythonFloat(v, v.ToString("R", CultureInfo.InvariantCulture));

    private static string PythonFloat(float v) => PythonFloat(v, v.ToString("R", CultureInfo.InvariantCulture));

    private static string PythonFloat(double v, string shortest) =>
        double.IsNaN(v) ? "nan" : double.IsInfinity(v) ? v > 0 ? "inf" : "-inf"
        : shortest.Contains('.') || shortest.Contains('E') ? shortest.Replace("E", "e") : shortest + ".0";

    private static string Escape(string s)
    {
        var text = new StringBuilder();
        foreach (char c in s)
            text.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", '\r' => "\\r", _ => c.ToString() });
        return text.ToString();
    }
}
