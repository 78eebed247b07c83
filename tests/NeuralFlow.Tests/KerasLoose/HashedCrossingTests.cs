using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasLoose;

/// <summary>
/// HashedCrossing (keras.layers.HashedCrossing) gives Keras' own bins: the docstring's example
/// ([1, 4, 1, 1, 3] and its one-hot rows) and the bins of hashed_crossing_references.py beside this
/// file (TensorFlow's cross_hashed rule written out: hash key 0xDECAFCAFFE, FingerprintCat64 over
/// the features, FarmHash Fingerprint64 of strings, integers as themselves) for strings of several
/// lengths, negative and large integers, int32 and int64 tensors and the order of the features;
/// shapes (), [batch], [batch, 1] and empty; the errors of bad features; the config round trip; and
/// a classifier that learns an interaction only the cross exposes.
/// </summary>
public abstract class HashedCrossingTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Letters = ["A", "B", "A", "B", "A"];
    private static readonly long[] Codes = [101, 101, 101, 102, 102];

    [SkippableFact]
    public void Bins_match_the_keras_docstring_and_the_reference_script()
    {
        RequireBackend();
        var layer = new Layers.HashedCrossing(5);
        using var bins = layer.Call(Letters, Codes);
        Assert.Equal(DType.Int64, bins.DType);
        Assert.Equal(new Shape(5), bins.Shape);
        Assert.Equal([1L, 4, 1, 1, 3], bins.ToArray<long>()); // the Keras docstring
        using var hot = new Layers.HashedCrossing(5, outputMode: "one_hot").Call(Letters, Codes);
        Assert.Equal(DType.Float32, hot.DType);
        Assert.Equal(new Shape(5, 5), hot.Shape);
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0 }, hot.ToArray<float>());
        // hashed_crossing_references.py "three_features": 0-, 1-, 3-, 4-, 7- and 11-byte strings (FarmHash's short paths), a negative and a 64-bit integer.
        using var three = new Layers.HashedCrossing(1000).Call(
            new[] { "cat", "dog", "", "Zürich" }, new[] { -1L, 0, 7, 123456789012 }, new[] { "x", "yy", "zzzz", "electronics" });
        Assert.Equal([418L, 666, 27, 99], three.ToArray<long>());
    }

    [SkippableFact]
    public void Integer_tensors_cross_in_order_whatever_their_width()
    {
        RequireBackend();
        var layer = new Layers.HashedCrossing(17);
        using var a = NF.Constant(new[] { 3, 1, 4, 1, 5 });
        using var b = NF.Constant(new long[] { 9, 2, 6, 5, 3 });
        // hashed_crossing_references.py "ints" and "ints_swapped": the cross depends on the order.
        Assert.Equal([0L, 14, 16, 13, 10], layer.Call([a, b]).ToArray<long>());
        Assert.Equal([15L, 0, 1, 15, 7], layer.Call([b, a]).ToArray<long>());
        Assert.Equal([0L, 14, 16, 13, 10], layer.Call([NF.Cast(a, DType.Int64), NF.Cast(b, DType.Int32)]).ToArray<long>());
        Assert.Equal([0L, 14, 16, 13, 10], layer.Call(new[] { 3, 1, 4, 1, 5 }, new long[] { 9, 2, 6, 5, 3 }).ToArray<long>());
        Assert.Equal([0L, 14, 16, 13, 10], layer.Call([NF.Cast(a, DType.UInt8), b]).ToArray<long>());
    }

    [SkippableFact]
    public void Shapes_follow_keras_for_scalars_columns_and_empty_batches()
    {
        RequireBackend();
        // [batch, 1] stays [batch, 1] ("int") and becomes [batch, bins] ("one_hot").
        var column = new Layers.HashedCrossing(5).Call(new[,] { { "A" }, { "B" } }, new long[,] { { 101 }, { 101 } });
        Assert.Equal(new Shape(2, 1), column.Shape);
        Assert.Equal([1L, 4], column.ToArray<long>());
        Assert.Equal(new Shape(2, 5), new Layers.HashedCrossing(5, "one_hot").Call(new[,] { { "A" }, { "B" } }, new long[,] { { 101 }, { 101 } }).Shape);
        // A scalar crossing: shape () and, one-hot, (num_bins,).
        using var s = NF.Constant(3);
        using var t = NF.Constant(9L);
        var scalar = new Layers.HashedCrossing(17).Call([s, t]);
        Assert.Equal(Shape.Scalar, scalar.Shape);
        Assert.Equal([0L], scalar.ToArray<long>());
        var scalarHot = new Layers.HashedCrossing(17, "one_hot").Call([s, t]);
        Assert.Equal(new Shape(17), scalarHot.Shape);
        Assert.Equal(1f, scalarHot.ToArray<float>()[0]);
        // No rows, no bins.
        var empty = new Layers.HashedCrossing(4).Call(Array.Empty<string>(), Array.Empty<long>());
        Assert.Equal(new Shape(0), empty.Shape);
        Assert.Equal(new Shape(0, 4), new Layers.HashedCrossing(4, "one_hot").Call(Array.Empty<string>(), Array.Empty<long>()).Shape);
    }

    [SkippableFact]
    public void Bad_arguments_and_features_are_refused_with_the_reason()
    {
        RequireBackend();
        Assert.Contains("HashedCrossing: num_bins must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.HashedCrossing(0)).Message);
        Assert.Contains("output_mode", Assert.Throws<ArgumentException>(() => new Layers.HashedCrossing(4, "multi_hot")).Message);
        Assert.Contains("sparse", Assert.Throws<ArgumentException>(() => new Layers.HashedCrossing(4, sparse: true)).Message);
        var layer = new Layers.HashedCrossing(4, name: "cross");
        using var ints = NF.Constant(new[] { 1, 2 });
        Assert.Contains("call it on a list", Assert.Throws<ArgumentException>(() => layer.Call(ints)).Message);
        Assert.Contains("at least two inputs; received 1", Assert.Throws<ArgumentException>(() => layer.Call([ints])).Message);
        Assert.Contains("integer or string dtype; input 1 is Float32", Assert.Throws<ArgumentException>(() => layer.Call([ints, NF.Constant(new[] { 1f, 2f })])).Message);
        Assert.Contains("input 0 is Bool", Assert.Throws<ArgumentException>(() => layer.Call([NF.Zeros([2], DType.Bool), ints])).Message);
        Assert.Contains("shape (), (batch_size) or (batch_size, 1); received (2, 2)",
            Assert.Throws<ArgumentException>(() => layer.Call([NF.Zeros([2, 2], DType.Int32), NF.Zeros([2, 2], DType.Int32)])).Message);
        Assert.Contains("equal shape; input 0 is (2) and input 1 (3)", Assert.Throws<ArgumentException>(() => layer.Call(new[] { "a", "b" }, new[] { 1, 2, 3 })).Message);
        Assert.Contains("feature 1 holds Double", Assert.Throws<ArgumentException>(() => layer.Call(new[] { "a" }, new[] { 0.5 })).Message);
        Assert.Contains("feature 0 holds a null (at 1)", Assert.Throws<ArgumentException>(() => layer.Call(new[] { "a", null! }, new[] { 1, 2 })).Message);
        Assert.Throws<ArgumentNullException>(() => layer.Call(new[] { "a" }, null!));
    }

    [SkippableFact]
    public void Configs_round_trip_through_keras_serialization()
    {
        RequireBackend();
        var layer = new Layers.HashedCrossing(7, "one_hot", name: "geo_cross");
        var config = layer.GetConfig();
        Assert.Equal(7, config["num_bins"]!.GetValue<int>());
        Assert.Equal("one_hot", config["output_mode"]!.GetValue<string>());
        Assert.False(config["sparse"]!.GetValue<bool>());
        var loaded = Layers.HashedCrossing.FromConfig(JsonNode.Parse(config.ToJsonString())!.AsObject());
        Assert.True(JsonNode.DeepEquals(config, loaded.GetConfig()));
        Assert.Equal(layer.Call(Letters, Codes).ToArray<float>(), loaded.Call(Letters, Codes).ToArray<float>());
        // The entry a saved model would hold rebuilds the layer by its Keras class name.
        var entry = KerasSerialization.Serialize(layer);
        Assert.Equal("HashedCrossing", entry["class_name"]!.GetValue<string>());
        var again = Assert.IsType<Layers.HashedCrossing>(KerasSerialization.Deserialize(entry, "test"));
        Assert.Equal((7, "one_hot"), (again.NumBins, again.OutputMode));
        // Keras' own config (dtype "int64", sparse false) loads.
        var keras = JsonNode.Parse("""{"num_bins": 5, "output_mode": "int", "sparse": false, "name": "hashed_crossing", "dtype": "int64"}""")!.AsObject();
        Assert.Equal([1L, 4, 1, 1, 3], Layers.HashedCrossing.FromConfig(keras).Call(Letters, Codes).ToArray<long>());
    }

    [SkippableFact]
    public void A_model_learns_an_interaction_from_the_crossed_features()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        // The label is a == b: neither feature alone says anything, their cross (9 combinations, no collisions in 64 bins) says it all.
        var rng = new Random(3);
        var a = Enumerable.Range(0, 96).Select(_ => rng.Next(3)).ToArray();
        var b = Enumerable.Range(0, 96).Select(_ => rng.Next(3)).ToArray();
        var x = new Layers.HashedCrossing(64, "one_hot").Call(a.Select(v => $"a{v}").ToArray(), b);
        var y = NF.Constant(a.Zip(b, (p, q) => p == q ? 1f : 0f).ToArray(), [96, 1]);
        var model = new Sequential(Layers.Input([64]), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.1f), "binary_crossentropy", ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 16, epochs: 20, verbose: 0);
        Assert.True(history["loss"][^1] < 0.3 * history["loss"][0], $"the loss falls: {history["loss"][0]} -> {history["loss"][^1]}");
        Assert.Equal(1.0, history["accuracy"][^1], 6);
    }
}

public sealed class ManagedHashedCrossingTests() : HashedCrossingTests("managed");

public sealed class NativeCpuHashedCrossingTests() : HashedCrossingTests("cpu");

public sealed class CudaHashedCrossingTests() : HashedCrossingTests("cuda");
