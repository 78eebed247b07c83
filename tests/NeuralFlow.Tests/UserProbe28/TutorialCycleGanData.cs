using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The CycleGAN tutorial's input cells in C#, at a size parameter (the tutorial's IMG_WIDTH = IMG_HEIGHT = 256,
/// jittered at 286): random_crop, normalize to [-1, 1], random_jitter (nearest-neighbour resize up, random crop
/// back, tf.image.random_flip_left_right), preprocess_image_train / _test, and the four datasets
/// (cache, map, shuffle, batch). tfds' cycle_gan/horse2zebra is not downloadable here: the stand-in is a few
/// tiny uint8 "horses" (smooth ramps) and "zebras" (stripes) from integer formulas, with tfds' (image, label) pairs.
/// </summary>
internal sealed class TutorialCycleGanData(int imgSize)
{
    public const int BufferSize = 1000, BatchSize = 1;
    public int ImgWidth { get; } = imgSize;
    public int ImgHeight { get; } = imgSize;
    public int JitterSize { get; } = imgSize * 286 / 256;   // 286 for the tutorial's 256, 35 for 32

    public static byte Horse(int n, int i, int j, int c) => (byte)((i * 5 + j * 3 + c * 50 + n * 23) % 256);
    public static byte Zebra(int n, int i, int j, int c) => (byte)(((i + j + n) / 3 % 2) * 200 + c * 15 + n * 4);

    /// <summary>count images [size, size, 3] uint8 of one domain with tfds' label (0 horses, 1 zebras).</summary>
    public static (Tensor Images, Tensor Labels) Domain(Func<int, int, int, int, byte> pixel, int first, int count, int size, long label)
    {
        var x = new byte[count, size, size, 3];
        for (int n = 0; n < count; n++)
            for (int i = 0; i < size; i++)
                for (int j = 0; j < size; j++)
                    for (int c = 0; c < 3; c++)
                        x[n, i, j, c] = pixel(first + n, i, j, c);
        return (NF.Constant(x), NF.Fill([count], label, DType.Int64));
    }

    public Tensor RandomCrop(Tensor image) => NF.Image.RandomCrop(image, [ImgHeight, ImgWidth, 3]);

    // normalizing the images to [-1, 1]
    public static Tensor Normalize(Tensor image)
    {
        image = NF.Cast(image, DType.Float32);
        return image / 127.5f - 1;
    }

    public Tensor RandomJitter(Tensor image)
    {
        // resizing to 286 x 286 x 3
        image = NF.Image.Resize(image, JitterSize, JitterSize, method: "nearest");
        // randomly cropping to 256 x 256 x 3
        image = RandomCrop(image);
        // random mirroring
        return NF.Image.RandomFlipLeftRight(image);
    }

    public Tensor PreprocessImageTrain(Tensor image, Tensor label) => Normalize(RandomJitter(image));

    public static Tensor PreprocessImageTest(Tensor image, Tensor label) => Normalize(image);

    public Dataset<Tensor> Train((Tensor Images, Tensor Labels) domain) =>
        Dataset.FromTensorSlices(domain.Images, domain.Labels).Cache()
               .Map(PreprocessImageTrain, parallelism: Dataset.Autotune)
               .Shuffle(BufferSize).Batch(BatchSize);

    public static Dataset<Tensor> Test((Tensor Images, Tensor Labels) domain) =>
        Dataset.FromTensorSlices(domain.Images, domain.Labels)
               .Map(PreprocessImageTest, parallelism: Dataset.Autotune).Cache()
               .Shuffle(BufferSize).Batch(BatchSize);
}
