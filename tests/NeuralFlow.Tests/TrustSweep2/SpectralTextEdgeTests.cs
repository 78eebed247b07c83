using NeuralFlow.Keras;

namespace NeuralFlow.Tests.TrustSweep2;

/// <summary>
/// Pinned edge behaviour of the new FFT/window and text preprocessing features, found correct by
/// the TrustSweep2 probes: tiny and odd FFT lengths (NumPy), length-1 windows, frames longer than
/// the signal (tf.signal.frame's empty result), Unicode tokens looked up byte-exactly (TF does not
/// normalize), and Keras' ASCII-only lowercasing and whitespace (tf.strings.lower / split).
/// </summary>
public abstract class SpectralTextEdgeTests(string backend) : BackendTest(backend)
{
    private static Tensor F(params float[] v) => NF.Constant(v);
    private static double[] Values(Tensor t) => t.ToArray<float>().Select(v => (double)v).ToArray();

    // np.fft.rfft([1., 2, 3], n=1) -> [1+0j]; np.fft.irfft([1, 2+1j], n=3) -> [1.66666667, -0.9106836, 0.24401694];
    // np.fft.irfft of one bin with no n raises (n = 0), as NF's ArgumentOutOfRangeException does.
    [SkippableFact]
    public void Tiny_and_odd_fft_lengths_match_numpy()
    {
        RequireBackend();
        var (re, im) = NF.Rfft(F(1, 2, 3), 1);
        Assert.Equal(new[] { 1f }, re.ToArray<float>());
        Assert.Equal(new[] { 0f }, im.ToArray<float>());
        Reference.AssertClose([1.66666667, -0.9106836, 0.24401694], Values(NF.Irfft((F(1, 2), F(0, 1)), 3)), 1e-6, 1e-6, "irfft n=3");
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Irfft((F(2), F(0))));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Rfft(NF.Zeros(new Shape(0))));
        // An empty batch of signals keeps its batch axis: [0, 4 / 2 + 1].
        Assert.Equal(new Shape(0, 3), NF.Rfft(NF.Zeros(new Shape(0, 4))).Real.Shape);
    }

    // np.hanning(1) -> [1.]; np.hamming(2) -> [0.08, 0.08]; tf.signal.frame(x[3], 5, 1) -> shape (0, 5).
    [SkippableFact]
    public void Short_windows_and_frames_longer_than_the_signal()
    {
        RequireBackend();
        Assert.Equal(new[] { 1f }, NF.Signal.HannWindow(1).ToArray<float>());
        Assert.Equal(new[] { 1f }, NF.Signal.HannWindow(1, periodic: false).ToArray<float>());
        Reference.AssertClose([0.08, 0.08], Values(NF.Signal.HammingWindow(2, periodic: false)), 1e-6, 1e-7, "hamming 2");
        Assert.Equal(new Shape(0, 5), NF.Signal.Frame(F(1, 2, 3), 5, 1).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.HannWindow(-1));
    }

    // TF compares strings byte for byte: "café" (U+00E9) and "cafe" + U+0301 are distinct tokens,
    // an unseen emoji is OOV (index 0 with no mask token, Keras' StringLookup layout).
    [SkippableFact]
    public void StringLookup_keeps_unicode_forms_distinct_and_survives_a_config_round_trip()
    {
        RequireBackend();
        var lookup = new Layers.StringLookup(["caf\u00e9", "cafe\u0301", "\U0001F600", ""]);
        Assert.Equal(new long[] { 2, 3, 1, 0, 4 }, lookup.Call(["cafe\u0301", "\U0001F600", "caf\u00e9", "\U0001F601", ""]).ToArray<long>());
        var copy = Layers.StringLookup.FromConfig(lookup.GetConfig());
        Assert.Equal(new long[] { 3 }, copy.Call(["\U0001F600"]).ToArray<long>());
        Assert.Throws<ArgumentException>(() => new Layers.StringLookup(["a", "b", "a"]));
    }

    // keras/src/layers/preprocessing/text_vectorization.py standardizes with tf.strings.lower (ASCII
    // letters only) and splits on ASCII whitespace: "ÉCOLE" stays "École" (OOV 1), "b\u00a0a" is one
    // token; the character split yields code points, so a combining accent is its own token.
    [SkippableFact]
    public void TextVectorization_lowercases_and_splits_as_tf_strings_do()
    {
        RequireBackend();
        var vectorizer = new Layers.TextVectorization(vocabulary: ["\u00e9cole", "stra\u00dfe", "\U0001F600", "a", "b"]);
        Assert.Equal(new long[] { 1, 4, 3, 5, 1, 6 }, vectorizer.Call(["\u00c9COLE \U0001F600! Stra\u00dfe. a b\u00a0a\tb"]).ToArray<long>());
        var characters = new Layers.TextVectorization(split: "character", standardize: null, vocabulary: ["e", "\u0301", "\U0001F600"]);
        Assert.Equal(new long[] { 2, 3, 4 }, characters.Call(["e\u0301\U0001F600"]).ToArray<long>());
        // An empty text pads to the sequence length; adapting again replaces the vocabulary (Keras resets state).
        var padded = new Layers.TextVectorization(vocabulary: ["a"], outputSequenceLength: 3);
        Assert.Equal(new long[] { 0, 0, 0, 2, 2, 2 }, padded.Call(["", "a a a a a"]).ToArray<long>());
        var adapted = new Layers.TextVectorization();
        adapted.Adapt(["a a b"]);
        adapted.Adapt(["c"]);
        Assert.Equal(new[] { "", "[UNK]", "c" }, adapted.GetVocabulary());
    }
}

public sealed class ManagedSpectralTextEdgeTests() : SpectralTextEdgeTests("managed");
public sealed class NativeCpuSpectralTextEdgeTests() : SpectralTextEdgeTests("cpu");
public sealed class CudaSpectralTextEdgeTests() : SpectralTextEdgeTests("cuda");
