using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe3;

/// <summary>
/// Keras' <c>layer.trainable = False</c> (transfer learning): a frozen layer's weights leave the
/// trainable list for the non-trainable one, the setting reaches every layer inside a frozen
/// model (Keras 3's setter), <c>Fit</c> leaves them alone, a frozen BatchNormalization
/// normalizes with its moving statistics even in training mode (Keras: <c>training and
/// self.trainable</c>), the flag survives Save/Load, and freezing or thawing takes effect at the
/// next Fit; a layer frozen before it is built makes frozen weights, and tapes stop watching them.
/// </summary>
public abstract class FreezeTests(string backend) : BackendTest(backend), IDisposable
{
    private readonly TempDirectory _temp = new();

    public new void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Tensor Images() => NF.Reshape(NF.Sin(NF.Range(0f, 576f) * 0.37f), [8, 6, 6, 2]);
    private static Tensor Labels() => NF.Constant(new[] { 0, 1, 2, 1, 0, 2, 2, 1 });

    // A pretrained "base" (conv, batch norm, pooling) under a new softmax head.
    private static (Sequential Base, Sequential Model) TransferModel()
    {
        NF.Random.SetSeed(7);
        var baseModel = new Sequential([new Layers.Conv2D(4, 3), new Layers.BatchNormalization(), new Layers.GlobalAveragePooling2D()], name: "base");
        baseModel.Build([6, 6, 2]);
        var model = new Sequential(Layers.Input([6, 6, 2]), baseModel, new Layers.Dense(3, activation: "softmax"));
        return (baseModel, model);
    }

    private static List<float[]> Values(Layer layer) => layer.Variables.Select(v => v.ToArray<float>()).ToList();

    [SkippableFact]
    public void A_frozen_base_is_counted_non_trainable_and_left_alone_by_fit()
    {
        RequireBackend();
        var (baseModel, model) = TransferModel();
        baseModel.Trainable = false;
        // Keras 3's setter reaches every layer inside.
        Assert.All(baseModel.Layers, l => Assert.False(l.Trainable));
        // Keras' model.summary(): conv 3*3*2*4 + 4 = 76, batch norm 4 * 4 = 16, head 4*3 + 3 = 15.
        Assert.Equal(model.Layers[^1].Variables, model.TrainableVariables);
        Assert.Equal(6, model.NonTrainableVariables.Count);
        var summary = model.SummaryText();
        Assert.Contains("Total params: 107", summary);
        Assert.Contains("Trainable params: 15", summary);
        Assert.Contains("Non-trainable params: 92", summary);

        var before = Values(baseModel);
        var head = model.Layers[^1];
        var headBefore = Values(head);
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(Images(), Labels(), batchSize: 4, epochs: 2, verbose: 0);
        // Weights and moving statistics alike: frozen batch norm does not update its statistics.
        Assert.Equal(before, Values(baseModel));
        Assert.NotEqual(headBefore, Values(head));
    }

    [SkippableFact]
    public void Thawing_takes_effect_at_the_next_fit_without_a_new_compile()
    {
        RequireBackend();
        var (baseModel, model) = TransferModel();
        baseModel.Trainable = false;
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(Images(), Labels(), batchSize: 4, epochs: 1, verbose: 0);
        var frozen = Values(baseModel);
        baseModel.Trainable = true;
        Assert.Equal(6, model.TrainableVariables.Count);   // conv kernel and bias, gamma, beta, the head's two
        model.Fit(Images(), Labels(), batchSize: 4, epochs: 1, verbose: 0);
        var thawed = Values(baseModel);
        // Kernel, bias, gamma, beta trained; the moving statistics follow the batches again.
        Assert.All(Enumerable.Range(0, frozen.Count), i => Assert.NotEqual(frozen[i], thawed[i]));
    }

    [SkippableFact]
    public void A_frozen_batch_normalization_uses_its_moving_statistics_in_training_mode()
    {
        RequireBackend();
        var bn = new Layers.BatchNormalization();
        var x = NF.Reshape(NF.Range(0f, 12f), [4, 3]);
        bn.Call(x);
        bn.Gamma!.Assign(NF.Fill([3], 2f));
        bn.Beta!.Assign(NF.Fill([3], 0.5f));
        bn.MovingMean!.Assign(NF.Constant(new[] { 1f, 2f, 3f }));
        bn.MovingVariance!.Assign(NF.Constant(new[] { 4f, 9f, 16f }));
        bn.Trainable = false;
        Assert.Empty(bn.TrainableVariables);
        var y = bn.Call(x, training: true);
        // Keras: gamma * (x - moving_mean) / sqrt(moving_variance + 1e-3) + beta, statistics unchanged.
        var expected = new float[12];
        for (int i = 0; i < 12; i++)
        {
            int f = i % 3;
            expected[i] = (float)(2 * (i - new[] { 1.0, 2, 3 }[f]) / Math.Sqrt(new[] { 4.0, 9, 16 }[f] + 1e-3) + 0.5);
        }
        Assert.Equal(expected, y.ToArray<float>(), (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.Equal(new[] { 1f, 2f, 3f }, bn.MovingMean.ToArray<float>());
        Assert.Equal(new[] { 4f, 9f, 16f }, bn.MovingVariance.ToArray<float>());
    }

    [SkippableFact]
    public void The_flag_is_saved_per_layer_and_loaded()
    {
        RequireBackend();
        var (baseModel, model) = TransferModel();
        baseModel.Trainable = false;
        baseModel.Layers[^1].Trainable = true;   // a layer thawed inside the frozen base keeps its own flag
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(Images(), Labels(), batchSize: 4, epochs: 1, verbose: 0);
        string path = _temp.File("frozen.nfmodel");
        model.Save(path);

        var loaded = Model.Load(path);
        var loadedBase = Assert.IsType<Sequential>(((Sequential)loaded).Layers.Single(l => l.Name == "base"));
        Assert.False(loadedBase.Trainable);
        Assert.Equal(baseModel.Layers.Select(l => l.Trainable), loadedBase.Layers.Select(l => l.Trainable));
        Assert.Equal(model.TrainableVariables.Select(v => v.Count), loaded.TrainableVariables.Select(v => v.Count));
        Assert.Equal(2, loaded.TrainableVariables.Count);
        var before = Values(loadedBase);
        loaded.Fit(Images(), Labels(), batchSize: 4, epochs: 1, verbose: 0);
        Assert.Equal(before, Values(loadedBase));
    }

    private static (Tensor X, Tensor Y) RegressionData(int n = 64)
    {
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([n, 4]);
        var y = NF.ReduceSum(x, axis: 1, keepDims: true);
        return (x, y);
    }

    [SkippableFact]
    public void Freezing_between_Fit_calls_takes_effect_without_compile_and_with_it()
    {
        RequireBackend();
        var (x, y) = RegressionData();
        var first = new Layers.Dense(3);
        var model = new Sequential(first, new Layers.Dense(1));
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);   // traced with both layers trainable
        first.Trainable = false;
        var kept = first.Variables.Select(v => v.ToArray<float>()).ToList();
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        Assert.Equal(kept, first.Variables.Select(v => v.ToArray<float>()).ToList());
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        Assert.Equal(kept, first.Variables.Select(v => v.ToArray<float>()).ToList());
    }

    [SkippableFact]
    public void A_layer_frozen_before_it_is_built_makes_frozen_weights()
    {
        RequireBackend();
        var dense = new Layers.Dense(2) { Trainable = false };
        using var _ = dense.Call(NF.Ones([1, 3]));
        Assert.Equal(2, dense.Variables.Count);
        Assert.All(dense.Variables, v => Assert.False(v.Trainable));
        Assert.Empty(dense.TrainableVariables);
        dense.Trainable = true;
        Assert.Equal(2, dense.TrainableVariables.Count);
    }

    [SkippableFact]
    public void Freezing_a_model_freezes_its_nested_layers_and_thawing_keeps_moving_statistics_frozen()
    {
        RequireBackend();
        var bn = new Layers.BatchNormalization();
        var inner = new Sequential(new Layers.Dense(4), bn);
        var model = new Sequential(inner, new Layers.Dense(1));
        model.Build([3]);
        Assert.Equal(6, model.TrainableVariables.Count);   // 2 dense kernels and biases, gamma, beta
        inner.Trainable = false;
        Assert.False(bn.Trainable);
        Assert.Equal(2, model.TrainableVariables.Count);
        model.Trainable = false;
        Assert.Empty(model.TrainableVariables);
        Assert.Equal(model.Variables.Count, model.NonTrainableVariables.Count);
        model.Trainable = true;
        Assert.Equal(6, model.TrainableVariables.Count);
        Assert.Equal(2, model.NonTrainableVariables.Count); // moving mean and variance were never trainable
    }

    [SkippableFact]
    public void A_tape_does_not_watch_a_frozen_layers_weights()
    {
        RequireBackend();
        var dense = new Layers.Dense(2);
        using var x = NF.Ones([1, 3]);
        using (var _ = dense.Call(x)) { }
        dense.Trainable = false;
        using var tape = new GradientTape();
        using var loss = NF.ReduceSum(dense.Call(x));
        var grads = tape.Gradient(loss, dense.Variables);
        Assert.All(grads, g => Assert.Null(g));
    }

    [SkippableFact]
    public void Freezing_a_whole_model_is_saved()
    {
        RequireBackend();
        var (_, model) = TransferModel();
        model.Trainable = false;
        string path = _temp.File("all-frozen.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.False(loaded.Trainable);
        Assert.Empty(loaded.TrainableVariables);
    }
}

public sealed class ManagedFreezeTests() : FreezeTests("managed");

public sealed class NativeCpuFreezeTests() : FreezeTests("cpu");

public sealed class CudaFreezeTests() : FreezeTests("cuda");
