using NeuralFlow.Backends;

namespace NeuralFlow;

// Discrete Fourier transforms over the last axis (last two for Fft2/Ifft2), as keras.ops.fft,
// ifft2, rfft, irfft: NF has no complex dtype, so a complex tensor is a (Real, Imag) pair of
// float tensors of one shape, as Keras passes it.
//
// Why a DFT as MatMul and not a radix-2 FFT: each transform is one or two GEMMs of the signal
// with cos/sin matrices of the length, so every engine (managed, cpu, CUDA) runs it through its
// tuned MatMul, any length works (not only powers of two), and the gradient is MatMul's. The
// cost is O(n²) per transform, which GEMM makes fast for the lengths of audio frames (≤ a few
// thousand); the matrices are built per call from a per-length table of cos/sin of the n roots
// of unity (angles reduced modulo n, so entries are exact to the last bit for any n).
public static partial class NF
{
    /// <summary>
    /// The discrete Fourier transform along the last axis (<c>keras.ops.fft</c>, <c>np.fft.fft</c>):
    /// X[k] = Σ_j x[j] e^(-2πi jk/n) of the complex signal (Real, Imag), any batch shape,
    /// float32 or float64. Composed of MatMuls, so every engine runs it and it has a gradient.
    /// </summary>
    /// <exception cref="ArgumentException">The parts differ in shape or dtype, are scalars, empty along the last axis, or not float32/float64.</exception>
    public static (Tensor Real, Tensor Imag) Fft((Tensor Real, Tensor Imag) x) => Dft(nameof(Fft), x, inverse: false);

    /// <summary>
    /// The inverse discrete Fourier transform along the last axis (<c>np.fft.ifft</c>):
    /// x[j] = (1/n) Σ_k X[k] e^(2πi jk/n); Ifft(Fft(x)) is x.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Fft"/>.</exception>
    public static (Tensor Real, Tensor Imag) Ifft((Tensor Real, Tensor Imag) x) => Dft(nameof(Ifft), x, inverse: true);

    /// <summary>
    /// The 2-D discrete Fourier transform over the last two axes (<c>keras.ops.fft2</c>,
    /// <c>np.fft.fft2</c>): Fft along the last axis, then along the one before it.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Fft"/>, or the parts have fewer than 2 axes.</exception>
    public static (Tensor Real, Tensor Imag) Fft2((Tensor Real, Tensor Imag) x) => Dft2(nameof(Fft2), x, inverse: false);

    /// <summary>
    /// The inverse 2-D discrete Fourier transform over the last two axes (<c>keras.ops.ifft2</c>,
    /// <c>np.fft.ifft2</c>); Ifft2(Fft2(x)) is x.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Fft2"/>.</exception>
    public static (Tensor Real, Tensor Imag) Ifft2((Tensor Real, Tensor Imag) x) => Dft2(nameof(Ifft2), x, inverse: true);

    /// <summary>
    /// The Fourier transform of the real signal <paramref name="x"/> along its last axis
    /// (<c>keras.ops.rfft</c>, <c>np.fft.rfft</c>): the fftLength / 2 + 1 non-negative frequency
    /// bins of the DFT of x cropped or zero-padded to <paramref name="fftLength"/> samples
    /// (default: the last axis' length).
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar or not float32/float64.</exception>
    /// <exception cref="ArgumentOutOfRangeException">fftLength is below 1 (or x's last axis is empty and no fftLength is given).</exception>
    public static (Tensor Real, Tensor Imag) Rfft(Tensor x, int? fftLength = null)
    {
        CheckSpectralInput(nameof(Rfft), x, 1, nameof(x));
        int n = CheckFftLength(nameof(Rfft), fftLength ?? x.Shape[-1], fftLength is null);
        var signal = FitLastAxis(x, n);
        int bins = n / 2 + 1;
        // Re X[k] = Σ x[j] cos(2π jk/n), Im X[k] = -Σ x[j] sin(2π jk/n).
        var cos = DftMatrix(n, n, bins, DftPart.Cos, 1, x.DType, x.Backend);
        var sin = DftMatrix(n, n, bins, DftPart.Sin, -1, x.DType, x.Backend);
        return (MatMul(signal, cos), MatMul(signal, sin));
    }

    /// <summary>
    /// The real signal of <paramref name="fftLength"/> samples whose Rfft is the (Real, Imag)
    /// spectrum <paramref name="x"/> along the last axis (<c>keras.ops.irfft</c>,
    /// <c>np.fft.irfft</c>): the bins are cropped or zero-padded to fftLength / 2 + 1 and taken
    /// as Hermitian-symmetric (the imaginary parts of the zero and, for even lengths, the
    /// Nyquist bin do not contribute). The default length is 2 · (bins - 1); give it for odd lengths.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Fft"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">fftLength is below 1 (or the default 2 · (bins - 1) is, for a single bin).</exception>
    public static Tensor Irfft((Tensor Real, Tensor Imag) x, int? fftLength = null)
    {
        CheckComplexPair(nameof(Irfft), x, 1);
        int n = CheckFftLength(nameof(Irfft), fftLength ?? 2 * (x.Real.Shape[-1] - 1), fftLength is null);
        int bins = n / 2 + 1;
        var re = FitLastAxis(x.Real, bins);
        var im = FitLastAxis(x.Imag, bins);
        // x[t] = (1/n) Σ_k w_k (Re X[k] cos(2π kt/n) - Im X[k] sin(2π kt/n)), where w_k = 2 counts
        // each bin's mirror image -k, except the zero bin and the Nyquist bin of an even length.
        var cos = DftMatrix(n, bins, n, DftPart.Cos, 1.0 / n, x.Real.DType, x.Real.Backend, hermitian: true);
        var sin = DftMatrix(n, bins, n, DftPart.Sin, -1.0 / n, x.Real.DType, x.Real.Backend, hermitian: true);
        return MatMul(re, cos) + MatMul(im, sin);
    }

    private static (Tensor Real, Tensor Imag) Dft(string op, (Tensor Real, Tensor Imag) x, bool inverse)
    {
        CheckComplexPair(op, x, 1);
        int n = x.Real.Shape[-1];
        if (n == 0)
            throw new ArgumentException($"{op}: the transformed last axis of shape {x.Real.Shape} is empty; a DFT needs at least one sample.", nameof(x));
        // The matrices stay alive (not disposed): the tape's MatMul gradient reads them.
        double scale = inverse ? 1.0 / n : 1.0;
        var cos = DftMatrix(n, n, n, DftPart.Cos, scale, x.Real.DType, x.Real.Backend);
        var sin = DftMatrix(n, n, n, DftPart.Sin, scale, x.Real.DType, x.Real.Backend);
        return Rotate(MatMul(x.Real, cos), MatMul(x.Imag, cos), MatMul(x.Real, sin), MatMul(x.Imag, sin), inverse);
    }

    private static (Tensor Real, Tensor Imag) Dft2(string op, (Tensor Real, Tensor Imag) x, bool inverse)
    {
        CheckComplexPair(op, x, 2);
        if (x.Real.Shape[-2] == 0)
            throw new ArgumentException($"{op}: the transformed axis -2 of shape {x.Real.Shape} is empty; a DFT needs at least one sample.", nameof(x));
        var (real, imag) = Dft(op, x, inverse);
        // Along axis -2: the DFT matrices are symmetric, so M @ x transforms the columns; the
        // [m, m] matrices broadcast over the batch axes.
        int m = x.Real.Shape[-2];
        double scale = inverse ? 1.0 / m : 1.0;
        var cos = DftMatrix(m, m, m, DftPart.Cos, scale, real.DType, real.Backend);
        var sin = DftMatrix(m, m, m, DftPart.Sin, scale, real.DType, real.Backend);
        return Rotate(MatMul(cos, real), MatMul(cos, imag), MatMul(sin, real), MatMul(sin, imag), inverse);
    }

    // The complex product (a + ib)(C ∓ iS) from its four real products aC, bC, aS, bS:
    // forward aC + bS + i(bC - aS), inverse aC - bS + i(bC + aS).
    private static (Tensor Real, Tensor Imag) Rotate(Tensor aC, Tensor bC, Tensor aS, Tensor bS, bool inverse) =>
        inverse ? (aC - bS, bC + aS) : (aC + bS, bC - aS);

    private enum DftPart { Cos, Sin }

    // The [rows, cols] matrix of scale · cos or sin(2π · r · c / n), the angle's r · c reduced
    // modulo n so that large products stay exact. hermitian: row r (a bin) is weighted 2 when
    // its mirror bin n - r is a different, absent bin (Irfft's one-sided sum).
    private static Tensor DftMatrix(int n, int rows, int cols, DftPart part, double scale, DType dtype, IBackend backend, bool hermitian = false)
    {
        var table = RootsOfUnity(n, part);
        var values = new double[(long)rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double weight = hermitian && r != 0 && 2 * r != n ? 2 * scale : scale;
            long step = r % n, angle = 0;
            for (int c = 0; c < cols; c++, angle = (angle + step) % n)
                values[(long)r * cols + c] = weight * table[angle];
        }
        return Signal.HostValues(values, new Shape(rows, cols), dtype, backend);
    }

    // cos or sin(2π m / n) for m = 0 .. n-1, computed once per length and part (the last few kept).
    private static double[] RootsOfUnity(int n, DftPart part)
    {
        lock (RootTables)
        {
            if (RootTables.TryGetValue((n, part), out var found)) return found;
            var table = new double[n];
            for (int m = 0; m < n; m++)
            {
                // Exact zeros where the root lies on an axis (Math.Cos(π/2) is 6e-17, not 0).
                double angle = 2 * Math.PI * m / n;
                table[m] = part == DftPart.Cos ? (4L * m == n || 4L * m == 3L * n ? 0 : Math.Cos(angle))
                                               : (2L * m == n ? 0 : Math.Sin(angle));
            }
            if (RootTables.Count >= 16) RootTables.Clear();
            RootTables[(n, part)] = table;
            return table;
        }
    }

    private static readonly Dictionary<(int N, DftPart Part), double[]> RootTables = [];

    // The last axis cropped or zero-padded to n entries (Rfft's and Irfft's fftLength).
    private static Tensor FitLastAxis(Tensor x, int n)
    {
        int have = x.Shape[-1];
        if (have == n) return x;
        if (have > n)
        {
            var size = x.Shape.ToArray();
            size[^1] = n;
            return Slice(x, new int[x.Rank], size);
        }
        var pads = new int[x.Rank, 2];
        pads[x.Rank - 1, 1] = n - have;
        return Pad(x, pads);
    }

    private static void CheckComplexPair(string op, (Tensor Real, Tensor Imag) x, int minRank)
    {
        ArgumentNullException.ThrowIfNull(x.Real, "x.Real");
        ArgumentNullException.ThrowIfNull(x.Imag, "x.Imag");
        if (x.Real.Shape != x.Imag.Shape)
            throw new ArgumentException($"{op}: the real and imaginary parts must have one shape, got {x.Real.Shape} and {x.Imag.Shape}.", nameof(x));
        if (x.Real.DType != x.Imag.DType)
            throw new ArgumentException($"{op}: the real and imaginary parts must have one dtype, got {x.Real.DType.Name()} and {x.Imag.DType.Name()}.", nameof(x));
        Engine.BackendOf(op, x.Real, x.Imag);
        CheckSpectralInput(op, x.Real, minRank, nameof(x));
    }

    private static void CheckSpectralInput(string op, Tensor x, int minRank, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: needs float32 or float64 input, got {x.DType.Name()}; convert with NF.Cast(x, DType.Float32).", name);
        if (x.Rank < minRank)
            throw new ArgumentException($"{op}: needs at least {minRank} ax{(minRank == 1 ? "is" : "es")} to transform, got shape {x.Shape}.", name);
    }

    private static int CheckFftLength(string op, int fftLength, bool inferred)
    {
        if (fftLength < 1)
            throw new ArgumentOutOfRangeException(nameof(fftLength), fftLength,
                inferred
                    ? $"{op}: the fftLength inferred from the input's last axis is {fftLength}; give an fftLength of at least 1."
                    : $"{op}: fftLength must be at least 1, got {fftLength}.");
        return fftLength;
    }
}
