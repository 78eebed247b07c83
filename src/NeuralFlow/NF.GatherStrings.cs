using NeuralFlow.Data;

namespace NeuralFlow;

// tf.gather over a string tensor, as the simple audio tutorial's export names its predictions:
// tf.gather(label_names, class_ids). Strings live on the host, so this indexes their array.
public static partial class NF
{
    /// <summary>
    /// The strings of <paramref name="x"/> along <paramref name="axis"/> picked by integer
    /// <paramref name="indices"/> (<c>tf.gather</c> of a <c>tf.string</c> tensor, e.g. class ids to
    /// class names): shape x.shape[:axis] + indices.shape + x.shape[axis+1:]. An index outside the
    /// axis (negative ones included) is an error, as on TensorFlow's CPU.
    /// </summary>
    /// <exception cref="ArgumentException">indices is not int32/int64/uint8, x is a scalar, or axis is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the gathered axis.</exception>
    public static StringTensor Gather(StringTensor x, Tensor indices, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        CheckIndexDType(nameof(Gather), indices);
        if (x.Rank == 0)
            throw new ArgumentException("Gather: x is a scalar string; it needs an axis to gather from.", nameof(x));
        int a = x.Shape.NormalizeAxis(axis);
        long[] picks;
        using (Tape.Pause())
        using (var wide = Cast(indices, DType.Int64))
            picks = wide.ToArray<long>();
        int n = x.Shape[a];
        for (int k = 0; k < picks.Length; k++)
            if (picks[k] < 0 || picks[k] >= n)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Gather: indices[{k}] = {picks[k]} is not in [0, {n}) (axis {a} of x's shape {x.Shape}).");
        var dims = x.Shape.ToArray();
        int outer = dims[..a].Aggregate(1, (p, d) => p * d), inner = dims[(a + 1)..].Aggregate(1, (p, d) => p * d);
        var values = x.Values;
        var result = new string[(long)outer * picks.Length * inner];
        long r = 0;
        for (int o = 0; o < outer; o++)
            foreach (long pick in picks)
                for (int i = 0; i < inner; i++)
                    result[r++] = values[(int)(((long)o * n + pick) * inner + i)];
        return StringTensor.Wrap(result, new Shape([.. dims[..a], .. indices.Shape, .. dims[(a + 1)..]]));
    }
}
