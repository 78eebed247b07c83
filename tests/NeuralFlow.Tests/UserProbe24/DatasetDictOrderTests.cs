using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// Dataset dictionaries keep the user's key order, as tf.data prints and iterates a dict element
/// (tf.nest packs a dict back in its own key order: <c>from_tensor_slices({'b': ..., 'a': ...}).element_spec</c>
/// is <c>{'b': TensorSpec(...), 'a': TensorSpec(...)}</c>), while the flat components stay in ordinal key
/// order (tf.nest.flatten sorts a dict's keys); before, every dictionary listed its keys sorted. And
/// FromTensorSlices takes numeric C# arrays as columns (before: refused), as NF.Constant takes them.
/// </summary>
public abstract class DatasetDictOrderTests(string backend) : BackendTest(backend)
{
    private static Dictionary<string, object> Columns() => new()
    {
        ["zeta"] = new float[] { 1, 2, 3, 4 },
        ["alpha"] = new long[] { 10, 20, 30, 40 },
        ["mid"] = new[] { "w", "x", "y", "z" },
    };

    [SkippableFact]
    public void Element_spec_rows_batches_and_maps_keep_the_dictionary_key_order()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(Columns());
        Assert.Equal("{'zeta': TensorSpec(shape=(), dtype=tf.float32, name=None), 'alpha': TensorSpec(shape=(), dtype=tf.int64, name=None), " +
                     "'mid': TensorSpec(shape=(), dtype=tf.string, name=None)}", ds.ElementSpec.ToString());
        var spec = (DictionarySpec)ds.ElementSpec;
        Assert.Equal(["zeta", "alpha", "mid"], spec.Keys);
        // The flat components go in ordinal key order (alpha, mid, zeta), tf.nest.flatten's.
        Assert.Equal([DType.Int64, DType.String, DType.Float32], spec.Components.Select(c => c.DType));

        var row = ds.First();
        Assert.Equal(["zeta", "alpha", "mid"], row.Keys);
        Assert.Equal(1f, ((Tensor)row["zeta"]).Item<float>());
        Assert.Equal(10L, ((Tensor)row["alpha"]).Item<long>());
        Assert.Equal("w", ((StringTensor)row["mid"]).Item());

        var batch = ds.Shuffle(4, seed: 3).Batch(2).First();
        Assert.Equal(["zeta", "alpha", "mid"], batch.Keys);
        Assert.Equal("{'zeta': TensorSpec(shape=(None,), dtype=tf.float32, name=None), 'alpha': TensorSpec(shape=(None,), dtype=tf.int64, name=None), " +
                     "'mid': TensorSpec(shape=(None,), dtype=tf.string, name=None)}", ds.Batch(2).ElementSpec.ToString());

        // A Map's dictionary keeps its own order; so does a cached and unbatched pass.
        var mapped = ds.Map(r => (IReadOnlyDictionary<string, object>)new Dictionary<string, object> { ["y"] = r["zeta"], ["b"] = r["alpha"] });
        Assert.Equal("{'y': TensorSpec(shape=(), dtype=tf.float32, name=None), 'b': TensorSpec(shape=(), dtype=tf.int64, name=None)}", mapped.ElementSpec.ToString());
        Assert.Equal(["y", "b"], mapped.Batch(4).Cache().Unbatch().ToList()[3].Keys);
        Assert.Equal(4f, ((Tensor)mapped.ToList()[3]["y"]).Item<float>());

        // A dictionary filled in another order is the same structure (same flat layout): Concatenate takes it.
        var other = Dataset.FromTensorSlices(new Dictionary<string, object> { ["mid"] = new[] { "v" }, ["alpha"] = new long[] { 0 }, ["zeta"] = new float[] { 0 } });
        var both = ds.Concatenate(other).ToList();
        Assert.Equal(5, both.Count);
        Assert.Equal("v", ((StringTensor)both[4]["mid"]).Item());

        // DictionarySpec built by hand keeps its order too.
        var byHand = new DictionarySpec(new Dictionary<string, TensorSpec> { ["b"] = new(new int?[] { }, DType.Float32), ["a"] = new(new int?[] { }, DType.Int32) });
        Assert.Equal("{'b': TensorSpec(shape=(), dtype=tf.float32, name=None), 'a': TensorSpec(shape=(), dtype=tf.int32, name=None)}", byHand.ToString());
        Assert.Equal([DType.Int32, DType.Float32], byHand.Components.Select(c => c.DType));
    }

    [SkippableFact]
    public void Numeric_CSharp_arrays_are_columns_as_NF_Constant_takes_them()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(new Dictionary<string, object>
        {
            ["f"] = new float[] { 1, 2 },
            ["i"] = new int[] { 3, 4 },
            ["d"] = new double[,] { { 1.5, 2.5 }, { 3.5, 4.5 } },
            ["b"] = new bool[] { true, false },
        });
        Assert.Equal("{'f': TensorSpec(shape=(), dtype=tf.float32, name=None), 'i': TensorSpec(shape=(), dtype=tf.int32, name=None), " +
                     "'d': TensorSpec(shape=(2,), dtype=tf.float64, name=None), 'b': TensorSpec(shape=(), dtype=tf.bool, name=None)}", ds.ElementSpec.ToString());
        var last = ds.Batch(2).Single();
        Assert.Equal(new[] { 3, 4 }, ((Tensor)last["i"]).ToArray<int>());
        Assert.Equal(new[] { 1.5, 2.5, 3.5, 4.5 }, ((Tensor)last["d"]).ToArray<double>());
        // With labels, too.
        using var labels = NF.Constant(new float[] { 0, 1 });
        Assert.Equal(2, Dataset.FromTensorSlices(new Dictionary<string, object> { ["x"] = new long[] { 5, 6 } }, labels).Count());

        // What NF.Constant cannot take is refused naming the column.
        var jagged = Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(new Dictionary<string, object> { ["x"] = new float[][] { [1f] } }));
        Assert.Equal("columns", jagged.ParamName);
        Assert.Contains("column 'x'", jagged.Message);
        Assert.Contains("float[,]", jagged.Message);
        var list = Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(new Dictionary<string, object> { ["x"] = new List<float> { 1 } }));
        Assert.Contains("column 'x' is a List`1", list.Message);
    }

    [SkippableFact]
    public void Fit_and_Predict_match_dictionary_columns_to_inputs_by_name_whatever_their_order()
    {
        RequireBackend();
        var zeta = Layers.Input([1], name: "zeta");
        var alpha = Layers.Input([1], name: "alpha");
        var dense = new Layers.Dense(1, useBias: false);
        var model = new Model([zeta, alpha], dense.Call(new Layers.Concatenate().Call([zeta, alpha])));
        dense.SetWeights([NF.Constant(new float[,] { { 1 }, { 100 } })]);   // zeta + 100 * alpha tells the columns apart
        var x = new Dictionary<string, object> { ["alpha"] = new float[,] { { 1 }, { 2 } }, ["zeta"] = new float[,] { { 3 }, { 4 } } };
        var ds = Dataset.FromTensorSlices(x).Batch(2);
        Assert.Equal(new float[] { 103, 204 }, model.Predict(ds).ToArray<float>());
        var reversed = Dataset.FromTensorSlices(new Dictionary<string, object> { ["zeta"] = x["zeta"], ["alpha"] = x["alpha"] }).Batch(2);
        Assert.Equal(new float[] { 103, 204 }, model.Predict(reversed).ToArray<float>());

        // Fit on (dict, label) batches: zero loss at the exact weights stays there.
        model.Compile(new Keras.Optimizers.SGD(0.0001f), "mse");
        using var y = NF.Constant(new float[,] { { 103 }, { 204 } });
        var history = model.Fit(Dataset.FromTensorSlices(x, y).Batch(2), epochs: 1, verbose: 0);
        Assert.Equal(0.0, history["loss"][0], 6);
    }
}

/// <summary>Dictionary order on the managed backend.</summary>
public sealed class ManagedDatasetDictOrderTests() : DatasetDictOrderTests("managed");

/// <summary>Dictionary order on the native CPU backend.</summary>
public sealed class NativeCpuDatasetDictOrderTests() : DatasetDictOrderTests("cpu");

/// <summary>Dictionary order on CUDA.</summary>
public sealed class CudaDatasetDictOrderTests() : DatasetDictOrderTests("cuda");
