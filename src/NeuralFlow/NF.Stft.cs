namespace NeuralFlow;

// The short-time Fourier transform and its inverse (keras.ops.stft / istft, torch.stft / istft):
// frames cut by Signal.Frame, windowed, and transformed by Rfft; the inverse by Irfft, the
// window again, and Signal.OverlapAndAdd divided by the overlap-added squared window.
public static partial class NF
{
    /// <summary>
    /// The short-time Fourier transform along the last axis (<c>keras.ops.stft</c>,
    /// <c>torch.stft(..., return_complex=True)</c> with the frames on the second-to-last axis):
    /// frames of <paramref name="fftLength"/> samples every <paramref name="sequenceStride"/>
    /// samples, each multiplied by the <paramref name="window"/> of
    /// <paramref name="sequenceLength"/> samples zero-padded on both sides to fftLength, and
    /// transformed by Rfft. <paramref name="window"/>: "hann" or "hamming" (periodic, as
    /// scipy's get_window), or null for none (a rectangle of sequenceLength samples).
    /// <paramref name="center"/> reflect-pads x by fftLength / 2 on both sides so that frame t
    /// is centered on sample t · stride. Result: [..., frames, fftLength / 2 + 1], x's dtype.
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar, not float32/float64, or shorter than a frame; the window name is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A length or the stride is below 1, or fftLength &lt; sequenceLength.</exception>
    public static (Tensor Real, Tensor Imag) Stft(Tensor x, int sequenceLength, int sequenceStride, int fftLength, string? window = "hann", bool center = true)
    {
        CheckSpectralInput(nameof(Stft), x, 1, nameof(x));
        CheckStftLengths(nameof(Stft), sequenceLength, sequenceStride, fftLength);
        return StftOf(x, sequenceStride, fftLength, FrameWindow(nameof(Stft), window, sequenceLength, fftLength, x), center);
    }

    /// <summary>
    /// <see cref="Stft(Tensor, int, int, int, string?, bool)"/> with the 1-D window
    /// <paramref name="customWindow"/> of sequenceLength samples in x's dtype; the gradient
    /// reaches the window too.
    /// </summary>
    /// <exception cref="ArgumentException">As the named-window Stft, or the window is not 1-D of sequenceLength samples in x's dtype.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As the named-window Stft.</exception>
    public static (Tensor Real, Tensor Imag) Stft(Tensor x, int sequenceLength, int sequenceStride, int fftLength, Tensor customWindow, bool center = true)
    {
        CheckSpectralInput(nameof(Stft), x, 1, nameof(x));
        CheckStftLengths(nameof(Stft), sequenceLength, sequenceStride, fftLength);
        return StftOf(x, sequenceStride, fftLength, GivenWindow(nameof(Stft), customWindow, sequenceLength, fftLength, x), center);
    }

    /// <summary>
    /// The inverse short-time Fourier transform (<c>keras.ops.istft</c>, <c>torch.istft</c>):
    /// Irfft of each frame of the (Real, Imag) spectrum [..., frames, fftLength / 2 + 1],
    /// multiplied by the window, overlap-added every <paramref name="sequenceStride"/> samples
    /// and divided by the overlap-added squared window, so that Istft(Stft(x)) is x with the same
    /// arguments. <paramref name="center"/> drops the fftLength / 2 samples of padding at each
    /// end; <paramref name="length"/> crops the result or pads it with zeros to that many samples.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The parts differ in shape or dtype, have fewer than 2 axes or no frame, their last axis is
    /// not fftLength / 2 + 1 bins, the window name is unknown, or the windows leave a sample of the
    /// result uncovered (their overlap-added square is 0 there, as torch.istft's NOLA check).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A length or the stride is below 1, fftLength &lt; sequenceLength, or length is negative.</exception>
    public static Tensor Istft((Tensor Real, Tensor Imag) x, int sequenceLength, int sequenceStride, int fftLength, int? length = null, string? window = "hann", bool center = true)
    {
        CheckIstft(x, sequenceLength, sequenceStride, fftLength, length);
        return IstftOf(x, sequenceStride, fftLength, length, FrameWindow(nameof(Istft), window, sequenceLength, fftLength, x.Real), center);
    }

    /// <summary>
    /// The named-window <c>Istft</c> with the 1-D window
    /// <paramref name="customWindow"/> of sequenceLength samples in the spectrum's dtype.
    /// </summary>
    /// <exception cref="ArgumentException">As the named-window Istft, or the window is not 1-D of sequenceLength samples in the spectrum's dtype.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As the named-window Istft.</exception>
    public static Tensor Istft((Tensor Real, Tensor Imag) x, int sequenceLength, int sequenceStride, int fftLength, Tensor customWindow, int? length = null, bool center = true)
    {
        CheckIstft(x, sequenceLength, sequenceStride, fftLength, length);
        return IstftOf(x, sequenceStride, fftLength, length, GivenWindow(nameof(Istft), customWindow, sequenceLength, fftLength, x.Real), center);
    }

    private static (Tensor Real, Tensor Imag) StftOf(Tensor x, int stride, int fftLength, Tensor window, bool center)
    {
        var signal = x;
        int samples = x.Shape[-1], half = fftLength / 2;
        if (center && half > 0)
        {
            // Reflection mirrors without the edge sample, so it needs more samples than it pads.
            if (samples <= half)
                throw new ArgumentException(
                    $"Stft: center reflect-pads the last axis by fftLength / 2 = {half} samples on each side, which needs more than {half} samples; x has shape {x.Shape}. Pass center: false or a shorter fftLength.", nameof(x));
            var pads = new int[x.Rank, 2];
            pads[x.Rank - 1, 0] = pads[x.Rank - 1, 1] = half;
            signal = Pad(x, pads, "reflect");
        }
        if (signal.Shape[-1] < fftLength)
            throw new ArgumentException(
                $"Stft: x's last axis has {signal.Shape[-1]} samples{(signal == x ? "" : " after centering")}, fewer than one frame of fftLength = {fftLength}; x has shape {x.Shape}.", nameof(x));
        return Rfft(Signal.Frame(signal, fftLength, stride) * window, fftLength);
    }

    private static Tensor IstftOf((Tensor Real, Tensor Imag) x, int stride, int fftLength, int? length, Tensor window, bool center)
    {
        int frames = x.Real.Shape[-2];
        var signal = Signal.OverlapAndAdd(Irfft(x, fftLength) * window, stride);
        // Σ over frames of window² at each sample, the same overlap-add of the window alone.
        var envelope = Signal.OverlapAndAdd(Tile(Reshape(Square(window), [1, fftLength]), frames, 1), stride);
        int total = signal.Shape[-1];
        int start = center ? fftLength / 2 : 0;
        int end = length is { } wanted ? Math.Min(start + wanted, total) : center ? total - fftLength / 2 : total;
        end = Math.Max(end, start);
        signal = SliceLastAxis(signal, start, end - start);
        envelope = SliceLastAxis(envelope, start, end - start);
        if (end > start)
            using (Tape.Pause())
            using (var least = Cast(ReduceMin(Abs(envelope)), DType.Float64))
            {
                // Read as float64 whatever the spectrum's float dtype (float16 too).
                double smallest = least.Item<double>();
                if (smallest < 1e-11)
                    throw new ArgumentException(
                        $"Istft: the windows overlap-added every {stride} samples leave samples of the result uncovered (the squared window sums to {smallest:g3} there), so they cannot be divided out; use a shorter stride, a window without zeros there, or center: true.", nameof(x));
            }
        var result = signal / envelope;
        if (length is { } target && result.Shape[-1] < target)
        {
            var pads = new int[result.Rank, 2];
            pads[result.Rank - 1, 1] = target - result.Shape[-1];
            result = Pad(result, pads);
        }
        return result;
    }

    private static Tensor SliceLastAxis(Tensor x, int start, int count)
    {
        var begin = new int[x.Rank];
        begin[^1] = start;
        var size = Enumerable.Repeat(-1, x.Rank).ToArray();
        size[^1] = count;
        return Slice(x, begin, size);
    }

    private static void CheckIstft((Tensor Real, Tensor Imag) x, int sequenceLength, int sequenceStride, int fftLength, int? length)
    {
        CheckComplexPair(nameof(Istft), x, 2);
        CheckStftLengths(nameof(Istft), sequenceLength, sequenceStride, fftLength);
        if (x.Real.Shape[-2] == 0)
            throw new ArgumentException($"Istft: the spectrum has no frame (shape {x.Real.Shape}); it needs at least one.", nameof(x));
        if (x.Real.Shape[-1] != fftLength / 2 + 1)
            throw new ArgumentException(
                $"Istft: the spectrum's last axis must hold fftLength / 2 + 1 = {fftLength / 2 + 1} bins for fftLength = {fftLength}, got shape {x.Real.Shape}.", nameof(x));
        if (length < 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Istft: length must be non-negative, got {length}.");
    }

    private static void CheckStftLengths(string op, int sequenceLength, int sequenceStride, int fftLength)
    {
        Signal.CheckPositive(op, nameof(sequenceLength), sequenceLength);
        Signal.CheckPositive(op, nameof(sequenceStride), sequenceStride);
        Signal.CheckPositive(op, nameof(fftLength), fftLength);
        if (fftLength < sequenceLength)
            throw new ArgumentOutOfRangeException(nameof(fftLength), fftLength,
                $"{op}: fftLength must be at least sequenceLength, got fftLength = {fftLength} and sequenceLength = {sequenceLength}.");
    }

    // The named window (null: a rectangle) of sequenceLength samples, centered in fftLength zeros
    // as torch.stft and Keras place a window shorter than the frame.
    private static Tensor FrameWindow(string op, string? name, int sequenceLength, int fftLength, Tensor like)
    {
        var window = Signal.NamedWindow(op, name, sequenceLength, periodic: true, like.DType, like.Backend)
                     ?? Fill(new Shape(sequenceLength), 1, like.DType, like.Backend);
        return CenterWindow(window, sequenceLength, fftLength);
    }

    private static Tensor GivenWindow(string op, Tensor window, int sequenceLength, int fftLength, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(window, "customWindow");
        if (window.Rank != 1 || window.Shape[0] != sequenceLength)
            throw new ArgumentException($"{op}: the window must be 1-D with sequenceLength = {sequenceLength} samples, got shape {window.Shape}.", "customWindow");
        if (window.DType != like.DType)
            throw new ArgumentException($"{op}: the window's dtype {window.DType.Name()} differs from the signal's {like.DType.Name()}; convert it with NF.Cast.", "customWindow");
        Engine.BackendOf(op, window, like);
        return CenterWindow(window, sequenceLength, fftLength);
    }

    private static Tensor CenterWindow(Tensor window, int sequenceLength, int fftLength)
    {
        if (sequenceLength == fftLength) return window;
        int left = (fftLength - sequenceLength) / 2;
        return Pad(window, new[,] { { left, fftLength - sequenceLength - left } });
    }
}
