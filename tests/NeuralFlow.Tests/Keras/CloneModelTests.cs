using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Models.CloneModel (keras.models.clone_model), missing before: the same architecture with fresh
/// weights, not compiled, sharing nothing with the original unless a clone function says so.
/// Keras' documented behaviour: new layers from each layer's config (names kept), a functional
/// model's calls replayed on new inputs (shared layers stay shared), clone_function applied to
/// every layer but the inputs.
/// </summary>
public abstract class CloneModelTests(string backend) : BackendTest(backend)
{
    private static float[][] Values(IEnumerable<Tensor> tensors) => tensors.Select(t => t.ToArray<float>()).ToArray();

    [SkippableFact]
    public void A_sequential_clone_has_the_architecture_fresh_weights_and_its_own_training()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(8, activation: "relu"), new Layers.Dropout(0.25), new Layers.Dense(3, activation: "softmax"));
        var clone = Assert.IsType<Sequential>(Models.CloneModel(model));
        Assert.NotSame(model, clone);
        Assert.Equal(model.ToJson(), clone.ToJson());
        Assert.Equal(model.Layers.Select(l => l.Name), clone.Layers.Select(l => l.Name));
        Assert.All(model.Layers.Zip(clone.Layers), p => Assert.NotSame(p.First, p.Second));
        // Fresh weights: same shapes, other values; equal outputs once copied.
        Assert.Equal(model.GetWeights().Select(w => w.Shape), clone.GetWeights().Select(w => w.Shape));
        Assert.NotEqual(model.GetWeights()[0].ToArray<float>(), clone.GetWeights()[0].ToArray<float>());
        clone.SetWeights(model.GetWeights());
        var x = NF.Random.Normal([5, 4]);
        Assert.Equal(model.Predict(x, verbose: 0).ToArray<float>(), clone.Predict(x, verbose: 0).ToArray<float>());
        // Not compiled; training the clone leaves the original alone.
        Assert.Throws<InvalidOperationException>(() => clone.Fit(x, NF.Constant(new long[] { 0, 1, 2, 0, 1 }), epochs: 1, verbose: 0));
        var before = Values(model.GetWeights());
        clone.Compile(new Optimizers.SGD(0.5), loss: "sparse_categorical_crossentropy");
        clone.Fit(x, NF.Constant(new long[] { 0, 1, 2, 0, 1 }), epochs: 2, verbose: 0);
        Assert.Equal(before, Values(model.GetWeights()));
        Assert.NotEqual(before[0], clone.GetWeights()[0].ToArray<float>());
    }

    [SkippableFact]
    public void Sequentials_built_later_or_not_at_all_clone_too()
    {
        RequireBackend();
        var built = new Sequential(new Layers.Dense(4), new Layers.Dense(2));
        built.Build([3]);
        var clone = Models.CloneModel(built);
        Assert.Equal(built.CountParams(), clone.CountParams());
        var unbuilt = new Sequential(new Layers.Dense(4, name: "first"), new Layers.Dense(2));
        var lazy = (Sequential)Models.CloneModel(unbuilt);
        Assert.Equal("first", lazy.Layers[0].Name);
        Assert.Equal(new[] { 6, 2 }, lazy.Predict(NF.Ones([6, 5]), verbose: 0).Shape.ToArray());
    }

    [SkippableFact]
    public void A_functional_clone_keeps_shared_layers_shared_and_clones_nested_models()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        var left = Layers.Input([3], name: "left");
        var right = Layers.Input([3], name: "right");
        var shared = new Layers.Dense(4, activation: "tanh", name: "shared");
        var inner = new Sequential(Layers.Input([8]), new Layers.Dense(2, name: "inner_dense"));
        var merged = new Layers.Concatenate(name: "merge").Call([shared.Call(left), shared.Call(right)]);
        var model = new Model([left, right], [inner.Call(merged), new Layers.Dense(1, name: "side").Call(merged)], "siamese");
        var clone = Models.CloneModel(model);
        Assert.Equal("siamese", clone.Name);
        Assert.Equal(model.InputNames, clone.InputNames);
        Assert.Equal(model.ToJson(), clone.ToJson());
        var cloneShared = clone.GetLayer("shared");
        Assert.NotSame(shared, cloneShared);
        // Listed once and called twice: as many weights as the original, not a kernel per call.
        Assert.Single(clone.SubLayers, l => ReferenceEquals(l, cloneShared));
        Assert.Equal(model.GetWeights().Count, clone.GetWeights().Count);
        Assert.NotSame(inner, clone.SubLayers.Single(l => l is Sequential));
        clone.SetWeights(model.GetWeights());
        var a = NF.Random.Normal([2, 3]);
        var b = NF.Random.Normal([2, 3]);
        var want = model.PredictOutputs(new[] { a, b });
        var got = clone.PredictOutputs(new[] { a, b });
        for (int i = 0; i < 2; i++) Assert.Equal(want[i].ToArray<float>(), got[i].ToArray<float>());
    }

    [SkippableFact]
    public void A_clone_function_changes_layers_or_shares_them()
    {
        RequireBackend();
        NF.Random.SetSeed(13);
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(6, name: "hidden"), new Layers.Dropout(0.5, name: "drop"), new Layers.Dense(1, name: "out"));
        var seen = new List<string>();
        var clone = (Sequential)Models.CloneModel(model, layer =>
        {
            seen.Add(layer.Name);
            return layer switch
            {
                Layers.Dropout d => new Layers.Dropout(0.1, name: d.Name),
                Layers.Dense { Name: "hidden" } => layer,   // shared: the same weights in both models
                _ => Models.CloneLayer(layer),
            };
        });
        Assert.Equal(new[] { "hidden", "drop", "out" }, seen);   // never the input layer
        Assert.Equal(0.1, Assert.IsType<Layers.Dropout>(clone.Layers[1]).Rate);
        Assert.Same(model.Layers[0], clone.Layers[0]);
        Assert.NotSame(model.Layers[2], clone.Layers[2]);
        var refused = Assert.Throws<InvalidOperationException>(() => Models.CloneModel(model, _ => null!));
        Assert.Contains("returned null for layer 'hidden'", refused.Message);
    }

    [SkippableFact]
    public void Lambda_layers_clone_and_what_has_no_config_is_refused_naming_the_way_out()
    {
        RequireBackend();
        var lambda = new Sequential(Layers.Input([2]), new Layers.Lambda(t => t * 3, name: "triple"), new Layers.Dense(1));
        var clone = (Sequential)Models.CloneModel(lambda);
        Assert.Equal("triple", clone.Layers[0].Name);
        clone.SetWeights(lambda.GetWeights());
        var x = NF.Constant(new float[,] { { 1, 2 } });
        Assert.Equal(lambda.Predict(x, verbose: 0).ToArray<float>(), clone.Predict(x, verbose: 0).ToArray<float>());

        var custom = new Sequential(Layers.Input([2]), new Layers.Dense(2, activation: new ActivationFunction("custom", t => t * 2), name: "mine"));
        var e = Assert.Throws<NotSupportedException>(() => Models.CloneModel(custom));
        Assert.Contains("layer 'mine'", e.Message);
        Assert.Contains("cloneFunction", e.Message);
        // With a clone function the user constructs what has no config.
        var byHand = (Sequential)Models.CloneModel(custom, l => new Layers.Dense(2, activation: new ActivationFunction("custom", t => t * 2), name: l.Name));
        Assert.Equal("mine", byHand.Layers[0].Name);

        var sub = Assert.Throws<NotSupportedException>(() => Models.CloneModel(new Subclassed()));
        Assert.Contains("subclassed model", sub.Message);
    }

    [SkippableFact]
    public void Frozen_layers_and_models_stay_frozen()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(4, name: "base"), new Layers.Dense(1, name: "head"));
        model.Layers[0].Trainable = false;
        var clone = (Sequential)Models.CloneModel(model);
        Assert.False(clone.Layers[0].Trainable);
        Assert.True(clone.Layers[1].Trainable);
        Assert.Equal(model.TrainableVariables.Count, clone.TrainableVariables.Count);
        model.Trainable = false;
        Assert.False(Models.CloneModel(model).Trainable);
    }

    private sealed class Subclassed : Model
    {
        private readonly Layers.Dense _dense = new(2);
        protected override Tensor Forward(Tensor x) => _dense.Call(x);
    }
}

/// <summary>Cloning on the managed backend.</summary>
public sealed class ManagedCloneModelTests() : CloneModelTests("managed");

/// <summary>Cloning on the native CPU backend.</summary>
public sealed class NativeCpuCloneModelTests() : CloneModelTests("cpu");

/// <summary>Cloning on CUDA.</summary>
public sealed class CudaCloneModelTests() : CloneModelTests("cuda");
