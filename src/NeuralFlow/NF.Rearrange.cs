namespace NeuralFlow;

// Reordering and cutting along axes (tf.roll, tf.slice, tf.unstack, tf.repeat), made of slices
// (the indexer, which records its gradient), Concat, broadcasting and Gather: the gradients are
// theirs and every engine runs them. Shapes and positions come from the arguments, never from
// values, so NF.Function replays them.
public static partial class NF
{
    /// <summary>
    /// <paramref name="input"/> with its elements shifted by <paramref name="shift"/> positions
    /// along <paramref name="axis"/>, those pushed past the end coming back at the start
    /// (<c>tf.roll</c>, <c>np.roll</c>); a negative shift moves towards the start. The gradient is
    /// the upstream gradient rolled back.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    public static Tensor Roll(Tensor input, int shift, int axis) => Roll(input, [shift], [axis]);

    /// <summary>
    /// <paramref name="input"/> rolled by shift[i] along axis[i] for every i (<c>tf.roll</c> with
    /// lists); an axis named twice is rolled by the sum of its shifts.
    /// </summary>
    /// <exception cref="ArgumentException">shift and axis differ in length, or an axis is out of range.</exception>
    public static Tensor Roll(Tensor input, int[] shift, int[] axis)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(shift);
        ArgumentNullException.ThrowIfNull(axis);
        if (shift.Length != axis.Length)
            throw new ArgumentException($"Roll: shift [{string.Join(", ", shift)}] and axis [{string.Join(", ", axis)}] must have the same length.", nameof(shift));
        var total = new long[input.Rank];
        for (int i = 0; i < axis.Length; i++)
        {
            if (axis[i] < -input.Rank || axis[i] >= input.Rank)
                throw new ArgumentOutOfRangeException(nameof(axis), axis[i], $"Roll: axis {axis[i]} is out of range for input of shape {input.Shape} (rank {input.Rank}).");
            total[axis[i] < 0 ? axis[i] + input.Rank : axis[i]] += shift[i];
        }
        var result = input;
        for (int a = 0; a < input.Rank; a++)
        {
            int n = input.Shape[a];
            if (n == 0) continue;
            int s = (int)(((total[a] % n) + n) % n);
            if (s == 0) continue;
            // The last s elements, then the rest.
            result = Concat([SliceAxis(result, a, n - s, s), SliceAxis(result, a, 0, n - s)], a);
        }
        return ReferenceEquals(result, input) ? Identity(input) : result;
    }

    /// <summary>
    /// The block of <paramref name="input"/> starting at <paramref name="begin"/> with
    /// <paramref name="size"/> elements per axis (<c>tf.slice</c>); a size of -1 takes the rest of
    /// that axis. A copy; the gradient goes back into the block's place.
    /// </summary>
    /// <exception cref="ArgumentException">begin or size do not have one entry per axis, or the block does not fit inside input.</exception>
    public static Tensor Slice(Tensor input, int[] begin, int[] size)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(begin);
        ArgumentNullException.ThrowIfNull(size);
        if (begin.Length != input.Rank || size.Length != input.Rank)
            throw new ArgumentException(
                $"Slice: begin [{string.Join(", ", begin)}] and size [{string.Join(", ", size)}] need one entry per axis of input of shape {input.Shape} (rank {input.Rank}).", nameof(begin));
        var ranges = new TensorIndex[input.Rank];
        for (int a = 0; a < input.Rank; a++)
        {
            int n = input.Shape[a];
            int count = size[a] == -1 ? n - begin[a] : size[a];
            if (begin[a] < 0 || begin[a] > n || count < 0 || (long)begin[a] + count > n)
                throw new ArgumentOutOfRangeException(nameof(size),
                    $"Slice: on axis {a} begin {begin[a]} and size {size[a]} are outside input of shape {input.Shape}; need 0 <= begin <= {n} and begin + size <= {n} (size -1: the rest).");
            ranges[a] = begin[a]..(begin[a] + count);
        }
        return Identity(input[ranges]);
    }

    /// <summary>
    /// The slices of <paramref name="value"/> along <paramref name="axis"/>, each without that axis
    /// (<c>tf.unstack</c>): [a, b, c] along 1 gives b tensors of [a, c]. <paramref name="num"/>,
    /// when given, must equal that axis' length, as in TensorFlow.
    /// </summary>
    /// <exception cref="ArgumentException">value is a scalar, axis is out of range, or num differs from the axis' length.</exception>
    public static Tensor[] Unstack(Tensor value, int? num = null, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Rank == 0) throw new ArgumentException("Unstack: value is a scalar; it has no axis to unstack along.", nameof(value));
        int a = value.Shape.NormalizeAxis(axis);
        int n = value.Shape[a];
        if (num is { } given && given != n)
            throw new ArgumentException($"Unstack: num = {given} but axis {axis} of value (shape {value.Shape}) has {n} elements.", nameof(num));
        var parts = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            // A fresh index array per part: the indexer's gradient rule keeps the one it was given.
            var at = new TensorIndex[a + 1];
            for (int d = 0; d < a; d++) at[d] = System.Range.All;
            at[a] = i;
            parts[i] = Identity(value[at]);
        }
        return parts;
    }

    /// <summary>
    /// Each element of <paramref name="input"/> repeated <paramref name="repeats"/> times along
    /// <paramref name="axis"/> (<c>tf.repeat</c>, <c>np.repeat</c>: [1, 2] gives [1, 1, 2, 2], unlike
    /// Tile's [1, 2, 1, 2]); with no axis, input is flattened first. The gradient sums the copies.
    /// </summary>
    /// <exception cref="ArgumentException">repeats is negative or axis is out of range.</exception>
    public static Tensor Repeat(Tensor input, int repeats, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (repeats < 0) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, $"Repeat: repeats must be at least 0, got {repeats}.");
        var x = axis is null ? Reshape(input, [-1]) : input;
        int a = x.Shape.NormalizeAxis(axis ?? 0);
        var dims = x.Shape.ToArray();
        long merged = (long)dims[a] * repeats;
        if (merged > int.MaxValue)
            throw new ArgumentException($"Repeat: axis {a} would have {merged} elements ({dims[a]} x {repeats}), more than a dimension holds.", nameof(repeats));
        // [.., n, ..] -> [.., n, 1, ..] broadcast to [.., n, repeats, ..] -> [.., n * repeats, ..].
        var spread = BroadcastTo(ExpandDims(x, a + 1), new Shape([.. dims[..(a + 1)], repeats, .. dims[(a + 1)..]]));
        dims[a] = (int)merged;
        return Reshape(spread, dims);
    }

    /// <summary>
    /// Element i of <paramref name="input"/> along <paramref name="axis"/> repeated repeats[i] times
    /// (<c>tf.repeat</c> with a list of repeats, one per element of that axis, or a single one for all).
    /// </summary>
    /// <exception cref="ArgumentException">repeats has the wrong length or a negative entry, or axis is out of range.</exception>
    public static Tensor Repeat(Tensor input, int[] repeats, int? axis = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Length == 1) return Repeat(input, repeats[0], axis);
        var x = axis is null ? Reshape(input, [-1]) : input;
        int a = x.Shape.NormalizeAxis(axis ?? 0);
        int n = x.Shape[a];
        if (repeats.Length != n)
            throw new ArgumentException($"Repeat: repeats has {repeats.Length} entries but axis {a} of the input (shape {x.Shape}) has {n}; give one per element or a single one.", nameof(repeats));
        // The total is checked before the positions are listed: counts that pass a dimension
        // would otherwise grow a host list for minutes before running out of memory.
        long total = 0;
        for (int i = 0; i < n; i++)
        {
            if (repeats[i] < 0) throw new ArgumentOutOfRangeException(nameof(repeats), repeats[i], $"Repeat: repeats[{i}] = {repeats[i]} is negative.");
            total += repeats[i];
        }
        if (total > Array.MaxLength)
            throw new ArgumentException($"Repeat: axis {a} would have {total} elements (the sum of repeats), more than a dimension holds.", nameof(repeats));
        var positions = new long[total];
        for (int i = 0, at = 0; i < n; i++)
            for (int r = 0; r < repeats[i]; r++) positions[at++] = i;
        return Gather(x, Engine.FromHost<long>(positions, new Shape((int)total), x.Backend), a);
    }

    // input[.., start..start + count, ..] on `axis`, through the indexer (which records the gradient).
    private static Tensor SliceAxis(Tensor input, int axis, int start, int count)
    {
        var at = new TensorIndex[axis + 1];
        for (int d = 0; d < axis; d++) at[d] = System.Range.All;
        at[axis] = start..(start + count);
        return input[at];
    }
}
