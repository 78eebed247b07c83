using static NeuralFlow.Tests.Reference;
using static NeuralFlow.Tests.Spectral.FftTests;
using static NeuralFlow.Tests.Spectral.SpectralReferences;

namespace NeuralFlow.Tests.Spectral;

/// <summary>
/// NF.Stft and NF.Istft on every engine: keras.ops.stft/istft's docstring examples
/// (keras/src/ops/math.py), torch.stft/istft values from spectral_references.py (in
/// SpectralReferences.cs) for hann, hamming, no and custom windows, centered or not, windows
/// shorter than the frame; round trips, float64 finite-difference gradients and argument errors.
/// </summary>
public abstract class StftTests(string backend) : BackendTest(backend)
{
    // spectral_references.py's x: signal(40, 7) as [2, 20].
    private static Tensor X(DType dtype) => NF.Cast(Of(Signal(40, 7), 2, 20), dtype);

    [SkippableFact]
    public void Keras_docstring_examples()
    {
        RequireBackend();
        // keras.ops.stft([0..4], 3, 2, 3) -> ([[0.75, -0.375], [3.75, -1.875], [5.25, -2.625]],
        // [[0, 0.64951905], [0, 0.64951905], [0, -0.64951905]]).
        using var x = NF.Constant(new[] { 0f, 1, 2, 3, 4 });
        var (re, im) = NF.Stft(x, 3, 2, 3);
        Assert.Equal(new Shape(3, 2), re.Shape);
        Assert.Equal(DType.Float32, im.DType);
        AssertClose([0.75, -0.375, 3.75, -1.875, 5.25, -2.625], Values(re), 1e-6, 1e-6, "stft real");
        AssertClose([0, 0.64951905, 0, 0.64951905, 0, -0.64951905], Values(im), 1e-6, 1e-6, "stft imag");
        // keras.ops.istft(stft(x, 1, 1, 1), 1, 1, 1) -> [0, 1, 2, 3, 4].
        AssertClose([0, 1, 2, 3, 4], Values(NF.Istft(NF.Stft(x, 1, 1, 1), 1, 1, 1)), 1e-6, 1e-6, "istft(stft)");
    }

    [SkippableFact]
    public void Stft_matches_torch()
    {
        RequireBackend();
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            double tol = dtype == DType.Float64 ? 1e-12 : 1e-5;
            using var x = X(dtype);
            // torch.stft(x, 8, 3, 8, hann_window(8), center=True) -> [2, 7, 5].
            var (re, im) = NF.Stft(x, 8, 3, 8);
            Assert.Equal(new Shape(2, 7, 5), re.Shape);
            Assert.Equal(dtype, re.DType);
            AssertClose(StftHannSeq8Hop3Fft8CenterReal, Values(re), tol, tol, $"hann real {dtype}");
            AssertClose(StftHannSeq8Hop3Fft8CenterImag, Values(im), tol, tol, $"hann imag {dtype}");
            // A Hamming window of 5 centered in frames of 8, not centered in time.
            (re, im) = NF.Stft(x, 5, 2, 8, "hamming", center: false);
            AssertClose(StftHammingSeq5Hop2Fft8NocenterReal, Values(re), tol, tol, $"hamming real {dtype}");
            AssertClose(StftHammingSeq5Hop2Fft8NocenterImag, Values(im), tol, tol, $"hamming imag {dtype}");
            // No window (torch.ones(6)) in odd frames of 7.
            (re, im) = NF.Stft(x, 6, 4, 7, window: null);
            AssertClose(StftNoneSeq6Hop4Fft7CenterReal, Values(re), tol, tol, $"none real {dtype}");
            AssertClose(StftNoneSeq6Hop4Fft7CenterImag, Values(im), tol, tol, $"none imag {dtype}");
            // A custom window tensor equal to the named one gives the named one's values.
            (re, _) = NF.Stft(x, 8, 3, 8, NF.Signal.HannWindow(8, dtype: dtype));
            AssertClose(StftHannSeq8Hop3Fft8CenterReal, Values(re), tol, tol, $"custom window {dtype}");
        }
    }

    [SkippableFact]
    public void Istft_matches_torch_and_inverts_stft()
    {
        RequireBackend();
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            double tol = dtype == DType.Float64 ? 1e-12 : 1e-5;
            using var x = X(dtype);
            // torch.istft(torch.stft(x, ...), ..., length=18): x's first 18 samples.
            var y = NF.Istft(NF.Stft(x, 8, 3, 8), 8, 3, 8, length: 18);
            Assert.Equal(new Shape(2, 18), y.Shape);
            AssertClose(IstftHannSeq8Hop3Fft8CenterLength18, Values(y), tol, tol, $"istft hann {dtype}");
            AssertClose(IstftNoneSeq6Hop4Fft7CenterLength18, Values(NF.Istft(NF.Stft(x, 6, 4, 7, window: null), 6, 4, 7, 18, window: null)), tol, tol, $"istft none {dtype}");
            // Without length: (frames - 1) · stride (+ fftLength when not centered) samples, all of x here.
            var whole = NF.Istft(NF.Stft(x, 8, 4, 8), 8, 4, 8);
            Assert.Equal(new Shape(2, 20), whole.Shape);
            AssertClose(Signal(40, 7), Values(whole), tol, tol, $"istft(stft) {dtype}");
            var plain = NF.Istft(NF.Stft(x, 8, 2, 8, "hamming", center: false), 8, 2, 8, window: "hamming", center: false);
            Assert.Equal(new Shape(2, 20), plain.Shape);
            AssertClose(Signal(40, 7), Values(plain), tol, tol, $"istft(stft) not centered {dtype}");
            // A length past x reads into the centering's reflection (x[18], x[17], ...), then past
            // the frames pads zeros, as torch.istft(..., length=26) does.
            var longer = Values(NF.Istft(NF.Stft(x, 8, 4, 8), 8, 4, 8, length: 26));
            var row = Signal(40, 7);
            AssertClose([row[18], row[17], row[16], row[15], 0, 0], longer[20..26], tol, tol, $"istft length 26 {dtype}");
            // torch.istft of a spectrum that is no signal's STFT (its least-squares signal).
            var spectrum = (NF.Cast(Of(Signal(30, 8), 6, 5), dtype), NF.Cast(Of(Signal(30, 9), 6, 5), dtype));
            AssertClose(IstftArbitraryHann8Hop2, Values(NF.Istft(spectrum, 8, 2, 8)), tol, tol, $"istft arbitrary {dtype}");
        }
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => { var (re, im) = NF.Stft(t[0], 6, 3, 8); return NF.Concat([re, im], -1); }, GradientTests.In([2, 12], 1));
        GradientTests.Check(t => { var (re, im) = NF.Stft(t[0], 4, 2, 4, t[1], center: false); return re - im; }, GradientTests.In([10], 2), GradientTests.In([4], 3, 0.5, 1.5));
        GradientTests.Check(t => NF.Istft((t[0], t[1]), 4, 2, 4), GradientTests.In([4, 3], 4), GradientTests.In([4, 3], 5));
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        using var x = NF.Zeros(new Shape(2, 16));
        Assert.Contains("fftLength must be at least sequenceLength", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Stft(x, 8, 2, 4)).Message);
        Assert.Contains("sequenceStride must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Stft(x, 4, 0, 4)).Message);
        Assert.Contains("fftLength must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Istft((x, x), 1, 1, 0)).Message);
        Assert.Contains("\"hann\", \"hamming\"", Assert.Throws<ArgumentException>(() => NF.Stft(x, 4, 2, 4, "kaiser")).Message);
        Assert.Contains("1-D with sequenceLength = 4", Assert.Throws<ArgumentException>(() => NF.Stft(x, 4, 2, 4, NF.Ones(new Shape(5)))).Message);
        Assert.Contains("dtype", Assert.Throws<ArgumentException>(() => NF.Stft(x, 4, 2, 4, NF.Ones(new Shape(4), DType.Float64))).Message);
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.Stft(NF.Constant(new[] { 1, 2, 3 }), 1, 1, 1)).Message);
        // Too short to reflect-pad, or to hold one frame.
        Assert.Contains("center: false", Assert.Throws<ArgumentException>(() => NF.Stft(NF.Zeros(new Shape(3)), 8, 2, 8)).Message);
        Assert.Contains("fewer than one frame", Assert.Throws<ArgumentException>(() => NF.Stft(NF.Zeros(new Shape(5)), 8, 2, 8, center: false)).Message);
        // Istft: bins must be fftLength / 2 + 1; mismatched parts; a stride past the window leaves gaps (NOLA).
        var spectrum = (NF.Zeros(new Shape(3, 5)), NF.Zeros(new Shape(3, 5)));
        Assert.Contains("= 4 bins for fftLength = 6", Assert.Throws<ArgumentException>(() => NF.Istft(spectrum, 6, 2, 6)).Message);
        Assert.Contains("one shape", Assert.Throws<ArgumentException>(() => NF.Istft((NF.Zeros(new Shape(3, 5)), NF.Zeros(new Shape(2, 5))), 8, 2, 8)).Message);
        Assert.Contains("at least 2 axes", Assert.Throws<ArgumentException>(() => NF.Istft((NF.Zeros(new Shape(5)), NF.Zeros(new Shape(5))), 8, 2, 8)).Message);
        Assert.Contains("no frame", Assert.Throws<ArgumentException>(() => NF.Istft((NF.Zeros(new Shape(0, 5)), NF.Zeros(new Shape(0, 5))), 8, 2, 8)).Message);
        Assert.Contains("uncovered", Assert.Throws<ArgumentException>(() => NF.Istft(spectrum, 4, 6, 8, window: null, center: false)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Istft(spectrum, 8, 2, 8, length: -1));
    }
}

public sealed class ManagedStftTests() : StftTests("managed");

public sealed class NativeCpuStftTests() : StftTests("cpu");

public sealed class CudaStftTests() : StftTests("cuda");
