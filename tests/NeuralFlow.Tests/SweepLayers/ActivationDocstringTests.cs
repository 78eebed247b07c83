using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's activation layers (keras/src/layers/activations/:
/// activation.py, leaky_relu.py, relu.py, softmax.py) on every engine, with their published
/// outputs. The inputs are NumPy float64 arrays there; Keras computes float32 from them.
/// </summary>
public abstract class ActivationDocstringTests(string backend) : BackendTest(backend)
{
    private static Tensor F64(params double[] values) => NF.Constant(values);

    [SkippableFact]
    public void Activation_by_name_and_by_function_gives_the_published_relu()
    {
        RequireBackend();
        // activation.py: Activation('relu') and Activation(keras.activations.relu) on [-3, -1, 0, 2].
        foreach (var layer in new[] { new Layers.Activation("relu"), new Layers.Activation(new Func<Tensor, Tensor>(NF.Relu)) })
            AssertValues([0, 0, 0, 2], Doubles(layer.Call(F64(-3, -1, 0, 2))), 0, 0, "Activation(relu)");
    }

    [SkippableFact]
    public void LeakyReLU_and_ReLU_give_the_published_slopes()
    {
        RequireBackend();
        // leaky_relu.py: LeakyReLU(negative_slope=0.5) on [-10, -5, 0, 5, 10] gives [-5, -2.5, 0, 5, 10].
        var x = F64(-10, -5, 0, 5, 10);
        AssertValues([-5, -2.5, 0, 5, 10], Doubles(new Layers.LeakyReLU(negativeSlope: 0.5).Call(x)), 0, 0, "LeakyReLU");
        // relu.py: ReLU(max_value=10, negative_slope=0.5, threshold=0) on the same input, the same result.
        AssertValues([-5, -2.5, 0, 5, 10], Doubles(new Layers.ReLU(maxValue: 10, negativeSlope: 0.5, threshold: 0).Call(x)), 0, 0, "ReLU");
    }

    [SkippableFact]
    public void Softmax_of_a_vector_gives_the_published_probabilities()
    {
        RequireBackend();
        // softmax.py: Softmax() on the 1-D [1, 2, 1] gives [0.21194157, 0.5761169, 0.21194157].
        var y = new Layers.Softmax().Call(F64(1, 2, 1));
        Assert.Equal(new Shape(3), y.Shape);
        AssertValues([0.21194157, 0.5761169, 0.21194157], Doubles(y), 1e-6, 0, "Softmax");
    }
}

public sealed class ManagedActivationDocstringTests() : ActivationDocstringTests("managed");

public sealed class NativeCpuActivationDocstringTests() : ActivationDocstringTests("cpu");

public sealed class CudaActivationDocstringTests() : ActivationDocstringTests("cuda");
