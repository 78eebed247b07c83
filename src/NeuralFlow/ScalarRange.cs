namespace NeuralFlow;

/// <summary>
/// Whether a C# number fits a dtype. A number that meets a tensor takes the tensor's dtype
/// (a "weak" scalar); one that does not fit it is an error, as in PyTorch and JAX, instead of
/// wrapping (int32 + 5_000_000_000L was 705032705). Floating dtypes take any number: a huge
/// double becomes inf in float32, as in PyTorch. Into an integer dtype a fractional value
/// truncates toward zero (as a cast does); NaN, infinities and anything out of range throw.
/// </summary>
internal static class ScalarRange
{
    /// <summary>As <see cref="Check(string, object, DType)"/>, boxing the number only for an integer dtype (fills call this for every Zeros/Ones).</summary>
    [MethodImpl(Hot)]
    public static void Check(string op, double value, DType dtype)
    {
        if (dtype.IsInteger()) Check(op, (object)value, dtype);
    }

    /// <summary>Throws an <see cref="OverflowException"/> naming the value and the dtype when <paramref name="value"/> does not fit <paramref name="dtype"/>.</summary>
    [MethodImpl(Hot)]
    public static void Check(string op, object value, DType dtype)
    {
        if (!dtype.IsInteger()) return; // float32/float64 saturate to inf; bool is value != 0
        var (min, max) = dtype switch
        {
            DType.Int32 => ((long)int.MinValue, (long)int.MaxValue),
            DType.UInt8 => (byte.MinValue, byte.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        bool fits = value switch
        {
            long l => l >= min && l <= max,
            int i => i >= min && i <= max,
            byte b => b <= max,
            bool => true,
            // -2^63 <= t < 2^63 exactly, in doubles, for int64; the narrower bounds are exact too.
            double d => FitsAsDouble(d, min, max),
            float f => FitsAsDouble(f, min, max),
            _ => true,
        };
        if (!fits)
            throw new OverflowException(
                $"{op}: the value {Format(value)} does not fit {dtype.Name()} (range {min}..{max}); " +
                $"use a value in range, or a wider dtype for the tensor (NF.Cast(x, DType.{(dtype == DType.Int64 ? DType.Float64 : DType.Int64)})).");
    }

    // After truncation toward zero; the bounds are exact doubles (long.MaxValue rounds up to
    // 2^63, which is itself out of range, hence the strict test there).
    private static bool FitsAsDouble(double d, long min, long max)
    {
        if (!double.IsFinite(d)) return false;
        double t = Math.Truncate(d);
        return t >= min && (max == long.MaxValue ? t < 9223372036854775808.0 : t <= max);
    }

    /// <summary>Checks the C# number behind a weak scalar tensor (other tensors pass).</summary>
    [MethodImpl(Hot)]
    public static void CheckWeak(string op, Tensor t, DType dtype)
    {
        if (t.IsWeakScalar && t.WeakValue is { } v) Check(op, v, dtype);
    }

    private static string Format(object value) => value switch
    {
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };
}
