namespace NeuralFlow.Keras;

/// <summary>
/// What CategoryEncoding, Discretization and IntegerLookup share (Keras'
/// <c>numerical_utils.encode_categorical_inputs</c>): turning integer indices into "one_hot",
/// "multi_hot" or "count" vectors of a fixed depth, and the checks on the indices and the mode.
/// Built from tensor ops only (no host reads of the values), so a replayed training step
/// (NF.Function, Fit) encodes each batch afresh.
/// </summary>
internal static class CategoricalEncoding
{
    /// <summary>The output modes every encoding layer takes; "int" is the indices themselves.</summary>
    internal static readonly string[] Modes = ["int", "one_hot", "multi_hot", "count"];

    /// <summary><paramref name="mode"/>, or an error naming the layer and the modes it takes.</summary>
    internal static string CheckMode(string layer, string mode, IReadOnlyCollection<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(mode);
        return allowed.Contains(mode) ? mode : throw new ArgumentException(
            $"{layer}: unknown output_mode '{mode}'; it must be one of {string.Join(", ", allowed.Select(m => $"'{m}'"))}.", "outputMode");
    }

    /// <summary>
    /// Encodes int64 <paramref name="indices"/> in <paramref name="depth"/> slots: "one_hot" gives
    /// each index its own vector (a last axis of size 1 is replaced, otherwise one is added);
    /// "multi_hot" and "count" treat the last axis as one sample's indices (rank 1: the whole input
    /// is one sample) and mark or count them, each count weighted by <paramref name="countWeights"/>
    /// when given ("count" only). Indices outside [0, depth) mark nothing (the lookup layers drop
    /// their mask so).
    /// </summary>
    internal static Tensor Encode(string layer, Tensor indices, string mode, int depth, DType dtype, Tensor? countWeights = null)
    {
        var x = indices.Rank == 0 ? NF.Reshape(indices, [1]) : indices;
        if (x.Rank > 2) throw RankError(layer, mode, indices.Shape, x.Rank);
        if (mode == "one_hot")
        {
            if (x.Rank > 1 && x.Shape[-1] == 1) x = NF.Reshape(x, x.Shape.ToArray()[..^1]);
            CheckOutputSize(layer, mode, indices.Shape, x.Count, depth);
            return NF.OneHot(x, depth, dtype: dtype);
        }
        // Counted by segment sums (Keras' bincount), not by summing one-hot vectors: memory grows with
        // inputs + outputs, not inputs x depth. Indices outside [0, depth) get segment -1, which drops them.
        int rows = x.Rank == 2 ? x.Shape[0] : 1;
        CheckOutputSize(layer, mode, indices.Shape, rows, depth);
        var flat = NF.Reshape(x, [-1]);
        var valid = NF.LogicalAnd(NF.GreaterEqual(flat, 0L), NF.Less(flat, (long)depth));
        var row = x.Rank == 2 ? NF.Reshape(NF.BroadcastTo(NF.ExpandDims(NF.Range(0L, rows), -1), x.Shape), [-1]) : NF.ZerosLike(flat);
        var segment = NF.Where(valid, row * (long)depth + flat, -1L);
        Tensor data;
        if (countWeights is not null && mode == "count")
        {
            if (!countWeights.Shape.Equals(x.Shape))
                throw new ArgumentException($"{layer}: count_weights has shape {countWeights.Shape}, but the inputs have shape {indices.Shape}; they must match.", nameof(countWeights));
            data = NF.Reshape(countWeights.DType == dtype ? countWeights : NF.Cast(countWeights, dtype), [-1]);
        }
        else data = NF.Fill(flat.Shape, 1, dtype);
        var counts = NF.UnsortedSegmentSum(data, segment, rows * depth);
        if (mode == "multi_hot") counts = NF.Cast(NF.Greater(counts, 0), dtype);
        return NF.Reshape(counts, x.Rank == 2 ? [rows, depth] : [depth]);
    }

    // An encoding of `vectors` vectors of `depth` slots past one tensor (num_tokens = int.MaxValue) is
    // refused before allocating: it wrapped int arithmetic (an OverflowException) or ran the allocator
    // out of memory before.
    private static void CheckOutputSize(string layer, string mode, Shape shape, long vectors, int depth)
    {
        if ((double)vectors * depth > Array.MaxLength)
            throw new ArgumentOutOfRangeException("inputs",
                $"{layer}: output_mode '{mode}' over {depth} slots makes {vectors} x {depth} values for inputs of shape {shape}, more than one tensor holds ({Array.MaxLength}); use fewer tokens (num_tokens, num_bins, max_tokens) or output_mode 'int'.");
    }

    private static ArgumentException RankError(string layer, string mode, Shape shape, int rank) => new(
        $"{layer}: when output_mode is not 'int', maximum supported output rank is 2. Received output_mode {mode} and input shape {shape}, which would result in output rank {rank}.", "inputs");

    /// <summary>
    /// Throws (with <paramref name="message"/>) unless every element of int64 <paramref name="values"/>
    /// is in [<paramref name="low"/>, <paramref name="high"/>).
    /// </summary>
    internal static void CheckAllIn(Tensor values, long low, long high, Func<long, string> message)
    {
        if (values.Count == 0) return;
        using var scope = TensorScope.Begin();
        CheckNone(NF.LogicalNot(NF.LogicalAnd(NF.GreaterEqual(values, low), NF.Less(values, high))), message);
    }

    /// <summary>
    /// Throws (with <paramref name="message"/> of the count) if any element of bool <paramref name="bad"/>
    /// is true. Counts on the device and reads one number, which a replayed step (NF.Function)
    /// reads and checks again (FunctionTrace.ReadChecked), so a replay refuses bad data as eager does.
    /// </summary>
    internal static void CheckNone(Tensor bad, Func<long, string> message)
    {
        if (bad.Count == 0) return;
        using var scope = TensorScope.Begin();
        var count = NF.ReduceSum(NF.Cast(bad, DType.Int64));
        static void Check(long n, Func<long, string> message)
        {
            if (n != 0) throw new ArgumentOutOfRangeException("inputs", message(n));
        }
        Check(FunctionTrace.ReadChecked<long>(count, n => Check(n[0], message))[0], message);
    }

    /// <summary>
    /// <paramref name="x"/> as int64 indices: integers as they are, floats truncated (Keras casts
    /// them so), bools and floats with no integer (NaN, infinite, past int64) refused with an error naming the layer.
    /// </summary>
    internal static Tensor AsInt64(string layer, Tensor x)
    {
        if (x.DType is DType.Int64) return x;
        if (x.DType is DType.Bool)
            throw new ArgumentException($"{layer}: expects integer inputs, got a bool tensor of shape {x.Shape}.", "inputs");
        // NaN, infinities and floats past int64 have no integer to truncate to: the cast gave whatever the
        // engine's conversion gives (0 on one, long.MinValue on another), a silent token. Refused instead.
        if (x.DType.IsFloating() && x.Count > 0)
        {
            const double Past = 9223372036854775808.0;   // 2^63, exact in every float type
            using var scope = TensorScope.Begin();
            CheckNone(NF.LogicalNot(NF.LogicalAnd(NF.GreaterEqual(x, -Past), NF.Less(x, Past))), n =>
                $"{layer}: expects integer inputs; {n} of the {x.Count} values of the float tensor of shape {x.Shape} are NaN, infinite or past the int64 range, which name no token.");
        }
        return NF.Cast(x, DType.Int64);
    }
}
