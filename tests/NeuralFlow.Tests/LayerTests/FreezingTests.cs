using NeuralFlow.Keras;

namespace NeuralFlow.Tests.LayerTests;

/// <summary>
/// Keras' <c>layer.trainable = False</c> (transfer learning, fine-tuning): frozen weights stay put
/// in Fit, leave TrainableVariables and the summary's trainable count, a frozen
/// BatchNormalization runs in inference mode, the flag propagates to nested layers and is saved.
/// Expected behaviour: Keras 3's Layer.trainable setter and BatchNormalization.call
/// ("training and self.trainable"), and its transfer-learning guide.
/// </summary>
public sealed class FreezingTests
{
    private static (Tensor X, Tensor Y) Data(int n = 64)
    {
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([n, 4]);
        var y = NF.ReduceSum(x, axis: 1, keepDims: true);
        return (x, y);
    }

    private static float[][] Values(IReadOnlyList<Variable> variables) => variables.Select(v => v.ToArray<float>()).ToArray();

    [Fact]
    public void A_frozen_layer_keeps_its_weights_in_Fit_and_the_others_train()
    {
        var (x, y) = Data();
        var first = new Layers.Dense(8, activation: "relu");
        var second = new Layers.Dense(1);
        var model = new Sequential(first, second);
        model.Build([4]);
        first.Trainable = false;
        Assert.False(first.Trainable);
        Assert.All(first.Variables, v => Assert.False(v.Trainable));
        Assert.Equal(2, model.TrainableVariables.Count);
        Assert.Equal(2, model.NonTrainableVariables.Count);
        Assert.Contains("Trainable params: 9", model.SummaryText());
        Assert.Contains("Non-trainable params: 40", model.SummaryText());

        var frozenBefore = Values(first.Variables);
        var trainedBefore = Values(second.Variables);
        model.Compile(optimizer: new Optimizers.SGD(0.05f), loss: "mse");
        model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
        Assert.Equal(frozenBefore, Values(first.Variables));
        Assert.NotEqual(trainedBefore[0], second.Variables[0].ToArray<float>());

        // Thawed without compiling again: the next Fit trains it (Keras wants compile(); both work).
        first.Trainable = true;
        Assert.Equal(4, model.TrainableVariables.Count);
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        Assert.NotEqual(frozenBefore[0], first.Variables[0].ToArray<float>());
    }

    [Fact]
    public void Freezing_between_Fit_calls_takes_effect_without_compile_and_with_it()
    {
        var (x, y) = Data();
        var first = new Layers.Dense(3);
        var model = new Sequential(first, new Layers.Dense(1));
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);   // traced with both layers trainable
        first.Trainable = false;
        var kept = Values(first.Variables);
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        Assert.Equal(kept, Values(first.Variables));
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        Assert.Equal(kept, Values(first.Variables));
    }

    [Fact]
    public void A_layer_frozen_before_it_is_built_makes_frozen_weights()
    {
        var dense = new Layers.Dense(2) { Trainable = false };
        using var _ = dense.Call(NF.Ones([1, 3]));
        Assert.Equal(2, dense.Variables.Count);
        Assert.All(dense.Variables, v => Assert.False(v.Trainable));
        Assert.Empty(dense.TrainableVariables);
        dense.Trainable = true;
        Assert.Equal(2, dense.TrainableVariables.Count);
    }

    [Fact]
    public void Freezing_a_model_freezes_its_nested_layers_and_thawing_keeps_moving_statistics_frozen()
    {
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

    private static float[][] Moving(Layer bn) => Values(bn.Variables.Where(v => v.Name!.Contains("moving")).ToList());

    [Fact]
    public void A_frozen_BatchNormalization_normalizes_with_its_moving_statistics_in_training()
    {
        NF.Random.SetSeed(5);
        var x = NF.Random.Normal([32, 3]) * 3f + 2f;
        var bn = new Layers.BatchNormalization();
        using (var _ = bn.Call(x, training: true)) { }   // moves the statistics once
        var moving = Moving(bn);
        bn.Trainable = false;
        using var inTraining = bn.Call(x, training: true);
        using var inInference = bn.Call(x, training: false);
        Assert.Equal(inInference.ToArray<float>(), inTraining.ToArray<float>());
        Assert.Equal(moving, Moving(bn));

        var model = new Sequential(bn, new Layers.Dense(1));
        model.Compile(optimizer: "sgd", loss: "mse");
        model.Fit(x, NF.Ones([32, 1]), batchSize: 8, epochs: 1, verbose: 0);
        Assert.Equal(moving, Moving(bn));
    }

    [Fact]
    public void A_tape_does_not_watch_a_frozen_layers_weights()
    {
        var dense = new Layers.Dense(2);
        using var x = NF.Ones([1, 3]);
        using (var _ = dense.Call(x)) { }
        dense.Trainable = false;
        using var tape = new GradientTape();
        using var loss = NF.ReduceSum(dense.Call(x));
        var grads = tape.Gradient(loss, dense.Variables);
        Assert.All(grads, g => Assert.Null(g));
    }

    [Fact]
    public void The_flag_is_saved_with_the_model()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nf-freeze-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var frozen = new Layers.Dense(3, name: "frozen_base");
            var model = new Sequential(frozen, new Layers.Dense(1, name: "head"));
            model.Build([4]);
            frozen.Trainable = false;
            var path = Path.Combine(dir, "m.keras");
            model.Save(path);
            var loaded = (Sequential)Model.Load(path);
            var base_ = loaded.Layers.Single(l => l.Name == "frozen_base");
            Assert.False(base_.Trainable);
            Assert.Equal(2, loaded.TrainableVariables.Count);

            model.Trainable = false;
            model.Save(path);
            var all = Model.Load(path);
            Assert.False(all.Trainable);
            Assert.Empty(all.TrainableVariables);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
