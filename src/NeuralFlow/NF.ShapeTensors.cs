namespace NeuralFlow;

// tf.shape, tf.size and tf.rank: a tensor's dimensions as a tensor, for code written the TensorFlow way
// (batch = tf.shape(x)[0]; NF.Reshape(x, ...) from computed sizes; NF.Fill(NF.Shape(x), ...)-style arithmetic).
//
// Where TensorFlow's graph reads the shape at run time, NeuralFlow needs nothing of the kind: an NF.Function makes one
// replay plan per concrete input shape (TracedFunction.Signature: "one plan per size of a null dimension"), so a shape
// is a constant of each plan, and a call with another batch size traces (and then replays) its own plan where the
// shape holds that size. The value is therefore never frozen at the first traced size; it is simply known on the host.
public static partial class NF
{
    /// <summary>
    /// The dimensions of <paramref name="x"/> as a 1-D tensor of length <c>x.Rank</c> on <paramref name="x"/>'s device
    /// (<c>tf.shape(x)</c>, <c>out_type</c> int32 by default or int64); <c>NF.Shape(x)[0]</c> is the batch size as a
    /// tensor. Prefer <c>x.Shape</c> (a C# <see cref="NeuralFlow.Shape"/>) where a plain int will do.
    /// </summary>
    /// <remarks>
    /// Inside <c>NF.Function</c> this is correct for every call: a function makes
    /// one plan per concrete input shape (unlike TensorFlow's one graph with unknown dimensions), so the shape is a
    /// constant of each plan, and a call with another batch size gets a plan whose shape holds that size.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not int32 or int64.</exception>
    public static Tensor Shape(Tensor x, DType dtype = DType.Int32)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckShapeDType(nameof(Shape), dtype);
        var dims = x.Shape.ToArray();
        return dtype == DType.Int32
            ? Engine.FromHost<int>(dims, [dims.Length], x.Backend)
            : Engine.FromHost<long>(Array.ConvertAll(dims, d => (long)d), [dims.Length], x.Backend);
    }

    /// <summary>
    /// The number of elements of <paramref name="x"/> as a scalar tensor on its device (<c>tf.size(x)</c>, int32 by default
    /// or int64); <c>x.Count</c> is the same number as a C# long. A constant of each NF.Function plan, as <see cref="Shape(Tensor, DType)"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not int32 or int64, or the count does not fit int32
    /// (ask for <see cref="DType.Int64"/>).</exception>
    public static Tensor Size(Tensor x, DType dtype = DType.Int32)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckShapeDType(nameof(Size), dtype);
        if (dtype == DType.Int32 && x.Count > int.MaxValue)
            throw new ArgumentException($"Size: a tensor of shape {x.Shape} has {x.Count} elements, more than int32 holds; ask for DType.Int64.", nameof(dtype));
        return dtype == DType.Int32
            ? Engine.FromHost<int>([(int)x.Count], NeuralFlow.Shape.Scalar, x.Backend)
            : Engine.FromHost<long>([x.Count], NeuralFlow.Shape.Scalar, x.Backend);
    }

    /// <summary>
    /// The number of dimensions of <paramref name="x"/> as an int32 scalar tensor on its device (<c>tf.rank(x)</c>);
    /// <c>x.Rank</c> is the same number as a C# int.
    /// </summary>
    public static Tensor Rank(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Engine.FromHost<int>([x.Rank], NeuralFlow.Shape.Scalar, x.Backend);
    }

    private static void CheckShapeDType(string op, DType dtype)
    {
        if (dtype is not (DType.Int32 or DType.Int64))
            throw new ArgumentException($"{op}: dtype must be int32 or int64 (TensorFlow's out_type), got {dtype.Name()}.", nameof(dtype));
    }
}
