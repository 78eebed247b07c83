using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The image segmentation tutorial (site/en/tutorials/images/segmentation.ipynb) on two synthetic images: the
/// MobileNetV2 base at 128x128 without its top, five of its activations picked by Keras' layer names
/// (block_1_expand_relu ... block_16_project) as the outputs of a frozen down_stack model, the U-Net of pix2pix's
/// upsample blocks (Conv2DTranspose, BatchNormalization, ReLU) with Concatenate skips and a last Conv2DTranspose to
/// three classes, trained one epoch with Adam and a sparse categorical cross-entropy on logits.
/// </summary>
public abstract class ApplicationsSegmentationTests(string backend) : BackendTest(backend)
{
    // pix2pix.upsample(filters, size): Conv2DTranspose (stride 2, 'same', N(0, 0.02) kernel, no bias), BatchNormalization, ReLU.
    private static Sequential Upsample(int filters, int size) => new(
        new Layers.Conv2DTranspose(filters, size, strides: 2, padding: "same", kernelInitializer: Initializer.RandomNormal(0, 0.02), useBias: false),
        new Layers.BatchNormalization(),
        new Layers.ReLU());

    [SkippableFact]
    public void The_down_stack_takes_mobilenet_v2_activations_by_layer_name()
    {
        RequireBackend();
        var baseModel = Applications.MobileNetV2(inputShape: [128, 128, 3], includeTop: false, weights: null);
        string[] layerNames = ["block_1_expand_relu", "block_3_expand_relu", "block_6_expand_relu", "block_13_expand_relu", "block_16_project"];
        var baseModelOutputs = layerNames.Select(name => baseModel.GetLayer(name).Output).ToList();
        var downStack = new Model(baseModel.Input, baseModelOutputs);
        downStack.Trainable = false;
        int?[][] shapes = [[null, 64, 64, 96], [null, 32, 32, 144], [null, 16, 16, 192], [null, 8, 8, 576], [null, 4, 4, 320]];
        Assert.Equal(shapes, downStack.Outputs.Select(o => o.Shape.ToArray()));

        Sequential[] upStack = [Upsample(512, 3), Upsample(256, 3), Upsample(128, 3), Upsample(64, 3)];
        var inputs = Layers.Input([128, 128, 3]);
        var skips = downStack.CallOutputs(inputs);
        var x = skips[^1];
        foreach (var (up, skip) in upStack.Zip(skips.Take(skips.Count - 1).Reverse()))
        {
            x = up.Call(x);
            x = new Layers.Concatenate().Call([x, skip]);
        }
        x = new Layers.Conv2DTranspose(3, 3, strides: 2, padding: "same").Call(x);   // 64x64 -> 128x128
        var model = new Model(inputs, x);
        Assert.Equal(new int?[] { null, 128, 128, 3 }, model.Output.Shape);

        model.Compile(new Optimizers.Adam(), new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var images = NF.Random.Uniform([2, 128, 128, 3], seed: 5);
        var masks = NF.Cast(NF.Greater(NF.ReduceMean(images, [3], keepDims: true), 0.5), DType.Int32);
        var frozen = downStack.Variables.ToDictionary(v => v, v => v.ToArray<float>());
        var history = model.Fit(images, masks, batchSize: 2, epochs: 1, verbose: 0);
        Assert.True(float.IsFinite(history["loss"][0]));
        foreach (var (v, values) in frozen) Assert.True(values.SequenceEqual(v.ToArray<float>()), $"{v.Name} changed while frozen");
        var predicted = NF.ArgMax(model.Predict(images), -1);
        Assert.Equal(new Shape(2, 128, 128), predicted.Shape);
    }
}

/// <summary>The segmentation tutorial's U-Net on MobileNetV2, on the managed backend.</summary>
public sealed class ManagedApplicationsSegmentationTests() : ApplicationsSegmentationTests("managed");

/// <summary>The segmentation tutorial's U-Net on MobileNetV2, on the native CPU backend.</summary>
public sealed class NativeCpuApplicationsSegmentationTests() : ApplicationsSegmentationTests("cpu");

/// <summary>The segmentation tutorial's U-Net on MobileNetV2, on the CUDA backend.</summary>
public sealed class CudaApplicationsSegmentationTests() : ApplicationsSegmentationTests("cuda");
