using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Image segmentation with a U-Net-like architecture" (Oxford pets) in C#: the
/// Xception-style U-Net (SeparableConv2D down blocks with strided 1x1 residual projections,
/// Conv2DTranspose + UpSampling2D up blocks, a per-pixel softmax) has the example's 2,058,979
/// parameters (3,776 non-trainable) at 160 x 160; a narrow copy learns synthetic trimaps
/// (background, pet, border) with sparse categorical cross-entropy on (batch, H, W, 1) targets.
/// </summary>
public abstract class ExamplesOxfordPetsSegmentationTests(string backend) : BackendTest(backend)
{
    private static Model GetModel(int imgSize, int numClasses, int[] down, int[] up, int entry)
    {
        var inputs = Layers.Input([imgSize, imgSize, 3]);
        // Entry block
        var x = new Layers.Conv2D(entry, 3, strides: 2, padding: "same").Call(inputs);
        x = new Layers.BatchNormalization().Call(x);
        x = new Layers.Activation("relu").Call(x);
        var previousBlockActivation = x;
        foreach (int filters in down)
        {
            x = new Layers.Activation("relu").Call(x);
            x = new Layers.SeparableConv2D(filters, 3, padding: "same").Call(x);
            x = new Layers.BatchNormalization().Call(x);
            x = new Layers.Activation("relu").Call(x);
            x = new Layers.SeparableConv2D(filters, 3, padding: "same").Call(x);
            x = new Layers.BatchNormalization().Call(x);
            x = new Layers.MaxPooling2D(3, strides: 2, padding: "same").Call(x);
            var residual = new Layers.Conv2D(filters, 1, strides: 2, padding: "same").Call(previousBlockActivation);
            x = new Layers.Add().Call([x, residual]);
            previousBlockActivation = x;
        }
        foreach (int filters in up)
        {
            x = new Layers.Activation("relu").Call(x);
            x = new Layers.Conv2DTranspose(filters, 3, padding: "same").Call(x);
            x = new Layers.BatchNormalization().Call(x);
            x = new Layers.Activation("relu").Call(x);
            x = new Layers.Conv2DTranspose(filters, 3, padding: "same").Call(x);
            x = new Layers.BatchNormalization().Call(x);
            x = new Layers.UpSampling2D(2).Call(x);
            var residual = new Layers.UpSampling2D(2).Call(previousBlockActivation);
            residual = new Layers.Conv2D(filters, 1, padding: "same").Call(residual);
            x = new Layers.Add().Call([x, residual]);
            previousBlockActivation = x;
        }
        var outputs = new Layers.Conv2D(numClasses, 3, activation: "softmax", padding: "same").Call(x);
        return new Model(inputs, outputs);
    }

    [SkippableFact]
    public void Unet_has_the_examples_parameter_counts()
    {
        RequireBackend();
        var model = GetModel(160, 3, [64, 128, 256], [256, 128, 64, 32], 32);
        var summary = model.SummaryText();
        Assert.Contains("Total params: 2,058,979", summary);
        Assert.Contains("Non-trainable params: 3,776", summary);
        Assert.Equal(new int?[] { null, 160, 160, 3 }, model.Outputs[0].Shape.ToArray());
    }

    [SkippableFact]
    public void Narrow_unet_learns_synthetic_trimaps()
    {
        RequireBackend();
        NF.Random.SetSeed(168);
        int size = 32, count = BackendName == "cuda" ? 8 : 16;
        var rng = new Random(18);
        var images = new float[count * size * size * 3];
        var masks = new int[count * size * size];
        for (int n = 0; n < count; n++)
        {
            int top = rng.Next(2, 14), left = rng.Next(2, 14), side = rng.Next(10, 16);
            for (int r = 0; r < size; r++)
                for (int c = 0; c < size; c++)
                {
                    bool inside = r >= top && r < top + side && c >= left && c < left + side;
                    bool border = inside && (r == top || c == left || r == top + side - 1 || c == left + side - 1);
                    // Trimap labels 1, 2, 3 minus one: 0 pet, 1 background, 2 border.
                    masks[(n * size + r) * size + c] = border ? 2 : inside ? 0 : 1;
                    for (int ch = 0; ch < 3; ch++)
                        images[((n * size + r) * size + c) * 3 + ch] = (inside ? 0.8f : 0.2f) + 0.1f * (float)rng.NextDouble();
                }
        }
        var x = NF.Constant(images, [count, size, size, 3]);
        var y = NF.Constant(masks, [count, size, size, 1]);
        var model = GetModel(size, 3, [8, 16], [16, 8, 4], 8);
        model.Compile(optimizer: new Optimizers.Adam(1e-2f), loss: "sparse_categorical_crossentropy");
        var history = model.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var predicted = NF.ArgMax(model.Predict(x[..2], verbose: 0), -1);
        Assert.Equal(new[] { 2, size, size }, predicted.Shape.ToArray());
    }
}

/// <summary>The U-Net segmentation example on the managed backend.</summary>
public sealed class ManagedExamplesOxfordPetsSegmentationTests() : ExamplesOxfordPetsSegmentationTests("managed");

/// <summary>The U-Net segmentation example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesOxfordPetsSegmentationTests() : ExamplesOxfordPetsSegmentationTests("cpu");

/// <summary>The U-Net segmentation example on CUDA.</summary>
public sealed class CudaExamplesOxfordPetsSegmentationTests() : ExamplesOxfordPetsSegmentationTests("cuda");
