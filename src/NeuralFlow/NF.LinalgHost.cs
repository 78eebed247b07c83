namespace NeuralFlow;

// The bridge between the batched NF ops and HostLinalg's one-matrix factorizations: read every
// matrix as doubles, refuse NaN and infinity (an iteration on them would return garbage or never
// settle), run the factorization per batch element and upload its outputs packed side by side in
// one tensor [..., total] of the input's dtype on the input's engine. A multi-output op records
// that one packed tensor with its gradient rule and hands out recorded slices of it, so the rule
// receives every output's gradient at once (zeros for the outputs nobody used).
public static partial class NF
{
    /// <summary>Per-matrix output of a host factorization: its arrays, in the order of the packed shapes.</summary>
    private delegate double[][] HostFactorization(double[] matrix);

    /// <summary>
    /// Runs <paramref name="factor"/> on every m x n matrix of <paramref name="input"/> and packs its
    /// outputs (each of the trailing shape in <paramref name="parts"/>) along a last axis.
    /// </summary>
    private static Tensor HostPacked(string op, Tensor input, int[][] parts, HostFactorization factor)
    {
        int m = input.Shape[-2], n = input.Shape[-1];
        var batchDims = input.Shape.ToArray()[..^2];
        long batch = 1;
        foreach (var d in batchDims) batch *= d;
        var sizes = parts.Select(PartSize).ToArray();
        int total = sizes.Sum();
        return HostComputed(op, [input], new Shape([.. batchDims, total]), input, read =>
        {
            var values = read[0];
            var packed = new double[batch * total];
            var matrix = new double[m * n];
            for (long b = 0; b < batch; b++)
            {
                Array.Copy(values, b * m * n, matrix, 0, m * n);
                foreach (var v in matrix)
                    if (!double.IsFinite(v))
                        throw new ArgumentException(
                            $"{op}: the input of shape {input.Shape} holds {v}{InMatrix(batchDims, b)}; the factorization needs finite values.", nameof(input));
                double[][] outputs;
                try
                {
                    outputs = factor((double[])matrix.Clone());
                }
                catch (ArgumentException e)
                {
                    // The inner message without its own "(Parameter ...)" suffix, which this exception adds once.
                    string bare = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
                    throw new ArgumentException($"{bare}{InMatrix(batchDims, b)}", nameof(input), e);
                }
                long at = b * total;
                for (int k = 0; k < outputs.Length; k++)
                {
                    Array.Copy(outputs[k], 0, packed, at, sizes[k]);
                    at += sizes[k];
                }
            }
            return packed;
        });
    }

    /// <summary>Host doubles as a tensor of <paramref name="like"/>'s float dtype on its engine.</summary>
    private static Tensor HostTensor(double[] values, Shape shape, Tensor like)
    {
        var result = Engine.FromHost<double>(values, shape, like.Backend);
        if (like.DType == DType.Float64) return result;
        using (result)
        using (Tape.Pause())
            return Cast(result, like.DType);
    }

    /// <summary>The outputs inside a packed tensor [..., total], each reshaped to [..., part]: recorded slices, so gradients reach the packed tensor.</summary>
    private static Tensor[] Unpack(Tensor packed, int[][] parts)
    {
        var batchDims = packed.Shape.ToArray()[..^1];
        var pieces = Split(packed, parts.Select(PartSize).ToArray(), -1);
        return pieces.Select((p, k) => Reshape(p, [.. batchDims, .. parts[k]])).ToArray();
    }

    private static int PartSize(int[] part) => part.Aggregate(1, (x, y) => x * y);

    // " (in matrix [i, j])" naming batch element b; empty for a single matrix, which needs no index.
    private static string InMatrix(int[] batchDims, long b) => batchDims.Length == 0 ? "" : $" (in matrix {BatchIndex(batchDims, b)})";

    private static string BatchIndex(int[] batchDims, long b)
    {
        var index = new long[batchDims.Length];
        for (int d = batchDims.Length - 1; d >= 0; d--) { index[d] = b % batchDims[d]; b /= batchDims[d]; }
        return "[" + string.Join(", ", index) + "]";
    }

    /// <summary>
    /// num / den where num is 0 gives 0 (no gradient flows there, even where den is 0 too); elsewhere
    /// the plain quotient, so a gradient that does depend on a degenerate direction is still inf.
    /// </summary>
    private static Tensor GradientQuotient(Tensor num, Tensor den) => Where(Equal(num, 0.0), ZerosLike(num), num / den);
}
