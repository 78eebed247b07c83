namespace NeuralFlow;

// tf.roll with a tensor shift: the shift is a device value (the DeepDream tutorial's random_roll draws it with
// tf.random.uniform inside a tf.function), read on the device and never on the host, so an NF.Function traced once
// rolls by each call's own shift when it replays. Composed of existing ops, as NF.Slice with a tensor begin: on each
// rolled axis the source positions (i - shift) mod n are gathered (NF.Gather), which also gives the gradient (the
// upstream gradient gathered back into place).
public static partial class NF
{
    /// <summary>
    /// <paramref name="input"/> rolled by the int32 or int64 <paramref name="shift"/> (a scalar, or a vector with one
    /// entry per axis, on <paramref name="input"/>'s device) along <paramref name="axis"/> (<c>tf.roll</c> with a tensor
    /// shift): as <see cref="Roll(Tensor, int[], int[])"/>, with the shift read on the device, so a traced function
    /// replays with each call's shift. An axis named twice is rolled by the sum of its shifts; any shift, negative or
    /// past the axis' length, wraps.
    /// </summary>
    /// <exception cref="ArgumentException">shift is not an int32/int64 scalar or vector with one entry per axis, axis is empty, or an axis is out of range.</exception>
    public static Tensor Roll(Tensor input, Tensor shift, int[] axis)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(shift);
        ArgumentNullException.ThrowIfNull(axis);
        if (shift.DType is not (DType.Int32 or DType.Int64) || shift.Rank > 1 || (shift.Rank == 1 && shift.Shape[0] != axis.Length) || (shift.Rank == 0 && axis.Length != 1))
            throw new ArgumentException(
                $"Roll: shift must be an int32 or int64 scalar (one axis) or vector with one entry per axis [{string.Join(", ", axis)}], got {shift.DType.Name()} of shape {shift.Shape}.", nameof(shift));
        var axes = new int[axis.Length];
        for (int i = 0; i < axis.Length; i++)
        {
            if (axis[i] < -input.Rank || axis[i] >= input.Rank)
                throw new ArgumentOutOfRangeException(nameof(axis), axis[i], $"Roll: axis {axis[i]} is out of range for input of shape {input.Shape} (rank {input.Rank}).");
            axes[i] = axis[i] < 0 ? axis[i] + input.Rank : axis[i];
        }
        Engine.BackendOf(nameof(Roll), input, shift);
        var result = input;
        using (UseBackend(input.Backend))
        {
            var shifts = Cast(shift.Rank == 0 ? Reshape(shift, [1]) : shift, DType.Int64);
            for (int a = 0; a < input.Rank; a++)
            {
                int n = input.Shape[a];
                if (n == 0 || Array.IndexOf(axes, a) < 0) continue;
                // The total shift of this axis (its entries summed), then each output position i reads (i - total) mod n.
                Tensor total = null!;
                for (int i = 0; i < axes.Length; i++)
                    if (axes[i] == a) total = total is null ? shifts[i] : total + shifts[i];
                var sources = FloorMod(Range(0L, n) - total, n);   // n: a weak scalar, int64 on the device
                // Not disposed here: a gradient tape keeps Gather's indices for the backward pass.
                result = Gather(result, sources, axis: a);
            }
        }
        return ReferenceEquals(result, input) ? Identity(input) : result;
    }

    /// <summary><paramref name="input"/> rolled by the int32 or int64 scalar <paramref name="shift"/> along <paramref name="axis"/> (see <see cref="Roll(Tensor, Tensor, int[])"/>).</summary>
    /// <exception cref="ArgumentException">shift is not an int32/int64 scalar, or axis is out of range.</exception>
    public static Tensor Roll(Tensor input, Tensor shift, int axis) => Roll(input, shift, [axis]);
}
