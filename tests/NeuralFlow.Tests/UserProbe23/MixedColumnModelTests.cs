using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// The library gaps the structured-data and pandas tutorials found, each on its own: a functional model with a
/// text Input (dtype string) saved to .keras and loaded (before: "'dtype' names an unknown type 'string'"),
/// Predict/Fit/Evaluate on a dictionary of mixed text and numeric columns (before: no such conversion),
/// Concatenate (and Add, Multiply, ...) of int64 and float32 inputs giving float32 as Keras 3's ops (before: refused),
/// a functional model called on a dictionary of symbolic Inputs (before: no such call), and a numeric layer
/// called on a text Input refused with its name (before: DType.String's size, thrown from inside the probe).
/// Expected values worked out by hand.
/// </summary>
public abstract class MixedColumnModelTests(string backend) : BackendFileTest(backend)
{
    // color (text, one-hot over [UNK, blue, red]) and size (a number) into one Dense of fixed weights.
    private static Model ColorSizeModel()
    {
        var color = Layers.Input([1], name: "color", dtype: DType.String);
        var size = Layers.Input([1], name: "size");
        var hot = new Layers.StringLookup(vocabulary: ["blue", "red"], outputMode: "one_hot").Call(color);
        var dense = new Layers.Dense(1, useBias: false);
        var output = dense.Call(new Layers.Concatenate().Call([hot, size]));
        var model = new Model(new Dictionary<string, KerasTensor> { ["color"] = color, ["size"] = size }, output);
        dense.SetWeights([NF.Constant(new float[,] { { 100 }, { 10 }, { 20 }, { 1 } })]);
        return model;
    }

    private static Dictionary<string, object> Rows() => new()
    {
        ["color"] = new StringTensor(["red", "green", "blue"], new Shape(3, 1)),
        ["size"] = NF.Constant(new float[,] { { 1 }, { 2 }, { 3 } }),
    };

    [SkippableFact]
    public void A_dictionary_of_text_and_numbers_predicts_and_a_text_input_survives_save_and_load()
    {
        RequireBackend();
        var model = ColorSizeModel();
        // red: 20 + 1, green (OOV): 100 + 2, blue: 10 + 3.
        Assert.Equal(new float[] { 21, 102, 13 }, model.Predict(Rows()).ToArray<float>());
        // string[] columns and numeric C# arrays too, single rows of shape (1,) as tf.convert_to_tensor([value]).
        var arrays = new Dictionary<string, object> { ["color"] = new[] { "blue" }, ["size"] = new float[] { 5 } };
        Assert.Equal(new float[] { 15 }, model.Predict(arrays).ToArray<float>());

        var loaded = Models.LoadModel(SaveTo(model, "mixed.keras"));
        Assert.Equal(DType.String, loaded.Inputs.Single(i => i.Name == "color").DType);
        Assert.Equal(new float[] { 21, 102, 13 }, loaded.Predict(Rows()).ToArray<float>());

        // Fit and Evaluate take the dictionary as x.
        loaded.Compile(new Optimizers.SGD(0.0), "mse");
        Assert.Equal((1 + 4 + 9) / 3.0, loaded.Evaluate(Rows(), NF.Constant(new float[,] { { 20 }, { 100 }, { 10 } }), verbose: 0).Loss, 5);
        loaded.Fit(Rows(), NF.Constant(new float[,] { { 20 }, { 100 }, { 10 } }), epochs: 1, verbose: 0);
    }

    [SkippableFact]
    public void Bad_dictionary_values_are_refused_naming_their_column()
    {
        RequireBackend();
        var model = ColorSizeModel();
        var one = Assert.Throws<ArgumentException>(() => model.Predict(new Dictionary<string, object> { ["color"] = "red", ["size"] = new float[] { 1 } }));
        Assert.Contains("Column 'color' is one string", one.Message);
        var odd = Assert.Throws<ArgumentException>(() => model.Predict(new Dictionary<string, object> { ["color"] = new[] { "red" }, ["size"] = new List<float> { 1 } }));
        Assert.Contains("Column 'size' is a List`1", odd.Message);
        // Text for an input that takes numbers keeps being refused, naming the input.
        var swapped = Assert.Throws<ArgumentException>(() => model.Predict(new Dictionary<string, object> { ["color"] = new[] { "red" }, ["size"] = new[] { "big" } }));
        Assert.Contains("holds text", swapped.Message);
    }

    [SkippableFact]
    public void Concatenate_and_the_other_merge_layers_join_int64_and_float32_in_float32()
    {
        RequireBackend();
        // keras.layers.Concatenate()([np.array([[1], [2]]), np.array([[0.5], [1.5]], "float32")]) -> float32 [[1, 0.5], [2, 1.5]]
        var joined = new Layers.Concatenate().Call([NF.Constant(new long[,] { { 1 }, { 2 } }), NF.Constant(new float[,] { { 0.5f }, { 1.5f } })]);
        Assert.Equal(DType.Float32, joined.DType);
        Assert.Equal(new float[] { 1, 0.5f, 2, 1.5f }, joined.ToArray<float>());
        // Symbolically too; the op itself (tf.concat) still wants one dtype.
        var a = Layers.Input([1], dtype: DType.Int64);
        var b = Layers.Input([2]);
        Assert.Equal(DType.Float32, new Layers.Concatenate().Call([a, b]).DType);
        Assert.Throws<ArgumentException>(() => NF.Concat([NF.Constant(new long[] { 1 }), NF.Constant(new float[] { 1 })], 0));
        // The other merge layers promote alike (Keras 3's ops.add / ops.multiply): [[1.5], [3.5]] and [[0.5], [3]].
        var sum = new Layers.Add().Call([NF.Constant(new long[,] { { 1 }, { 2 } }), NF.Constant(new float[,] { { 0.5f }, { 1.5f } })]);
        Assert.Equal(DType.Float32, sum.DType);
        Assert.Equal(new float[] { 1.5f, 3.5f }, sum.ToArray<float>());
        var product = new Layers.Multiply().Call([NF.Constant(new int[,] { { 1 }, { 2 } }), NF.Constant(new float[,] { { 0.5f }, { 1.5f } })]);
        Assert.Equal(new float[] { 0.5f, 3 }, product.ToArray<float>());
    }

    [SkippableFact]
    public void A_functional_model_is_called_on_a_dictionary_of_inputs_by_name()
    {
        RequireBackend();
        var a = Layers.Input([2], name: "a");
        var b = Layers.Input([2], name: "b");
        var inner = new Model(new Dictionary<string, KerasTensor> { ["a"] = a, ["b"] = b }, new Layers.Subtract().Call([a, b]));
        // Keys in another order, plus one the model does not read: each input takes its own.
        var x = Layers.Input([2], name: "x");
        var y = Layers.Input([2], name: "y");
        var outer = new Model([x, y], inner.Call(new Dictionary<string, KerasTensor> { ["b"] = y, ["a"] = x, ["unused"] = y }));
        Assert.Equal(new float[] { -2, 2 }, outer.Predict((NF.Constant(new float[,] { { 1, 4 } }), NF.Constant(new float[,] { { 3, 2 } }))).ToArray<float>());
        var missing = Assert.Throws<ArgumentException>(() => inner.Call(new Dictionary<string, KerasTensor> { ["a"] = x }));
        Assert.Contains("missing 'b'", missing.Message);

        // A numeric layer on a text Input is refused at the call, naming the layer.
        var text = Layers.Input([1], name: "text", dtype: DType.String);
        var refused = Assert.Throws<NotSupportedException>(() => new Layers.Dense(2, name: "reads_text").Call(text));
        Assert.Contains("reads_text (Dense) was called on a text tensor", refused.Message);
    }
}

/// <summary>Mixed text and numeric columns on the managed backend.</summary>
public sealed class ManagedMixedColumnModelTests() : MixedColumnModelTests("managed");

/// <summary>Mixed text and numeric columns on the native CPU backend.</summary>
public sealed class NativeCpuMixedColumnModelTests() : MixedColumnModelTests("cpu");

/// <summary>Mixed text and numeric columns on CUDA.</summary>
public sealed class CudaMixedColumnModelTests() : MixedColumnModelTests("cuda");
