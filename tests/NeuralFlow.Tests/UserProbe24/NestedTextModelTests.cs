using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// A functional preprocessing model on text Inputs nested in a second model (the pandas tutorial's
/// <c>x = preprocessor(inputs); model = tf.keras.Model(inputs, body(x))</c>): before, the call was refused;
/// now the preprocessor's layer calls are replayed on the tensors it is called on, so its StringLookup reads
/// the outer text Input and runs on the host. Expected values: the one-hot lookup by hand (vocabulary
/// ["blue", "red"], OOV first) through fixed Dense weights.
/// </summary>
public abstract class NestedTextModelTests(string backend) : BackendFileTest(backend)
{
    private static (Model Preprocessor, Dictionary<string, KerasTensor> Inputs) Preprocessor()
    {
        var color = Layers.Input([1], name: "color", dtype: DType.String);
        var size = Layers.Input([1], name: "size");
        var hot = new Layers.StringLookup(vocabulary: ["blue", "red"], outputMode: "one_hot").Call(color);
        var joined = new Layers.Concatenate().Call([hot, size]);
        var inputs = new Dictionary<string, KerasTensor> { ["color"] = color, ["size"] = size };
        return (new Model(inputs, joined), inputs);
    }

    private static Dictionary<string, object> Rows() => new()
    {
        ["color"] = new[] { "red", "green", "blue" },
        ["size"] = new float[,] { { 1 }, { 2 }, { 3 } },
    };

    [SkippableFact]
    public void A_preprocessor_nested_on_its_own_text_inputs_predicts_and_fits()
    {
        RequireBackend();
        var (preprocessor, inputs) = Preprocessor();
        var dense = new Layers.Dense(1, useBias: false);
        var model = new Model(inputs, dense.Call(preprocessor.Call(inputs)));
        dense.SetWeights([NF.Constant(new float[,] { { 100 }, { 10 }, { 20 }, { 1 } })]);
        // red: 20 + 1, green (OOV): 100 + 2, blue: 10 + 3.
        Assert.Equal(new float[] { 21, 102, 13 }, model.Predict(Rows()).ToArray<float>());
        // The nested layers share their weights with the preprocessor's: the preprocessor alone gives the features.
        Assert.Equal(new float[] { 0, 0, 1, 1 }, preprocessor.Predict(Rows()).ToArray<float>()[..4]);

        // The replayed calls (shared layers' second nodes) save and load as a .keras file.
        var loaded = Models.LoadModel(SaveTo(model, "nested.keras"));
        Assert.Equal(new float[] { 21, 102, 13 }, loaded.Predict(Rows()).ToArray<float>());

        model.Compile(new Keras.Optimizers.SGD(0.001f), "mse");
        using var y = NF.Constant(new float[,] { { 21 }, { 102 }, { 13 } });
        var history = model.Fit(Dataset.FromTensorSlices(Rows(), y).Batch(3), epochs: 2, verbose: 0);
        Assert.Equal(0.0, history["loss"][1], 6);
    }

    [SkippableFact]
    public void A_preprocessor_called_on_new_text_inputs_feeds_them_through_its_layers()
    {
        RequireBackend();
        var (preprocessor, _) = Preprocessor();
        var color = Layers.Input([1], name: "colour", dtype: DType.String);
        var size = Layers.Input([1], name: "width");
        var features = preprocessor.Call([color, size]);
        Assert.Equal(4, features.Shape[1]);
        var outer = new Model([color, size], features);
        var x = outer.Predict(new Dictionary<string, object> { ["colour"] = new[] { "blue", "pink" }, ["width"] = new float[,] { { 5 }, { 6 } } }).ToArray<float>();
        Assert.Equal(new float[] { 0, 1, 0, 5, 1, 0, 0, 6 }, x);

        // A text tensor where the preprocessor takes numbers is refused naming the input.
        var wrong = Assert.Throws<ArgumentException>(() => preprocessor.Call([color, Layers.Input([1], name: "w2", dtype: DType.String)]));
        Assert.Contains("'size'", wrong.Message);
    }
}

/// <summary>Nested text preprocessors on the managed backend.</summary>
public sealed class ManagedNestedTextModelTests() : NestedTextModelTests("managed");

/// <summary>Nested text preprocessors on the native CPU backend.</summary>
public sealed class NativeCpuNestedTextModelTests() : NestedTextModelTests("cpu");

/// <summary>Nested text preprocessors on CUDA.</summary>
public sealed class CudaNestedTextModelTests() : NestedTextModelTests("cuda");
