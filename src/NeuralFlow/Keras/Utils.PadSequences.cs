namespace NeuralFlow.Keras;

public static partial class Utils
{
    /// <summary>
    /// Sequences of different lengths as one (count, maxlen) tensor (<c>keras.utils.pad_sequences</c>):
    /// a shorter sequence is filled with <paramref name="value"/>, a longer one cut, both at the
    /// start ("pre", Keras' default) or the end ("post") as <paramref name="padding"/> and
    /// <paramref name="truncating"/> say. Without <paramref name="maxlen"/>, the longest sequence's
    /// length. The result is int32 unless <paramref name="dtype"/> says otherwise (floats cast to an
    /// integer dtype truncate, as numpy's astype). An empty sequence is all padding.
    /// </summary>
    /// <example><c>Utils.PadSequences([[1], [2, 3], [4, 5, 6]])</c> is [[0, 0, 1], [0, 2, 3], [4, 5, 6]].</example>
    public static Tensor PadSequences(IEnumerable<IEnumerable<int>> sequences, int? maxlen = null, DType dtype = DType.Int32,
                                      string padding = "pre", string truncating = "pre", double value = 0.0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return PadSequences(sequences.Select((s, i) => Row(s, i).Select(v => (double)v).ToArray()).ToList(), maxlen, dtype, padding, truncating, value);
    }

    /// <summary>
    /// <see cref="PadSequences(IEnumerable{IEnumerable{int}}, int?, DType, string, string, double)"/>
    /// for sequences of floats (features, or ids read as floats); pass <c>dtype: DType.Float32</c> to keep fractions.
    /// </summary>
    public static Tensor PadSequences(IEnumerable<IEnumerable<float>> sequences, int? maxlen = null, DType dtype = DType.Int32,
                                      string padding = "pre", string truncating = "pre", double value = 0.0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return PadSequences(sequences.Select((s, i) => Row(s, i).Select(v => (double)v).ToArray()).ToList(), maxlen, dtype, padding, truncating, value);
    }

    private static IEnumerable<T> Row<T>(IEnumerable<T>? sequence, int index) =>
        sequence ?? throw new ArgumentException($"PadSequences: sequence {index} is null.", "sequences");

    private static Tensor PadSequences(List<double[]> rows, int? maxlen, DType dtype, string padding, string truncating, double value)
    {
        bool padAtEnd = Side(padding, nameof(padding)), cutAtEnd = Side(truncating, nameof(truncating));
        if (maxlen is < 0) throw new ArgumentOutOfRangeException(nameof(maxlen), maxlen, "PadSequences: maxlen must be at least 0.");
        int length = maxlen ?? (rows.Count == 0 ? 0 : rows.Max(r => r.Length));
        if ((long)rows.Count * length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(maxlen), maxlen,
                $"PadSequences: {rows.Count} sequences of length {length} are {(long)rows.Count * length} values, more than one tensor holds; pass a smaller maxlen.");
        var data = new double[(long)rows.Count * length];
        Array.Fill(data, value);
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            int keep = Math.Min(row.Length, length);
            // "pre" truncation keeps the last maxlen values (Keras' s[-maxlen:]), "post" the first.
            var kept = row.AsSpan(cutAtEnd ? 0 : row.Length - keep, keep);
            kept.CopyTo(data.AsSpan((int)((long)i * length) + (padAtEnd ? 0 : length - keep), keep));
        }
        using var values = NF.Constant(data, new Shape(rows.Count, length));
        return NF.Cast(values, dtype);
    }

    // Keras' two sides; anything else is the ValueError it raises ("padding type ... not understood").
    private static bool Side(string side, string parameter) => side switch
    {
        "pre" => false,
        "post" => true,
        _ => throw new ArgumentException($"PadSequences: {parameter} must be \"pre\" or \"post\", got \"{side}\".", parameter),
    };
}
