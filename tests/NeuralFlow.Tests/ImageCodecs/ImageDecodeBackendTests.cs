namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>
/// Decoding runs on the host; the tensor it returns lives on the caller's backend and computes
/// there like any other (a decoded image feeds NF.Image ops and models directly).
/// </summary>
public abstract class ImageDecodeBackendTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_decoded_png_lives_on_the_current_backend_and_computes_there()
    {
        RequireBackend();
        var (shape, want, _) = ImageFixtures.Expected("rgba8");
        using var t = NF.Image.DecodePng(ImageFixtures.File("rgba8"), dtype: DType.Float32);
        Assert.StartsWith(BackendName, t.Backend.Name); // "cuda:0" for the first GPU
        Assert.Equal(shape, t.Shape.ToArray());
        using var mean = NF.ReduceMean(t);
        Assert.Equal(want.Average() / 255.0, mean.ToArray<float>()[0], 4);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedImageDecodeBackendTests() : ImageDecodeBackendTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuImageDecodeBackendTests() : ImageDecodeBackendTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaImageDecodeBackendTests() : ImageDecodeBackendTests("cuda");
