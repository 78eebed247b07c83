namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// <c>tf.reverse_sequence</c>: for each batch row b (along <paramref name="batchAxis"/>), the
    /// first seqLengths[b] elements along <paramref name="seqAxis"/> reversed and the rest kept
    /// (the padded tails of variable-length sequences stay where they are). Negative axes count
    /// from the end. A gather of the rows, so its gradient is the same reversal of the gradient.
    /// </summary>
    /// <exception cref="ArgumentException">seqLengths is not a rank-1 int32/int64 tensor with one length per batch row, the axes are equal, or a length is outside [0, input.shape[seqAxis]].</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor ReverseSequence(Tensor input, Tensor seqLengths, int seqAxis, int batchAxis = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(seqLengths);
        const string op = nameof(ReverseSequence);
        int rank = input.Rank;
        int Axis(int a, string name) => a >= -rank && a < rank ? (a < 0 ? a + rank : a)
            : throw new ArgumentOutOfRangeException(name, a, $"{op}: {name} {a} is out of range for input of shape {input.Shape} (rank {rank}).");
        int s = Axis(seqAxis, nameof(seqAxis)), b = Axis(batchAxis, nameof(batchAxis));
        if (s == b)
            throw new ArgumentException($"{op}: seqAxis and batchAxis are both axis {s}; they must differ.", nameof(seqAxis));
        if (seqLengths.DType is not (DType.Int32 or DType.Int64))
            throw new ArgumentException($"{op}: seqLengths must be int32 or int64, got {seqLengths.DType.Name()}.", nameof(seqLengths));
        int batch = input.Shape[b], steps = input.Shape[s];
        if (seqLengths.Rank != 1 || seqLengths.Shape[0] != batch)
            throw new ArgumentException($"{op}: seqLengths has shape {seqLengths.Shape}; it needs one length per batch row, shape [{batch}] (input shape {input.Shape}, batchAxis {b}).", nameof(seqLengths));
        long[] lengths;
        using (var l64 = Cast(seqLengths, DType.Int64)) lengths = l64.ToArray<long>();
        // Row-major (batch, step) positions of the flattened [batch * steps, ...] rows, each
        // pointing at the step it takes its value from.
        var source = new long[checked(batch * steps)];
        for (int r = 0; r < batch; r++)
        {
            long n = lengths[r];
            if (n < 0 || n > steps)
                throw new ArgumentException($"{op}: seqLengths[{r}] is {n}, outside [0, {steps}] (input.shape[seqAxis] = {steps}).", nameof(seqLengths));
            for (int t = 0; t < steps; t++) source[r * steps + t] = r * (long)steps + (t < n ? n - 1 - t : t);
        }
        // Batch and sequence axes first, the rest after in order; intermediates are not disposed
        // (a gradient tape may have saved them).
        int[] perm = [b, s, .. Enumerable.Range(0, rank).Where(a => a != b && a != s)];
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        var moved = Transpose(input, perm);
        int[] movedDims = moved.Shape.ToArray();
        var rows = Reshape(moved, [batch * steps, .. movedDims[2..]]);
        Tensor at;
        using (UseBackend(input.Backend)) at = Constant(source);
        return Transpose(Reshape(Gather(rows, at, 0), movedDims), inverse);
    }
}
