using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// TensorFlow's "Data augmentation" tutorial (site/en/tutorials/images/data_augmentation.ipynb) on
/// synthetic images: resize_and_rescale on one image, the augmentation layers in the model and in a
/// Map with training=True, the prepare() pipeline, and the tf.image cells (flip, grayscale, saturation,
/// brightness, central_crop, rot90, resize_with_crop_or_pad).
/// </summary>
public abstract class TutorialDataAugmentationTests(string backend) : BackendTest(backend)
{
    private const int ImgSize = 12;

    private static Sequential ResizeAndRescale() => new(new Layers.Resizing(ImgSize, ImgSize), new Layers.Rescaling(1.0 / 255));

    [SkippableFact]
    public void Resize_and_rescale_takes_one_uint8_image_to_the_unit_range()
    {
        RequireBackend();
        NF.Random.SetSeed(31);
        var image = NF.Cast(NF.Random.Uniform([20, 16, 3], 0, 256), DType.UInt8);
        var result = ResizeAndRescale().Call(image);
        Assert.Equal(new[] { ImgSize, ImgSize, 3 }, result.Shape.ToArray());
        Assert.Equal(DType.Float32, result.DType);
        Assert.InRange(NF.ReduceMin(result).Item<float>(), 0f, 1f);
        Assert.InRange(NF.ReduceMax(result).Item<float>(), 0f, 1f);

        // image = tf.cast(tf.expand_dims(image, 0), tf.float32); data_augmentation(image) differs from it.
        var batch = NF.Cast(NF.ExpandDims(image, 0), DType.Float32);
        var dataAugmentation = new Sequential(new Layers.RandomFlip("horizontal_and_vertical", seed: 1), new Layers.RandomRotation(0.2, seed: 2));
        var augmented = Enumerable.Range(0, 4).Select(_ => dataAugmentation.Call(batch).ToArray<float>()).ToList();
        Assert.Contains(augmented, a => !a.SequenceEqual(batch.ToArray<float>()));
    }

    [SkippableFact]
    public void Rot90_turns_counter_clockwise_as_tf_image_rot90()
    {
        RequireBackend();
        // A 2 x 3 image of one channel: [[0, 1, 2], [3, 4, 5]].
        var image = NF.Reshape(NF.Range(0f, 6f), [2, 3, 1]);
        // One quarter turn counter-clockwise: out[i, j] = in[j, W - 1 - i] (np.rot90 over axes (0, 1)).
        var once = NF.Image.Rot90(image);
        Assert.Equal(new[] { 3, 2, 1 }, once.Shape.ToArray());
        Assert.Equal(new[] { 2f, 5f, 1f, 4f, 0f, 3f }, once.ToArray<float>());
        Assert.Equal(new[] { 5f, 4f, 3f, 2f, 1f, 0f }, NF.Image.Rot90(image, 2).ToArray<float>());
        Assert.Equal(NF.Image.Rot90(image, 3).ToArray<float>(), NF.Image.Rot90(image, -1).ToArray<float>());
        Assert.Equal(image.ToArray<float>(), NF.Image.Rot90(image, 4).ToArray<float>());
        // A batch turns each image.
        var batch = NF.Stack([image, image + 6f]);
        var turned = NF.Image.Rot90(batch);
        Assert.Equal(new[] { 2, 3, 2, 1 }, turned.Shape.ToArray());
        Assert.Equal(once.ToArray<float>().Select(v => v + 6f), turned[1].ToArray<float>());
        Assert.Throws<ArgumentException>(() => NF.Image.Rot90(NF.Zeros([4, 4])));
    }

    [SkippableFact]
    public void Resize_with_crop_or_pad_crops_and_pads_about_the_centre()
    {
        RequireBackend();
        // A 5 x 4 image of values 10 * row + column, two channels (the second negated).
        var plane = NF.Reshape(NF.Cast(NF.Constant(Enumerable.Range(0, 20).Select(i => 10 * (i / 4) + i % 4).ToArray()), DType.Float32), [5, 4, 1]);
        var image = NF.Concat([plane, -plane], axis: 2);
        // TF: crop offset (n - target) // 2 on a longer side, pad offset (target - n) // 2 on a shorter one.
        // Height 5 -> 2: rows 1..2. Width 4 -> 7: 1 zero column before, 2 after.
        var framed = NF.Image.ResizeWithCropOrPad(image, 2, 7);
        Assert.Equal(new[] { 2, 7, 2 }, framed.Shape.ToArray());
        float[] want =
        [
            0, 10, 11, 12, 13, 0, 0,
            0, 20, 21, 22, 23, 0, 0,
        ];
        Assert.Equal(want, NF.Slice(framed, [0, 0, 0], [-1, -1, 1]).ToArray<float>());
        Assert.Equal(want.Select(v => -v + 0f), NF.Slice(framed, [0, 0, 1], [-1, -1, 1]).ToArray<float>().Select(v => v + 0f));
        // Height 5 -> 8: 1 row before, 2 after; width 4 -> 3: columns 0..2.
        var tall = NF.Image.ResizeWithCropOrPad(NF.ExpandDims(plane, 0), 8, 3);
        Assert.Equal(new[] { 1, 8, 3, 1 }, tall.Shape.ToArray());
        Assert.Equal(new float[] { 0, 0, 0, 0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 0, 0, 0, 0, 0, 0 }, tall.ToArray<float>());
        Assert.Equal(image.ToArray<float>(), NF.Image.ResizeWithCropOrPad(image, 5, 4).ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.ResizeWithCropOrPad(image, 0, 4));
    }

    [SkippableFact]
    public void The_prepare_pipeline_augments_training_batches_in_a_map_and_trains()
    {
        RequireBackend();
        NF.Random.SetSeed(32);
        const int numClasses = 3;
        var images = NF.Cast(NF.Random.Uniform([24, 16, 20, 3], 0, 256), DType.UInt8);
        var labels = NF.Random.Uniform([24], 0, numClasses, DType.Int32);
        var resizeAndRescale = ResizeAndRescale();
        var dataAugmentation = new Sequential(new Layers.RandomFlip("horizontal_and_vertical"), new Layers.RandomRotation(0.2));

        Dataset<(Tensor, Tensor)> Prepare(Dataset<(Tensor, Tensor)> ds, bool shuffle = false, bool augment = false)
        {
            ds = ds.Map((x, y) => (resizeAndRescale.Call(x), y), parallelism: Dataset.Autotune);
            if (shuffle) ds = ds.Shuffle(1000);
            ds = ds.Batch(8);
            if (augment) ds = ds.Map((x, y) => (dataAugmentation.Call(x, training: true), y), parallelism: Dataset.Autotune);
            return ds.Prefetch(Dataset.Autotune);
        }

        var all = Dataset.FromTensorSlices(images, labels);
        var trainDs = Prepare(all.Take(16), shuffle: true, augment: true);
        var testDs = Prepare(all.Skip(16));
        var (batch, _) = trainDs.First();
        Assert.Equal(new[] { 8, ImgSize, ImgSize, 3 }, batch.Shape.ToArray());

        var model = new Sequential(
            new Layers.Conv2D(4, 3, padding: "same", activation: "relu"), new Layers.MaxPooling2D(),
            new Layers.Flatten(), new Layers.Dense(8, activation: "relu"), new Layers.Dense(numClasses));
        model.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var history = model.Fit(trainDs, validationData: testDs, epochs: 2, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys);
        var (loss, acc) = model.Evaluate(testDs);
        Assert.Equal(history["val_loss"][^1], loss, 4);
        Assert.InRange(acc, 0f, 1f);
    }
}

/// <summary>The data augmentation tutorial on the managed backend.</summary>
public sealed class ManagedTutorialDataAugmentationTests() : TutorialDataAugmentationTests("managed");

/// <summary>The data augmentation tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialDataAugmentationTests() : TutorialDataAugmentationTests("cpu");

/// <summary>The data augmentation tutorial on CUDA.</summary>
public sealed class CudaTutorialDataAugmentationTests() : TutorialDataAugmentationTests("cuda");
