using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of the resizing layers (Resizing, CenterCrop, RandomCrop) and NF.Image.Resize:
/// a size such as 100000 x 100000 ran the allocator out of memory (an InsufficientMemoryException or
/// OutOfMemoryException for 120 GB) and 1 x int.MaxValue ran the runtime out of array space, before.
/// </summary>
public abstract class TrustSweep4ResizeTests(string backend) : BackendTest(backend)
{
    private static Tensor Image() => NF.Reshape(NF.Range(0f, 48f), [1, 4, 4, 3]);

    [SkippableFact]
    public void Resizing_layers_refuse_a_size_past_one_tensor_before_allocating()
    {
        RequireBackend();
        var image = Image();
        var resize = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Resizing(100000, 100000, name: "big").Call(image));
        Assert.Equal("height", resize.ParamName);
        Assert.Contains("big (Resizing)", resize.Message);
        Assert.Contains("100000 x 100000", resize.Message);
        Assert.Contains("more than one tensor holds", resize.Message);
        Assert.Contains("(CenterCrop)", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.CenterCrop(100000, 100000).Call(image)).Message);
        Assert.Contains("(RandomCrop)", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomCrop(100000, 100000).Call(image, training: true)).Message);
        Assert.Contains("(RandomCrop)", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomCrop(100000, 100000).Call(image, training: false)).Message);
        Assert.Contains("(Resizing)", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Resizing(100000, 100000, cropToAspectRatio: true).Call(image)).Message);
        // One huge side: the column weights alone were past an array.
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Resizing(1, int.MaxValue).Call(image)).ParamName);
    }

    [SkippableFact]
    public void Image_resize_refuses_a_size_past_one_tensor_for_every_method()
    {
        RequireBackend();
        var image = Image();
        foreach (var method in new[] { "bilinear", "nearest", "bicubic", "area" })
            Assert.StartsWith("Image.Resize:", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.Resize(image, 100000, 100000, method)).Message);
        Assert.StartsWith("Image.ResizeCropped:", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.ResizeCropped(image, 50000, 50000)).Message);
        // A large size that one tensor holds still resizes (a constant image stays constant).
        var flat = NF.Image.Resize(NF.Fill(new Shape(1, 4, 4, 1), 7f), 300, 200);
        Assert.Equal(new Shape(1, 300, 200, 1), flat.Shape);
        Assert.All(flat.ToArray<float>(), v => Assert.Equal(7f, v, 1e-4f));
    }
}

/// <summary>The resize sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4ResizeTests() : TrustSweep4ResizeTests("managed");

/// <summary>The resize sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4ResizeTests() : TrustSweep4ResizeTests("cpu");

/// <summary>The resize sweep on CUDA.</summary>
public sealed class CudaTrustSweep4ResizeTests() : TrustSweep4ResizeTests("cuda");
