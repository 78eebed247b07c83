using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Second derivatives through Keras layers with float64 weights: f(x) = x * sum(layer(x)) and the
/// gradient of its gradient against finite differences, or a NotSupportedException naming the
/// gradient of a gradient (pooling's fused backward refuses), never a silently wrong value.
/// Input gradients of this kind are what a gradient penalty, an adversarial (FGSM) training step
/// or a Jacobian regulariser differentiate.
/// </summary>
public abstract class LayerSecondOrderSweepTests(string backend) : BackendTest(backend)
{
    private static T F64<T>(T layer) where T : Layer { layer.VariableDType = DType.Float64; return layer; }

    // Each: the input shape and the layer (built on first call).
    private static readonly Dictionary<string, (int[] Shape, Func<Layer> Make)> Cases = new()
    {
        ["Dense"] = ([3, 4], () => F64(new Layers.Dense(3, activation: "gelu"))),
        ["EinsumDense"] = ([2, 3, 4], () => F64(new Layers.EinsumDense("abc,cd->abd", [null, 3], biasAxes: "d"))),
        ["Conv1D"] = ([1, 6, 2], () => F64(new Layers.Conv1D(2, 3, padding: "same", activation: "tanh"))),
        ["Conv2D"] = ([1, 4, 4, 2], () => F64(new Layers.Conv2D(2, 3, strides: 2, padding: "same", activation: "swish"))),
        ["Conv3D"] = ([1, 3, 3, 3, 1], () => F64(new Layers.Conv3D(2, 2, activation: "sigmoid"))),
        ["DepthwiseConv2D"] = ([1, 4, 4, 2], () => F64(new Layers.DepthwiseConv2D(2, activation: "tanh"))),
        ["SeparableConv2D"] = ([1, 4, 4, 2], () => F64(new Layers.SeparableConv2D(2, 2, activation: "tanh"))),
        ["Conv2DTranspose"] = ([1, 3, 3, 2], () => F64(new Layers.Conv2DTranspose(2, 2, strides: 2, activation: "tanh"))),
        ["LSTM"] = ([2, 3, 2], () => F64(new Layers.LSTM(3))),
        ["GRU"] = ([2, 3, 2], () => F64(new Layers.GRU(3, returnSequences: true))),
        ["SimpleRNN"] = ([2, 3, 2], () => F64(new Layers.SimpleRNN(3))),
        ["BatchNormalization"] = ([4, 3], () => F64(new Layers.BatchNormalization())),
        ["LayerNormalization"] = ([3, 4], () => F64(new Layers.LayerNormalization())),
        ["GroupNormalization"] = ([2, 2, 4], () => F64(new Layers.GroupNormalization(2))),
        ["RMSNormalization"] = ([3, 4], () => F64(new Layers.RMSNormalization())),
        ["UnitNormalization"] = ([3, 4], () => F64(new Layers.UnitNormalization())),
        ["MultiHeadAttention"] = ([1, 3, 4], () => F64(new Layers.MultiHeadAttention(2, 2))),
        ["Attention"] = ([1, 3, 4], () => F64(new Layers.Attention())),
        ["AveragePooling2D"] = ([1, 4, 4, 1], () => new Layers.AveragePooling2D()),
        ["MaxPooling2D"] = ([1, 4, 4, 1], () => new Layers.MaxPooling2D()),
        ["GlobalAveragePooling2D"] = ([1, 3, 3, 2], () => new Layers.GlobalAveragePooling2D()),
        ["UpSampling2D"] = ([1, 2, 2, 1], () => new Layers.UpSampling2D(2, "bilinear")),
        ["ZeroPadding2D"] = ([1, 2, 2, 1], () => new Layers.ZeroPadding2D()),
        ["PReLU"] = ([3, 4], () => F64(new Layers.PReLU())),
        ["Softmax"] = ([3, 4], () => new Layers.Softmax()),
    };

    // Those whose fused backward refuses under an outer tape (named in the exception): none since pooling's is recorded.
    private static readonly HashSet<string> Refused = [];

    public static TheoryData<string> Names() => new(Cases.Keys);

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Second_derivative_is_right_or_refused(string name)
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var (shape, make) = Cases[name];
        var layer = make();
        Func<Tensor, Tensor> call = name == "Attention" ? x => layer.Call([x, NF.Sin(x)])
            : name == "MultiHeadAttention" ? x => ((Layers.MultiHeadAttention)layer).Call(x, NF.Sin(x)) : layer.Call;
        try
        {
            SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(NF.Square(call(x))), shape);
        }
        catch (NotSupportedException e) when (!Refused.Contains(name))
        {
            Assert.Fail($"{name} refused a second derivative it is expected to give: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            Assert.Contains("gradient of its gradient", e.Message);
        }
    }
}

public sealed class ManagedLayerSecondOrderSweepTests() : LayerSecondOrderSweepTests("managed");
public sealed class NativeCpuLayerSecondOrderSweepTests() : LayerSecondOrderSweepTests("cpu");
public sealed class CudaLayerSecondOrderSweepTests() : LayerSecondOrderSweepTests("cuda");
