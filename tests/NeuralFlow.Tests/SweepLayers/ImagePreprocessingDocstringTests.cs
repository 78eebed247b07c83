using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's image preprocessing layers that NeuralFlow has
/// (keras/src/layers/preprocessing/image_preprocessing/: random_brightness.py, random_zoom.py,
/// resizing.py) on every engine. Their outputs are random or unprinted: what the examples state
/// is checked (one brightness shift per image, within factor * 255; shapes kept or resized).
/// </summary>
public abstract class ImagePreprocessingDocstringTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void RandomBrightness_shifts_an_integer_image_by_one_amount()
    {
        RequireBackend();
        NF.Random.SetSeed(17);
        // random_brightness.py: RandomBrightness(factor=0.2) on the [2, 2, 3] image [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]], training.
        var image = NF.Constant(Enumerable.Range(1, 12).Select(v => (long)v).ToArray(), [2, 2, 3]);
        var layer = new Layers.RandomBrightness(factor: 0.2, seed: 3);
        var output = layer.Call(image, training: true);
        Assert.Equal(new Shape(2, 2, 3), output.Shape);
        var shifts = Doubles(output).Select((v, i) => v - (i + 1)).ToArray();
        // "it will apply factor * 255 to all the channel": one delta in [-51, 51], values clipped to [0, 255].
        Assert.True(Math.Abs(shifts[0]) <= 0.2 * 255 + 1e-4, $"shift {shifts[0]}");
        Assert.All(Doubles(output), v => Assert.InRange(v, 0, 255));
        Assert.All(shifts.Zip(Enumerable.Range(1, 12)), p => Assert.Equal(Math.Max(-p.Second, shifts[0]), p.First, 4));
        // Outside training the image passes unchanged.
        AssertValues(Enumerable.Range(1, 12).Select(v => (double)v).ToArray(), Doubles(layer.Call(image, training: false)), 0, 0, "inference");
    }

    [SkippableFact]
    public void RandomZoom_keeps_and_Resizing_sets_the_image_size()
    {
        RequireBackend();
        NF.Random.SetSeed(18);
        // random_zoom.py: RandomZoom(.5, .2) on random((32, 224, 224, 3)) keeps the shape.
        var images = NF.Random.Uniform([32, 224, 224, 3], dtype: DType.Float64);
        Assert.Equal(new Shape(32, 224, 224, 3), new Layers.RandomZoom(.5, .2).Call(images, training: true).Shape);
        // resizing.py: Resizing(128, 128) on one CIFAR-10 image (32, 32, 3) of uint8, unbatched.
        var image = NF.Cast(NF.Random.Uniform([32, 32, 3], 0, 256, DType.Int32), DType.UInt8);
        var resized = new Layers.Resizing(128, 128).Call(image);
        Assert.Equal(new Shape(128, 128, 3), resized.Shape);
        Assert.Equal(DType.Float32, resized.DType);
    }
}

public sealed class ManagedImagePreprocessingDocstringTests() : ImagePreprocessingDocstringTests("managed");

public sealed class NativeCpuImagePreprocessingDocstringTests() : ImagePreprocessingDocstringTests("cpu");

public sealed class CudaImagePreprocessingDocstringTests() : ImagePreprocessingDocstringTests("cuda");
