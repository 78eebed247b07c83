using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasLoose;

/// <summary>
/// The 1-D convolutions take Keras' tuple form as well as the int (<c>Conv1D(4, kernel_size=(3,),
/// strides=(2,))</c>): Conv1D, Conv1DTranspose, DepthwiseConv1D and SeparableConv1D made from lists
/// of one value are the int-form layers (same config, and with the same weights the same outputs,
/// which their own folders check against Keras); a list of two is refused by name; a tuple-form
/// model fits and round-trips.
/// </summary>
public abstract class OneAxisTupleFormsTests(string backend) : BackendFileTest(backend)
{
    private static void AssertSameLayer(Layer ints, Layer lists, Tensor x)
    {
        Assert.Equal(ints.GetConfig().ToJsonString(), lists.GetConfig().ToJsonString());
        var want = ints.Call(x);
        lists.EnsureBuilt(x.Shape);
        lists.SetWeights(ints.GetWeights());
        Assert.Equal(want.ToArray<float>(), lists.Call(x).ToArray<float>());
    }

    [SkippableFact]
    public void Lists_of_one_value_make_the_int_form_layer()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        using var x = NF.Random.Uniform([2, 9, 3], -1, 1);
        AssertSameLayer(new Layers.Conv1D(4, 3, strides: 2, padding: "same", name: "c"), new Layers.Conv1D(4, [3], [2], "same", name: "c"), x);
        AssertSameLayer(new Layers.Conv1D(4, 3, dilationRate: 2, name: "d"), new Layers.Conv1D(4, [3], dilationRate: [2], name: "d"), x);
        AssertSameLayer(new Layers.Conv1DTranspose(2, 3, strides: 2, outputPadding: 1, name: "t"), new Layers.Conv1DTranspose(2, [3], [2], outputPadding: [1], name: "t"), x);
        AssertSameLayer(new Layers.DepthwiseConv1D(3, strides: 2, depthMultiplier: 2, name: "w"), new Layers.DepthwiseConv1D([3], [2], depthMultiplier: 2, name: "w"), x);
        AssertSameLayer(new Layers.SeparableConv1D(5, 3, padding: "same", name: "s"), new Layers.SeparableConv1D(5, [3], padding: "same", name: "s"), x);
        Assert.Equal(new Shape(2, 5, 4), new Layers.Conv1D(4, [3], [2], "same").Call(x).Shape); // ceil(9 / 2)
    }

    [SkippableFact]
    public void Lists_of_two_values_are_refused_by_name()
    {
        RequireBackend();
        Assert.Contains("Conv1D: kernelSize must be one positive integer, got [3, 3]", Assert.Throws<ArgumentException>(() => new Layers.Conv1D(4, [3, 3])).Message);
        Assert.Contains("Conv1DTranspose: strides must be one positive integer, got [2, 2]", Assert.Throws<ArgumentException>(() => new Layers.Conv1DTranspose(4, [3], [2, 2])).Message);
        Assert.Contains("Conv1DTranspose: outputPadding must be at least 0 and smaller than the strides (1), got 1",
            Assert.Throws<ArgumentException>(() => new Layers.Conv1DTranspose(4, [3], outputPadding: [1])).Message);
        Assert.Contains("DepthwiseConv1D: dilationRate must be one positive integer, got []", Assert.Throws<ArgumentException>(() => new Layers.DepthwiseConv1D([3], dilationRate: [])).Message);
        Assert.Contains("SeparableConv1D: kernelSize must be a positive integer, got 0", Assert.Throws<ArgumentException>(() => new Layers.SeparableConv1D(2, [0])).Message);
        Assert.Throws<ArgumentNullException>(() => new Layers.Conv1D(4, (int[])null!));
    }

    [SkippableFact]
    public void A_tuple_form_model_fits_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        var model = new Sequential(
            Layers.Input([12, 2]),
            new Layers.Conv1D(4, [3], [1], "same", activation: "tanh"),
            new Layers.SeparableConv1D(3, [3], [2]),
            new Layers.Flatten(),
            new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(0.02f), "mse");
        using var x = NF.Random.Uniform([16, 12, 2], -1, 1);
        using var y = NF.ReduceSum(NF.Reshape(x, [16, 24]), 1, keepDims: true);
        var losses = model.Fit(x, y, batchSize: 8, epochs: 15, verbose: 0)["loss"];
        Assert.True(losses[^1] < 0.7 * losses[0], $"loss {losses[0]} -> {losses[^1]}");
        var loaded = (Sequential)Model.Load(SaveTo(model, "tuple_forms.keras"));
        Assert.Equal([3], Assert.IsType<Layers.Conv1D>(loaded.Layers[0]).KernelSize);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }
}

public sealed class ManagedOneAxisTupleFormsTests() : OneAxisTupleFormsTests("managed");

public sealed class NativeCpuOneAxisTupleFormsTests() : OneAxisTupleFormsTests("cpu");

public sealed class CudaOneAxisTupleFormsTests() : OneAxisTupleFormsTests("cuda");
