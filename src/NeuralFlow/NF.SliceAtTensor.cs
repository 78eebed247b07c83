namespace NeuralFlow;

// tf.slice with a tensor begin: the block's offset is a device value (a random crop's offset drawn by
// NF.Random.Uniform, a position computed by the model), read on the device and never on the host, so an NF.Function
// traced once slices at each call's own offset when it replays. The size stays C# ints: it is the result's shape, and
// a plan is made per shape. Composed of existing ops, no kernel of its own: on each axis the positions
// begin[a] + 0..size[a] are gathered (NF.Gather), which also gives the gradient (a scatter-add into the block's place)
// and refuses a block that leaves the input, as tf.slice does, with Gather's out-of-range error.
public static partial class NF
{
    /// <summary>
    /// The block of <paramref name="input"/> starting at the int32 or int64 vector <paramref name="begin"/> (one entry per
    /// axis, a tensor on <paramref name="input"/>'s device) with <paramref name="size"/> elements per axis
    /// (<c>tf.slice(input, begin, size)</c> with a tensor begin). The offset is read on the device, so a traced function
    /// replays with each call's begin; the result's shape is <paramref name="size"/>. A copy; the gradient goes back into
    /// the block's place.
    /// </summary>
    /// <remarks>
    /// A size of -1 ("the rest of the axis") is refused: the result's shape would depend on begin's value, which is not
    /// read here; use <see cref="Slice(Tensor, int[], int[])"/> with C# ints for that. Every axis is gathered (a whole
    /// axis too, since begin may still be nonzero there), so slicing with int begins is cheaper where they are known.
    /// </remarks>
    /// <exception cref="ArgumentException">begin is not an int32/int64 vector with one entry per axis, size does not have
    /// one entry per axis, a size is negative, -1 or larger than its axis, or (when the block is read) it leaves the input.</exception>
    public static Tensor Slice(Tensor input, Tensor begin, int[] size)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(begin);
        ArgumentNullException.ThrowIfNull(size);
        if (begin.DType is not (DType.Int32 or DType.Int64) || begin.Rank != 1 || begin.Shape[0] != input.Rank)
            throw new ArgumentException(
                $"Slice: begin must be an int32 or int64 vector with one entry per axis of input of shape {input.Shape} (rank {input.Rank}), got {begin.DType.Name()} of shape {begin.Shape}.", nameof(begin));
        if (size.Length != input.Rank)
            throw new ArgumentException($"Slice: size [{string.Join(", ", size)}] needs one entry per axis of input of shape {input.Shape} (rank {input.Rank}).", nameof(size));
        for (int a = 0; a < size.Length; a++)
        {
            if (size[a] == -1)
                throw new ArgumentException($"Slice: size -1 (the rest of axis {a}) needs a begin of C# ints; with a tensor begin the result's shape would depend on its value. Give the size, or call NF.Slice(input, int[] begin, int[] size).", nameof(size));
            if (size[a] < 0 || size[a] > input.Shape[a])
                throw new ArgumentOutOfRangeException(nameof(size), $"Slice: size {size[a]} on axis {a} is outside 0..{input.Shape[a]} for input of shape {input.Shape}.");
        }
        Engine.BackendOf(nameof(Slice), input, begin);
        var result = input;
        using (UseBackend(input.Backend))
        {
            for (int a = 0; a < size.Length; a++)
            {
                // begin[a] + 0..size[a]: each position read on the device; one past the axis is Gather's error. Not
                // disposed here: a gradient tape keeps Gather's indices for the backward pass.
                var offsets = begin.DType == DType.Int32 ? Range(0, size[a]) : Range(0L, size[a]);
                result = Gather(result, Add(offsets, begin[a]), axis: a);
            }
        }
        return ReferenceEquals(result, input) ? Identity(input) : result;
    }
}
