using NeuralFlow.Keras;
using static NeuralFlow.Tests.DatasetFromDirectory.DirectoryFixture;

namespace NeuralFlow.Tests.DatasetFromDirectory;

/// <summary>
/// ImageDatasetFromDirectory (Keras' image_dataset_from_directory) on PNG folders: float32 batches
/// resized by tf.image.resize's rules (the same values as NF.Image.Resize of the decoded file), colour
/// modes, crop_to_aspect_ratio and pad_to_aspect_ratio (tf.image.resize_with_pad's placement),
/// channels_first, a corrupt file named in the error, Keras' argument errors, and the tutorial's
/// end-to-end run: a two-class folder split by seed into disjoint training and validation sets
/// that a small convolutional model learns.
/// </summary>
public abstract class ImageDatasetTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Images_are_float32_batches_resized_as_tf_image_resize()
    {
        RequireBackend();
        string root = Temp.Path;
        Write(root, "dark/a.png", SolidPng(6, 8, 10, 20, 30));
        byte[] gradient = Png(5, 7, (y, x) => ((byte)(30 * y), (byte)(20 * x), (byte)(y * x)));
        string light = Write(root, "light/b.png", gradient);
        var (ds, printed) = Capture(() => Utils.ImageDatasetFromDirectory(root, imageSize: (4, 3), shuffle: false, batchSize: 8));
        Assert.Equal("Found 2 files belonging to 2 classes.\n", printed);
        Assert.Equal(new[] { "dark", "light" }, ds.ClassNames);
        Assert.Equal(light, ds.FilePaths[1]);
        var (images, labels) = Assert.Single(ds);
        Assert.Equal(new[] { 2, 4, 3, 3 }, images.Shape.ToArray());
        Assert.Equal(DType.Float32, images.DType);
        Assert.Equal(new[] { 0, 1 }, labels.ToArray<int>());
        var pixels = images.ToArray<float>();
        // A solid image stays its colour after any resize.
        for (int i = 0; i < 12; i++) Assert.Equal(new[] { 10f, 20f, 30f }, pixels[(3 * i)..(3 * i + 3)]);
        var expected = NF.Image.Resize(NF.Image.DecodePng(gradient), 4, 3).ToArray<float>();
        Assert.Equal(expected, pixels[36..]);
        var nearest = Utils.ImageDatasetFromDirectory(root, imageSize: (4, 3), interpolation: "nearest", shuffle: false, verbose: false).Single().Item1;
        Assert.Equal(DType.Float32, nearest.DType);   // Keras' images are float32 for every method
        Assert.Equal(NF.Cast(NF.Image.Resize(NF.Image.DecodePng(gradient), 4, 3, "nearest"), DType.Float32).ToArray<float>(), nearest.ToArray<float>()[36..]);
    }

    [SkippableFact]
    public void Colour_modes_layouts_and_aspect_ratio_options()
    {
        RequireBackend();
        string root = Temp.Path;
        byte[] file = SolidPng(2, 4, 200, 100, 50);
        Write(root, "c/wide.png", file);
        var gray = Utils.ImageDatasetFromDirectory(root, colorMode: "grayscale", imageSize: (2, 4), verbose: false).Single().Item1;
        Assert.Equal(new[] { 1, 2, 4, 1 }, gray.Shape.ToArray());
        Assert.Equal(NF.Image.DecodePng(file, 1).ToArray<byte>().Select(b => (float)b), gray.ToArray<float>());
        var rgba = Utils.ImageDatasetFromDirectory(root, colorMode: "rgba", imageSize: (2, 4), verbose: false).Single().Item1;
        Assert.Equal(new[] { 200f, 100f, 50f, 255f }, rgba.ToArray<float>()[..4]);
        var first = Utils.ImageDatasetFromDirectory(root, imageSize: (3, 5), dataFormat: "channels_first", verbose: false).Single().Item1;
        Assert.Equal(new[] { 1, 3, 3, 5 }, first.Shape.ToArray());
        Assert.All(first.ToArray<float>()[..15], v => Assert.Equal(200f, v));
        // tf.image.resize_with_pad: 2 x 4 fits 8 x 8 as 4 x 8, two rows of zeros above and below.
        var padded = Utils.ImageDatasetFromDirectory(root, imageSize: (8, 8), padToAspectRatio: true, colorMode: "grayscale", verbose: false).Single().Item1.ToArray<float>();
        float g = NF.Image.DecodePng(file, 1).ToArray<byte>()[0];
        for (int y = 0; y < 8; y++)
            Assert.All(padded[(8 * y)..(8 * y + 8)], v => Assert.Equal(y is >= 2 and < 6 ? g : 0f, v));
        // crop_to_aspect_ratio: the centred 2 x 2 window of a gradient, as ResizeCropped.
        byte[] gradient = Png(2, 4, (y, x) => ((byte)(50 * x), (byte)(10 * y), 0));
        Write(root, "c/wide.png", gradient);
        var cropped = Utils.ImageDatasetFromDirectory(root, imageSize: (2, 2), cropToAspectRatio: true, verbose: false).Single().Item1;
        Assert.Equal(NF.Image.ResizeCropped(NF.Image.DecodePng(gradient), 2, 2).ToArray<float>(), cropped.ToArray<float>());
        Assert.Equal(new[] { 50f, 0f, 0f, 100f, 0f, 0f }, cropped.ToArray<float>()[..6]);
    }

    [SkippableFact]
    public void Jpeg_files_decode_beside_png_and_gain_an_opaque_alpha_in_rgba()
    {
        RequireBackend();
        string root = Temp.Path;
        byte[] jpeg = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "ImageCodecs", "Fixtures", "jpeg420.jpg"));
        Write(root, "photo/x.JPG", jpeg);
        Write(root, "drawing/y.png", SolidPng(3, 3, 9, 8, 7));
        var images = Utils.ImageDatasetFromDirectory(root, imageSize: (6, 5), shuffle: false, verbose: false).Single().Item1;
        Assert.Equal(NF.Image.Resize(NF.Image.DecodeJpeg(jpeg), 6, 5).ToArray<float>(), images.ToArray<float>()[90..]);
        var rgba = Utils.ImageDatasetFromDirectory(root, colorMode: "rgba", imageSize: (6, 5), shuffle: false, verbose: false).Single().Item1.ToArray<float>();
        for (int p = 30; p < 60; p++) Assert.Equal(255f, rgba[4 * p + 3]);
        Assert.Equal(NF.Image.Resize(NF.Image.DecodeJpeg(jpeg), 6, 5).ToArray<float>()[..3], rgba[120..123]);
    }

    [SkippableFact]
    public void Gif_and_bmp_files_decode_and_a_gif_converts_to_grayscale_and_rgba()
    {
        RequireBackend();
        string root = Temp.Path, fixtures = Path.Combine(AppContext.BaseDirectory, "ImageCodecs", "Fixtures");
        byte[] gif = File.ReadAllBytes(Path.Combine(fixtures, "two_frames.gif")), bmp = File.ReadAllBytes(Path.Combine(fixtures, "rgb24.bmp"));
        Write(root, "a/anim.gif", gif);
        Write(root, "b/pic.bmp", bmp);
        var first = NF.Image.DecodeImage(gif, 3, expandAnimations: false);   // Keras reads a GIF's first frame
        var (h, w) = (first.Shape[0], first.Shape[1]);
        var rgb = Utils.ImageDatasetFromDirectory(root, imageSize: (h, w), shuffle: false, verbose: false).Single().Item1.ToArray<float>();
        Assert.Equal(first.ToArray<byte>().Select(b => (float)b), rgb[..(h * w * 3)]);
        // TF refuses channels 1 and 4 for a GIF; the frame is converted instead (tf.image.rgb_to_grayscale, rounded).
        var gray = Utils.ImageDatasetFromDirectory(Path.Combine(root, "a"), labels: DirectoryLabels.Of([0]), colorMode: "grayscale", imageSize: (h, w), verbose: false).Single().Item1;
        var expected = NF.Round(NF.Image.RgbToGrayscale(NF.Cast(first, DType.Float32))).ToArray<float>();
        Assert.Equal(expected, gray.ToArray<float>());
        var rgba = Utils.LoadImg(Path.Combine(root, "a", "anim.gif"), colorMode: "rgba").ToArray<float>();
        Assert.Equal(255f, rgba[3]);
        Assert.Equal((float)first.ToArray<byte>()[0], rgba[0]);
    }

    [SkippableFact]
    public void A_corrupt_image_and_bad_arguments_fail_clearly()
    {
        RequireBackend();
        string root = Temp.Path;
        Write(root, "a/good.png", SolidPng(2, 2, 1, 2, 3));
        string bad = Write(root, "b/bad.png", "this is not a png"u8.ToArray());
        var ds = Utils.ImageDatasetFromDirectory(root, imageSize: (2, 2), verbose: false);
        var e = Assert.Throws<InvalidDataException>(() => ds.ToList());
        Assert.Contains(bad, e.Message);
        Assert.Contains("Received: color_mode=cmyk", Assert.Throws<ArgumentException>(() => Utils.ImageDatasetFromDirectory(root, colorMode: "cmyk")).Message);
        Assert.Contains("Received: interpolation=cubic", Assert.Throws<ArgumentException>(() => Utils.ImageDatasetFromDirectory(root, interpolation: "cubic")).Message);
        Assert.Throws<NotSupportedException>(() => Utils.ImageDatasetFromDirectory(root, interpolation: "gaussian"));
        Assert.Contains("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio`",
                        Assert.Throws<ArgumentException>(() => Utils.ImageDatasetFromDirectory(root, cropToAspectRatio: true, padToAspectRatio: true)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Utils.ImageDatasetFromDirectory(root, imageSize: (0, 4)));
        Assert.Contains("No images found", Assert.Throws<ArgumentException>(() => Utils.ImageDatasetFromDirectory(Path.Combine(root, "a"), verbose: false)).Message);
        Assert.Contains("UnlabeledImageDatasetFromDirectory", Assert.Throws<ArgumentException>(() => Utils.ImageDatasetFromDirectory(root, labels: null)).Message);
        Assert.Throws<DirectoryNotFoundException>(() => Utils.ImageDatasetFromDirectory(Path.Combine(root, "missing")));
        Assert.Contains("ImageDatasetsFromDirectory", Assert.Throws<ArgumentException>(() => Utils.ImageDatasetFromDirectory(root, validationSplit: 0.5, subset: "both", seed: 1)).Message);
        Assert.Contains("twice, with subset \"training\" and \"validation\" and the same seed",
                        Assert.Throws<ArgumentException>(() => Utils.UnlabeledImageDatasetFromDirectory(root, validationSplit: 0.5, subset: "both", seed: 1)).Message);
    }

    [SkippableFact]
    public void A_two_class_folder_trains_a_convnet_with_a_disjoint_reproducible_split()
    {
        RequireBackend();
        string root = Temp.Path;
        var random = new Random(3);
        for (int i = 0; i < 16; i++)
        {
            // Dark and light noise: the classes differ in brightness, each image in its own pixels and size.
            Write(root, $"dark/d{i:00}.png", Png(8 + i % 3, 8, (_, _) => ((byte)random.Next(0, 90), (byte)random.Next(0, 90), (byte)random.Next(0, 90))));
            Write(root, $"light/l{i:00}.png", Png(8, 8 + i % 2, (_, _) => ((byte)random.Next(160, 256), (byte)random.Next(160, 256), (byte)random.Next(160, 256))));
        }
        var ((train, validation), printed) = Capture(() => Utils.ImageDatasetsFromDirectory(root, 0.25, seed: 123, imageSize: (8, 8), batchSize: 8));
        Assert.Equal("Found 32 files belonging to 2 classes.\nUsing 24 files for training.\nUsing 8 files for validation.\n", printed);
        Assert.Empty(train.FilePaths.Intersect(validation.FilePaths));
        Assert.Equal(32, train.FilePaths.Union(validation.FilePaths).Count());
        var again = Utils.ImageDatasetFromDirectory(root, validationSplit: 0.25, subset: "validation", seed: 123, imageSize: (8, 8), verbose: false);
        Assert.Equal(validation.FilePaths, again.FilePaths);

        NF.Random.SetSeed(11);
        var model = new Sequential(Layers.Input([8, 8, 3]), new Layers.Rescaling(1.0 / 255), new Layers.Conv2D(4, 3, activation: "relu"),
                                   new Layers.MaxPooling2D(), new Layers.Flatten(), new Layers.Dense(2));
        model.Compile(new Optimizers.Adam(0.01f), new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var history = model.Fit(train, epochs: 12, validationData: validation, verbose: 0);
        var loss = history["loss"];
        Assert.True(loss[^1] < loss[0] * 0.5, $"the loss did not fall: {string.Join(", ", loss)}");
        Assert.Equal(1.0, history["val_accuracy"][^1], 6);
        var unlabeled = Utils.UnlabeledImageDatasetFromDirectory(root, imageSize: (8, 8), shuffle: false, verbose: false);
        var predictions = model.Predict(unlabeled);
        Assert.Equal(new[] { 32, 2 }, predictions.Shape.ToArray());
    }
}

/// <summary>The image utility on the managed backend.</summary>
public sealed class ManagedImageDatasetTests() : ImageDatasetTests("managed");

/// <summary>The image utility on the native CPU backend.</summary>
public sealed class NativeCpuImageDatasetTests() : ImageDatasetTests("cpu");

/// <summary>The image utility on CUDA.</summary>
public sealed class CudaImageDatasetTests() : ImageDatasetTests("cuda");
