using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's core layers (keras/src/layers/core/: embedding.py,
/// input_layer.py, lambda_layer.py, masking.py) on every engine: the published shapes, and what
/// the examples state in words (a softmax's rows sum to 1, masked steps are skipped by the LSTM).
/// </summary>
public abstract class CoreDocstringTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Embedding_in_a_compiled_sequential_model_predicts_the_published_shape()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        // embedding.py: Sequential + Embedding(1000, 64), compile('rmsprop', 'mse'), predict on randint(1000, size=(32, 10)).
        var model = new Sequential();
        model.Add(new Layers.Embedding(1000, 64));
        model.Compile("rmsprop", "mse");
        var output = model.Predict(NF.Random.Uniform([32, 10], 0, 1000, DType.Int64));
        Assert.Equal(new Shape(32, 10, 64), output.Shape);
    }

    [SkippableFact]
    public void Input_and_Lambda_examples_build_their_models()
    {
        RequireBackend();
        NF.Random.SetSeed(10);
        // input_layer.py: "a logistic regression in Keras": Input(shape=(32,)), Dense(16, softmax), Model(x, y).
        var x = Layers.Input([32]);
        var y = new Layers.Dense(16, activation: "softmax").Call(x);
        var model = new Model(x, y);
        Assert.Equal(new int?[] { null, 16 }, y.Shape);
        var probabilities = model.Predict(NF.Random.Normal([3, 32]));
        AssertValues([1, 1, 1], Doubles(NF.ReduceSum(probabilities, 1)), 1e-5, 0, "softmax rows");
        // lambda_layer.py: model.add(Lambda(lambda x: x ** 2)).
        var squares = new Sequential();
        squares.Add(new Layers.Lambda(t => NF.Square(t)));
        AssertValues([4, 0.25, 9], Doubles(squares.Predict(NF.Constant(new float[,] { { -2, 0.5f, 3 } }))), 1e-6, 0, "Lambda(x ** 2)");
    }

    [SkippableFact]
    public void Masking_skips_the_zeroed_steps_in_the_LSTM()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        // masking.py: samples, timesteps, features = 32, 10, 8; steps 3 and 5 zeroed; Masking(0.0) then LSTM(32).
        var inputs = NF.Random.Uniform([32, 10, 8]);
        var steps = Enumerable.Range(0, 10).Select(t => t is 3 or 5 ? NF.Zeros([32, 1, 8]) : inputs[.., t..(t + 1), ..]).ToArray();
        var masked = NF.Concat(steps, 1);
        var lstm = new Layers.LSTM(32);
        var model = new Sequential();
        model.Add(new Layers.Masking(maskValue: 0.0));
        model.Add(lstm);
        var output = model.Call(masked);
        Assert.Equal(new Shape(32, 32), output.Shape);
        // "The time step 3 and 5 will be skipped from LSTM calculation": the same LSTM on the other eight steps.
        var kept = NF.Concat(steps.Where((_, t) => t is not (3 or 5)).ToArray(), 1);
        AssertValues(Doubles(lstm.Call(kept)), Doubles(output), 1e-5, 1e-6, "masked LSTM");
    }
}

public sealed class ManagedCoreDocstringTests() : CoreDocstringTests("managed");

public sealed class NativeCpuCoreDocstringTests() : CoreDocstringTests("cpu");

public sealed class CudaCoreDocstringTests() : CoreDocstringTests("cuda");
