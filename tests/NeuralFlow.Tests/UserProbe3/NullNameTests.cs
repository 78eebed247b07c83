using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe3;

/// <summary>
/// A null string (a config value passed through, Keras' None) where the API converts names:
/// <c>Dense(3, activation=None)</c> is linear in Keras, a None initializer is the layer's
/// default and a None regularizer is none. The string conversions threw a
/// NullReferenceException from inside their name lookup; Compile with a null optimizer or loss
/// name now names the missing argument.
/// </summary>
public abstract class NullNameTests(string backend) : BackendTest(backend)
{
    private static readonly string? None = null;

    [SkippableFact]
    public void A_null_activation_name_is_linear()
    {
        RequireBackend();
        var dense = new Layers.Dense(2, activation: None, kernelInitializer: "ones");
        // Linear: [1, -3] @ ones(2, 2) = [-2, -2], not relu's zeros.
        Assert.Equal(new[] { -2f, -2f }, dense.Call(NF.Constant(new[,] { { 1f, -3f } })).ToArray<float>());
        Assert.Null(dense.Activation);
        Func<Tensor, Tensor>? noFunction = null;
        Assert.Null(new Layers.Conv2D(2, 3, activation: noFunction).Activation);
    }

    [SkippableFact]
    public void Null_initializer_and_regularizer_names_take_the_defaults()
    {
        RequireBackend();
        var dense = new Layers.Dense(2, kernelInitializer: None, biasInitializer: None, kernelRegularizer: None);
        dense.Call(NF.Ones([1, 3]));
        Assert.Equal("glorot_uniform", dense.KernelInitializer.Name);
        Assert.Equal(new[] { 0f, 0f }, dense.Bias!.ToArray<float>());
        Assert.Null(dense.KernelRegularizer);
        Assert.Empty(dense.Losses);
    }

    [SkippableFact]
    public void Compile_with_a_null_optimizer_or_loss_name_names_it()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Dense(1));
        Assert.Equal("optimizer", Assert.Throws<ArgumentNullException>(() => model.Compile(None!, "mse")).ParamName);
        Assert.Equal("loss", Assert.Throws<ArgumentNullException>(() => model.Compile("sgd", None!)).ParamName);
    }
}

public sealed class ManagedNullNameTests() : NullNameTests("managed");

public sealed class NativeCpuNullNameTests() : NullNameTests("cpu");

public sealed class CudaNullNameTests() : NullNameTests("cuda");
