using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// Fit, Evaluate and Predict take C# arrays as Keras takes NumPy arrays (<c>model.fit(x_array, y_array)</c>): a
/// rectangular array is one tensor of its shape and element type. Before, an array did not convert to the
/// model's data at all (CS1503), so each call needed NF.Constant around it.
/// </summary>
public abstract class ModelDataArraysTests(string backend) : BackendTest(backend)
{
    private static readonly float[,] X = { { 1, 2, 3 }, { 4, 5, 6 }, { -1, 0, 2 }, { 3, -2, 1 }, { 0.5f, 0.5f, -3 } };
    private static readonly int[] Labels = [0, 1, 2, 1, 0];

    private static Model Compiled()
    {
        NF.Random.SetSeed(3);
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(4, activation: "relu"), new Layers.Dense(3, activation: "softmax"));
        model.Compile(new Optimizers.SGD(0.1), new Losses.SparseCategoricalCrossentropy(), metrics: ["accuracy"]);
        return model;
    }

    [SkippableFact]
    public void Arrays_train_evaluate_and_predict_as_the_tensors_they_hold()
    {
        RequireBackend();
        var fromArrays = Compiled();
        var h1 = fromArrays.Fit(X, Labels, batchSize: 2, epochs: 3, verbose: 0, shuffle: false);
        var fromTensors = Compiled();
        var h2 = fromTensors.Fit(NF.Constant(X), NF.Constant(Labels), batchSize: 2, epochs: 3, verbose: 0, shuffle: false);
        Assert.Equal(h2["loss"], h1["loss"]);
        Assert.Equal(h2["accuracy"], h1["accuracy"]);
        Assert.Equal(fromTensors.Evaluate(NF.Constant(X), NF.Constant(Labels), verbose: 0)["loss"],
                     fromArrays.Evaluate(X, new long[] { 0, 1, 2, 1, 0 }, verbose: 0)["loss"]);
        var predicted = fromArrays.Predict(new float[,] { { 1, 2, 3 } });
        Assert.Equal(new Shape(1, 3), predicted.Shape);
        Assert.Equal(fromArrays.Predict(NF.Constant(X))[0].ToArray<float>(), predicted[0].ToArray<float>());
        // A model of two inputs takes a tuple of tensors as before; a Tensor[] is still a list of tensors, not an array.
        Assert.Equal(new Shape(5, 3), fromArrays.Predict(new[] { NF.Constant(X) }).Shape);
    }

    [SkippableFact]
    public void A_jagged_array_is_refused_naming_the_rectangular_form()
    {
        RequireBackend();
        var model = Compiled();
        float[][] jagged = [[1, 2, 3], [4, 5, 6]];
        var e = Assert.Throws<ArgumentException>(() => model.Predict(jagged));
        Assert.Contains("float[,]", e.Message);
    }
}

/// <summary>Arrays as model data on the managed backend.</summary>
public sealed class ManagedModelDataArraysTests() : ModelDataArraysTests("managed");

/// <summary>Arrays as model data on the native CPU backend.</summary>
public sealed class NativeCpuModelDataArraysTests() : ModelDataArraysTests("cpu");

/// <summary>Arrays as model data on CUDA.</summary>
public sealed class CudaModelDataArraysTests() : ModelDataArraysTests("cuda");
