namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Converts to <paramref name="dtype"/> (<c>tf.cast</c>): floats to integers truncate toward zero and saturate at
    /// the integer dtype's limits (float32 1e10 or +infinity to int32 is 2147483647, -1e10 or -infinity is
    /// -2147483648, -1 to uint8 is 0, 300 is 255) and NaN gives 0; every engine (managed, native CPU, CUDA) gives
    /// these same numbers. (TensorFlow leaves out-of-range casts implementation-defined; NumPy and PyTorch give
    /// INT_MIN on x86.) Integers to a narrower integer wrap, as in NumPy (int32 300 to uint8 is 44); use
    /// <see cref="SaturateCast"/> to clamp those. Anything to bool is x != 0.
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor Cast(Tensor x, DType dtype)
    {
        Tensor result;
        if (x.DType == dtype) result = x.View(x.Layout);
        else
        {
            result = Tensor.Empty(x.Shape, dtype, x.Backend);
            Engine.Cast(x, result);
        }
        // Only float-to-float casts carry a gradient.
        return dtype.IsFloating() ? Tape.Record(result, x, static (g, n) => [Cast(g, n.X.DType)]) : result;
    }

    /// <summary>
    /// Clamps <paramref name="x"/> to the range of <paramref name="dtype"/> and then casts
    /// (<c>tf.dtypes.saturate_cast</c>, <c>keras.ops.saturate_cast</c>): int64 300 to uint8 is 255
    /// (not 44), float64 1e300 or infinity to float32 is float32's max (not infinity), -1 to uint8 is
    /// 0. As Keras, a limit that the input dtype cannot hold exactly is moved inward to one it can
    /// (float32 to int32 clamps at 2147483520). NaN stays NaN until the cast. The gradient is the
    /// clamp's (1 inside the range, 0 outside) for float-to-float casts.
    /// </summary>
    public static Tensor SaturateCast(Tensor x, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(x);
        var (inLo, inHi) = DTypeRange(x.DType);
        var (outLo, outHi) = DTypeRange(dtype);
        if (outLo <= inLo && inHi <= outHi) return Cast(x, dtype);    // every value fits
        double lo = Math.Max(inLo, outLo), hi = Math.Min(inHi, outHi);
        if (!x.DType.IsFloating())
            return Cast(Minimum(Maximum(x, (long)lo), (long)hi), dtype);   // integer limits, exact as longs
        // A float input clamps at limits its own dtype holds, moved toward 0 where the nearest one lies
        // outside the target's range (Keras' nextafter): int64's max is not a double, int32's not a float.
        bool hiExact = dtype != DType.Int64;   // long.MaxValue rounded up to 2^63 on becoming a double
        if (x.DType == DType.Float32)
        {
            float flo = (float)lo, fhi = (float)hi;
            if (flo < lo) flo = MathF.BitIncrement(flo);
            if (fhi > hi || !hiExact) fhi = MathF.BitDecrement(fhi);
            (lo, hi) = (flo, fhi);
        }
        else if (!hiExact) hi = Math.BitDecrement(hi);
        return Cast(Minimum(Maximum(x, lo), hi), dtype);
    }

    // The smallest and largest values of a dtype (bool as 0 and 1).
    private static (double Lo, double Hi) DTypeRange(DType dtype) => dtype switch
    {
        DType.Float32 => (float.MinValue, float.MaxValue),
        DType.Float64 => (double.MinValue, double.MaxValue),
        DType.Int32 => (int.MinValue, int.MaxValue),
        DType.Int64 => (long.MinValue, long.MaxValue),
        DType.UInt8 => (byte.MinValue, byte.MaxValue),
        DType.Bool => (0, 1),
        _ => throw new ArgumentException($"SaturateCast: unknown dtype {dtype}."),
    };
}
