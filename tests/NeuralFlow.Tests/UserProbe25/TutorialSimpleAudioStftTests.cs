using NeuralFlow.Tests.UserProbe24;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// What the simple audio tutorial's get_spectrogram needed and NeuralFlow lacked: tf.signal.stft
/// (NF.Signal.Stft: frames of frame_length, the window at each frame's start, fft_length defaulting to
/// the enclosing power of two, pad_end) where NF.Stft is keras.ops.stft's, tf.abs of its complex result
/// (NF.Abs of a (Real, Imag) pair).
/// </summary>
public abstract class TutorialSimpleAudioStftTests(string backend) : BackendTest(backend)
{
    // simple_audio_references.py (small_stft): 20 samples, frame_length 6, frame_step 4, pad_end=True.
    private static readonly float[] SmallReal =
        [1.92689639f, -0.685729336f, -0.487846185f, 0.183247111f, 0.0537604286f, -2.19307675f, 1.10316628f, 0.180231851f, -0.156266321f, -0.0611868633f,
         2.20583543f, -1.39312649f, 0.148209232f, 0.111228126f, 0.0615428305f, -1.96369809f, 1.52210352f, -0.45952395f, -0.0533369303f, -0.0547871964f,
         0.54025277f, -0.582729555f, -0.0252172854f, 0.582729555f, -0.489818199f];
    private static readonly float[] SmallImag =
        [0, -1.52536147f, 0.789850752f, -0.0471868728f, 0, 0, 1.41336334f, -0.898960281f, 0.105999681f, 0, 0, -1.13804356f, 0.904190168f, -0.152563662f, 0,
         0, 0.731216794f, -0.804936072f, 0.1814981f, 0, 0, -0.389402369f, 0.82410404f, -0.338967798f, 0];

    private static Tensor Signal20() => NF.Constant(Enumerable.Range(0, 20).Select(t => (float)Math.Sin(t * 0.7)).ToArray());

    [SkippableFact]
    public void Stft_frames_windows_at_the_frame_start_and_pads_the_end_as_tf_signal_stft()
    {
        RequireBackend();
        var (re, im) = NF.Signal.Stft(Signal20(), frameLength: 6, frameStep: 4, padEnd: true);
        // fft_length 8 (the power of two enclosing 6): 5 bins; ceil(20 / 4) = 5 frames.
        Assert.Equal(new Shape(5, 5), re.Shape);
        Assert.Equal(SmallReal, re.ToArray<float>(), new Near(2e-6f));
        Assert.Equal(SmallImag, im.ToArray<float>(), new Near(2e-6f));
        // keras.ops.stft (NF.Stft) centers the shorter window in the frame instead, so it differs here.
        var (kerasRe, _) = NF.Stft(NF.Pad(Signal20(), new[,] { { 0, 2 } }), 6, 4, 8, "hann", center: false);
        Assert.Equal(new Shape(4, 5), kerasRe.Shape);   // frames of fft_length 8: one fewer fits
        Assert.NotEqual(SmallReal[..20], kerasRe.ToArray<float>(), new Near(1e-3f));

        // Without pad_end: 1 + (20 - 6) / 4 = 4 frames, the first four above.
        var (re4, _) = NF.Signal.Stft(Signal20(), 6, 4);
        Assert.Equal(SmallReal[..20], re4.ToArray<float>(), new Near(2e-6f));
        // A window given as a tensor: the Hann window of 6 gives the same.
        var (reGiven, imGiven) = NF.Signal.Stft(Signal20(), 6, 4, NF.Signal.HannWindow(6), padEnd: true);
        Assert.Equal(re.ToArray<float>(), reGiven.ToArray<float>(), new Near(1e-6f));
        Assert.Equal(im.ToArray<float>(), imGiven.ToArray<float>(), new Near(1e-6f));
    }

    [SkippableFact]
    public void Stft_of_a_batch_shorter_than_a_frame_has_no_frame_unless_padded()
    {
        RequireBackend();
        var clips = NF.Ones([3, 100]);
        Assert.Equal(new Shape(3, 0, 129), NF.Signal.Stft(clips, 255, 128).Real.Shape);
        var (re, im) = NF.Signal.Stft(clips, 255, 128, padEnd: true);
        Assert.Equal(new Shape(3, 1, 129), re.Shape);
        // A frame of 100 ones then zeros, no window: bin 0 is their sum.
        var (flatRe, _) = NF.Signal.Stft(clips, 255, 128, window: null, padEnd: true);
        Assert.Equal(100f, flatRe[1, 0, 0].Item<float>(), 1e-4f);
        Assert.Equal(DType.Float32, im.DType);
        // An explicit fft_length shorter than the frame crops it, as TF's rfft does: 64 / 2 + 1 bins.
        Assert.Equal(new Shape(3, 1, 33), NF.Signal.Stft(clips, 100, 50, fftLength: 64).Real.Shape);
    }

    [SkippableFact]
    public void Stft_refuses_bad_arguments_by_name()
    {
        RequireBackend();
        var x = Signal20();
        Assert.Contains("frameLength", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.Stft(x, 0, 4)).Message);
        Assert.Contains("frameStep", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.Stft(x, 6, 0)).Message);
        Assert.Contains("fftLength", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.Stft(x, 6, 4, fftLength: 0)).Message);
        Assert.Contains("int32", Assert.Throws<ArgumentException>(() => NF.Signal.Stft(NF.Constant(new[] { 1, 2, 3 }), 2, 1)).Message);
        Assert.Contains("got shape ()", Assert.Throws<ArgumentException>(() => NF.Signal.Stft(NF.Constant(1f), 1, 1)).Message);
        Assert.Contains("\"blackman\"", Assert.Throws<ArgumentException>(() => NF.Signal.Stft(x, 6, 4, window: "blackman")).Message);
        Assert.Contains("frameLength = 6", Assert.Throws<ArgumentException>(() => NF.Signal.Stft(x, 6, 4, NF.Signal.HannWindow(5))).Message);
        Assert.Contains("float64", Assert.Throws<ArgumentException>(() => NF.Signal.Stft(x, 6, 4, NF.Signal.HannWindow(6, dtype: DType.Float64))).Message);
    }

    [SkippableFact]
    public void Abs_of_a_complex_pair_is_its_magnitude_without_overflow_and_with_tfs_gradient()
    {
        RequireBackend();
        var re = new Variable(NF.Constant(new[] { 3f, 0f, -5f, 3e30f }));
        var im = new Variable(NF.Constant(new[] { 4f, 0f, 12f, 4e30f }));
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            var magnitude = NF.Abs((re, im));
            Assert.Equal(new[] { 5f, 0f, 13f, 5e30f }, magnitude.ToArray<float>(), new Near(1e-6f));
            Assert.Equal(DType.Float32, magnitude.DType);
            grads = tape.Gradient(NF.ReduceSum(magnitude), [re, im]);
        }
        // d|z|/dRe = Re / |z|, d|z|/dIm = Im / |z|; 0 at z = 0 (TF's div_no_nan), not NaN.
        Assert.Equal(new[] { 0.6f, 0f, -5f / 13, 0.6f }, grads[0].ToArray<float>(), new Near(1e-6f));
        Assert.Equal(new[] { 0.8f, 0f, 12f / 13, 0.8f }, grads[1].ToArray<float>(), new Near(1e-6f));
        Assert.Throws<ArgumentException>(() => NF.Abs((NF.Ones([2]), NF.Ones([3]))));
        Assert.Throws<ArgumentException>(() => NF.Abs((NF.Ones([2]), NF.Ones([2], DType.Float64))));
    }
}

/// <summary>tf.signal.stft and tf.abs of a complex pair on the managed backend.</summary>
public sealed class ManagedTutorialSimpleAudioStftTests() : TutorialSimpleAudioStftTests("managed");

/// <summary>tf.signal.stft and tf.abs of a complex pair on the native CPU backend.</summary>
public sealed class NativeCpuTutorialSimpleAudioStftTests() : TutorialSimpleAudioStftTests("cpu");

/// <summary>tf.signal.stft and tf.abs of a complex pair on CUDA.</summary>
public sealed class CudaTutorialSimpleAudioStftTests() : TutorialSimpleAudioStftTests("cuda");
