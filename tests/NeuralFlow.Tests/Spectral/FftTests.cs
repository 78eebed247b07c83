using static NeuralFlow.Tests.Reference;
using static NeuralFlow.Tests.Spectral.SpectralReferences;

namespace NeuralFlow.Tests.Spectral;

/// <summary>
/// NF.Fft, Ifft, Fft2, Ifft2, Rfft and Irfft on every engine: the Keras docstrings' examples
/// (keras/src/ops/math.py), NumPy's np.fft values from spectral_references.py (in
/// SpectralReferences.cs), float32 and float64, round trips, float64 finite-difference
/// gradients and argument errors.
/// </summary>
public abstract class FftTests(string backend) : BackendTest(backend)
{
    /// <summary>spectral_references.py's signal(n, k): ((7i + 3k) mod 11) / 3 - 1.5 + 0.25 sin(0.7 i).</summary>
    internal static double[] Signal(int n, int k = 0) =>
        Enumerable.Range(0, n).Select(i => (7 * i + 3 * k) % 11 / 3.0 - 1.5 + 0.25 * Math.Sin(0.7 * i)).ToArray();

    internal static Tensor Of(double[] values, params int[] shape) => NF.Constant(values, new Shape(shape));

    internal static double[] Values(Tensor t) =>
        t.DType == DType.Float64 ? t.ToArray<double>() : t.ToArray<float>().Select(v => (double)v).ToArray();

    [SkippableFact]
    public void Keras_docstring_examples()
    {
        RequireBackend();
        // keras.ops.fft: ([1, 2], [0, 1]) -> ([3, -1], [1, -1]), float32.
        var (re, im) = NF.Fft((NF.Constant(new[] { 1f, 2 }), NF.Constant(new[] { 0f, 1 })));
        Assert.Equal(DType.Float32, re.DType);
        Assert.Equal(new[] { 3f, -1 }, re.ToArray<float>());
        Assert.Equal(new[] { 1f, -1 }, im.ToArray<float>());
        // keras.ops.fft2: ([[1, 2], [2, 1]], [[0, 1], [1, 0]]) -> ([[6, 0], [0, -2]], [[2, 0], [0, -2]]).
        var pair = (NF.Constant(new[,] { { 1f, 2 }, { 2, 1 } }), NF.Constant(new[,] { { 0f, 1 }, { 1, 0 } }));
        var (re2, im2) = NF.Fft2(pair);
        AssertClose([6, 0, 0, -2], Values(re2), 0, 1e-6, "fft2 real");
        AssertClose([2, 0, 0, -2], Values(im2), 0, 1e-6, "fft2 imag");
        // keras.ops.ifft2's docstring prints fft2's values (a copy error); np.fft.ifft2 of its input instead.
        var (ire, iim) = NF.Ifft2(pair);
        AssertClose(Ifft2DocstringInputReal, Values(ire), 0, 1e-6, "ifft2 real");
        AssertClose(Ifft2DocstringInputImag, Values(iim), 0, 1e-6, "ifft2 imag");
        // keras.ops.rfft: [0..4] -> ([10, -2.5, -2.5], [0, 3.4409548, 0.81229924]); fft_length 3 -> ([3, -1.5], [0, 0.8660254]).
        using var x = NF.Constant(new[] { 0f, 1, 2, 3, 4 });
        var (rr, ri) = NF.Rfft(x);
        AssertClose([10, -2.5, -2.5], Values(rr), 1e-6, 1e-6, "rfft real");
        AssertClose([0, 3.4409548, 0.81229924], Values(ri), 1e-6, 1e-6, "rfft imag");
        var (r3, i3) = NF.Rfft(x, 3);
        AssertClose([3, -1.5], Values(r3), 1e-6, 1e-6, "rfft 3 real");
        AssertClose([0, 0.8660254], Values(i3), 1e-6, 1e-6, "rfft 3 imag");
        // keras.ops.irfft: its first example's values are np.fft.irfft(.., n=3); the default
        // length 2 · (5 - 1) = 8 gives NumPy's 8 values. irfft(rfft(x, 5), 5) is x.
        AssertClose(IrfftDocstringN3, Values(NF.Irfft((x, x), 3)), 1e-6, 1e-6, "irfft n=3");
        AssertClose(IrfftDocstringDefaultN8, Values(NF.Irfft((x, x))), 1e-6, 1e-6, "irfft default");
        AssertClose([0, 1, 2, 3, 4], Values(NF.Irfft(NF.Rfft(x, 5), 5)), 1e-6, 1e-6, "irfft(rfft)");
    }

    [SkippableFact]
    public void Complex_transforms_match_numpy()
    {
        RequireBackend();
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            double tol = dtype == DType.Float64 ? 1e-12 : 2e-6;
            // np.fft.fft over the last axis of [2, 5] (an odd length); Ifft brings it back.
            var x = (NF.Cast(Of(Signal(10, 0), 2, 5), dtype), NF.Cast(Of(Signal(10, 1), 2, 5), dtype));
            var (re, im) = NF.Fft(x);
            Assert.Equal(dtype, re.DType);
            Assert.Equal(new Shape(2, 5), im.Shape);
            AssertClose(FftReal, Values(re), tol, tol, $"fft real {dtype}");
            AssertClose(FftImag, Values(im), tol, tol, $"fft imag {dtype}");
            var (br, bi) = NF.Ifft((re, im));
            AssertClose(Signal(10, 0), Values(br), tol, tol, "ifft(fft) real");
            AssertClose(Signal(10, 1), Values(bi), tol, tol, "ifft(fft) imag");
            // np.fft.fft2 over the last two axes of [2, 3, 4]; Ifft2 brings it back.
            var y = (NF.Cast(Of(Signal(24, 2), 2, 3, 4), dtype), NF.Cast(Of(Signal(24, 3), 2, 3, 4), dtype));
            var (re2, im2) = NF.Fft2(y);
            AssertClose(Fft2Real, Values(re2), tol, tol, $"fft2 real {dtype}");
            AssertClose(Fft2Imag, Values(im2), tol, tol, $"fft2 imag {dtype}");
            var (yr, yi) = NF.Ifft2((re2, im2));
            AssertClose(Signal(24, 2), Values(yr), tol, tol, "ifft2(fft2) real");
            AssertClose(Signal(24, 3), Values(yi), tol, tol, "ifft2(fft2) imag");
        }
    }

    [SkippableFact]
    public void Real_transforms_match_numpy()
    {
        RequireBackend();
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            double tol = dtype == DType.Float64 ? 1e-12 : 2e-6;
            // np.fft.rfft(signal(7, 4), n) for n = 7 (default), 4 (cropped) and 10 (zero-padded).
            using var x = NF.Cast(Of(Signal(7, 4), 7), dtype);
            foreach (var (n, real, imag) in new[] { ((int?)null, RfftNNoneReal, RfftNNoneImag), (4, RfftN4Real, RfftN4Imag), (10, RfftN10Real, RfftN10Imag) })
            {
                var (re, im) = NF.Rfft(x, n);
                Assert.Equal(dtype, re.DType);
                AssertClose(real, Values(re), tol, tol, $"rfft n={n}");
                AssertClose(imag, Values(im), tol, tol, $"rfft n={n} imag");
            }
            // np.fft.irfft(signal(5, 5) + i signal(5, 6), n) for n = 8 (default), 5 (odd) and 4 (cropped bins).
            var spectrum = (NF.Cast(Of(Signal(5, 5), 5), dtype), NF.Cast(Of(Signal(5, 6), 5), dtype));
            foreach (var (n, expected) in new[] { ((int?)null, IrfftNNone), (5, IrfftN5), (4, IrfftN4) })
                AssertClose(expected, Values(NF.Irfft(spectrum, n)), tol, tol, $"irfft n={n}");
            // A batch [3, 2, 6] transforms row by row; Irfft(Rfft(x)) is x for even and odd lengths.
            using var batch = NF.Cast(Of(Signal(36, 1), 3, 2, 6), dtype);
            var (br, bi) = NF.Rfft(batch);
            Assert.Equal(new Shape(3, 2, 4), br.Shape);
            AssertClose(Signal(36, 1), Values(NF.Irfft((br, bi), 6)), tol, tol, "irfft(rfft) even");
            using var odd = NF.Cast(Of(Signal(10, 2), 2, 5), dtype);
            AssertClose(Signal(10, 2), Values(NF.Irfft(NF.Rfft(odd), 5)), tol, tol, "irfft(rfft) odd");
        }
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => { var (re, im) = NF.Fft((t[0], t[1])); return re + 2 * im; }, GradientTests.In([2, 5], 1), GradientTests.In([2, 5], 2));
        GradientTests.Check(t => { var (re, im) = NF.Ifft((t[0], t[1])); return re - im; }, GradientTests.In([4], 3), GradientTests.In([4], 4));
        GradientTests.Check(t => { var (re, im) = NF.Fft2((t[0], t[1])); return NF.Concat([re, im], -1); }, GradientTests.In([2, 3, 2], 5), GradientTests.In([2, 3, 2], 6));
        GradientTests.Check(t => { var (re, im) = NF.Ifft2((t[0], t[1])); return NF.Concat([re, im], 0); }, GradientTests.In([3, 2], 7), GradientTests.In([3, 2], 8));
        GradientTests.Check(t => { var (re, im) = NF.Rfft(t[0], 6); return NF.Concat([re, im], -1); }, GradientTests.In([2, 5], 9));
        GradientTests.Check(t => NF.Irfft((t[0], t[1]), 5), GradientTests.In([2, 3], 10), GradientTests.In([2, 3], 11));
    }

    [SkippableFact]
    public void Signal_windows_frames_and_overlap_add()
    {
        RequireBackend();
        // torch.hann_window(5) (periodic) and torch.hamming_window(5, periodic=False).
        AssertClose(Hann_window5, Values(NF.Signal.HannWindow(5, dtype: DType.Float64)), 1e-15, 1e-15, "hann");
        AssertClose(Hamming_window5PeriodicFalse, Values(NF.Signal.HammingWindow(5, periodic: false, dtype: DType.Float64)), 1e-15, 1e-15, "hamming");
        Assert.Equal(new[] { 1f }, NF.Signal.HannWindow(1).ToArray<float>());
        Assert.Equal(0, NF.Signal.HammingWindow(0).Count);
        // keras.ops.extract_sequences' docstring: [1..6] in 3s every 2 -> [[1, 2, 3], [3, 4, 5]].
        using var frames = NF.Signal.Frame(NF.Constant(new[] { 1, 2, 3, 4, 5, 6 }), 3, 2);
        Assert.Equal(new Shape(2, 3), frames.Shape);
        Assert.Equal(new[] { 1, 2, 3, 3, 4, 5 }, frames.ToArray<int>());
        Assert.Equal(new Shape(2, 0, 4), NF.Signal.Frame(NF.Zeros(new Shape(2, 3)), 4, 1).Shape);
        // tf.signal.overlap_and_add: frames [[1, 1, 1], [2, 2, 2]] 2 apart -> [1, 1, 3, 2, 2]; a
        // step past the frame length leaves zeros between the frames.
        using var ola = NF.Signal.OverlapAndAdd(NF.Constant(new[,] { { 1.0, 1, 1 }, { 2, 2, 2 } }), 2);
        Assert.Equal(new[] { 1.0, 1, 3, 2, 2 }, ola.ToArray<double>());
        Assert.Equal(new[] { 1.0, 1, 1, 0, 2, 2, 2 }, NF.Signal.OverlapAndAdd(NF.Constant(new[,] { { 1.0, 1, 1 }, { 2, 2, 2 } }), 4).ToArray<double>());
        GradientTests.Check(t => NF.Signal.OverlapAndAdd(NF.Signal.Frame(t[0], 4, 3), 2), GradientTests.In([2, 11], 12));
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        using var a = NF.Zeros(new Shape(2, 3));
        using var b = NF.Zeros(new Shape(2, 4));
        Assert.Contains("one shape", Assert.Throws<ArgumentException>(() => NF.Fft((a, b))).Message);
        Assert.Contains("one dtype", Assert.Throws<ArgumentException>(() => NF.Fft((a, NF.Zeros(new Shape(2, 3), DType.Float64)))).Message);
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.Rfft(NF.Constant(new[] { 1, 2 }))).Message);
        Assert.Contains("at least 1 axis", Assert.Throws<ArgumentException>(() => NF.Fft((NF.Constant(1f), NF.Constant(1f)))).Message);
        Assert.Contains("at least 2 axes", Assert.Throws<ArgumentException>(() => NF.Fft2((NF.Zeros(new Shape(3)), NF.Zeros(new Shape(3))))).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NF.Fft((NF.Zeros(new Shape(2, 0)), NF.Zeros(new Shape(2, 0))))).Message);
        Assert.Contains("axis -2", Assert.Throws<ArgumentException>(() => NF.Ifft2((NF.Zeros(new Shape(0, 2)), NF.Zeros(new Shape(0, 2))))).Message);
        Assert.Contains("at least 1, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Rfft(a, 0)).Message);
        Assert.Contains("at least 1, got -4", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Irfft((a, a), -4)).Message);
        // One bin infers 2 · (1 - 1) = 0 samples: refused by name, with the way out.
        Assert.Contains("give an fftLength", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Irfft((NF.Zeros(new Shape(1)), NF.Zeros(new Shape(1))))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.HannWindow(-1));
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.Signal.HammingWindow(3, dtype: DType.Int32)).Message);
        Assert.Contains("frameStep", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.Frame(a, 2, 0)).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Signal.Frame(NF.Constant(1f), 1, 1)).Message);
        Assert.Contains("at least one frame", Assert.Throws<ArgumentException>(() => NF.Signal.OverlapAndAdd(NF.Zeros(new Shape(0, 3)), 1)).Message);
    }
}

public sealed class ManagedFftTests() : FftTests("managed");

public sealed class NativeCpuFftTests() : FftTests("cpu");

public sealed class CudaFftTests() : FftTests("cuda");
