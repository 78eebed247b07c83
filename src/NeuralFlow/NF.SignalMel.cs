using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Signal
    {
        // HTK's mel scale, as tf.signal and Keras: mel(f) = 1127 ln(1 + f / 700).
        private static double HertzToMel(double hertz) => 1127.0 * Math.Log(1 + hertz / 700.0);

        /// <summary>
        /// The [numSpectrogramBins, numMelBins] matrix that turns a linear spectrogram's bins
        /// (0 .. sampleRate / 2, the Rfft bins of fftLength = 2 · (numSpectrogramBins - 1)) into
        /// mel bands (<c>tf.signal.linear_to_mel_weight_matrix</c>, Keras' MelSpectrogram): HTK
        /// triangles, equally spaced on the mel scale between <paramref name="lowerEdgeHertz"/> and
        /// <paramref name="upperEdgeHertz"/>, each peaking at 1; the zero-frequency bin weighs
        /// nothing. Right-multiply a spectrogram [..., bins] by it (NF.MatMul).
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">A count is below 1, the sample rate is not positive, lowerEdgeHertz is negative or not below upperEdgeHertz.</exception>
        /// <exception cref="ArgumentException">dtype is not float32 or float64.</exception>
        public static Tensor LinearToMelWeightMatrix(int numMelBins = 20, int numSpectrogramBins = 129, double sampleRate = 8000,
                                                     double lowerEdgeHertz = 125, double upperEdgeHertz = 3800, DType dtype = DType.Float32) =>
            MelWeights(numMelBins, numSpectrogramBins, sampleRate, lowerEdgeHertz, upperEdgeHertz, dtype, Backend);

        // LinearToMelWeightMatrix on a given backend (a layer's input's).
        internal static Tensor MelWeights(int numMelBins, int numSpectrogramBins, double sampleRate,
                                          double lowerEdgeHertz, double upperEdgeHertz, DType dtype, IBackend backend)
        {
            const string op = nameof(LinearToMelWeightMatrix);
            CheckPositive(op, nameof(numMelBins), numMelBins);
            CheckPositive(op, nameof(numSpectrogramBins), numSpectrogramBins);
            if (!(sampleRate > 0) || double.IsInfinity(sampleRate))
                throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"{op}: sampleRate must be a positive number, got {sampleRate}.");
            if (!(lowerEdgeHertz >= 0))
                throw new ArgumentOutOfRangeException(nameof(lowerEdgeHertz), lowerEdgeHertz, $"{op}: lowerEdgeHertz must be non-negative, got {lowerEdgeHertz}.");
            if (!(lowerEdgeHertz < upperEdgeHertz) || double.IsInfinity(upperEdgeHertz))
                throw new ArgumentOutOfRangeException(nameof(upperEdgeHertz), upperEdgeHertz, $"{op}: upperEdgeHertz must be finite and above lowerEdgeHertz = {lowerEdgeHertz}, got {upperEdgeHertz}.");
            if (!dtype.IsFloating())
                throw new ArgumentException($"{op}: dtype must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
            // Band m rises from edge m to its center m + 1 and falls to edge m + 2 (mel units).
            double lowMel = HertzToMel(lowerEdgeHertz), highMel = HertzToMel(upperEdgeHertz);
            var edges = new double[numMelBins + 2];
            for (int i = 0; i < edges.Length; i++) edges[i] = lowMel + (highMel - lowMel) * i / (numMelBins + 1);
            var weights = new double[(long)numSpectrogramBins * numMelBins];
            for (int b = 1; b < numSpectrogramBins; b++)
            {
                double mel = HertzToMel(sampleRate / 2 * b / (numSpectrogramBins - 1));
                for (int m = 0; m < numMelBins; m++)
                {
                    double rising = (mel - edges[m]) / (edges[m + 1] - edges[m]);
                    double falling = (edges[m + 2] - mel) / (edges[m + 2] - edges[m + 1]);
                    weights[(long)b * numMelBins + m] = Math.Max(0, Math.Min(rising, falling));
                }
            }
            return HostValues(weights, new Shape(numSpectrogramBins, numMelBins), dtype, backend);
        }
    }
}
