using System.Globalization;

namespace NeuralFlow.Data;

// tf.RaggedTensor.from_uniform_row_length: a row partition whose rows are all one length, so the axis it
// makes is uniform and its Shape shows that length (TF's (2, 2, None)) instead of None.
public sealed partial class RaggedTensor
{
    /// <summary>
    /// <c>tf.RaggedTensor.from_uniform_row_length(values, uniform_row_length, nrows)</c>: consecutive rows of
    /// <paramref name="uniformRowLength"/> values each. <paramref name="nrows"/> defaults to the values' count / the
    /// length (0 rows for a length of 0 unless given). The new axis is uniform: <see cref="Shape"/> prints
    /// <c>(3, 2)</c> for 6 values in rows of 2, and <see cref="UniformRowLength"/> reads it back.
    /// </summary>
    /// <exception cref="ArgumentException">The length or nrows is negative, or the values are not nrows × length.</exception>
    public static RaggedTensor FromUniformRowLength(Tensor values, long uniformRowLength, long? nrows = null)
    {
        const string op = nameof(FromUniformRowLength);
        RequireValues(op, values);
        var splits = UniformSplits(op, values.Shape[0], uniformRowLength, nrows);
        Make(op, splits, values, null);   // the checks every partition gets
        return new RaggedTensor(splits, values, null, uniformRowLength);
    }

    /// <summary><c>from_uniform_row_length</c> over ragged values: uniform rows of ragged rows (the guide's <c>(2, 2, None)</c>).</summary>
    /// <exception cref="ArgumentException">As the tensor overload.</exception>
    public static RaggedTensor FromUniformRowLength(RaggedTensor values, long uniformRowLength, long? nrows = null)
    {
        const string op = nameof(FromUniformRowLength);
        ArgumentNullException.ThrowIfNull(values);
        var splits = UniformSplits(op, values.NRows, uniformRowLength, nrows);
        Make(op, splits, null, values);
        return new RaggedTensor(splits, null, values, uniformRowLength);
    }

    /// <summary>The length every row has (<c>uniform_row_length</c>) when this partition was made uniform by <see cref="FromUniformRowLength(Tensor, long, long?)"/>; else null.</summary>
    public long? UniformRowLength => _uniform;

    private static long[] UniformSplits(string op, long count, long length, long? nrows)
    {
        if (length < 0) throw new ArgumentException($"RaggedTensor.{op}: uniform_row_length={length} is negative.", "uniformRowLength");
        if (nrows is < 0) throw new ArgumentException($"RaggedTensor.{op}: nrows={nrows} is negative.", nameof(nrows));
        if (length == 0 && nrows is null && count != 0)
            throw new ArgumentException($"RaggedTensor.{op}: rows of length 0 cannot hold {count} values.", "uniformRowLength");
        long rows = nrows ?? (length == 0 ? 0 : count / length);
        if (checked(rows * length) != count)
            throw new ArgumentException(
                $"RaggedTensor.{op}: {count} values do not make {rows.ToString(CultureInfo.InvariantCulture)} rows of {length}; " +
                "the values' count must be nrows × uniform_row_length.", "values");
        if (rows > Array.MaxLength) throw new ArgumentException($"RaggedTensor.{op}: {rows} rows is too many.", nameof(nrows));
        var splits = new long[rows + 1];
        for (int i = 1; i < splits.Length; i++) splits[i] = i * length;
        return splits;
    }
}
