using System.Globalization;
using System.Text;

namespace NeuralFlow;

public partial class Tensor : IFormattable
{
    /// <summary>
    /// A scalar's value in a .NET numeric format: <c>$"{loss:F3}"</c> is <c>0.758</c>, as TensorFlow's guides print
    /// <c>f"{loss:.3f}"</c> (an eager scalar formats as its number). Without a format a scalar is its number too, as
    /// TensorFlow's <c>f"Approximation Size: {tf.size(A_r)}"</c> prints <c>213</c> (an eager tensor formats as its numpy
    /// value); a tensor of higher rank gives <see cref="ToString()"/>. A bool scalar prints True or False whatever the format.
    /// </summary>
    /// <exception cref="FormatException">A format is given for a tensor that is not a scalar (NumPy and TensorFlow refuse it too).</exception>
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        if (IsDisposed || string.IsNullOrEmpty(format) && Rank != 0) return ToString();
        if (Rank != 0)
            throw new FormatException($"A tensor of shape {Shape} cannot take the format '{format}': a format applies to a scalar's value " +
                                      "(TensorFlow's f\"{loss:.3f}\"); format the elements of ToArray<T>(), or print the tensor without a format.");
        return DType switch
        {
            DType.Float32 => Item<float>().ToString(format, formatProvider),
            DType.Float64 => Item<double>().ToString(format, formatProvider),
            DType.Float16 => Item<Half>().ToString(format, formatProvider),
            DType.Int32 => Item<int>().ToString(format, formatProvider),
            DType.Int64 => Item<long>().ToString(format, formatProvider),
            DType.UInt8 => Item<byte>().ToString(format, formatProvider),
            DType.Bool => Item<bool>().ToString(),
            _ => ToString(),
        };
    }

    /// <summary>Tensors with more elements than this print summarised, with "..." (NumPy's threshold).</summary>
    internal const int SummaryThreshold = 1000;
    private const int EdgeItems = 3;

    /// <summary>
    /// A NumPy-like rendering, e.g. <c>tensor([1, 2, 3, 4], shape=(4,), dtype=int32)</c>, floats
    /// with NumPy's digits (<c>tensor(1.5081716, shape=(), dtype=float32)</c>, arrays with at most
    /// 8 fractional digits, points aligned); large tensors show their first and last three
    /// entries per axis. A <see cref="Variable"/> prints as TensorFlow's do.
    /// </summary>
    public override string ToString()
    {
        if (IsDisposed) return $"tensor(<disposed>, shape={Shape}, dtype={DType.Name()})";
        return $"tensor({Body("tensor(".Length)}, shape={Shape}, dtype={DType.Name()})";
    }

    /// <summary>The values alone, as <see cref="ToString"/> shows them (what <c>NF.Print</c> prints).</summary>
    internal string ValuesText() => IsDisposed ? "<disposed>" : Body(0);

    /// <summary>
    /// The values: a scalar's digits, or the nested brackets of an array whose continuation
    /// lines are indented by <paramref name="indent"/> columns (the width of what precedes it).
    /// </summary>
    private protected string Body(int indent)
    {
        bool summarize = Count > SummaryThreshold;
        var (values, indexOf) = Gathered(summarize);
        var cells = DType.IsFloating()
            ? Rank == 0 ? [FloatFormat.Scalar(values[0], DType)] : FloatFormat.Array(values, DType)
            : values.Select(FormatValue).ToArray();
        if (Rank == 0) return cells[0];
        int width = cells.Length == 0 ? 0 : cells.Max(c => c.Length);
        var sb = new StringBuilder();
        Append(sb, 0, [], summarize, cells, indexOf, width, indent);
        return sb.ToString();
    }

    // Downloads only the elements that will be printed (all of them, or the edges when summarising).
    private (double[] Values, Func<int[], int> IndexOf) Gathered(bool summarize)
    {
        if (!summarize)
        {
            var all = ToDoubleArray();
            var strides = Layout.RowMajorStrides(Shape.Dims);
            return (all, idx => (int)idx.Select((v, i) => v * strides[i]).Sum());
        }
        // Keep the first and last EdgeItems along every axis, then index into that smaller block.
        using var edges = Edges(this);
        var vals = edges.ToDoubleArray();
        var edgeStrides = Layout.RowMajorStrides(edges.Shape.Dims);
        var dims = Shape.Dims.ToArray();
        return (vals, idx =>
        {
            long flat = 0;
            for (int i = 0; i < idx.Length; i++)
            {
                int d = dims[i];
                int j = d > 2 * EdgeItems && idx[i] >= d - EdgeItems ? idx[i] - (d - 2 * EdgeItems) : idx[i];
                flat += j * edgeStrides[i];
            }
            return (int)flat;
        });
    }

    private static Tensor Edges(Tensor t)
    {
        var current = t.View(t.Layout);
        for (int axis = 0; axis < t.Rank; axis++)
        {
            int d = t.Shape[axis];
            if (d <= 2 * EdgeItems) continue;
            var head = current.View(current.Layout.Slice(axis, 0, EdgeItems));
            var tail = current.View(current.Layout.Slice(axis, d - EdgeItems, EdgeItems));
            var joined = NF.Concat([head, tail], axis);
            head.Dispose(); tail.Dispose(); current.Dispose();
            current = joined;
        }
        return current;
    }

    private void Append(StringBuilder sb, int axis, int[] prefix, bool summarize, string[] cells, Func<int[], int> indexOf, int width, int indent)
    {
        int d = Shape[axis];
        sb.Append('[');
        for (int i = 0; i < d; i++)
        {
            if (summarize && d > 2 * EdgeItems && i == EdgeItems)
            {
                sb.Append(axis == Rank - 1 ? "..., " : "...,\n" + new string(' ', indent + axis + 1));
                i = d - EdgeItems;
            }
            int[] idx = [.. prefix, i];
            if (axis == Rank - 1) sb.Append(cells[indexOf(idx)].PadLeft(width));
            else Append(sb, axis + 1, idx, summarize, cells, indexOf, width, indent);
            if (i < d - 1)
                sb.Append(axis == Rank - 1 ? ", " : "," + new string('\n', Rank - 1 - axis) + new string(' ', indent + axis + 1));
        }
        sb.Append(']');
    }

    private string FormatValue(double v) => DType == DType.Bool
        ? v != 0 ? "True" : "False"
        : ((long)v).ToString(CultureInfo.InvariantCulture);
}
