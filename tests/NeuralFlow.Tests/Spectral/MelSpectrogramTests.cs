using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;
using static NeuralFlow.Tests.Spectral.FftTests;
using static NeuralFlow.Tests.Spectral.SpectralReferences;

namespace NeuralFlow.Tests.Spectral;

/// <summary>
/// NF.Signal.LinearToMelWeightMatrix and keras.layers.MelSpectrogram on every engine: values
/// from spectral_references.py (Keras' mel formula in numpy, torch.stft power), the Keras
/// docstring's shapes, float64 gradients through the layer, a save/load round trip, Keras'
/// config keys and argument errors.
/// </summary>
public abstract class MelSpectrogramTests(string backend) : BackendFileTest(backend)
{
    private static Layers.MelSpectrogram Small(double magExp = 2, double? topDb = 80, double refPower = 1) =>
        new(fftLength: 16, sequenceStride: 4, samplingRate: 800, numMelBins: 5, minFreq: 20, magExp: magExp, topDb: topDb, refPower: refPower);

    [SkippableFact]
    public void Mel_matrix_and_spectrogram_match_the_references()
    {
        RequireBackend();
        using var mel = NF.Signal.LinearToMelWeightMatrix(5, 9, 800, 20, 400, DType.Float64);
        Assert.Equal(new Shape(9, 5), mel.Shape);
        AssertClose(Mel5x9Rate800Lo20Hi400, Values(mel), 1e-12, 1e-12, "mel matrix");
        var layer = Small();
        layer.VariableDType = DType.Float64;
        var y = layer.Call(Of(Signal(40, 7), 2, 20));
        Assert.Equal(new Shape(2, 5, 6), y.Shape);
        AssertClose(MelspectrogramDb, Values(y), 1e-9, 1e-9, "mel spectrogram dB");
        var magnitude = Small(magExp: 1, topDb: 10, refPower: 2);
        magnitude.VariableDType = DType.Float64;
        AssertClose(MelspectrogramMagnitudeTop10Ref2, Values(magnitude.Call(Of(Signal(40, 7), 2, 20))), 1e-9, 1e-9, "magnitude, top 10 dB, ref 2");
        // float32 by default (Keras' compute dtype), also for an integer signal; one signal without a batch axis.
        var f32 = Small().Call(NF.Cast(Of(Signal(40, 7), 2, 20), DType.Float32));
        Assert.Equal(DType.Float32, f32.DType);
        AssertClose(MelspectrogramDb, Values(f32), 1e-4, 1e-3, "float32");
        Assert.Equal(DType.Float32, Small().Call(NF.Constant(new[,] { { 1, 2, 3, 4, 5, 6, 7, 8, 9 } })).DType);
        Assert.Equal(new Shape(5, 6), Small().Call(Of(Signal(20, 7), 20)).Shape);
    }

    [SkippableFact]
    public void Keras_docstring_shapes()
    {
        RequireBackend();
        // keras.layers.MelSpectrogram's docstring: (64, 63) for 16000 samples; batched it prints
        // (2, 80, 125), but its own compute_output_shape ((16000 + 128 + 1) // 128) and
        // torch.stft(torch.rand(2, 16000), 2048, 128, center=True).shape[-1] give 126 frames.
        var one = new Layers.MelSpectrogram(numMelBins: 64, samplingRate: 8000, sequenceStride: 256, fftLength: 2048);
        Assert.Equal(new Shape(64, 63), one.Call(NF.Random.Uniform([16000])).Shape);
        var two = new Layers.MelSpectrogram(numMelBins: 80, samplingRate: 8000, sequenceStride: 128, fftLength: 2048);
        Assert.Equal(new Shape(2, 80, 126), two.Call(NF.Random.Uniform([2, 16000])).Shape);
    }

    [SkippableFact]
    public void Gradients_reach_the_signal()
    {
        RequireBackend();
        // Without the batch-max floor (topDb null) the dB map is smooth; magExp 1.5 takes the Pow path.
        GradientTests.Check(t =>
        {
            var layer = new Layers.MelSpectrogram(fftLength: 8, sequenceStride: 4, samplingRate: 800, numMelBins: 3, topDb: null, magExp: 1.5);
            layer.VariableDType = DType.Float64;
            return layer.Call(t[0]);
        }, GradientTests.In([2, 12], 1));
    }

    [SkippableFact]
    public void Config_round_trips_and_bad_arguments_are_refused()
    {
        RequireBackend();
        var model = new Sequential(new Layers.MelSpectrogram(fftLength: 16, sequenceStride: 4, sequenceLength: 12, window: "hamming", samplingRate: 800,
                                                             numMelBins: 5, minFreq: 30, maxFreq: 350, topDb: null, magExp: 1, minPower: 1e-8, refPower: 0.5));
        var x = Of(Signal(40, 3), 2, 20);
        var expected = Values(model.Predict(x));
        var loaded = Assert.IsType<Sequential>(Model.Load(SaveTo(model, "mel.nfmodel")));
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        AssertClose(expected, Values(loaded.Predict(x)), 0, 0, "loaded");
        // Keras' config keys and nulls (window none, no top_db floor; max_freq its resolved value).
        var keras = Assert.IsType<Layers.MelSpectrogram>(KerasSerialization.Deserialize(JsonNode.Parse(
            """{"class_name": "MelSpectrogram", "config": {"name": "m", "fft_length": 512, "sequence_stride": 128, "sequence_length": 400, "window": null, "sampling_rate": 8000, "num_mel_bins": 40, "min_freq": 20.0, "max_freq": 4000, "power_to_db": true, "top_db": null, "mag_exp": 2.0, "min_power": 1e-10, "ref_power": 1.0}}""")!, "keras"));
        Assert.Null(keras.Window);
        Assert.Null(keras.TopDb);
        Assert.Equal((400, 4000.0), (keras.SequenceLength, keras.MaxFreq));
        Assert.Equal(8000.0, new Layers.MelSpectrogram(samplingRate: 16000).MaxFreq);
        Assert.Contains("fftLength must be at least sequenceLength", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.MelSpectrogram(fftLength: 256, sequenceLength: 512)).Message);
        Assert.Contains("\"hann\", \"hamming\"", Assert.Throws<ArgumentException>(() => new Layers.MelSpectrogram(window: "kaiser")).Message);
        Assert.Contains("minFreq < maxFreq", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.MelSpectrogram(minFreq: 9000)).Message);
        Assert.Contains("sequenceStride", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.MelSpectrogram(sequenceStride: 0)).Message);
        Assert.Contains("[batch, samples]", Assert.Throws<ArgumentException>(() => Small().Call(NF.Zeros(new Shape(2, 3, 20)))).Message);
        Assert.Contains("upperEdgeHertz", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.LinearToMelWeightMatrix(4, 9, 800, 300, 200)).Message);
        Assert.Contains("numMelBins", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.LinearToMelWeightMatrix(0)).Message);
        Assert.Contains("sampleRate", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Signal.LinearToMelWeightMatrix(sampleRate: 0)).Message);
    }
}

public sealed class ManagedMelSpectrogramTests() : MelSpectrogramTests("managed");

public sealed class NativeCpuMelSpectrogramTests() : MelSpectrogramTests("cpu");

public sealed class CudaMelSpectrogramTests() : MelSpectrogramTests("cuda");
