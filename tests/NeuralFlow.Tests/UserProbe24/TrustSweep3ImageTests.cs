namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// The hostile-input sweep of the image ops: a Gaussian kernel past one array wrapped int arithmetic
/// (an OverflowException from the runtime) or ran out of array space (an OutOfMemoryException) before.
/// </summary>
public abstract class TrustSweep3ImageTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void GaussianBlur_names_a_kernel_past_one_tensor()
    {
        RequireBackend();
        var image = NF.Zeros(new Shape(1, 4, 4, 3));
        var wrapped = Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.GaussianBlur(image, (50000, 50000)));
        Assert.Equal("kernelSize", wrapped.ParamName);
        Assert.Contains("7500000000 taps", wrapped.Message);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.GaussianBlur(image, (100001, 100001))).ParamName);
        // A kernel larger than the image is still fine ("same" padding), as in Keras.
        Assert.Equal(image.Shape, NF.Image.GaussianBlur(image, (9, 9)).Shape);
    }
}

/// <summary>The sweep's image cases on the managed backend.</summary>
public sealed class ManagedTrustSweep3ImageTests() : TrustSweep3ImageTests("managed");

/// <summary>The sweep's image cases on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep3ImageTests() : TrustSweep3ImageTests("cpu");

/// <summary>The image sweep on CUDA.</summary>
public sealed class CudaTrustSweep3ImageTests() : TrustSweep3ImageTests("cuda");
