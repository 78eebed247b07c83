using System.Text.Json.Nodes;
using NeuralFlow.Data;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// Keras 3's Discretization (keras/src/layers/preprocessing/discretization.py) on every backend:
/// its two docstring examples (published outputs, used exactly), adapted boundaries against
/// Keras' own summary code run in numpy (make_breadth5_reference.py), the encoded modes, errors,
/// Fit and Save/Load of an adapted layer.
/// </summary>
public abstract class DiscretizationTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Doc => NF.Constant(new[] { -1.5f, 1.0f, 3.4f, .5f, 0.0f, 3.0f, 1.3f, 0.0f }, [2, 4]);

    // v[i] = 3 sin(1.7 i) + 0.01 i, i = 0..999 (float32).
    private static float[] Wave() => Enumerable.Range(0, 1000).Select(i => (float)(Math.Sin(1.7 * i) * 3 + 0.01 * i)).ToArray();

    [SkippableFact]
    public void Docstring_examples_give_keras_outputs()
    {
        RequireBackend();
        var given = new Layers.Discretization(binBoundaries: [0.0, 1.0, 2.0]);
        var y = given.Call(Doc);
        Assert.Equal(DType.Int64, y.DType);
        Assert.Equal([0L, 2, 3, 1, 1, 3, 2, 1], y.ToArray<long>());
        var learned = new Layers.Discretization(numBins: 4, epsilon: 0.01);
        learned.Adapt(Doc);
        Assert.Equal([0L, 2, 3, 2, 1, 3, 3, 1], learned.Call(Doc).ToArray<long>());
        // Keras' summary gives [0.0, 0.5, 1.3] here (numpy).
        AssertClose([0.0, 0.5, 1.2999999523162842], learned.BinBoundaries!, 1e-7, 1e-7);
    }

    [SkippableFact]
    public void Adapted_boundaries_match_keras_summary_for_tensors_and_datasets()
    {
        RequireBackend();
        var values = NF.Constant(Wave(), [1000, 1]);
        var layer = new Layers.Discretization(numBins: 5);
        layer.Adapt(values);
        AssertClose([1.734784, 3.948793, 5.941126, 8.140511], layer.BinBoundaries!, 1e-6, 1e-6, "one tensor");
        // Batches of 300 are summarized one by one and merged, as Keras' update_state does.
        var batched = new Layers.Discretization(numBins: 5);
        batched.Adapt(Dataset.FromTensorSlices(values).Batch(300));
        AssertClose([1.774511, 3.988776, 6.020483, 8.271461], batched.BinBoundaries!, 1e-6, 1e-6, "batches");
        var coarse = new Layers.Discretization(numBins: 3, epsilon: 0.1);
        coarse.Adapt(values);
        AssertClose([3.013648, 6.010073], coarse.BinBoundaries!, 1e-6, 1e-6, "epsilon 0.1");
    }

    [SkippableFact]
    public void Encoded_modes_use_one_slot_per_bin()
    {
        RequireBackend();
        var x = NF.Constant(new[] { -1f, 0.5f, 0.5f, 3f }, [2, 2]);
        Assert.Equal([1f, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1], new Layers.Discretization([0.0, 1.0], outputMode: "one_hot").Call(NF.Reshape(x, [4, 1])).ToArray<float>());
        Assert.Equal([1f, 1, 0, 0, 1, 1], new Layers.Discretization([0.0, 1.0], outputMode: "multi_hot").Call(x).ToArray<float>());
        Assert.Equal([1f, 1, 0, 0, 2, 0, 0, 0, 2], new Layers.Discretization([0.0, 1.0], outputMode: "count").Call(NF.Constant(new[] { -1f, 0.5f, 0.5f, 0.7f, 3f, 3f }, [3, 2])).ToArray<float>());
        // Integer and float64 inputs bin too; a value equal to a boundary goes right of it.
        Assert.Equal([0L, 1, 2], new Layers.Discretization([1.0, 2.0]).Call(NF.Constant(new[] { 0, 1, 2 })).ToArray<long>());
        Assert.Equal([0L, 1, 2], new Layers.Discretization([0.1, 0.2]).Call(NF.Constant(new[] { 0.09999999, 0.1, 0.2 })).ToArray<long>());
    }

    [SkippableFact]
    public void Bad_arguments_raise_keras_errors()
    {
        RequireBackend();
        Assert.Contains("either num_bins or bin_boundaries", Assert.Throws<ArgumentException>(() => new Layers.Discretization()).Message);
        Assert.Contains("both num_bins and bin_boundaries", Assert.Throws<ArgumentException>(() => new Layers.Discretization([1.0], 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Discretization(numBins: -1));
        Assert.Contains("ascending", Assert.Throws<ArgumentException>(() => new Layers.Discretization([2.0, 1.0])).Message);
        Assert.Contains("output_mode", Assert.Throws<ArgumentException>(() => new Layers.Discretization([1.0], outputMode: "tf_idf")).Message);
        Assert.Contains("initialized with bin_boundaries", Assert.Throws<InvalidOperationException>(() => new Layers.Discretization([1.0]).Adapt(Doc)).Message);
        Assert.Contains("call Adapt", Assert.Throws<InvalidOperationException>(() => new Layers.Discretization(numBins: 3).Call(Doc)).Message);
        Assert.Contains("no data", Assert.Throws<ArgumentException>(() => new Layers.Discretization(numBins: 3).Adapt(NF.Zeros([0, 2]))).Message);
    }

    [SkippableFact]
    public void An_adapted_layer_trains_and_round_trips_through_save_and_load()
    {
        RequireBackend();
        var x = NF.Constant(Wave(), [500, 2]);
        var y = NF.Cast(NF.Greater(NF.ReduceMean(x, 1), 5f), DType.Float32);
        var bins = new Layers.Discretization(numBins: 8, outputMode: "multi_hot");
        bins.Adapt(x);
        var model = new Sequential(bins, new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.1f), "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 100, epochs: 6, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], "the loss falls");
        string path = Temp.File("bins.nfmodel");
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        var config = loaded.Layers[0].GetConfig();
        Assert.Equal(8, config["num_bins"]!.GetValue<int>());
        Assert.Equal(7, config["bin_boundaries"]!.AsArray().Count);
    }
}

public sealed class ManagedDiscretizationTests() : DiscretizationTests("managed");

public sealed class NativeCpuDiscretizationTests() : DiscretizationTests("cpu");

public sealed class CudaDiscretizationTests() : DiscretizationTests("cuda");
