using NeuralFlow.Keras;
using static NeuralFlow.Tests.DatasetFromDirectory.DirectoryFixture;

namespace NeuralFlow.Tests.DatasetFromDirectory;

/// <summary>
/// Keras' image file helpers: Utils.LoadImg (load_img + img_to_array: float32 [h, w, c], colour
/// modes, target_size with keep_aspect_ratio's centred crop) and Utils.SaveImg (array_to_img's
/// scaling to 0..255 and numpy's truncating uint8 cast, channels_first, PNG written atomically).
/// </summary>
public abstract class ImageFilesTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Save_img_scales_to_0_255_and_load_img_reads_float32()
    {
        RequireBackend();
        string path = Temp.File("out.png");
        // array_to_img: x - min, / max, * 255, then astype("uint8") truncates: 0, 63.75 -> 63, 127.5 -> 127, 255.
        var x = NF.Constant(new float[] { -1, -0.5f, 0, 1 }, [2, 2, 1]);
        Utils.SaveImg(path, x);
        var back = Utils.LoadImg(path, colorMode: "grayscale");
        Assert.Equal(DType.Float32, back.DType);
        Assert.Equal(new[] { 2, 2, 1 }, back.Shape.ToArray());
        Assert.Equal(new[] { 0f, 63f, 127f, 255f }, back.ToArray<float>());
        Assert.Empty(Directory.GetFiles(Temp.Path, "*.tmp"));   // the atomic write left nothing behind
        // channels_first [3, 1, 2] without scaling: the values as they are.
        var planar = NF.Constant(new float[] { 10, 20, 30, 40, 50, 60 }, [3, 1, 2]);
        Utils.SaveImg(path, planar, dataFormat: "channels_first", scale: false);
        Assert.Equal(new[] { 10f, 30f, 50f, 20f, 40f, 60f }, Utils.LoadImg(path).ToArray<float>());
        Assert.Contains("0..255", Assert.Throws<ArgumentException>(() => Utils.SaveImg(path, NF.Constant(new float[] { 300 }, [1, 1, 1]), scale: false)).Message);
        Assert.Contains("rank 3", Assert.Throws<ArgumentException>(() => Utils.SaveImg(path, NF.Zeros([4, 4]))).Message);
        Assert.Contains("Unsupported channel number: 2", Assert.Throws<ArgumentException>(() => Utils.SaveImg(path, NF.Zeros([4, 4, 2]))).Message);
        Assert.Throws<NotSupportedException>(() => Utils.SaveImg(Temp.File("out.jpg"), x));
    }

    [SkippableFact]
    public void Load_img_resizes_to_the_target_and_keeps_the_aspect_ratio_by_cropping()
    {
        RequireBackend();
        byte[] file = Png(4, 8, (y, x) => ((byte)(x * 30), (byte)(y * 60), 7));
        string path = Write(Temp.Path, "wide.png", file);
        var rgba = Utils.LoadImg(path, colorMode: "rgba");
        Assert.Equal(new[] { 4, 8, 4 }, rgba.Shape.ToArray());
        Assert.Equal(new[] { 0f, 0f, 7f, 255f }, rgba.ToArray<float>()[..4]);
        // Keras' default interpolation is "nearest": a 4 x 8 image halved takes every other pixel (TF's and PIL's rule).
        var half = Utils.LoadImg(path, targetSize: (2, 4));
        Assert.Equal(new[] { 2, 4, 3 }, half.Shape.ToArray());
        Assert.Equal(new[] { 30f, 60f, 7f }, half.ToArray<float>()[..3]);
        // keep_aspect_ratio: the centred 4 x 4 box (columns 2..5) of the 4 x 8 image, then resized.
        var square = Utils.LoadImg(path, targetSize: (4, 4), keepAspectRatio: true);
        Assert.Equal(new[] { 60f, 0f, 7f }, square.ToArray<float>()[..3]);
        Assert.Equal(new[] { 150f, 0f, 7f }, square.ToArray<float>()[9..12]);
        Assert.Throws<FileNotFoundException>(() => Utils.LoadImg(Temp.File("missing.png")));
        string broken = Write(Temp.Path, "broken.png", "not an image"u8.ToArray());
        Assert.Contains(broken, Assert.Throws<InvalidDataException>(() => Utils.LoadImg(broken)).Message);
        Assert.Throws<NotSupportedException>(() => Utils.LoadImg(path, targetSize: (2, 2), interpolation: "lanczos"));
    }
}

/// <summary>The image file helpers on the managed backend.</summary>
public sealed class ManagedImageFilesTests() : ImageFilesTests("managed");

/// <summary>The image file helpers on the native CPU backend.</summary>
public sealed class NativeCpuImageFilesTests() : ImageFilesTests("cpu");

/// <summary>The image file helpers on CUDA.</summary>
public sealed class CudaImageFilesTests() : ImageFilesTests("cuda");
