using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Mel spectrograms of audio signals (<c>keras.layers.MelSpectrogram</c>): the centered
    /// <see cref="NF.Stft(Tensor, int, int, int, string?, bool)"/> of each signal's last axis, its
    /// magnitude raised to <see cref="MagExp"/>, mapped onto <see cref="NumMelBins"/> mel bands by
    /// <see cref="NF.Signal.LinearToMelWeightMatrix"/> between <see cref="MinFreq"/> and
    /// <see cref="MaxFreq"/>, and (with <see cref="PowerToDb"/>) converted to decibels relative to
    /// <see cref="RefPower"/>, floored at <see cref="TopDb"/> below the largest value of the whole
    /// batch (Keras' max over every axis). Input [samples] or [batch, samples]; output
    /// [..., numMelBins, frames] with frames = samples / sequenceStride + 1. Computes in the
    /// layer's float dtype; composed of NF ops, so it has gradients and runs on every engine.
    /// </summary>
    public sealed class MelSpectrogram : Layer
    {
        /// <summary>Keras' defaults: fft 2048, stride 512, 16 kHz, 128 bands from 20 Hz to sampling rate / 2, power in dB floored 80 dB below the top.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A length, the stride, the sampling rate or the band count is below 1, fftLength &lt; sequenceLength, or the frequencies are out of order.</exception>
        /// <exception cref="ArgumentException">window is not "hann", "hamming" or null.</exception>
        public MelSpectrogram(int fftLength = 2048, int sequenceStride = 512, int? sequenceLength = null, string? window = "hann",
                              int samplingRate = 16000, int numMelBins = 128, double minFreq = 20, double? maxFreq = null,
                              bool powerToDb = true, double? topDb = 80, double magExp = 2, double minPower = 1e-10, double refPower = 1,
                              string? name = null) : base(name)
        {
            const string op = nameof(MelSpectrogram);
            NF.Signal.CheckPositive(op, nameof(fftLength), fftLength);
            NF.Signal.CheckPositive(op, nameof(sequenceStride), sequenceStride);
            NF.Signal.CheckPositive(op, nameof(samplingRate), samplingRate);
            NF.Signal.CheckPositive(op, nameof(numMelBins), numMelBins);
            int length = sequenceLength ?? fftLength;
            NF.Signal.CheckPositive(op, nameof(sequenceLength), length);
            if (fftLength < length)
                throw new ArgumentOutOfRangeException(nameof(fftLength), fftLength, $"{op}: fftLength must be at least sequenceLength = {length}, got {fftLength}.");
            NF.Signal.CheckWindowName(op, window);
            // Keras' max_freq defaults to int(sampling_rate / 2).
            double top = maxFreq ?? samplingRate / 2;
            if (!(minFreq >= 0) || !(minFreq < top) || double.IsInfinity(top))
                throw new ArgumentOutOfRangeException(nameof(minFreq), minFreq, $"{op}: need 0 <= minFreq < maxFreq (finite), got minFreq = {minFreq} and maxFreq = {top}.");
            if (!(minPower > 0))
                throw new ArgumentOutOfRangeException(nameof(minPower), minPower, $"{op}: minPower must be positive (the floor under log10), got {minPower}.");
            (FftLength, SequenceStride, SequenceLength, Window, SamplingRate, NumMelBins) = (fftLength, sequenceStride, length, window, samplingRate, numMelBins);
            (MinFreq, MaxFreq, PowerToDb, TopDb, MagExp, MinPower, RefPower) = (minFreq, top, powerToDb, topDb, magExp, minPower, refPower);
        }

        /// <summary>The FFT size of each frame (Keras' fft_length).</summary>
        public int FftLength { get; }
        /// <summary>Samples between frames (Keras' sequence_stride).</summary>
        public int SequenceStride { get; }
        /// <summary>The window's length, centered in the frame (Keras' sequence_length; defaults to fftLength).</summary>
        public int SequenceLength { get; }
        /// <summary>"hann", "hamming" or null for none.</summary>
        public string? Window { get; }
        /// <summary>Samples per second of the input.</summary>
        public int SamplingRate { get; }
        /// <summary>How many mel bands.</summary>
        public int NumMelBins { get; }
        /// <summary>The lowest band's lower edge in Hz.</summary>
        public double MinFreq { get; }
        /// <summary>The highest band's upper edge in Hz.</summary>
        public double MaxFreq { get; }
        /// <summary>Whether the output is in decibels.</summary>
        public bool PowerToDb { get; }
        /// <summary>How far below the batch's largest value decibels are floored; null: not floored.</summary>
        public double? TopDb { get; }
        /// <summary>The exponent of the magnitude (2: power).</summary>
        public double MagExp { get; }
        /// <summary>The floor under the power and the reference before log10.</summary>
        public double MinPower { get; }
        /// <summary>The power of 0 dB.</summary>
        public double RefPower { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["fft_length"] = FftLength;
            c["sequence_stride"] = SequenceStride;
            c["sequence_length"] = SequenceLength;
            c["window"] = Window;
            c["sampling_rate"] = SamplingRate;
            c["num_mel_bins"] = NumMelBins;
            c["min_freq"] = MinFreq;
            c["max_freq"] = MaxFreq;
            c["power_to_db"] = PowerToDb;
            c["top_db"] = TopDb;
            c["mag_exp"] = MagExp;
            c["min_power"] = MinPower;
            c["ref_power"] = RefPower;
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (x.Rank is not (1 or 2))
                throw new ArgumentException($"{Name}: MelSpectrogram takes [samples] or [batch, samples], got shape {x.Shape}.", nameof(x));
            var signal = x.DType == VariableDType ? x : NF.Cast(x, VariableDType);
            var (re, im) = NF.Stft(signal, SequenceLength, SequenceStride, FftLength, Window, center: true);
            // |X|^magExp as (re² + im²)^(magExp / 2): the same value, without sqrt's infinite
            // gradient at a zero bin when magExp is 2 (the default).
            var power = NF.Square(re) + NF.Square(im);
            var spectrum = MagExp == 2 ? power : NF.Pow(power, MagExp / 2);
            var mel = NF.Signal.MelWeights(NumMelBins, FftLength / 2 + 1, SamplingRate, MinFreq, MaxFreq, VariableDType, signal.Backend);
            var bands = NF.MatMul(spectrum, mel);
            if (PowerToDb) bands = Decibels(bands);
            return NF.Transpose(bands, x.Rank == 1 ? [1, 0] : [0, 2, 1]);
        }

        // 10 log10(max(S, minPower) / max(|ref|, minPower)), floored topDb below the largest value.
        private Tensor Decibels(Tensor power)
        {
            var db = NF.Log(NF.Maximum(power, MinPower)) * (10 / Math.Log(10)) - 10 * Math.Log10(Math.Max(Math.Abs(RefPower), MinPower));
            return TopDb is { } floor ? NF.Maximum(db, NF.ReduceMax(db) - floor) : db;
        }
    }
}
