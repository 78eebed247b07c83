namespace NeuralFlow;

// tf.signal.stft, which differs from keras.ops.stft / torch.stft (NF.Stft) in three ways a port of
// a TensorFlow audio pipeline trips on: the frame is frameLength samples (not fftLength), the
// window of frameLength samples sits at the frame's start (the FFT zero-pads the end, where torch
// centers a shorter window), and the signal is never centered, only zero-padded at the end with
// padEnd. fftLength defaults to the smallest power of two enclosing frameLength.
public static partial class NF
{
    public static partial class Signal
    {
        /// <summary>
        /// The short-time Fourier transform of real signals along the last axis as TensorFlow's
        /// <c>tf.signal.stft</c> computes it: frames of <paramref name="frameLength"/> samples every
        /// <paramref name="frameStep"/> samples (<see cref="Frame"/>; with <paramref name="padEnd"/>
        /// the end is zero-padded so that ceil(samples / frameStep) frames fit), each multiplied by
        /// the <paramref name="window"/> of frameLength samples ("hann" or "hamming", periodic as
        /// tf.signal.hann_window's default; null for none) and transformed by Rfft of
        /// <paramref name="fftLength"/> samples (the frame zero-padded or cropped at its end;
        /// default: the smallest power of two at least frameLength). Result: the (Real, Imag)
        /// parts, [..., frames, fftLength / 2 + 1] in x's dtype; take <see cref="Abs(ValueTuple{Tensor, Tensor})"/>
        /// for the magnitude (tf.abs). A signal shorter than one frame without padEnd has no frame, as in TF.
        /// </summary>
        /// <exception cref="ArgumentException">x is a scalar or not float32/float64; the window name is unknown.</exception>
        /// <exception cref="ArgumentOutOfRangeException">frameLength, frameStep or fftLength is below 1.</exception>
        public static (Tensor Real, Tensor Imag) Stft(Tensor x, int frameLength, int frameStep, int? fftLength = null, string? window = "hann", bool padEnd = false)
        {
            int n = CheckTfStft(x, frameLength, frameStep, fftLength);
            return TfStftOf(x, frameLength, frameStep, n, NamedWindow(nameof(Stft), window, frameLength, periodic: true, x.DType, x.Backend), padEnd);
        }

        /// <summary>
        /// <see cref="Stft(Tensor, int, int, int?, string?, bool)"/> with the 1-D window
        /// <paramref name="customWindow"/> of frameLength samples in x's dtype (what TF's window_fn returns);
        /// the gradient reaches the window too.
        /// </summary>
        /// <exception cref="ArgumentException">As the named-window Stft, or the window is not 1-D of frameLength samples in x's dtype.</exception>
        /// <exception cref="ArgumentOutOfRangeException">As the named-window Stft.</exception>
        public static (Tensor Real, Tensor Imag) Stft(Tensor x, int frameLength, int frameStep, Tensor customWindow, int? fftLength = null, bool padEnd = false)
        {
            int n = CheckTfStft(x, frameLength, frameStep, fftLength);
            ArgumentNullException.ThrowIfNull(customWindow);
            if (customWindow.Rank != 1 || customWindow.Shape[0] != frameLength)
                throw new ArgumentException($"Stft: the window must be 1-D with frameLength = {frameLength} samples, got shape {customWindow.Shape}.", nameof(customWindow));
            if (customWindow.DType != x.DType)
                throw new ArgumentException($"Stft: the window's dtype {customWindow.DType.Name()} differs from the signal's {x.DType.Name()}; convert it with NF.Cast.", nameof(customWindow));
            Engine.BackendOf(nameof(Stft), customWindow, x);
            return TfStftOf(x, frameLength, frameStep, n, customWindow, padEnd);
        }

        private static int CheckTfStft(Tensor x, int frameLength, int frameStep, int? fftLength)
        {
            CheckSpectralInput(nameof(Stft), x, 1, nameof(x));
            CheckPositive(nameof(Stft), nameof(frameLength), frameLength);
            CheckPositive(nameof(Stft), nameof(frameStep), frameStep);
            if (fftLength is { } given)
            {
                CheckPositive(nameof(Stft), nameof(fftLength), given);
                return given;
            }
            // TF's _enclosing_power_of_two: 2^ceil(log2(frameLength)).
            if (frameLength > 1 << 30)
                throw new ArgumentOutOfRangeException(nameof(frameLength), frameLength, $"Stft: frameLength {frameLength} has no power-of-two fftLength an int holds; give fftLength.");
            int n = 1;
            while (n < frameLength) n <<= 1;
            return n;
        }

        private static (Tensor Real, Tensor Imag) TfStftOf(Tensor x, int frameLength, int frameStep, int fftLength, Tensor? window, bool padEnd)
        {
            var signal = x;
            int samples = x.Shape[-1];
            if (padEnd && samples > 0)
            {
                // TF's frame(pad_end=True): ceil(samples / step) frames, the last ones reaching into zeros.
                int frames = (int)(((long)samples + frameStep - 1) / frameStep);
                long needed = frameLength + (long)frameStep * (frames - 1);
                if (needed > Array.MaxLength)
                    throw new ArgumentException($"Stft: padEnd pads the signal to {needed} samples, more than one tensor axis holds; use a longer frameStep or a shorter frameLength.", nameof(padEnd));
                if (needed > samples)
                {
                    var pads = new int[x.Rank, 2];
                    pads[x.Rank - 1, 1] = (int)(needed - samples);
                    signal = Pad(x, pads);
                }
            }
            var framed = Frame(signal, frameLength, frameStep);
            if (window is not null) framed *= window;
            return Rfft(framed, fftLength);
        }
    }

    /// <summary>
    /// The magnitude |z| = sqrt(Real² + Imag²) of a complex tensor held as its (Real, Imag) parts
    /// (<c>tf.abs</c> / <c>torch.abs</c> of a complex tensor, as the spectrogram of
    /// <see cref="Signal.Stft(Tensor, int, int, int?, string?, bool)"/> or <see cref="Rfft"/> needs):
    /// <see cref="Hypot"/>, so neither square overflows, with gradients Real / |z| and Imag / |z|
    /// (0 where z = 0, as TF's). Result: the parts' shape and dtype.
    /// </summary>
    /// <exception cref="ArgumentException">The parts differ in shape or dtype, are not float32/float64, or are on different devices.</exception>
    public static Tensor Abs((Tensor Real, Tensor Imag) x)
    {
        CheckComplexPair(nameof(Abs), x, 0);
        return Hypot(x.Real, x.Imag);
    }
}
