using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe14;

/// <summary>
/// keras.io's "Transfer learning &amp; fine-tuning" guide in C#: the weight counts it prints for Dense
/// and BatchNormalization, frozen layers left alone by Fit, trainable set on a nested model reaching
/// its layers, and the base model called with <c>training: false</c> so that its BatchNormalization
/// stays in inference mode (moving statistics unchanged) when it is unfrozen for fine-tuning.
/// </summary>
public abstract class TransferLearningGuideTests(string backend) : BackendFileTest(backend)
{
    private static int[] Counts(Layer l) => [l.Variables.Count, l.TrainableVariables.Count, l.NonTrainableVariables.Count];

    [SkippableFact]
    public void Weight_counts_are_the_guides()
    {
        RequireBackend();
        // The guide: Dense weights 2 / trainable 2 / non-trainable 0; BatchNormalization 4 / 2 / 2;
        // a frozen Dense 2 / 0 / 2 (and a frozen BatchNormalization, as Keras, 4 / 0 / 4).
        var dense = new Layers.Dense(3);
        dense.EnsureBuilt(new Shape([1, 4]));
        Assert.Equal(new[] { 2, 2, 0 }, Counts(dense));
        var bn = new Layers.BatchNormalization();
        bn.EnsureBuilt(new Shape([1, 4]));
        Assert.Equal(new[] { 4, 2, 2 }, Counts(bn));
        dense.Trainable = false;
        bn.Trainable = false;
        Assert.Equal(new[] { 2, 0, 2 }, Counts(dense));
        Assert.Equal(new[] { 4, 0, 4 }, Counts(bn));
    }

    [SkippableFact]
    public void A_frozen_layer_keeps_its_weights_through_fit_and_trainable_reaches_a_nested_model()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var layer1 = new Layers.Dense(3, activation: "relu");
        var model = new Sequential(Layers.Input([3]), layer1, new Layers.Dense(3, activation: "sigmoid"));
        layer1.Trainable = false;
        var before = layer1.GetWeights().Select(w => w.ToArray<float>()).ToArray();
        model.Compile("adam", "mse");
        model.Fit(NF.Random.Uniform([2, 3]), NF.Random.Uniform([2, 3]), verbose: 0);
        var after = layer1.GetWeights().Select(w => w.ToArray<float>()).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);

        var inner = new Sequential(Layers.Input([3]), new Layers.Dense(3, activation: "relu"), new Layers.Dense(3, activation: "relu"));
        var outer = new Sequential(Layers.Input([3]), inner, new Layers.Dense(3, activation: "sigmoid"));
        outer.Trainable = false;
        Assert.False(inner.Trainable);
        Assert.False(inner.Layers[0].Trainable);
        Assert.Empty(outer.TrainableVariables);
    }

    // The guide's model: inputs -> base_model(inputs, training=False) -> pooling -> dropout -> Dense(1).
    private static (Model Model, Sequential Base, Layers.BatchNormalization Bn) GuideModel()
    {
        var bn = new Layers.BatchNormalization();
        var baseModel = new Sequential(Layers.Input([4, 4, 2]), new Layers.Conv2D(3, 3), bn, new Layers.ReLU());
        baseModel.Trainable = false;
        var inputs = Layers.Input([4, 4, 2]);
        var x = baseModel.Call(inputs, training: false);
        x = new Layers.GlobalAveragePooling2D().Call(x);
        x = new Layers.Dropout(0.2).Call(x);
        var outputs = new Layers.Dense(1).Call(x);
        return (new Model(inputs, outputs), baseModel, bn);
    }

    [SkippableFact]
    public void The_base_called_with_training_false_keeps_batch_norm_in_inference_when_fine_tuned()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        var (model, baseModel, bn) = GuideModel();
        var x = NF.Random.Normal([8, 4, 4, 2], mean: 3f);
        var y = NF.Cast(NF.Random.Uniform([8, 1]) > 0.5f, DType.Float32);
        model.Compile(new Optimizers.Adam(), new Losses.BinaryCrossentropy(fromLogits: true), metrics: [new Metrics.BinaryAccuracy()]);
        var h = model.Fit(x, y, epochs: 1, verbose: 0);
        Assert.Equal(new[] { "loss", "binary_accuracy" }, h.Keys);
        // Frozen: 3*3*2*3 + 3 conv and 4*3 normalization weights are non-trainable, the head's 3 + 1 are not.
        Assert.Equal(4, model.TrainableVariables.Sum(v => v.Count));

        // Fine-tuning: unfreeze, recompile with a small learning rate, train end to end.
        baseModel.Trainable = true;
        Assert.Equal(57 + 6 + 4, model.TrainableVariables.Sum(v => v.Count));
        model.Compile(new Optimizers.Adam(1e-5f), new Losses.BinaryCrossentropy(fromLogits: true), metrics: [new Metrics.BinaryAccuracy()]);
        var moving = bn.NonTrainableVariables.Select(v => v.ToArray<float>()).ToArray();
        var kernel = baseModel.Layers[0].Variables[0].ToArray<float>();
        model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0);
        // The moving mean and variance stay as they were (inference mode), while the conv kernel learns.
        Assert.Equal(moving[0], bn.NonTrainableVariables[0].ToArray<float>());
        Assert.Equal(moving[1], bn.NonTrainableVariables[1].ToArray<float>());
        Assert.NotEqual(kernel, baseModel.Layers[0].Variables[0].ToArray<float>());
    }

    [SkippableFact]
    public void The_training_false_call_survives_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var (model, _, _) = GuideModel();
        string path = Temp.File("guide.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        var loadedBase = (Sequential)loaded.SubLayers.Single(l => l is Sequential);
        loadedBase.Trainable = true;
        var loadedBn = loadedBase.Layers.OfType<Layers.BatchNormalization>().Single();
        var moving = loadedBn.NonTrainableVariables.Select(v => v.ToArray<float>()).ToArray();
        loaded.Compile(new Optimizers.Adam(1e-5f), new Losses.BinaryCrossentropy(fromLogits: true));
        loaded.Fit(NF.Random.Normal([4, 4, 4, 2], mean: 3f), NF.Ones([4, 1]), verbose: 0);
        Assert.Equal(moving[0], loadedBn.NonTrainableVariables[0].ToArray<float>());
        Assert.Equal(moving[1], loadedBn.NonTrainableVariables[1].ToArray<float>());
    }
}

/// <summary>The transfer-learning guide on the managed backend.</summary>
public sealed class ManagedTransferLearningGuideTests() : TransferLearningGuideTests("managed");

/// <summary>The transfer-learning guide on the native CPU backend.</summary>
public sealed class NativeCpuTransferLearningGuideTests() : TransferLearningGuideTests("cpu");

/// <summary>The transfer-learning guide on CUDA.</summary>
public sealed class CudaTransferLearningGuideTests() : TransferLearningGuideTests("cuda");
