using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The transfer learning tutorial (site/en/tutorials/images/transfer_learning.ipynb) on small synthetic images: the
/// MobileNetV2 base without its top from a weights file, frozen (base_model.trainable = False) and called with
/// training=False inside a functional model after data augmentation and mobilenet_v2.preprocess_input, then
/// GlobalAveragePooling2D, Dropout(0.2) and Dense(1, sigmoid); two trainable variables, Fit with Adam, then fine-tuning:
/// the base unfrozen from layer 100 on, recompiled with RMSprop(lr / 10), 56 trainable variables, Fit continuing from
/// its epoch. Frozen layers keep their weights, and every BatchNormalization keeps its moving statistics throughout
/// (inference mode, as the call's training=False asks, even while fitting and once trainable).
/// </summary>
public abstract class ApplicationsTransferLearningTests(string backend) : BackendFileTest(backend)
{
    private static Dictionary<Variable, float[]> Snapshot(IEnumerable<Variable> variables) =>
        variables.ToDictionary(v => v, v => v.ToArray<float>());

    [SkippableFact]
    public void Freeze_fit_then_fine_tune_from_layer_100()
    {
        RequireBackend();
        const int size = 32;
        string path = ApplicationsWeightsFile.Write(Applications.MobileNetV2(inputShape: [size, size, 3], alpha: 0.35, includeTop: false, weights: null), Temp.File("mobilenet_v2_0.35_no_top.h5"));

        var baseModel = Applications.MobileNetV2(inputShape: [size, size, 3], includeTop: false, weights: path, alpha: 0.35);
        // Eight images, labelled by whether their mean pixel is above the middle.
        var images = ApplicationsWeightsFile.Images(8, size, size, 3);
        var labels = NF.Reshape(NF.Cast(NF.Greater(NF.ReduceMean(images, [1, 2, 3]), 127.5), DType.Float32), [8, 1]);
        var featureBatch = baseModel.Call(images);
        Assert.Equal(new Shape(8, 1, 1, 1280), featureBatch.Shape);

        baseModel.Trainable = false;
        var dataAugmentation = new Sequential(new Layers.RandomFlip("horizontal", seed: 3), new Layers.RandomRotation(0.2, seed: 4));
        var globalAverageLayer = new Layers.GlobalAveragePooling2D();
        var predictionLayer = new Layers.Dense(1, activation: "sigmoid");
        var inputs = Layers.Input([size, size, 3]);
        var x = dataAugmentation.Call(inputs);
        x = Applications.MobileNetV2PreprocessInput(x);
        x = baseModel.Call(x, training: false);
        x = globalAverageLayer.Call(x);
        x = new Layers.Dropout(0.2).Call(x);
        var outputs = predictionLayer.Call(x);
        var model = new Model(inputs, outputs);
        Assert.Equal(2, model.TrainableVariables.Count);

        var before = Snapshot(baseModel.Variables);
        var head = Snapshot(predictionLayer.Variables);
        const double baseLearningRate = 0.0001;
        model.Compile(new Optimizers.Adam(learningRate: baseLearningRate), new Losses.BinaryCrossentropy(),
                      metrics: [new Metrics.BinaryAccuracy(threshold: 0.5, name: "accuracy")]);
        var history = model.Fit(images, labels, batchSize: 4, epochs: 2, verbose: 0);
        Assert.Equal([0, 1], history.Epoch);
        Assert.All(history["loss"], l => Assert.True(float.IsFinite(l)));
        Assert.Equal(2, history["accuracy"].Count);
        // The frozen base is untouched, moving statistics included; the head learned.
        foreach (var (v, values) in before) Assert.True(values.SequenceEqual(v.ToArray<float>()), $"{v.Name} changed while frozen");
        Assert.Contains(head, p => !p.Value.SequenceEqual(p.Key.ToArray<float>()));

        baseModel.Trainable = true;
        Assert.Equal(154, baseModel.Layers.Count);
        const int fineTuneAt = 100;
        foreach (var layer in baseModel.Layers[..fineTuneAt]) layer.Trainable = false;
        model.Compile(new Optimizers.RMSprop(learningRate: baseLearningRate / 10), new Losses.BinaryCrossentropy(),
                      metrics: [new Metrics.BinaryAccuracy(threshold: 0.5, name: "accuracy")]);
        Assert.Equal(56, model.TrainableVariables.Count);

        var tuned = Snapshot(baseModel.Variables);
        var historyFine = model.Fit(images, labels, batchSize: 4, epochs: 4, initialEpoch: history.Epoch.Count, verbose: 0);
        Assert.Equal([2, 3], historyFine.Epoch);
        Assert.All(historyFine["loss"], l => Assert.True(float.IsFinite(l)));
        var frozen = baseModel.Layers[..fineTuneAt].SelectMany(l => l.Variables).ToHashSet();
        foreach (var (v, values) in tuned)
        {
            bool same = values.SequenceEqual(v.ToArray<float>());
            if (frozen.Contains(v) || v.Name.Contains("moving_", StringComparison.Ordinal)) Assert.True(same, $"{v.Name} changed");
        }
        // The unfrozen layers learned: the last convolution's kernel and its BatchNormalization's gamma.
        var lastConv = baseModel.GetLayer("Conv_1").Variables[0];
        var lastGamma = baseModel.GetLayer("Conv_1_bn").Variables.First(v => v.Name.EndsWith("gamma", StringComparison.Ordinal));
        Assert.False(tuned[lastConv].SequenceEqual(lastConv.ToArray<float>()));
        Assert.False(tuned[lastGamma].SequenceEqual(lastGamma.ToArray<float>()));

        var evaluation = model.Evaluate(images, labels, verbose: 0);
        Assert.True(float.IsFinite(evaluation["loss"]));
        Assert.InRange(evaluation["accuracy"], 0f, 1f);
    }
}

/// <summary>The transfer learning tutorial with MobileNetV2, on the managed backend.</summary>
public sealed class ManagedApplicationsTransferLearningTests() : ApplicationsTransferLearningTests("managed");

/// <summary>The transfer learning tutorial with MobileNetV2, on the native CPU backend.</summary>
public sealed class NativeCpuApplicationsTransferLearningTests() : ApplicationsTransferLearningTests("cpu");

/// <summary>The transfer learning tutorial with MobileNetV2, on the CUDA backend.</summary>
public sealed class CudaApplicationsTransferLearningTests() : ApplicationsTransferLearningTests("cuda");
