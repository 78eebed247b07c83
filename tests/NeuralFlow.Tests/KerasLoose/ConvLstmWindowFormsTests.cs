using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using NeuralFlow.Tests.ConvLstm;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.KerasLoose;

/// <summary>
/// ConvLSTM1D/2D/3D take Keras' two forms of kernel_size, strides and dilation_rate: a single int
/// (<c>ConvLSTM2D(filters=8, kernel_size=3)</c>) and one value per axis (ConvLSTM1D's tuple of one).
/// The int forms run the float64 references of ConvLstm/make_convlstm_references.py (Keras 3's
/// ConvLSTMCell equations) for the cases whose window is the same on every axis; configs, Save/Load
/// and Fit of layers made the int way; and the clear errors for bad windows and bad configs.
/// </summary>
public abstract class ConvLstmWindowFormsTests(string backend) : BackendFileTest(backend)
{
    // A float64 layer holding a reference case's weights.
    private static Layers.ConvLSTM Loaded(Layers.ConvLSTM layer, ConvLstmCase c)
    {
        layer.VariableDType = DType.Float64;
        layer.EnsureBuilt(new Shape(c.XShape));
        layer.SetWeights([NF.Constant(c.Kernel, layer.Kernel!.Shape), NF.Constant(c.RecurrentKernel, layer.RecurrentKernel!.Shape), NF.Constant(c.Bias, [4 * c.Filters])]);
        return layer;
    }

    private static void AssertRuns(Layers.ConvLSTM layer, ConvLstmCase c)
    {
        using var x = NF.Constant(c.X, c.XShape);
        var result = Loaded(layer, c).CallWithStates(x);
        AssertClose(c.Sequence, result[0].ToArray<double>(), 1e-10, 1e-12, $"{c.Name} sequence");
        AssertClose(c.H, result[1].ToArray<double>(), 1e-10, 1e-12, $"{c.Name} h");
        AssertClose(c.C, result[2].ToArray<double>(), 1e-10, 1e-12, $"{c.Name} c");
    }

    [SkippableFact]
    public void Single_int_windows_match_the_keras_references()
    {
        RequireBackend();
        // 2d_same: kernel 3x3, strides 1, dilation 1 -- ConvLSTM2D(filters=3, kernel_size=3, padding="same").
        var two = new Layers.ConvLSTM2D(3, 3, padding: "same", returnSequences: true, returnState: true);
        Assert.Equal([3, 3], two.KernelSize);
        Assert.Equal([1, 1], two.Strides);
        Assert.Equal([1, 1], two.DilationRate);
        AssertRuns(two, ConvLstmReferences.Get("2d_same"));
        // 3d_valid: a 2x2x2 window.
        var three = new Layers.ConvLSTM3D(2, 2, returnSequences: true, returnState: true);
        Assert.Equal([2, 2, 2], three.KernelSize);
        AssertRuns(three, ConvLstmReferences.Get("3d_valid"));
        // 1d_same_dilated in Keras' tuple form: kernel_size=(3,), strides=(1,), dilation_rate=(2,).
        var one = new Layers.ConvLSTM1D(3, [3], [1], "same", dilationRate: [2], returnSequences: true, returnState: true);
        Assert.Equal([2], one.DilationRate);
        AssertRuns(one, ConvLstmReferences.Get("1d_same_dilated"));
    }

    [SkippableFact]
    public void Int_strides_and_dilation_reach_every_axis_and_the_config()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        using var x = NF.Random.Uniform([2, 3, 7, 6, 2], -1, 1);
        // "valid", window 3, stride 2: (7 - 3) / 2 + 1 = 3 rows, (6 - 3) / 2 + 1 = 2 cols.
        var strided = new Layers.ConvLSTM2D(4, 3, strides: 2);
        Assert.Equal(new Shape(2, 3, 2, 4), strided.Call(x).Shape);
        Assert.Equal("[2,2]", strided.GetConfig()["strides"]!.ToJsonString());
        Assert.Equal("[3,3]", strided.GetConfig()["kernel_size"]!.ToJsonString());
        // Dilation 2: the window spans 5, so 7 - 4 = 3 rows and 6 - 4 = 2 cols.
        var dilated = new Layers.ConvLSTM2D(4, 3, dilationRate: 2);
        Assert.Equal(new Shape(2, 3, 2, 4), dilated.Call(x).Shape);
        Assert.Equal("[2,2]", dilated.GetConfig()["dilation_rate"]!.ToJsonString());
        var volume = new Layers.ConvLSTM3D(2, 2, strides: 2, padding: "same");
        Assert.Equal(new Shape(1, 2, 2, 3, 2), volume.Call(NF.Random.Uniform([1, 2, 4, 3, 5, 1], -1, 1)).Shape);
        Assert.Equal("[2,2,2]", volume.GetConfig()["strides"]!.ToJsonString());
        // The int form and the list form are the same layer: equal configs (names aside).
        var a = new Layers.ConvLSTM3D(2, 3, strides: 1, name: "v").GetConfig();
        var b = new Layers.ConvLSTM3D(2, [3, 3, 3], [1, 1, 1], name: "v").GetConfig();
        Assert.Equal(b.ToJsonString(), a.ToJsonString());
    }

    [SkippableFact]
    public void Configs_with_single_int_windows_load()
    {
        RequireBackend();
        // A hand-written config may give the window as one int (Keras' constructors accept it); missing strides and dilation mean 1.
        var config = JsonNode.Parse("""{"name": "clips", "filters": 2, "kernel_size": 3, "padding": "same", "return_sequences": true}""")!.AsObject();
        var two = KerasSerialization.FromConfig<Layers.ConvLSTM2D>(config);
        Assert.Equal([3, 3], two.KernelSize);
        Assert.Equal([1, 1], two.Strides);
        Assert.Equal([1, 1], two.DilationRate);
        Assert.True(two.ReturnSequences);
        var three = KerasSerialization.FromConfig<Layers.ConvLSTM3D>(config);
        Assert.Equal([3, 3, 3], three.KernelSize);
        Assert.Equal([3], KerasSerialization.FromConfig<Layers.ConvLSTM1D>(config).KernelSize);
        // A 2-D window is not a 1-D layer's; a constraint loads with the layer (it was refused before ConvLSTM had them).
        config["kernel_size"] = new JsonArray(3, 3);
        var e = Assert.Throws<InvalidDataException>(() => KerasSerialization.FromConfig<Layers.ConvLSTM1D>(config));
        Assert.Contains("ConvLSTM1D: kernelSize must be one positive integer", e.Message);
        config["recurrent_constraint"] = JsonNode.Parse("""{"class_name": "NonNeg", "config": {}}""");
        Assert.IsType<Constraints.NonNeg>(KerasSerialization.FromConfig<Layers.ConvLSTM2D>(config).RecurrentConstraint);
    }

    [SkippableFact]
    public void Bad_single_int_windows_are_refused_with_the_layer_named()
    {
        RequireBackend();
        Assert.Contains("ConvLSTM2D: kernelSize must be one or two positive integers", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM2D(4, 0)).Message);
        Assert.Contains("ConvLSTM3D: strides must be one or three positive integers", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM3D(4, 3, strides: -1)).Message);
        Assert.Contains("ConvLSTM2D: strides > 1 cannot go with dilationRate > 1", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM2D(4, 3, strides: 2, dilationRate: 2)).Message);
        Assert.Contains("ConvLSTM1D: kernelSize must be one positive integer", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM1D(4, [3, 3])).Message);
        Assert.Contains("ConvLSTM2D: filters must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.ConvLSTM2D(0, 3)).Message);
    }

    [SkippableFact]
    public void Int_form_layers_fit_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var net = new Sequential(
            Layers.Input([3, 5, 5, 1]),
            new Layers.ConvLSTM2D(3, 3, padding: "same", returnSequences: true, name: "frames"),
            new Layers.ConvLSTM2D(2, 2, strides: 2, name: "summary"),
            new Layers.Flatten(),
            new Layers.Dense(1));
        net.Compile(new Optimizers.Adam(0.02), "mse");
        using var x = NF.Random.Uniform([8, 3, 5, 5, 1], -1, 1);
        using var y = NF.ReduceMean(NF.Reshape(x, [8, 75]), 1, keepDims: true);
        var losses = net.Fit(x, y, batchSize: 4, epochs: 15, verbose: 0)["loss"];
        Assert.True(losses[^1] < 0.7 * losses[0], $"loss {losses[0]} -> {losses[^1]}");
        var path = Temp.File("int_windows.keras");
        net.Save(path);
        var loaded = (Sequential)Model.Load(path);
        var summary = Assert.IsType<Layers.ConvLSTM2D>(loaded.Layers[1]);
        Assert.Equal([2, 2], summary.KernelSize);
        Assert.Equal([2, 2], summary.Strides);
        Assert.Equal(net.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }
}

public sealed class ManagedConvLstmWindowFormsTests() : ConvLstmWindowFormsTests("managed");

public sealed class NativeCpuConvLstmWindowFormsTests() : ConvLstmWindowFormsTests("cpu");

public sealed class CudaConvLstmWindowFormsTests() : ConvLstmWindowFormsTests("cuda");
