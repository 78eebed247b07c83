using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// <c>keras.layers.Rescaling</c>, the first layer of Keras' image tutorials
/// (<c>Sequential([Input((28, 28, 1)), Rescaling(1 / 255), Conv2D(...), ...])</c>), on every
/// engine: values, uint8 and float64 inputs computed in float32, a model fitted on raw uint8
/// pixels, and a save/load round trip. The layer did not exist.
/// </summary>
public abstract class RescalingTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Rescaling_scales_and_offsets_in_float32_as_keras()
    {
        RequireBackend();
        var pixels = NF.Constant(new byte[] { 0, 128, 255 });
        // Keras: Rescaling(1/255)(np.array([0, 128, 255], "uint8")) -> [0, 0.5019608, 1] float32;
        // Rescaling(1/127.5, offset=-1) of the same -> [-1, 0.003921628, 1].
        var unit = new Layers.Rescaling(1 / 255.0).Call(pixels);
        Assert.Equal(DType.Float32, unit.DType);
        Assert.Equal([0f, 128f / 255f, 1f], unit.ToArray<float>());
        var symmetric = new Layers.Rescaling(1 / 127.5, offset: -1).Call(pixels).ToArray<float>();
        Assert.Equal([-1f, 0.003921628f, 1f], symmetric, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(DType.Float32, new Layers.Rescaling(2).Call(NF.Constant(new double[] { 1.5 })).DType);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Rescaling(double.NaN));
    }

    [SkippableFact]
    public void A_model_fits_raw_uint8_pixels_through_rescaling_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var x = NF.Cast(NF.Random.Uniform([16, 4, 4, 1], 0, 256, DType.Int32), DType.UInt8);
        var y = NF.Random.Uniform([16], 0, 2, DType.Int32);
        var model = new Sequential(new Layers.InputLayer([4, 4, 1], DType.UInt8), new Layers.Rescaling(1 / 255.0),
            new Layers.Conv2D(2, 3, activation: "relu"), new Layers.Flatten(), new Layers.Dense(2, activation: "softmax"));
        model.Compile(new Optimizers.SGD(0.1), "sparse_categorical_crossentropy", ["accuracy"]);
        Assert.Contains("rescaling", model.SummaryText());
        var history = model.Fit(x, y, batchSize: 5, epochs: 2, verbose: 0);
        Assert.All(history["loss"], l => Assert.True(float.IsFinite(l)));

        model.Save(Temp.File("m.keras"));
        var loaded = Model.Load(Temp.File("m.keras"));
        var rescaling = Assert.IsType<Layers.Rescaling>(((Sequential)loaded).Layers.First(l => l is Layers.Rescaling));
        Assert.Equal(1 / 255.0, rescaling.Scale);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }
}

public sealed class ManagedRescalingTests() : RescalingTests("managed");

public sealed class NativeCpuRescalingTests() : RescalingTests("cpu");

public sealed class CudaRescalingTests() : RescalingTests("cuda");
