using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "The Sequential model" guide in C#: weights made on the first call, <c>model.add(keras.Input(...))</c>
/// then layers built as they are added (the add() + summary() debugging workflow's output shapes), an
/// input that is not first refused as Keras refuses it, feature extraction from a Sequential's layer
/// outputs, and freezing every layer but the last.
/// </summary>
public abstract class GuidesSequentialModelTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Weights_are_made_on_the_first_call()
    {
        RequireBackend();
        var layer = new Layers.Dense(3);
        Assert.Empty(layer.Variables);
        layer.Call(NF.Ones([1, 4]));
        Assert.Equal([new Shape(4, 3), new Shape(3)], layer.Variables.Select(v => v.Shape));

        var model = new Sequential(new Layers.Dense(2, activation: "relu"), new Layers.Dense(3, activation: "relu"), new Layers.Dense(4));
        Assert.Empty(model.Variables);
        model.Call(NF.Ones([1, 4]));
        Assert.Equal(6, model.Variables.Count);
    }

    [SkippableFact]
    public void An_input_added_first_builds_each_layer_as_it_is_added()
    {
        RequireBackend();
        var model = new Sequential();
        model.Add(Layers.Input([4]));
        model.Add(new Layers.Dense(2, activation: "relu", name: "guide_dense_after_input"));
        Assert.Single(model.Layers);   // the input is not a layer of model.layers
        Assert.Equal(10, model.CountParams());
        Assert.Matches(@"guide_dense_after_input \(Dense\)\s+│ \(None, 2\)\s+│\s+10", model.SummaryText());
        // A second input, or an input after layers, is refused.
        Assert.Contains("already starts with the input", Assert.Throws<ArgumentException>(() => model.Add(Layers.Input([4]))).Message);
        var late = new Sequential(new Layers.Dense(2));
        Assert.Contains("input goes first", Assert.Throws<ArgumentException>(() => late.Add(Layers.Input([4]))).Message);
        Assert.Throws<ArgumentException>(() => model.Add(new Layers.Dense(1).Call(Layers.Input([2]))));
    }

    [SkippableFact]
    public void The_add_and_summary_workflow_shows_the_downsampling()
    {
        RequireBackend();
        var model = new Sequential();
        model.Add(Layers.Input([250, 250, 3]));
        model.Add(new Layers.Conv2D(32, 5, strides: 2, activation: "relu"));
        model.Add(new Layers.Conv2D(32, 3, activation: "relu"));
        model.Add(new Layers.MaxPooling2D(3));
        Assert.Equal(new int?[] { null, 40, 40, 32 }, model.Output.Shape);
        model.Add(new Layers.Conv2D(32, 3, activation: "relu"));
        model.Add(new Layers.Conv2D(32, 3, activation: "relu"));
        model.Add(new Layers.MaxPooling2D(3));
        model.Add(new Layers.Conv2D(32, 3, activation: "relu"));
        model.Add(new Layers.Conv2D(32, 3, activation: "relu"));
        model.Add(new Layers.MaxPooling2D(2));
        Assert.Equal(new int?[] { null, 4, 4, 32 }, model.Output.Shape);
        model.Add(new Layers.GlobalMaxPooling2D());
        model.Add(new Layers.Dense(10));
        Assert.Equal(new int?[] { null, 10 }, model.Output.Shape);
        // The 5x5 convolution's 2,432, five 3x3 ones' 9,248 each and the head's 330.
        Assert.Equal(2_432 + 5 * 9_248 + 330, model.CountParams());
    }

    [SkippableFact]
    public void A_sequentials_layer_outputs_make_feature_extractors()
    {
        RequireBackend();
        NF.Random.SetSeed(41);
        var initialModel = new Sequential(
            Layers.Input([25, 25, 3]),
            new Layers.Conv2D(4, 5, strides: 2, activation: "relu"),
            new Layers.Conv2D(4, 3, activation: "relu", name: "my_intermediate_layer"),
            new Layers.Conv2D(4, 3, activation: "relu"));
        var featureExtractor = new Model(initialModel.Inputs, initialModel.Layers.Select(l => l.Output).ToArray());
        var x = NF.Ones([1, 25, 25, 3]);
        var features = featureExtractor.CallOutputs([x]);
        Assert.Equal([new Shape(1, 11, 11, 4), new Shape(1, 9, 9, 4), new Shape(1, 7, 7, 4)], features.Select(f => f.Shape));
        GuideAssert.Close(initialModel.Call(x), features[2], 1e-6);

        var one = new Model(initialModel.Inputs, [initialModel.GetLayer("my_intermediate_layer").Output]);
        GuideAssert.Close(features[1], one.Call(x), 1e-6);
    }

    [SkippableFact]
    public void Freezing_all_layers_but_the_last_trains_only_the_last()
    {
        RequireBackend();
        NF.Random.SetSeed(42);
        var model = new Sequential(
            Layers.Input([12]),
            new Layers.Dense(8, activation: "relu"),
            new Layers.Dense(8, activation: "relu"),
            new Layers.Dense(3));
        foreach (var layer in model.Layers.Take(model.Layers.Count - 1)) layer.Trainable = false;
        Assert.Equal(2, model.TrainableVariables.Count);
        var frozen = model.Layers[0].GetWeights().Select(w => w.ToArray<float>()).ToArray();
        var last = model.Layers[^1].GetWeights()[0].ToArray<float>();
        model.Compile(new Optimizers.SGD(0.1f), new Losses.MeanSquaredError());
        model.Fit(NF.Random.Normal([16, 12]), NF.Random.Normal([16, 3]), epochs: 1, verbose: 0);
        Assert.Equal(frozen[0], model.Layers[0].GetWeights()[0].ToArray<float>());
        Assert.NotEqual(last, model.Layers[^1].GetWeights()[0].ToArray<float>());
    }
}

/// <summary>The Sequential guide on the managed backend.</summary>
public sealed class ManagedGuidesSequentialModelTests() : GuidesSequentialModelTests("managed");

/// <summary>The Sequential guide on the native CPU backend.</summary>
public sealed class NativeCpuGuidesSequentialModelTests() : GuidesSequentialModelTests("cpu");

/// <summary>The Sequential guide on CUDA.</summary>
public sealed class CudaGuidesSequentialModelTests() : GuidesSequentialModelTests("cuda");
