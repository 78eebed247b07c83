using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe3;

/// <summary>
/// Keras' <c>Conv2D(..., kernel_regularizer=l2(...), bias_regularizer=..., activity_regularizer=...)</c>
/// as constructor arguments, as Dense has them (Conv2D had only settable properties). Values by
/// hand from Keras 3's formulas: L2 = l2 * sum(w^2), L1 = l1 * sum(|w|), on a batch of one.
/// </summary>
public abstract class ConvRegularizerTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Constructor_regularizers_add_their_penalties()
    {
        RequireBackend();
        var conv = new Layers.Conv2D(2, 2, kernelInitializer: "ones", biasInitializer: "ones",
            kernelRegularizer: new Regularizers.L2(0.01), biasRegularizer: new Regularizers.L1(0.1), activityRegularizer: new Regularizers.L2(0.5));
        var y = conv.Call(NF.Ones([1, 3, 3, 1]));
        Assert.Equal(Enumerable.Repeat(5f, 8), y.ToArray<float>());   // 2x2 ones window + bias 1
        // kernel: 0.01 * 8 ones; bias: 0.1 * 2; activity: 0.5 * 8 outputs of 5^2.
        Assert.Equal(0.08 + 0.2 + 100, conv.Losses.Sum(l => (double)l.Item<float>()), 4);
        Assert.Equal(0.01, ((Regularizers.L2)conv.KernelRegularizer!).Factor, 9);
    }
}

public sealed class ManagedConvRegularizerTests() : ConvRegularizerTests("managed");

public sealed class NativeCpuConvRegularizerTests() : ConvRegularizerTests("cpu");

public sealed class CudaConvRegularizerTests() : ConvRegularizerTests("cuda");
