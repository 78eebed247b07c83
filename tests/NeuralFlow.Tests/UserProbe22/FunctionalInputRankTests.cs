using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// A functional model built on Input([1]) takes a 1-D column (shape (N,)) in Call, Predict, Fit and Evaluate, as
/// Keras 3's Functional._adjust_input_rank allows (a trailing axis of 1 added, or an extra one dropped). Before, only
/// Sequential did, and the functional model threw "expects shape (None, 1), but it received a tensor of shape (N,)".
/// </summary>
public abstract class FunctionalInputRankTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_functional_model_on_input_of_one_feature_takes_a_column()
    {
        RequireBackend();
        NF.Random.SetSeed(2201);
        var input = Layers.Input([1]);
        var output = new Layers.Dense(1, kernelInitializer: Initializer.Constant(2.0), biasInitializer: Initializer.Constant(0.5)).Call(input);
        var model = new Model(input, output);
        var column = NF.Constant(new[] { 1f, 2f, 3f, 4f });
        var y = model.Call(column);
        Assert.Equal(new[] { 4, 1 }, y.Shape.ToArray());
        Assert.Equal(new[] { 2.5f, 4.5f, 6.5f, 8.5f }, y.ToArray<float>());
        Assert.Equal(y.ToArray<float>(), model.Predict(column).ToArray<float>());
        // An extra trailing axis of 1 is dropped: (N, 1, 1) runs as (N, 1).
        Assert.Equal(new[] { 4, 1 }, model.Call(NF.Reshape(column, [4, 1, 1])).Shape.ToArray());

        model.Compile(new Keras.Optimizers.SGD(0.01), "mse");
        var labels = NF.Constant(new[] { 3f, 5f, 7f, 9f });
        var history = model.Fit(column, labels, epochs: 5, batchSize: 2, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0]);
        Assert.True(float.IsFinite(model.Evaluate(column, labels, verbose: 0).Loss));

        // Any other rank is still refused with the shapes named.
        var ex = Assert.Throws<ArgumentException>(() => model.Call(NF.Ones(new Shape(4, 2))));
        Assert.Contains("(4, 2)", ex.Message);
        var wide = Layers.Input([3]);
        var wideModel = new Model(wide, new Layers.Dense(1).Call(wide));
        Assert.Contains("(4,)", Assert.Throws<ArgumentException>(() => wideModel.Call(column)).Message);
    }
}

/// <summary>Functional input rank on the managed backend.</summary>
public sealed class ManagedFunctionalInputRankTests() : FunctionalInputRankTests("managed");

/// <summary>Functional input rank on the native CPU backend.</summary>
public sealed class NativeCpuFunctionalInputRankTests() : FunctionalInputRankTests("cpu");

/// <summary>Functional input rank on CUDA.</summary>
public sealed class CudaFunctionalInputRankTests() : FunctionalInputRankTests("cuda");
