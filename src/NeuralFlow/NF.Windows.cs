namespace NeuralFlow;

// NumPy's symmetric windows (np.bartlett, blackman, hamming, hanning, kaiser; keras.ops has them
// all, in floatx). The cosine sums share NF.Signal's definition, whose periodic forms the STFT
// uses; these are its symmetric forms (period M - 1). As NumPy, M below 1 gives an empty window
// and M = 1 the single sample 1.
public static partial class NF
{
    /// <summary>
    /// The Bartlett (triangular) window of <paramref name="m"/> samples (<c>np.bartlett</c>,
    /// <c>keras.ops.bartlett</c>): 1 - |2n / (M - 1) - 1|, 0 at both ends and 1 in the middle.
    /// </summary>
    /// <exception cref="ArgumentException">dtype is not float32 or float64.</exception>
    public static Tensor Bartlett(int m, DType dtype = DType.Float32)
    {
        int length = WindowLength(nameof(Bartlett), m, dtype);
        var values = new double[length];
        for (int n = 0; n < length; n++)
            values[n] = length == 1 ? 1 : 1 - Math.Abs(2.0 * n / (length - 1) - 1);
        return Signal.HostValues(values, new Shape(length), dtype, Backend);
    }

    /// <summary>
    /// The Blackman window of <paramref name="m"/> samples (<c>np.blackman</c>,
    /// <c>keras.ops.blackman</c>): 0.42 - 0.5 cos(2π n / (M - 1)) + 0.08 cos(4π n / (M - 1)).
    /// </summary>
    /// <exception cref="ArgumentException">dtype is not float32 or float64.</exception>
    public static Tensor Blackman(int m, DType dtype = DType.Float32) =>
        Signal.CosineSumWindow(nameof(Blackman), WindowLength(nameof(Blackman), m, dtype), periodic: false, [0.42, 0.5, 0.08], dtype, Backend);

    /// <summary>
    /// The Hamming window of <paramref name="m"/> samples (<c>np.hamming</c>,
    /// <c>keras.ops.hamming</c>): 0.54 - 0.46 cos(2π n / (M - 1)); the symmetric form of
    /// <see cref="Signal.HammingWindow"/>.
    /// </summary>
    /// <exception cref="ArgumentException">dtype is not float32 or float64.</exception>
    public static Tensor Hamming(int m, DType dtype = DType.Float32) =>
        Signal.CosineWindow(nameof(Hamming), WindowLength(nameof(Hamming), m, dtype), periodic: false, 0.54, dtype, Backend);

    /// <summary>
    /// The Hann window of <paramref name="m"/> samples (<c>np.hanning</c>,
    /// <c>keras.ops.hanning</c>): 0.5 - 0.5 cos(2π n / (M - 1)); the symmetric form of
    /// <see cref="Signal.HannWindow"/>.
    /// </summary>
    /// <exception cref="ArgumentException">dtype is not float32 or float64.</exception>
    public static Tensor Hanning(int m, DType dtype = DType.Float32) =>
        Signal.CosineWindow(nameof(Hanning), WindowLength(nameof(Hanning), m, dtype), periodic: false, 0.5, dtype, Backend);

    /// <summary>
    /// The Kaiser window of <paramref name="m"/> samples and shape <paramref name="beta"/>
    /// (<c>np.kaiser</c>, <c>keras.ops.kaiser</c>): I0(β √(1 - (2n / (M - 1) - 1)²)) / I0(β), I0
    /// the modified Bessel function of order 0. β = 0 is rectangular; larger β narrows it.
    /// </summary>
    /// <exception cref="ArgumentException">beta is not finite, or dtype is not float32 or float64.</exception>
    public static Tensor Kaiser(int m, double beta, DType dtype = DType.Float32)
    {
        int length = WindowLength(nameof(Kaiser), m, dtype);
        if (!double.IsFinite(beta))
            throw new ArgumentException($"Kaiser: beta must be finite, got {beta}.", nameof(beta));
        var values = new double[length];
        double norm = SeriesI0(beta);
        for (int n = 0; n < length; n++)
        {
            double r = length == 1 ? 0 : 2.0 * n / (length - 1) - 1;
            values[n] = length == 1 ? 1 : SeriesI0(beta * Math.Sqrt(Math.Max(0, 1 - r * r))) / norm;
        }
        return Signal.HostValues(values, new Shape(length), dtype, Backend);
    }

    // The window's length (NumPy: none below 1), dtype checked.
    private static int WindowLength(string op, int m, DType dtype)
    {
        if (!dtype.IsFloating())
            throw new ArgumentException($"{op}: dtype must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
        return Math.Max(m, 0);
    }

    // I0(x) = Σ ((x/2)^k / k!)², summed until the terms stop mattering: every term is positive,
    // so the series is accurate to rounding for the βs of windows (it overflows past |x| ≈ 700).
    private static double SeriesI0(double x)
    {
        double term = 1, sum = 1, quarter = x * x / 4;
        for (int k = 1; k < 1000 && term > sum * 1e-17; k++)
        {
            term *= quarter / ((double)k * k);
            sum += term;
        }
        return sum;
    }
}
