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
    /// constant of each plan, and a call with another batch size gets a plan whose shape holds that size. In a
    /// <c>Dataset.Map</c> it is the element's shape, also where the Map runs once per batch (map-and-batch fusion).
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not int32 or int64.</exception>
    public static Tensor Shape(Tensor x, DType dtype = DType.Int32)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckShapeDType(nameof(Shape), dtype);
        var dims = ElementDims(x);
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
        long count = ElementDims(x).Aggregate(1L, (n, d) => n * d);
        if (dtype == DType.Int32 && count > int.MaxValue)
            throw new ArgumentException($"Size: a tensor of shape {x.Shape} has {count} elements, more than int32 holds; ask for DType.Int64.", nameof(dtype));
        return dtype == DType.Int32
            ? Engine.FromHost<int>([(int)count], NeuralFlow.Shape.Scalar, x.Backend)
            : Engine.FromHost<long>([count], NeuralFlow.Shape.Scalar, x.Backend);
    }

    /// <summary>
    /// The number of dimensions of <paramref name="x"/> as an int32 scalar tensor on its device (<c>tf.rank(x)</c>);
    /// <c>x.Rank</c> is the same number as a C# int.
    /// </summary>
    public static Tensor Rank(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Engine.FromHost<int>([ElementDims(x).Length], NeuralFlow.Shape.Scalar, x.Backend);
    }

    // x's dimensions, or an element's where a Map fused with its Batch runs once on a batch of n rows: as NF.Reshape
    // reads shapes there, the leading n is the batch's, not the element's (tf.data maps over elements). Should a tensor
    // of n rows that is not the batch be taken for it, the fused run's constants differ from the element run's and
    // RowwiseProof refuses the fusion, so the answer stays the element run's.
    private static int[] ElementDims(Tensor x)
    {
        var dims = x.Shape.ToArray();
        return Data.Pipeline.FusedMapBatch.BatchRows is var n && n > 0 && dims.Length > 0 && dims[0] == n ? dims[1..] : dims;
    }

    private static void CheckShapeDType(string op, DType dtype)
    {
        if (dtype is not (DType.Int32 or DType.Int64))
            throw new ArgumentException($"{op}: dtype must be int32 or int64 (TensorFlow's out_type), got {dtype.Name()}.", nameof(dtype));
    }
}
