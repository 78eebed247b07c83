namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// tf.image.convert_image_dtype (NF.Image.ConvertImageDtype, which did not exist) and adjust_brightness / contrast / gamma
/// on uint8 images, which returned float32 values on the 0..255 scale (100 + 0.1 = 100.1) where TF adjusts on [0, 1] and
/// gives uint8 back (125): values from image_dtype_references.py (TF's formulas in NumPy float32).
/// </summary>
public abstract class ImageDtypeTests(string backend) : BackendTest(backend)
{
    private static Tensor Pixels() => NF.Constant(new byte[] { 0, 1, 100, 200, 254, 255 }, [1, 1, 6, 1]);

    [SkippableFact]
    public void Uint8_images_are_adjusted_on_the_unit_range_and_stay_uint8()
    {
        RequireBackend();
        var bright = NF.Image.AdjustBrightness(Pixels(), 0.1);
        Assert.Equal(DType.UInt8, bright.DType);
        Assert.Equal(new byte[] { 25, 26, 125, 225, 255, 255 }, bright.ToArray<byte>());
        Assert.Equal(new byte[] { 0, 0, 0, 72, 126, 127 }, NF.Image.AdjustBrightness(Pixels(), -0.5).ToArray<byte>());
        Assert.Equal(new byte[] { 0, 16, 160, 226, 254, 255 }, NF.Image.AdjustGamma(Pixels(), 0.5).ToArray<byte>());
        Assert.Equal(DType.UInt8, NF.Image.AdjustContrast(Pixels(), 1.5).DType);
        // Float images are unchanged in behaviour: the value plus delta, their own dtype.
        Assert.Equal(new[] { 100.1f }, NF.Image.AdjustBrightness(NF.Constant(new[] { 100f }, [1, 1, 1]), 0.1).ToArray<float>());
        Assert.Equal(DType.Float16, NF.Image.AdjustBrightness(NF.Cast(NF.Constant(new[] { 0.5f }, [1, 1, 1]), DType.Float16), 0.1).DType);
    }

    [SkippableFact]
    public void Convert_image_dtype_rescales_between_ranges()
    {
        RequireBackend();
        var f = NF.Image.ConvertImageDtype(Pixels(), DType.Float32);
        Assert.Equal(new[] { 0.0f, 0.003921568859368563f, 0.3921568989753723f, 0.7843137979507446f, 0.9960784912109375f, 1.0f }, f.ToArray<float>());
        var floats = NF.Constant(new[] { 0f, 0.5f, 0.999f, 1.0f, 1.5f, -0.2f });
        Assert.Equal(new byte[] { 0, 127, 255, 255, 255, 0 }, NF.Image.ConvertImageDtype(floats, DType.UInt8, saturate: true).ToArray<byte>());
        // uint8 -> int32 multiplies by 2^23 (the ranges' ratio), and back divides.
        var wide = NF.Image.ConvertImageDtype(Pixels(), DType.Int32);
        Assert.Equal(255 * 8388608, wide.ToArray<int>()[5]);
        Assert.Equal(Pixels().ToArray<byte>(), NF.Image.ConvertImageDtype(wide, DType.UInt8).ToArray<byte>());
        Assert.Same(f, NF.Image.ConvertImageDtype(f, DType.Float32));
        Assert.Throws<ArgumentException>(() => NF.Image.ConvertImageDtype(f, DType.Bool));
    }
}

/// <summary>Image dtypes on the managed backend.</summary>
public sealed class ManagedImageDtypeTests() : ImageDtypeTests("managed");

/// <summary>Image dtypes on the native CPU backend.</summary>
public sealed class NativeCpuImageDtypeTests() : ImageDtypeTests("cpu");

/// <summary>Image dtypes on CUDA.</summary>
public sealed class CudaImageDtypeTests() : ImageDtypeTests("cuda");
