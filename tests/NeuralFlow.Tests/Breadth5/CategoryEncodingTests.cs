using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// Keras 3's CategoryEncoding (keras/src/layers/preprocessing/category_encoding.py) on every
/// backend: the docstring examples' outputs (published in the docstring, used exactly), the
/// shape rules of numerical_utils.encode_categorical_inputs (derived by hand from its code),
/// Keras' out-of-range error (also inside a replayed Fit step), Fit and Save/Load.
/// </summary>
public abstract class CategoryEncodingTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Ints(int[] values, params int[] shape) => NF.Constant(values, shape);

    private static float[] Flat(Tensor t) => t.ToArray<float>();

    [SkippableFact]
    public void Docstring_examples_give_keras_outputs()
    {
        RequireBackend();
        // one_hot: layer([3, 2, 0, 1]) with num_tokens=4.
        var oneHot = new Layers.CategoryEncoding(4, outputMode: "one_hot");
        var y = oneHot.Call(Ints([3, 2, 0, 1], 4));
        Assert.Equal(new Shape(4, 4), y.Shape);
        Assert.Equal([0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0], Flat(y));
        // multi_hot: layer([[0, 1], [0, 0], [1, 2], [3, 1]]).
        var multi = new Layers.CategoryEncoding(4, outputMode: "multi_hot");
        Assert.Equal([1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1], Flat(multi.Call(Ints([0, 1, 0, 0, 1, 2, 3, 1], 4, 2))));
        // count with count_weights [[.1, .2], [.1, .1], [.2, .3], [.4, .2]].
        var count = new Layers.CategoryEncoding(4, outputMode: "count");
        var weights = NF.Constant(new[] { .1f, .2f, .1f, .1f, .2f, .3f, .4f, .2f }, [4, 2]);
        var weighted = Flat(count.CountWeighted(Ints([0, 1, 0, 0, 1, 2, 3, 1], 4, 2), weights));
        Reference.AssertClose([.1, .2, 0, 0, .2, 0, 0, 0, 0, .2, .3, 0, 0, .2, 0, .4], weighted.Select(v => (double)v).ToArray(), 1e-6, 1e-6);
        Assert.Equal([2, 0, 1, 0, 0, 1, 0, 2], Flat(count.Call(Ints([0, 2, 0, 1, 3, 3], 2, 3))));
        Assert.Equal(DType.Float32, y.DType);
    }

    [SkippableFact]
    public void Shapes_follow_keras_encoding_rules()
    {
        RequireBackend();
        // one_hot replaces a last axis of size 1, appends one otherwise; multi_hot of a 1-D input is one sample.
        Assert.Equal(new Shape(3, 5), new Layers.CategoryEncoding(5, "one_hot").Call(Ints([1, 2, 4], 3, 1)).Shape);
        Assert.Equal(new Shape(2, 2, 5), new Layers.CategoryEncoding(5, "one_hot").Call(Ints([1, 2, 4, 0], 2, 2)).Shape);
        Assert.Equal([0, 1, 1, 0, 1], Flat(new Layers.CategoryEncoding(5).Call(Ints([1, 2, 4], 3))));
        Assert.Equal(new Shape(5), new Layers.CategoryEncoding(5, "count").Call(NF.Constant(3)).Shape);
        // Float tokens are cast as Keras casts them; int64 tokens work as they are.
        Assert.Equal([0, 1, 1], Flat(new Layers.CategoryEncoding(3).Call(NF.Constant(new[] { 1f, 2f }, [1, 2]))));
        Assert.Equal([1, 0, 1], Flat(new Layers.CategoryEncoding(3).Call(NF.Constant(new[] { 0L, 2L }, [1, 2]))));
    }

    [SkippableFact]
    public void Bad_tokens_and_arguments_raise()
    {
        RequireBackend();
        var layer = new Layers.CategoryEncoding(3);
        var high = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Call(Ints([0, 1, 2, 2, 3, 1], 2, 3)));
        Assert.Contains("input values must be in the range 0 <= values < num_tokens with num_tokens=3", high.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Call(Ints([1, 2, 0, 2, 2, -1], 2, 3)));
        Assert.Contains("maximum supported output rank is 2", Assert.Throws<ArgumentException>(() => layer.Call(NF.Zeros([2, 2, 2], DType.Int32))).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => layer.Call(NF.Zeros([2, 2], DType.Bool))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.CategoryEncoding(0));
        Assert.Contains("'one_hot', 'multi_hot', 'count'", Assert.Throws<ArgumentException>(() => new Layers.CategoryEncoding(3, "int")).Message);
        Assert.Throws<ArgumentException>(() => new Layers.CategoryEncoding(3, sparse: true));
        Assert.Throws<InvalidOperationException>(() => layer.CountWeighted(Ints([0, 1], 1, 2), NF.Ones([1, 2])));
        Assert.Contains("count_weights has shape", Assert.Throws<ArgumentException>(() =>
            new Layers.CategoryEncoding(3, "count").CountWeighted(Ints([0, 1], 1, 2), NF.Ones([2, 2]))).Message);
    }

    [SkippableFact]
    public void A_model_trains_refuses_bad_tokens_in_fit_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Random.Uniform([32, 3], minval: 0, maxval: 6, dtype: DType.Int32);
        var y = NF.Cast(NF.ReduceAny(NF.Equal(x, 2), 1), DType.Float32);   // "token 2 appears"
        var model = new Sequential(new Layers.CategoryEncoding(6, "count"), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.1f), "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 8, epochs: 10, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.7, "the loss falls");
        // A later epoch replays the traced step; a bad token still raises there.
        var bad = NF.Constant(Enumerable.Range(0, 96).Select(i => i == 50 ? 9 : i % 6).ToArray(), [32, 3]);
        var e = Assert.ThrowsAny<Exception>(() => model.Fit(bad, y, batchSize: 8, epochs: 1, verbose: 0));
        Assert.Contains("num_tokens=6", e.ToString());
        string path = Temp.File("category.nfmodel");
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        Assert.Equal("count", loaded.Layers[0].GetConfig()["output_mode"]!.GetValue<string>());
    }
}

public sealed class ManagedCategoryEncodingTests() : CategoryEncodingTests("managed");

public sealed class NativeCpuCategoryEncodingTests() : CategoryEncodingTests("cpu");

public sealed class CudaCategoryEncodingTests() : CategoryEncodingTests("cuda");
