using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// ExportOnnx of the preprocessing, augmentation, noise and normalization layers: ONNX Runtime
/// runs each exported file as Predict runs the model (inference: augmentation and noise are
/// identities, RandomCrop resizes its centred window), within OnnxExportTests' 1e-5.
/// </summary>
public abstract class OnnxPreprocessingExportTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void The_keras_image_classification_tutorial_model_exports_with_its_augmentation()
    {
        RequireBackend();
        NF.Random.SetSeed(31);
        // keras.io's image classification from scratch, shrunk: augmentation and Rescaling in the model.
        var model = new Sequential(
            new Layers.RandomFlip("horizontal"), new Layers.RandomRotation(0.1), new Layers.RandomZoom(0.1),
            new Layers.RandomTranslation(0.1, 0.1), new Layers.RandomContrast(0.2), new Layers.RandomBrightness(0.2),
            new Layers.Rescaling(1.0 / 255), new Layers.GaussianNoise(0.1), new Layers.Conv2D(4, 3, activation: "relu"),
            new Layers.SpatialDropout2D(0.2), new Layers.MaxPooling2D(2), new Layers.GaussianDropout(0.1), new Layers.Flatten(),
            new Layers.AlphaDropout(0.1), new Layers.Dropout(0.5), new Layers.Identity(), new Layers.ActivityRegularization(l2: 0.01),
            new Layers.Dense(3, activation: "softmax"));
        OnnxExportTests.Fit(model, NF.Random.Uniform([16, 9, 8, 3], 0, 255), 3);
        OnnxExportTests.AssertExportRuns(model, Temp.File("preprocessing.onnx"), [9, 8, 3], shape => NF.Random.Uniform(shape, 0, 255));
    }

    [SkippableTheory]
    [InlineData("bilinear", false, false)]
    [InlineData("nearest", false, false)]
    [InlineData("bicubic", false, false)]
    [InlineData("area", false, false)]
    [InlineData("bilinear", true, false)]
    [InlineData("bicubic", false, true)]
    [InlineData("nearest", false, true)]
    public void Resizing_exports_each_method_as_predict_resamples(string method, bool antialias, bool cropToAspectRatio)
    {
        RequireBackend();
        NF.Random.SetSeed(32);
        // Down on one axis and up on the other, by non-integer ratios; then a dense head.
        var model = new Sequential(new Layers.Resizing(5, 11, method, cropToAspectRatio, antialias), new Layers.Flatten(), new Layers.Dense(2));
        model.Build([9, 7, 2]);
        OnnxExportTests.AssertExportRuns(model, Temp.File("preprocessing.onnx"), [9, 7, 2]);
    }

    [SkippableFact]
    public void Crops_export_their_window_and_resize_smaller_images()
    {
        RequireBackend();
        NF.Random.SetSeed(33);
        // A plain centred crop (Slice); a window larger than the image (the aspect window resized);
        // RandomCrop at inference (the largest centred window of the target's ratio, resized).
        foreach (var (layer, shape) in new (Layer, int[])[]
                 {
                     (new Layers.CenterCrop(4, 3), [7, 6, 2]),
                     (new Layers.CenterCrop(8, 5), [6, 7, 2]),
                     (new Layers.RandomCrop(4, 6, seed: 1), [7, 9, 2]),
                     (new Layers.RandomCrop(5, 5), [5, 5, 1]),
                 })
        {
            var model = new Sequential(layer, new Layers.Flatten(), new Layers.Dense(3));
            model.Build(shape);
            OnnxExportTests.AssertExportRuns(model, Temp.File("preprocessing.onnx"), shape);
        }
    }

    [SkippableFact]
    public void Normalization_layers_export_with_their_statistics()
    {
        RequireBackend();
        NF.Random.SetSeed(34);
        var data = NF.Random.Uniform([40, 6, 4], -3, 5);
        var adapted = new Layers.Normalization();
        adapted.Adapt(data);
        var model = new Sequential(
            adapted, new Layers.Normalization(axis: [1, 2], mean: Enumerable.Range(0, 24).Select(i => i * 0.1).ToArray(), variance: Enumerable.Range(0, 24).Select(i => 0.5 + i).ToArray()),
            new Layers.Normalization(mean: [1, 2, 3, 4], variance: [4, 0, 1, 9], invert: true),
            new Layers.GroupNormalization(groups: 2), new Layers.UnitNormalization(), new Layers.Dense(3),
            new Layers.GroupNormalization(groups: 3, axis: 1), new Layers.UnitNormalization(axis: [1, 2]),
            new Layers.Flatten(), new Layers.Dense(2, activation: "softmax"));
        OnnxExportTests.Fit(model, data, 2);
        OnnxExportTests.AssertExportRuns(model, Temp.File("preprocessing.onnx"), [6, 4], shape => NF.Random.Uniform(shape, -3, 5));
    }
}

public sealed class ManagedOnnxPreprocessingExportTests() : OnnxPreprocessingExportTests("managed");
public sealed class NativeCpuOnnxPreprocessingExportTests() : OnnxPreprocessingExportTests("cpu");
public sealed class CudaOnnxPreprocessingExportTests() : OnnxPreprocessingExportTests("cuda");
