using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;
using static NeuralFlow.Tests.Spectral.FftTests;
using static NeuralFlow.Tests.Spectral.SpectralReferences;

namespace NeuralFlow.Tests.Spectral;

/// <summary>
/// keras.layers.STFTSpectrogram on every engine: values from spectral_references.py (np.fft.rfft
/// of each windowed frame, as the layer's initial DFT kernels compute), the Keras docstring's
/// shapes, modes, layouts, gradients into the signal and the kernels, a save/load round trip
/// and argument errors.
/// </summary>
public abstract class STFTSpectrogramTests(string backend) : BackendFileTest(backend)
{
    // spectral_references.py's xs3: signal(80, 11) as [2, 20, 2] (channels_last).
    private static Tensor X() => Of(Signal(80, 11), 2, 20, 2);

    private static Tensor Run(Layers.STFTSpectrogram layer, Tensor x)
    {
        layer.VariableDType = DType.Float64;
        return layer.Call(x);
    }

    [SkippableFact]
    public void Modes_and_layouts_match_numpy()
    {
        RequireBackend();
        var log = Run(new Layers.STFTSpectrogram("log", 8, 3, 16), X());
        Assert.Equal(new Shape(2, 5, 18), log.Shape);
        AssertClose(StftspectrogramLogHann8Step3Fft16, Values(log), 1e-10, 1e-10, "log");
        var psd = Run(new Layers.STFTSpectrogram("psd", 5, 2, 8, "hamming", periodic: true, scaling: "spectrum", padding: "same", expandDims: true, dataFormat: "channels_first"),
                      NF.Transpose(X(), [0, 2, 1]));
        Assert.Equal(new Shape(2, 2, 10, 5), psd.Shape);
        AssertClose(StftspectrogramPsdHamming5Step2Fft8Same, Values(psd), 1e-10, 1e-10, "psd");
        var stft = Run(new Layers.STFTSpectrogram("stft", 6, 4, window: null, expandDims: true), X());
        Assert.Equal(new Shape(2, 4, 10, 2), stft.Shape);   // fftLength defaults to 8, the next power of two
        AssertClose(StftspectrogramStftNone6Step4Fft8, Values(stft), 1e-10, 1e-10, "stft");
        // angle is atan2 of the stft mode's imaginary and real parts; "real" builds one kernel.
        var parts = Values(stft);
        var layer = new Layers.STFTSpectrogram("angle", 6, 4, window: null, expandDims: true);
        var angle = Values(Run(layer, X()));
        int at = 2 * 2 + 1;  // batch 0, frame 0, bin 2, channel 1: real at [0, 0, 2, 1], imag 5 bins later
        Assert.Equal(Math.Atan2(parts[at + 10], parts[at]), angle[at], 12);
        var real = new Layers.STFTSpectrogram("real", 6);
        real.Call(X());
        Assert.Null(real.ImagKernel);
        Assert.Equal([real.RealKernel!], real.Variables);
    }

    [SkippableFact]
    public void Keras_docstring_shape()
    {
        RequireBackend();
        // keras.layers.STFTSpectrogram's first docstring example: (3, 160000, 1) -> (3, 1249, 257).
        var layer = new Layers.STFTSpectrogram("log", 256, 128, 512, padding: "valid") { Trainable = false };
        Assert.Equal(new Shape(3, 1249, 257), layer.Call(NF.Random.Uniform([3, 160000, 1])).Shape);
    }

    [SkippableFact]
    public void Gradients_reach_the_signal_and_kernels()
    {
        RequireBackend();
        GradientTests.Check(t => Run(new Layers.STFTSpectrogram("magnitude", 4, 2, 6, "hamming"), t[0]), GradientTests.In([1, 9, 2], 1));
        var layer = new Layers.STFTSpectrogram("psd", 4, 2, 4);
        Run(layer, X());
        using var tape = new GradientTape();
        var loss = NF.ReduceSum(layer.Call(X()));
        var grads = tape.Gradient(loss, layer.TrainableVariables.Cast<Tensor>().ToArray());
        Assert.Equal(2, grads.Length);
        Assert.All(grads, g => Assert.Equal(new Shape(4, 1, 3), g!.Shape));
    }

    [SkippableFact]
    public void Config_round_trips_and_bad_arguments_are_refused()
    {
        RequireBackend();
        var model = new Sequential(new Layers.STFTSpectrogram("magnitude", 6, 2, 8, "hamming", periodic: true, scaling: null, padding: "same"));
        var x = NF.Cast(X(), DType.Float32);
        var expected = Values(model.Predict(x));
        var loaded = Assert.IsType<Sequential>(Model.Load(SaveTo(model, "stft.nfmodel")));
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        AssertClose(expected, Values(loaded.Predict(x)), 0, 0, "loaded");
        var keras = Assert.IsType<Layers.STFTSpectrogram>(KerasSerialization.Deserialize(JsonNode.Parse(
            """{"class_name": "STFTSpectrogram", "config": {"name": "s", "mode": "psd", "frame_length": 64, "frame_step": null, "fft_length": null, "window": null, "periodic": false, "scaling": null, "padding": "same", "data_format": "channels_first", "expand_dims": true}}""")!, "keras"));
        Assert.Equal(("psd", 64, (int?)null, (string?)null, (string?)null, "channels_first", true), (keras.Mode, keras.FrameLength, keras.FrameStep, keras.Window, keras.Scaling, keras.DataFormat, keras.ExpandDims));
        Assert.Contains("frameStep must lie in 1..frameLength", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.STFTSpectrogram(frameLength: 8, frameStep: 9)).Message);
        Assert.Contains("fftLength must be at least frameLength", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.STFTSpectrogram(frameLength: 8, fftLength: 4)).Message);
        Assert.Contains("mode must be one of", Assert.Throws<ArgumentException>(() => new Layers.STFTSpectrogram("power")).Message);
        Assert.Contains("scaling", Assert.Throws<ArgumentException>(() => new Layers.STFTSpectrogram(scaling: "energy")).Message);
        Assert.Contains("padding", Assert.Throws<ArgumentException>(() => new Layers.STFTSpectrogram(padding: "causal")).Message);
        Assert.Contains("window", Assert.Throws<ArgumentException>(() => new Layers.STFTSpectrogram(window: "kaiser")).Message);
        Assert.Contains("[batch, time, channels]", Assert.Throws<ArgumentException>(() => new Layers.STFTSpectrogram(frameLength: 4).Call(NF.Zeros(new Shape(2, 16)))).Message);
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => new Layers.STFTSpectrogram(frameLength: 4).Call(NF.Zeros(new Shape(1, 16, 1), DType.Int32))).Message);
    }
}

public sealed class ManagedSTFTSpectrogramTests() : STFTSpectrogramTests("managed");

public sealed class NativeCpuSTFTSpectrogramTests() : STFTSpectrogramTests("cpu");

public sealed class CudaSTFTSpectrogramTests() : STFTSpectrogramTests("cuda");
