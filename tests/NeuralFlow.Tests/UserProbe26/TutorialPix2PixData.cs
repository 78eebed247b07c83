using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The pix2pix tutorial's input cells in C#, at a size parameter (the tutorial's 256, 286 for the jitter):
/// load() splits a side-by-side file into (input, real) halves, resize() by nearest neighbour,
/// random_crop() of the stacked pair, normalize() to [-1, 1], random_jitter() as an NF.Function with
/// its random mirroring, load_image_train / load_image_test, and the datasets built from list_files.
/// Also the stand-in for the facades download: synthetic side-by-side PNG pairs from integer formulas.
/// </summary>
internal sealed class TutorialPix2PixData
{
    public TutorialPix2PixData(int imgSize, int? jitterSeed = null)
    {
        ImgHeight = ImgWidth = imgSize;
        JitterSize = imgSize + imgSize * 30 / 256;   // 286 for the tutorial's 256
        _cropSeed = jitterSeed;
        RandomJitter = NF.Function((Func<Tensor, Tensor, (Tensor, Tensor)>)RandomJitterEager);
    }

    public const int BufferSize = 400, BatchSize = 1;
    public int ImgHeight { get; }
    public int ImgWidth { get; }
    public int JitterSize { get; }
    private readonly int? _cropSeed;

    // The synthetic facades: the right half (the tutorial's input, an "architecture label") is blocks of
    // flat colour, the left half (the real photo) a ramp; n makes every file different.
    public static byte Real(int n, int i, int j, int c) => (byte)((i * 3 + j * 5 + c * 40 + n * 17) % 256);
    public static byte Label(int n, int i, int j, int c) => (byte)(((i / 8 + j / 8 + n) % 3) * 90 + c * 20 + n);

    /// <summary>Writes train/0.png .. and val/0.png .. (no test/, so the tutorial's fallback to val/ runs); returns the folder.</summary>
    public static string Write(string root, int size, int trainCount = 4, int valCount = 2)
    {
        for (int split = 0; split < 2; split++)
        {
            string dir = Directory.CreateDirectory(Path.Combine(root, split == 0 ? "train" : "val")).FullName;
            for (int n = 0; n < (split == 0 ? trainCount : valCount); n++)
            {
                int id = split * 100 + n;
                var pixels = new byte[size, 2 * size, 3];
                for (int i = 0; i < size; i++)
                    for (int j = 0; j < 2 * size; j++)
                        for (int c = 0; c < 3; c++)
                            pixels[i, j, c] = j < size ? Real(id, i, j, c) : Label(id, i, j - size, c);
                File.WriteAllBytes(Path.Combine(dir, $"{n}.png"), NF.Image.EncodePng(NF.Constant(pixels)));
            }
        }
        return root;
    }

    public static (Tensor, Tensor) Load(StringTensor imageFile)
    {
        // Read and decode an image file to a uint8 tensor (decode_jpeg reads the PNG bytes, as TF's does)
        var image = NF.Image.DecodeJpeg(NF.IO.ReadFile(imageFile));

        // Split each image tensor into two tensors: the real building facade and the architecture label
        int w = image.Shape[1];
        w /= 2;
        var inputImage = image[.., w.., ..];
        var realImage = image[.., ..w, ..];

        // Convert both images to float32 tensors
        return (NF.Cast(inputImage, DType.Float32), NF.Cast(realImage, DType.Float32));
    }

    public static (Tensor, Tensor) Resize(Tensor inputImage, Tensor realImage, int height, int width) =>
        (NF.Image.Resize(inputImage, height, width, method: "nearest"), NF.Image.Resize(realImage, height, width, method: "nearest"));

    public (Tensor, Tensor) RandomCrop(Tensor inputImage, Tensor realImage)
    {
        var stackedImage = NF.Stack([inputImage, realImage], axis: 0);
        var croppedImage = NF.Image.RandomCrop(stackedImage, [2, ImgHeight, ImgWidth, 3], seed: _cropSeed);
        return (croppedImage[0], croppedImage[1]);
    }

    // Normalizing the images to [-1, 1]
    public static (Tensor, Tensor) Normalize(Tensor inputImage, Tensor realImage) => (inputImage / 127.5f - 1, realImage / 127.5f - 1);

    /// <summary>@tf.function random_jitter: resize up, crop back, mirror both when uniform() > 0.5.</summary>
    public Func<Tensor, Tensor, (Tensor, Tensor)> RandomJitter { get; }

    public (Tensor, Tensor) RandomJitterEager(Tensor inputImage, Tensor realImage)
    {
        (inputImage, realImage) = Resize(inputImage, realImage, JitterSize, JitterSize);
        (inputImage, realImage) = RandomCrop(inputImage, realImage);
        // `if tf.random.uniform(()) > 0.5:` mirror both. Autograph makes that a tf.cond in the graph; NF.Cond reads
        // its predicate on the host, which would make the NF.Function run eagerly (TracedFunction.EagerReason), so
        // the coin selects between the mirrored and the plain pair and stays in the replay.
        var mirror = NF.Random.Uniform(Shape.Scalar) > 0.5f;
        return (NF.Where(mirror, NF.Image.FlipLeftRight(inputImage), inputImage),
                NF.Where(mirror, NF.Image.FlipLeftRight(realImage), realImage));
    }

    public (Tensor, Tensor) LoadImageTrain(StringTensor imageFile)
    {
        var (inputImage, realImage) = Load(imageFile);
        (inputImage, realImage) = RandomJitter(inputImage, realImage);
        return Normalize(inputImage, realImage);
    }

    public (Tensor, Tensor) LoadImageTest(StringTensor imageFile)
    {
        var (inputImage, realImage) = Load(imageFile);
        (inputImage, realImage) = Resize(inputImage, realImage, ImgHeight, ImgWidth);
        return Normalize(inputImage, realImage);
    }

    public Dataset<(Tensor, Tensor)> TrainDataset(string path, bool? shuffleFiles = null) =>
        Dataset.ListFiles(Path.Combine(path, "train", "*.png"), shuffle: shuffleFiles)
               .Map(LoadImageTrain, parallelism: Dataset.Autotune)
               .Shuffle(BufferSize)
               .Batch(BatchSize);

    public Dataset<(Tensor, Tensor)> TestDataset(string path)
    {
        Dataset<StringTensor> testDataset;
        try { testDataset = Dataset.ListFiles(Path.Combine(path, "test", "*.png")); }
        catch (ArgumentException) { testDataset = Dataset.ListFiles(Path.Combine(path, "val", "*.png")); }
        return testDataset.Map(LoadImageTest).Batch(BatchSize);
    }
}
