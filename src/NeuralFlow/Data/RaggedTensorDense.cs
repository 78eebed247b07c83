namespace NeuralFlow.Data;

// Conversions between a RaggedTensor and dense tensors or C# jagged arrays: tf.ragged.constant,
// to_tensor (padding, and truncation by a shape) and from_tensor (by padding value or lengths).
public sealed partial class RaggedTensor
{
    /// <summary><c>tf.ragged.constant</c> of rows of scalars: shape <c>(rows, None)</c>, the dtype of <typeparamref name="T"/>.</summary>
    public static RaggedTensor Constant<T>(T[][] rows) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(rows);
        var lengths = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++) lengths[i] = (rows[i] ?? throw new ArgumentNullException(nameof(rows), $"RaggedTensor.Constant: row {i} is null.")).Length;
        var flat = rows.SelectMany(r => r).ToArray();
        return FromRowLengths(NF.Constant(flat, new Shape(flat.Length)), lengths);
    }

    /// <summary>
    /// <c>tf.ragged.constant</c> of rows of rows: <c>(rows, None, None)</c>; with <paramref name="raggedRank"/> 1 the
    /// innermost lists must all be as long, and become a uniform inner axis: <c>(rows, None, k)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">raggedRank is not 1 or 2, or (raggedRank 1) the innermost lists differ in length.</exception>
    public static RaggedTensor Constant<T>(T[][][] rows, int raggedRank = 2) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (raggedRank is not (1 or 2)) throw new ArgumentException($"RaggedTensor.Constant: raggedRank must be 1 or 2 for a 3-level array (got {raggedRank}).", nameof(raggedRank));
        var outer = new long[rows.Length];
        var inner = new List<T[]>();
        for (int i = 0; i < rows.Length; i++)
        {
            var row = rows[i] ?? throw new ArgumentNullException(nameof(rows), $"RaggedTensor.Constant: row {i} is null.");
            outer[i] = row.Length;
            for (int j = 0; j < row.Length; j++) inner.Add(row[j] ?? throw new ArgumentNullException(nameof(rows), $"RaggedTensor.Constant: row [{i}][{j}] is null."));
        }
        if (raggedRank == 2) return FromRowLengths(Constant(inner.ToArray()), outer);
        int width = inner.Count == 0 ? 0 : inner[0].Length;
        for (int k = 0; k < inner.Count; k++)
            if (inner[k].Length != width)
                throw new ArgumentException($"RaggedTensor.Constant: with raggedRank 1 every innermost list must have {width} values, but one has {inner[k].Length}.", nameof(rows));
        var flat = inner.SelectMany(r => r).ToArray();
        return FromRowLengths(NF.Constant(flat, new Shape(inner.Count, width)), outer);
    }

    /// <summary><c>tf.ragged.range(limits)</c>: row i is 0, 1, ..., limits[i] - 1 (int64 values).</summary>
    public static RaggedTensor Range(IReadOnlyList<long> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return Range(new long[limits.Count], limits, null);
    }

    /// <summary>
    /// <c>tf.ragged.range(starts, limits, deltas)</c>: row i is Python's range(starts[i], limits[i], deltas[i]) (deltas default
    /// to 1; an empty row where the range is empty), int64 values.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, or a delta is 0.</exception>
    public static RaggedTensor Range(IReadOnlyList<long> starts, IReadOnlyList<long> limits, IReadOnlyList<long>? deltas = null)
    {
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(limits);
        if (starts.Count != limits.Count || (deltas is not null && deltas.Count != limits.Count))
            throw new ArgumentException($"RaggedTensor.Range: {starts.Count} starts, {limits.Count} limits and {deltas?.Count ?? limits.Count} deltas; give one of each per row.", nameof(limits));
        var values = new List<long>();
        var lengths = new long[limits.Count];
        for (int i = 0; i < limits.Count; i++)
        {
            long delta = deltas?[i] ?? 1;
            if (delta == 0) throw new ArgumentException($"RaggedTensor.Range: deltas[{i}] is 0.", nameof(deltas));
            for (long v = starts[i]; delta > 0 ? v < limits[i] : v > limits[i]; v += delta) { values.Add(v); lengths[i]++; }
        }
        return FromRowLengths(NF.Constant(values.ToArray(), new Shape(values.Count)), lengths);
    }

    /// <summary>
    /// A dense tensor padded with <paramref name="defaultValue"/> (<c>to_tensor(default_value, shape)</c>): the
    /// <see cref="BoundingShape"/>, or <paramref name="shape"/> where it gives a size (null keeps the bound);
    /// rows longer than the shape are cut. A gather of the flat values, so gradients flow back to them.
    /// </summary>
    /// <exception cref="ArgumentException">shape has another rank, or changes an inner (uniform) axis.</exception>
    public Tensor ToTensor(double defaultValue = 0, int?[]? shape = null)
    {
        var bound = BoundingShape();
        int grid = RaggedRank + 1;   // the outer and ragged axes; the rest are the flat values' own
        if (shape is not null)
        {
            if (shape.Length != bound.Length)
                throw new ArgumentException($"RaggedTensor.ToTensor: shape has {shape.Length} axes, but this ragged tensor has rank {bound.Length} ({Shape}).", nameof(shape));
            for (int a = 0; a < shape.Length; a++)
            {
                if (shape[a] is not { } size) continue;
                if (size < 0) throw new ArgumentException($"RaggedTensor.ToTensor: shape[{a}]={size} is negative.", nameof(shape));
                if (a >= grid && size != bound[a])
                    throw new ArgumentException($"RaggedTensor.ToTensor: shape[{a}]={size}, but that uniform axis has {bound[a]} values.", nameof(shape));
                bound[a] = size;
            }
        }
        var dims = bound.Select(d => checked((int)d)).ToArray();
        var flat = FlatValues;
        var cellDims = dims[..grid];
        long cells = cellDims.Aggregate(1L, (p, d) => p * d);
        var index = new int[checked((int)cells)];
        var present = new bool[index.Length];
        var at = new int[grid];
        for (int c = 0; c < index.Length; c++)
        {
            long rest = c;
            for (int a = grid - 1; a >= 0; a--) { at[a] = (int)(rest % cellDims[a]); rest /= cellDims[a]; }
            long row = FlatRowAt(at);
            present[c] = row >= 0;
            index[c] = row >= 0 ? (int)row : 0;
        }
        // The fill, indices and mask are made where the values live, not on the current backend.
        using var onValues = NF.UseBackend(flat.Backend);
        var fill = NF.Cast(NF.Fill(NeuralFlow.Shape.Scalar, defaultValue, DType.Float64), flat.DType);
        if (flat.Shape[0] == 0 || index.Length == 0) return NF.Add(NF.Zeros(new Shape(dims), flat.DType), fill);
        var gathered = NF.Gather(flat, NF.Constant(index, new Shape(index.Length)), 0);
        var maskShape = new int[flat.Shape.Rank];
        Array.Fill(maskShape, 1);
        maskShape[0] = index.Length;
        var mask = NF.Constant(present, new Shape(maskShape));
        return NF.Reshape(NF.Where(mask, gathered, fill), dims);
    }

    // The flat-values row at a position over the outer and ragged axes, or -1 where that is padding.
    private long FlatRowAt(int[] at)
    {
        long row = at[0];
        if (row >= NRows) return -1;
        var rt = this;
        for (int a = 1; a < at.Length; a++, rt = rt._ragged!)
        {
            long start = rt._splits[row], length = rt._splits[row + 1] - start;
            if (at[a] >= length) return -1;
            row = start + at[a];
            if (rt._ragged is null) break;
        }
        return row;
    }

    /// <summary>
    /// <c>tf.RaggedTensor.from_tensor</c>: each row of a [n, m, ...] tensor cut at its length — given by
    /// <paramref name="lengths"/>, or (with <paramref name="padding"/>) where only padding follows; without either,
    /// every row keeps all m values. Padding is found on the host; the values are gathered on the device.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has rank below 2, both padding and lengths are given, or a length is outside [0, m].</exception>
    public static RaggedTensor FromTensor(Tensor tensor, double? padding = null, IReadOnlyList<long>? lengths = null)
    {
        const string op = nameof(FromTensor);
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Shape.Rank < 2) throw new ArgumentException($"RaggedTensor.{op}: the tensor must have rank >= 2 (got shape {tensor.Shape}).", nameof(tensor));
        if (padding is not null && lengths is not null) throw new ArgumentException($"RaggedTensor.{op}: give padding or lengths, not both.", nameof(lengths));
        int n = tensor.Shape[0], m = tensor.Shape[1];
        var inner = tensor.Shape.ToArray()[2..];
        int per = inner.Aggregate(1, (p, d) => checked(p * d));
        var rowLengths = new long[n];
        if (lengths is not null)
        {
            if (lengths.Count != n) throw new ArgumentException($"RaggedTensor.{op}: {lengths.Count} lengths for {n} rows.", nameof(lengths));
            for (int i = 0; i < n; i++)
                rowLengths[i] = lengths[i] >= 0 && lengths[i] <= m ? lengths[i]
                    : throw new ArgumentException($"RaggedTensor.{op}: lengths[{i}]={lengths[i]} is outside [0, {m}].", nameof(lengths));
        }
        else if (padding is { } pad)
        {
            // A value is padding when all of its inner entries equal the padding; trailing ones are cut.
            var host = NF.Cast(tensor, DType.Float64).ToArray<double>();
            for (int i = 0; i < n; i++)
            {
                int length = m;
                while (length > 0 && IsPadding(host, ((long)i * m + length - 1) * per, per, pad)) length--;
                rowLengths[i] = length;
            }
        }
        else Array.Fill(rowLengths, m);
        var keep = new List<int>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < rowLengths[i]; j++) keep.Add(i * m + j);
        using var onValues = NF.UseBackend(tensor.Backend);   // the kept positions go where the tensor lives
        var flat = NF.Reshape(tensor, [n * m, .. inner]);
        var values = NF.Gather(flat, NF.Constant(keep.ToArray(), new Shape(keep.Count)), 0);
        return FromRowLengths(values, rowLengths);
    }

    private static bool IsPadding(double[] host, long offset, int count, double pad)
    {
        for (int k = 0; k < count; k++)
            if (!host[offset + k].Equals(pad)) return false;
        return true;
    }
}
