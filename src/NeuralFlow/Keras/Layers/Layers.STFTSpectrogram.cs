using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Spectrograms of multichannel signals by trainable STFT kernels (<c>keras.layers.STFTSpectrogram</c>):
    /// each channel of [batch, time, channels] (channels_first: [batch, channels, time]) is
    /// convolved, every <see cref="FrameStep"/> samples, with a real kernel cos(2π t k / n) and an
    /// imaginary one -sin(2π t k / n) of <see cref="FrameLength"/> taps for the n / 2 + 1 bins of
    /// n = <see cref="FftLength"/>, both multiplied by the window and divided by its scaling
    /// ("density": sqrt(Σ w²), "spectrum": Σ |w|, null: 1). The kernels start as that DFT and may
    /// be trained (Keras' real_kernel and imag_kernel, [frameLength, 1, bins]). <see cref="Mode"/>:
    /// "log" (ln of the magnitude), "magnitude", "psd" (power, the inner bins doubled), "real",
    /// "imag", "angle" or "stft" (real then imaginary bins). Output [batch, frames, channels · bins]
    /// (channels_first [batch, channels · bins, frames]); with <see cref="ExpandDims"/>
    /// [batch, frames, bins, channels] (channels_first [batch, channels, frames, bins]).
    /// </summary>
    public sealed class STFTSpectrogram : Layer
    {
        private static readonly string[] Modes = ["log", "magnitude", "psd", "real", "imag", "angle", "stft"];
        private const double KerasEpsilon = 1e-7;   // keras.backend.epsilon(), the floor under sqrt and log

        /// <summary>Keras' defaults: log mode, frames of 256 every 128 samples, FFT of the next power of two, a symmetric Hann window, density scaling, valid padding.</summary>
        /// <exception cref="ArgumentOutOfRangeException">frameLength is below 1, frameStep is outside 1..frameLength, or fftLength &lt; frameLength.</exception>
        /// <exception cref="ArgumentException">mode, window, scaling, padding or dataFormat is not one of Keras' names.</exception>
        public STFTSpectrogram(string mode = "log", int frameLength = 256, int? frameStep = null, int? fftLength = null, string? window = "hann",
                               bool periodic = false, string? scaling = "density", string padding = "valid", bool expandDims = false,
                               string dataFormat = "channels_last", string? name = null) : base(name)
        {
            const string op = nameof(STFTSpectrogram);
            NF.Signal.CheckPositive(op, nameof(frameLength), frameLength);
            if (frameStep is { } step && (step < 1 || step > frameLength))
                throw new ArgumentOutOfRangeException(nameof(frameStep), step, $"{op}: frameStep must lie in 1..frameLength = {frameLength}, got {step}.");
            if (fftLength < frameLength)
                throw new ArgumentOutOfRangeException(nameof(fftLength), fftLength, $"{op}: fftLength must be at least frameLength = {frameLength}, got {fftLength}.");
            if (!Modes.Contains(mode))
                throw new ArgumentException($"{op}: mode must be one of {string.Join(", ", Modes)}, got \"{mode}\".", nameof(mode));
            NF.Signal.CheckWindowName(op, window);
            if (scaling is not (null or "density" or "spectrum"))
                throw new ArgumentException($"{op}: scaling must be \"density\", \"spectrum\" or null, got \"{scaling}\".", nameof(scaling));
            if (padding is not ("valid" or "same"))
                throw new ArgumentException($"{op}: padding must be \"valid\" or \"same\", got \"{padding}\".", nameof(padding));
            DataFormat = PoolingArgs.DataFormat(op, dataFormat);
            (Mode, FrameLength, FrameStep, Window, Periodic, Scaling, Padding, ExpandDims) = (mode, frameLength, frameStep, window, periodic, scaling, padding, expandDims);
            FftLength = fftLength;
        }

        /// <summary>The output: "log", "magnitude", "psd", "real", "imag", "angle" or "stft".</summary>
        public string Mode { get; }
        /// <summary>Samples per frame (the kernels' taps).</summary>
        public int FrameLength { get; }
        /// <summary>The step between frames as given; null: frameLength / 2.</summary>
        public int? FrameStep { get; }
        /// <summary>The FFT size as given; null: the smallest power of two at least frameLength.</summary>
        public int? FftLength { get; }
        /// <summary>"hann", "hamming" or null for none.</summary>
        public string? Window { get; }
        /// <summary>Whether the window is periodic (scipy's fftbins) rather than symmetric.</summary>
        public bool Periodic { get; }
        /// <summary>"density", "spectrum" or null.</summary>
        public string? Scaling { get; }
        /// <summary>"valid" or "same", as Conv1D's.</summary>
        public string Padding { get; }
        /// <summary>Whether bins and channels get separate axes (an image for image models).</summary>
        public bool ExpandDims { get; }
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }

        private int Step => FrameStep ?? FrameLength / 2;
        private int Fft => FftLength ?? (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)FrameLength);

        /// <summary>The real DFT kernel [frameLength, 1, bins]; null in "imag" mode.</summary>
        public Variable? RealKernel { get; private set; }
        /// <summary>The imaginary DFT kernel [frameLength, 1, bins]; null in "real" mode.</summary>
        public Variable? ImagKernel { get; private set; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["mode"] = Mode;
            c["frame_length"] = FrameLength;
            c["frame_step"] = FrameStep;
            c["fft_length"] = FftLength;
            c["window"] = Window;
            c["periodic"] = Periodic;
            c["scaling"] = Scaling;
            c["padding"] = Padding;
            c["data_format"] = DataFormat;
            c["expand_dims"] = ExpandDims;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            if (inputShape.Rank != 3)
                throw new ArgumentException($"{Name}: STFTSpectrogram takes [batch, time, channels] ({DataFormat}), got shape {inputShape}.", nameof(inputShape));
            var shape = new Shape(FrameLength, 1, Fft / 2 + 1);
            if (Mode != "imag") RealKernel = AddWeight("real_kernel", shape, new Initializer("stft", (s, _, _) => KernelValues(s, real: true)));
            if (Mode != "real") ImagKernel = AddWeight("imag_kernel", shape, new Initializer("stft", (s, _, _) => KernelValues(s, real: false)));
        }

        // Keras' initializers.STFT: cos or sin of -2π t k / n, times the window over its scaling.
        private Tensor KernelValues(Shape shape, bool real)
        {
            int taps = shape[0], bins = shape[2], n = Fft;
            double[]? window = null;
            double scale = 1;
            using var named = NF.Signal.NamedWindow(nameof(STFTSpectrogram), Window, taps, Periodic, DType.Float64, NF.Backend);
            if (named is not null)
            {
                window = named.ToArray<double>();
                scale = Scaling switch { "density" => Math.Sqrt(window.Sum(v => v * v)), "spectrum" => window.Sum(Math.Abs), _ => 1 };
            }
            var values = new double[(long)taps * bins];
            for (int t = 0; t < taps; t++)
                for (int k = 0; k < bins; k++)
                {
                    double angle = -2 * Math.PI * ((long)t * k % n) / n;
                    values[(long)t * bins + k] = (real ? Math.Cos(angle) : Math.Sin(angle)) * (window?[t] ?? 1) / scale;
                }
            return NF.Signal.HostValues(values, shape, VariableDType, NF.Backend);
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (!x.DType.IsFloating())
                throw new ArgumentException($"{Name}: STFTSpectrogram needs float32 or float64 signals, got {x.DType.Name()}.", nameof(x));
            bool last = DataFormat == "channels_last";
            int batch = x.Shape[0], time = x.Shape[last ? 1 : 2], channels = x.Shape[last ? 2 : 1];
            // Every channel is its own 1-channel signal: [batch · channels, time, 1].
            var signals = NF.Reshape(last ? NF.Transpose(x, [0, 2, 1]) : x, [batch * channels, time, 1]);
            Tensor Apply(Variable kernel)
            {
                var k = kernel.DType == x.DType ? (Tensor)kernel : NF.Cast(kernel, x.DType);
                var y = NF.Conv1D(signals, k, Step, Padding);   // [batch · channels, frames, bins]
                return NF.Reshape(y, [batch, channels, y.Shape[1], y.Shape[2]]);
            }
            var re = RealKernel is null ? null : Apply(RealKernel);
            var im = ImagKernel is null ? null : Apply(ImagKernel);
            Tensor spectrum = Mode switch
            {
                "real" => re!,
                "imag" => im!,
                "angle" => NF.Atan2(im!, re!),
                "stft" => NF.Concat([re!, im!], -1),
                _ => Spectrum(NF.Square(re!) + NF.Square(im!)),
            };
            return Arrange(spectrum);
        }

        // psd, magnitude or log from the power [batch, channels, frames, bins].
        private Tensor Spectrum(Tensor power)
        {
            if (Mode == "psd")
            {
                // Every bin but the first and last stands for its mirror image too: counted twice.
                int bins = power.Shape[3];
                if (bins <= 2) return power;
                var inner = NF.Slice(power, [0, 0, 0, 1], [-1, -1, -1, bins - 2]);
                return power + NF.Pad(inner, new[,] { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 1, 1 } });
            }
            var magnitude = NF.Sqrt(NF.Maximum(power, KerasEpsilon));
            return Mode == "magnitude" ? magnitude : NF.Log(NF.Maximum(magnitude, KerasEpsilon));
        }

        // [batch, channels, frames, bins] to the layout of DataFormat and ExpandDims.
        private Tensor Arrange(Tensor y)
        {
            int batch = y.Shape[0], channels = y.Shape[1], frames = y.Shape[2], bins = y.Shape[3];
            if (DataFormat == "channels_last")
                return ExpandDims ? NF.Transpose(y, [0, 2, 3, 1]) : NF.Reshape(NF.Transpose(y, [0, 2, 1, 3]), [batch, frames, channels * bins]);
            return ExpandDims ? y : NF.Reshape(NF.Transpose(y, [0, 1, 3, 2]), [batch, channels * bins, frames]);
        }
    }
}
