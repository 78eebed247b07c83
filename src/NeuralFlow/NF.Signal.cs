using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Signal-processing building blocks (<c>tf.signal</c>): windows, framing, overlap-add and the
    /// mel filterbank, which NF.Stft, NF.Istft and the spectrogram layers use.
    /// All are composed of existing ops (Gather, Pad, Slice), so every engine runs them and they
    /// have gradients.
    /// </summary>
    public static partial class Signal
    {
        /// <summary>
        /// The Hann window of <paramref name="length"/> samples (<c>tf.signal.hann_window</c>,
        /// <c>torch.hann_window</c>): 0.5 - 0.5 cos(2π n / N), N = length when
        /// <paramref name="periodic"/> (for spectral analysis, scipy's <c>get_window("hann", n)</c>)
        /// and length - 1 otherwise; a single sample is 1.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">length is negative.</exception>
        /// <exception cref="ArgumentException">dtype is not float32 or float64.</exception>
        public static Tensor HannWindow(int length, bool periodic = true, DType dtype = DType.Float32) =>
            CosineWindow(nameof(HannWindow), length, periodic, 0.5, dtype, Backend);

        /// <summary>
        /// The Hamming window of <paramref name="length"/> samples (<c>tf.signal.hamming_window</c>,
        /// <c>torch.hamming_window</c>): 0.54 - 0.46 cos(2π n / N), N as in <see cref="HannWindow"/>.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">length is negative.</exception>
        /// <exception cref="ArgumentException">dtype is not float32 or float64.</exception>
        public static Tensor HammingWindow(int length, bool periodic = true, DType dtype = DType.Float32) =>
            CosineWindow(nameof(HammingWindow), length, periodic, 0.54, dtype, Backend);

        /// <summary>
        /// Overlapping frames of <paramref name="frameLength"/> samples every
        /// <paramref name="frameStep"/> samples along the last axis (<c>tf.signal.frame</c> without
        /// pad_end, <c>keras.ops.extract_sequences</c>): [..., T] gives
        /// [..., 1 + (T - frameLength) / frameStep, frameLength]; no frame when T &lt; frameLength.
        /// </summary>
        /// <exception cref="ArgumentException">x is a scalar.</exception>
        /// <exception cref="ArgumentOutOfRangeException">frameLength or frameStep is below 1.</exception>
        public static Tensor Frame(Tensor x, int frameLength, int frameStep)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (x.Rank < 1)
                throw new ArgumentException($"Frame: x needs an axis to cut into frames, got a scalar.", nameof(x));
            CheckPositive(nameof(Frame), nameof(frameLength), frameLength);
            CheckPositive(nameof(Frame), nameof(frameStep), frameStep);
            int samples = x.Shape[-1];
            int count = samples < frameLength ? 0 : 1 + (samples - frameLength) / frameStep;
            // The index grid is one host array: a step much shorter than a long frame can ask for more.
            if ((long)count * frameLength > Array.MaxLength)
                throw new ArgumentException(
                    $"Frame: {count} frames of frameLength = {frameLength} (frameStep = {frameStep}) are {(long)count * frameLength} samples per signal, more than one tensor holds ({Array.MaxLength}); use a longer frameStep or a shorter signal.", nameof(frameStep));
            // Frame f holds samples f · step + j: one gather of a [count, frameLength] index grid.
            var positions = new int[(long)count * frameLength];
            for (int f = 0; f < count; f++)
                for (int j = 0; j < frameLength; j++)
                    positions[(long)f * frameLength + j] = f * frameStep + j;
            var index = Engine.FromHost<int>(positions, new Shape(count, frameLength), x.Backend);
            return Gather(x, index, x.Rank - 1);
        }

        /// <summary>
        /// The sum of the frames [..., N, L] laid <paramref name="frameStep"/> samples apart
        /// (<c>tf.signal.overlap_and_add</c>): [..., (N - 1) · frameStep + L], Frame's inverse up
        /// to the overlap counts.
        /// </summary>
        /// <exception cref="ArgumentException">frames has fewer than 2 axes or no frame.</exception>
        /// <exception cref="ArgumentOutOfRangeException">frameStep is below 1.</exception>
        public static Tensor OverlapAndAdd(Tensor frames, int frameStep)
        {
            ArgumentNullException.ThrowIfNull(frames);
            if (frames.Rank < 2 || frames.Shape[-2] == 0)
                throw new ArgumentException($"OverlapAndAdd: frames must be [..., frames, frameLength] with at least one frame, got shape {frames.Shape}.", nameof(frames));
            CheckPositive(nameof(OverlapAndAdd), nameof(frameStep), frameStep);
            int count = frames.Shape[-2], length = frames.Shape[-1], rank = frames.Rank;
            // Each frame, padded to K whole steps, is K blocks of one step; block k of frame f lands
            // on output block f + k. So block column k of every frame, shifted down by k frames
            // (a pad), and summed over k gives the output block by block.
            // Frames of no samples still span (count - 1) · step zeros: one (empty) block keeps the
            // construction below whole for them.
            int blocks = Math.Max(1, (length + frameStep - 1) / frameStep);
            var pads = new int[rank, 2];
            pads[rank - 1, 1] = blocks * frameStep - length;
            var whole = Pad(frames, pads);
            Tensor? sum = null;
            for (int k = 0; k < blocks; k++)
            {
                var begin = new int[rank];
                begin[rank - 1] = k * frameStep;
                var size = Enumerable.Repeat(-1, rank).ToArray();
                size[rank - 1] = frameStep;
                var shift = new int[rank, 2];
                shift[rank - 2, 0] = k;
                shift[rank - 2, 1] = blocks - 1 - k;
                var placed = Pad(Slice(whole, begin, size), shift);
                sum = sum is null ? placed : sum + placed;
            }
            var dims = frames.Shape.ToArray();
            var flat = Reshape(sum!, [.. dims[..^2], (count + blocks - 1) * frameStep]);
            var keep = Enumerable.Repeat(-1, rank - 1).ToArray();
            keep[^1] = (count - 1) * frameStep + length;
            return Slice(flat, new int[rank - 1], keep);
        }

        // a - (1 - a) cos(2π n / N): Hann (a = 0.5) and Hamming (a = 0.54), the two-term cosine sums.
        internal static Tensor CosineWindow(string op, int length, bool periodic, double a, DType dtype, IBackend backend) =>
            CosineSumWindow(op, length, periodic, [a, 1 - a], dtype, backend);

        // c0 - c1 cos(2π n / N) + c2 cos(4π n / N) - ...: the cosine-sum windows (Hann, Hamming,
        // Blackman), as the host values of a tensor on the backend; N = length when periodic, else
        // length - 1; a single sample is 1 (periodic and symmetric, as tf, torch and NumPy).
        internal static Tensor CosineSumWindow(string op, int length, bool periodic, double[] coefficients, DType dtype, IBackend backend)
        {
            if (length < 0)
                throw new ArgumentOutOfRangeException(nameof(length), length, $"{op}: length must be non-negative, got {length}.");
            if (!dtype.IsFloating())
                throw new ArgumentException($"{op}: dtype must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
            int period = periodic ? length : length - 1;
            var values = new double[length];
            for (int n = 0; n < length; n++)
            {
                if (length == 1) { values[n] = 1; continue; }
                double sum = 0;
                for (int k = 0; k < coefficients.Length; k++)
                    sum += (k % 2 == 0 ? 1 : -1) * coefficients[k] * Math.Cos(2 * Math.PI * k * n / period);
                values[n] = sum;
            }
            return HostValues(values, new Shape(length), dtype, backend);
        }

        // The window named as Keras names them ("hann", "hamming"; null: none, given as null), or
        // an exception naming the choices. One reading of the names for Stft, Istft and the layers.
        internal static Tensor? NamedWindow(string op, string? name, int length, bool periodic, DType dtype, IBackend backend) => name switch
        {
            null => null,
            "hann" => CosineWindow(op, length, periodic, 0.5, dtype, backend),
            "hamming" => CosineWindow(op, length, periodic, 0.54, dtype, backend),
            _ => throw new ArgumentException($"{op}: window must be \"hann\", \"hamming\" or null (none), got \"{name}\".", "window"),
        };

        internal static void CheckWindowName(string op, string? name)
        {
            if (name is not (null or "hann" or "hamming")) NamedWindow(op, name, 0, true, DType.Float32, Backend);
        }

        // Host doubles as a tensor of the float dtype asked for on the backend (float16 through
        // float32, so the value rounds as a cast of it does).
        internal static Tensor HostValues(double[] values, Shape shape, DType dtype, IBackend backend)
        {
            if (dtype == DType.Float64) return Engine.FromHost<double>(values, shape, backend);
            var singles = Engine.FromHost<float>(Array.ConvertAll(values, v => (float)v), shape, backend);
            if (dtype == DType.Float32) return singles;
            using (singles) return Cast(singles, dtype);
        }

        internal static void CheckPositive(string op, string name, int value)
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(name, value, $"{op}: {name} must be at least 1, got {value}.");
        }
    }
}
