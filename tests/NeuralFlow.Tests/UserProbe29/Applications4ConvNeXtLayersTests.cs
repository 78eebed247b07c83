using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// ConvNeXt's own layers (keras/src/applications/convnext.py) on their own: Applications.LayerScale (the input times a
/// per-channel trainable gamma) and Applications.StochasticDepth (drop path: each example's residual dropped whole in
/// training, the identity at inference), their Keras configs, their refusals, and a model holding both saved and loaded.
/// </summary>
public abstract class Applications4ConvNeXtLayersTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void LayerScale_multiplies_each_channel_by_its_gamma()
    {
        RequireBackend();
        var scale = new Applications.LayerScale(0.25, 3, name: "scale");
        var x = NF.Constant(new float[] { 1, 2, 3, -4, 5, -6 }, new Shape(2, 3));
        Assert.Equal(new[] { 0.25f, 0.5f, 0.75f, -1f, 1.25f, -1.5f }, scale.Call(x).ToArray<float>());
        Assert.Equal(("scale/gamma", true), (scale.Gamma!.Name, scale.Gamma.Trainable));
        scale.Gamma.Assign(NF.Constant(new float[] { 1, 0, -1 }, new Shape(3)));
        Assert.Equal(new[] { 1f, 0f, -3f, -4f, 0f, 6f }, scale.Call(x).ToArray<float>());
        var config = scale.GetConfig();
        Assert.Equal((0.25, 3, "scale"), (config["init_values"]!.GetValue<double>(), config["projection_dim"]!.GetValue<int>(), config["name"]!.GetValue<string>()));
        // Inputs whose channels are not projectionDim are refused naming the layer, rather than broadcast or crashed on.
        var e = Assert.Throws<ArgumentException>(() => new Applications.LayerScale(1e-6, 4, name: "ls").Call(x));
        Assert.Contains("ls", e.Message);
        Assert.Contains("4 channels", e.Message);
        Assert.Equal("projectionDim", Assert.Throws<ArgumentOutOfRangeException>(() => new Applications.LayerScale(1e-6, 0)).ParamName);
        Assert.Equal("initValues", Assert.Throws<ArgumentOutOfRangeException>(() => new Applications.LayerScale(double.NaN, 3)).ParamName);
    }

    [SkippableFact]
    public void StochasticDepth_drops_whole_examples_in_training_only()
    {
        RequireBackend();
        var drop = new Applications.StochasticDepth(0.5, name: "drop_path");
        var x = NF.Fill(new Shape(64, 2, 2, 3), 3.0);
        Assert.Equal(x.ToArray<float>(), drop.Call(x).ToArray<float>());
        Assert.Equal(x.ToArray<float>(), drop.Call(x, training: false).ToArray<float>());
        try
        {
            NF.Random.SetSeed(29);
            var y = drop.Call(x, training: true).ToArray<float>();
            // Each example all dropped (0) or all kept and scaled by 1 / (1 - 0.5): 6, as Keras' (x / keep_prob) * floor(keep_prob + u).
            var examples = Enumerable.Range(0, 64).Select(n => y.AsSpan(n * 12, 12).ToArray()).ToArray();
            Assert.All(examples, e => Assert.True(e.All(v => v == 0) || e.All(v => v == 6), string.Join(", ", e)));
            int kept = examples.Count(e => e[0] == 6);
            Assert.InRange(kept, 16, 48);
            Assert.Equal(x.ToArray<float>(), new Applications.StochasticDepth(0).Call(x, training: true).ToArray<float>());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
        Assert.Equal(0.5, drop.GetConfig()["drop_path_rate"]!.GetValue<double>());
        Assert.Equal("dropPathRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Applications.StochasticDepth(1.5)).ParamName);
        Assert.Equal("dropPathRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Applications.StochasticDepth(-0.1)).ParamName);
    }

    [SkippableFact]
    public void A_model_holding_both_loads_from_a_keras_file()
    {
        RequireBackend();
        // Failed before they were registered: Model.Load knew neither class name.
        var inputs = Layers.Input([4, 4, 8]);
        var y = new Applications.LayerScale(1e-6, 8, name: "block_layer_scale").Call(new Layers.Dense(8).Call(inputs));
        y = new Applications.StochasticDepth(0.1, name: "block_stochastic_depth").Call(y);
        var model = new Model(inputs, inputs + y, name: "residual");
        model.GetLayer("block_layer_scale").Variables[0].Assign(NF.Fill(new Shape(8), 2.0));
        var loaded = Model.Load(SaveTo(model, "residual.keras"));
        var scale = Assert.IsType<Applications.LayerScale>(loaded.GetLayer("block_layer_scale"));
        Assert.Equal((1e-6, 8), (scale.InitValues, scale.ProjectionDim));
        Assert.Equal(0.1, Assert.IsType<Applications.StochasticDepth>(loaded.GetLayer("block_stochastic_depth")).DropPathRate);
        var x = NF.Random.Uniform(new Shape(2, 4, 4, 8));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }
}

/// <summary>ConvNeXt's LayerScale and StochasticDepth, on the managed backend.</summary>
public sealed class ManagedApplications4ConvNeXtLayersTests() : Applications4ConvNeXtLayersTests("managed");

/// <summary>ConvNeXt's LayerScale and StochasticDepth, on the native CPU backend.</summary>
public sealed class NativeCpuApplications4ConvNeXtLayersTests() : Applications4ConvNeXtLayersTests("cpu");

/// <summary>ConvNeXt's LayerScale and StochasticDepth, on the CUDA backend.</summary>
public sealed class CudaApplications4ConvNeXtLayersTests() : Applications4ConvNeXtLayersTests("cuda");
