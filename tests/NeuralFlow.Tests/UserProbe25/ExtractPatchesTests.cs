namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// NF.Image.ExtractPatches copies its taps (tf.image.extract_patches): a NaN or infinity in an image stays in the
/// entries that hold it (the identity convolution it was made of spread NaN over every patch overlapping it, and
/// made infinities NaN), patches are each tap's pixel in TensorFlow's order for valid and same padding with strides
/// and dilation, a patch as large as the image needs no (PH·PW·C)² kernel, and a patch that cannot fit is refused by
/// ExtractPatches' own name.
/// </summary>
public abstract class ExtractPatchesTests(string backend) : BackendTest(backend)
{
    // The definition: patch (b, y, x) holds, tap by tap (row-major) and channel innermost, the pixel at
    // (y * stride - top + i * dilation, x * stride - left + j * dilation), 0 outside the image.
    private static float[] Expected(float[,,,] images, int ph, int pw, int sh, int sw, int d, int oh, int ow, int top, int left)
    {
        int n = images.GetLength(0), h = images.GetLength(1), w = images.GetLength(2), c = images.GetLength(3);
        var result = new List<float>();
        for (int b = 0; b < n; b++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                    for (int i = 0; i < ph; i++)
                        for (int j = 0; j < pw; j++)
                            for (int k = 0; k < c; k++)
                            {
                                int r = y * sh - top + i * d, q = x * sw - left + j * d;
                                result.Add(r >= 0 && r < h && q >= 0 && q < w ? images[b, r, q, k] : 0f);
                            }
        return [.. result];
    }

    private static float[,,,] Images()
    {
        var images = new float[2, 7, 6, 2];
        for (int b = 0; b < 2; b++)
            for (int r = 0; r < 7; r++)
                for (int q = 0; q < 6; q++)
                    for (int k = 0; k < 2; k++) images[b, r, q, k] = b * 100 + r * 10 + q + 0.5f * k;
        images[0, 2, 2, 1] = float.NaN;
        images[1, 0, 5, 0] = float.PositiveInfinity;
        return images;
    }

    [SkippableFact]
    public void Non_finite_pixels_stay_in_their_own_entries()
    {
        RequireBackend();
        var images = Images();
        var valid = NF.Image.ExtractPatches(NF.Constant(images), (3, 2), (2, 1), dilation: 2);
        // height: span 5 of 7, stride 2 -> 2 rows; width: span 3 of 6, stride 1 -> 4 columns.
        Assert.Equal([2, 2, 4, 12], valid.Shape.ToArray());
        Assert.Equal(Expected(images, 3, 2, 2, 1, 2, 2, 4, 0, 0), valid.ToArray<float>());
        var same = NF.Image.ExtractPatches(NF.Constant(images), (2, 3), (3, 2), padding: "same");
        // height: ceil(7 / 3) = 3, needs (3 - 1) * 3 + 2 - 7 = 1 row: 0 before, 1 after; width: 3, (3 - 1) * 2 + 3 - 6 = 1: 0, 1.
        Assert.Equal([2, 3, 3, 12], same.Shape.ToArray());
        Assert.Equal(Expected(images, 2, 3, 3, 2, 1, 3, 3, 0, 0), same.ToArray<float>());
        // Row 2 is tap 1 of patch row 0 and tap 0 of row 1; column 2 tap 0 of patch column 2 and tap 1 of column 0:
        // four entries hold the NaN (the identity convolution made every entry of those patches NaN).
        Assert.Equal(4, valid.ToArray<float>().Count(float.IsNaN));
    }

    [SkippableFact]
    public void A_patch_as_large_as_the_image_and_integer_images()
    {
        RequireBackend();
        // 96 x 96 x 3: a 27648-deep patch, whose identity kernel would have been 27648² floats (3 GB).
        var big = NF.Reshape(NF.Cast(NF.Range(96 * 96 * 3), DType.Float32), [1, 96, 96, 3]);
        var one = NF.Image.ExtractPatches(big, (96, 96));
        Assert.Equal([1, 1, 1, 27648], one.Shape.ToArray());
        Assert.Equal(big.ToArray<float>(), one.ToArray<float>());
        var bytes = NF.Cast(NF.Reshape(NF.Range(16), [4, 4, 1]), DType.UInt8);
        var patches = NF.Image.ExtractPatches(bytes, (2, 2));
        Assert.Equal(DType.UInt8, patches.DType);
        Assert.Equal(new byte[] { 0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15 }, patches.ToArray<byte>());
    }

    [SkippableFact]
    public void A_patch_that_cannot_fit_is_refused_by_its_own_name()
    {
        RequireBackend();
        var ex = Assert.Throws<ArgumentException>(() => NF.Image.ExtractPatches(NF.Zeros([1, 3, 8, 1]), (2, 2), dilation: 3));
        Assert.Contains("Image.ExtractPatches: the window spans 4 along the height but the input has only 3 there", ex.Message);
        // "same": ceil(3 / 2) x ceil(8 / 2) patches.
        Assert.Equal([1, 2, 4, 4], NF.Image.ExtractPatches(NF.Zeros([1, 3, 8, 1]), (2, 2), dilation: 3, padding: "same").Shape.ToArray());
    }

    [SkippableFact]
    public void The_gradient_counts_each_pixels_taps()
    {
        RequireBackend();
        var x = new Variable(NF.Ones([1, 4, 4, 1]));
        using var tape = new GradientTape();
        var patches = NF.Image.ExtractPatches(x, (3, 3), (1, 1));
        var g = tape.Gradient(NF.ReduceSum(patches), [x])[0];
        // Each pixel is a tap of as many 3 x 3 windows (of the 2 x 2 valid ones) as cover it: 1, 2, 2, 1 per axis.
        float[] perAxis = [1, 2, 2, 1];
        Assert.Equal(perAxis.SelectMany(a => perAxis.Select(b => a * b)).ToArray(), g.ToArray<float>());
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedExtractPatchesTests() : ExtractPatchesTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuExtractPatchesTests() : ExtractPatchesTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaExtractPatchesTests() : ExtractPatchesTests("cuda");
