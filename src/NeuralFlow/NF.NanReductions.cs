namespace NeuralFlow;

// NumPy's NaN-ignoring reductions (np.nansum, nanmean, nanmax, nanmin, nanprod; keras.ops has
// them all): the NaNs replaced by the reduction's identity through a select, then the ordinary
// reduction, so every engine runs them and the gradient skips the NaNs (a select's rule).
// Integer and bool inputs hold no NaN: they reduce as ReduceSum etc. do, except NanMean, which
// gives float32 (NumPy's float result, at Keras' floatx).
public static partial class NF
{
    /// <summary>Sum over <paramref name="axis"/> (or everything) with NaN counted as 0 (<c>np.nansum</c>); all-NaN gives 0.</summary>
    public static Tensor NanSum(Tensor x, int? axis = null, bool keepDims = false) => NanSum(x, AxesOf(x, axis), keepDims);

    /// <summary>NaN-ignoring sum over several axes.</summary>
    public static Tensor NanSum(Tensor x, int[] axes, bool keepDims = false) => ReduceSum(NanAs(x, 0), axes, keepDims);

    /// <summary>Product over <paramref name="axis"/> (or everything) with NaN counted as 1 (<c>np.nanprod</c>); all-NaN gives 1.</summary>
    public static Tensor NanProd(Tensor x, int? axis = null, bool keepDims = false) => NanProd(x, AxesOf(x, axis), keepDims);

    /// <summary>NaN-ignoring product over several axes.</summary>
    public static Tensor NanProd(Tensor x, int[] axes, bool keepDims = false) => ReduceProd(NanAs(x, 1), axes, keepDims);

    /// <summary>
    /// Mean of the non-NaN values over <paramref name="axis"/> (or everything) (<c>np.nanmean</c>);
    /// all-NaN gives NaN (0 / 0, as NumPy, which also warns). Integers give float32.
    /// </summary>
    public static Tensor NanMean(Tensor x, int? axis = null, bool keepDims = false) => NanMean(x, AxesOf(x, axis), keepDims);

    /// <summary>NaN-ignoring mean over several axes.</summary>
    public static Tensor NanMean(Tensor x, int[] axes, bool keepDims = false)
    {
        var xf = FloatOf(x);
        var present = Cast(LogicalNot(IsNan(xf)), xf.DType);
        return ReduceSum(NanAs(xf, 0), axes, keepDims) / ReduceSum(present, axes, keepDims);
    }

    /// <summary>
    /// Maximum of the non-NaN values over <paramref name="axis"/> (or everything) (<c>np.nanmax</c>);
    /// all-NaN gives NaN (NumPy warns).
    /// </summary>
    /// <exception cref="ArgumentException">An axis is empty.</exception>
    public static Tensor NanMax(Tensor x, int? axis = null, bool keepDims = false) => NanMax(x, AxesOf(x, axis), keepDims);

    /// <summary>NaN-ignoring maximum over several axes.</summary>
    public static Tensor NanMax(Tensor x, int[] axes, bool keepDims = false) =>
        NanExtreme(x, ReduceMax(NanAs(x, double.NegativeInfinity), axes, keepDims), axes, keepDims);

    /// <summary>Minimum of the non-NaN values (<c>np.nanmin</c>); see <see cref="NanMax(Tensor, int?, bool)"/>.</summary>
    /// <exception cref="ArgumentException">An axis is empty.</exception>
    public static Tensor NanMin(Tensor x, int? axis = null, bool keepDims = false) => NanMin(x, AxesOf(x, axis), keepDims);

    /// <summary>NaN-ignoring minimum over several axes.</summary>
    public static Tensor NanMin(Tensor x, int[] axes, bool keepDims = false) =>
        NanExtreme(x, ReduceMin(NanAs(x, double.PositiveInfinity), axes, keepDims), axes, keepDims);

    // x with its NaNs replaced by `identity` (x itself when it cannot hold NaN). The mask is not
    // disposed: Where's gradient keeps it.
    private static Tensor NanAs(Tensor x, double identity)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloating() ? Where(IsNan(x), identity, x) : x;
    }

    // A max or min of a slice that was all NaN saw only ±inf: NaN there instead.
    private static Tensor NanExtreme(Tensor x, Tensor extreme, int[] axes, bool keepDims) =>
        x.DType.IsFloating() ? Where(ReduceLogical(IsNan(x), axes, keepDims, all: true), double.NaN, extreme) : extreme;
}
