using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// Gradients flow through the keras.ops added to the functional graph (and the eager softmax over
/// several axes they brought), equal to central finite differences in float64, and Fit trains a
/// layer before them through a float16 / float32 promotion.
/// </summary>
public abstract class SymbolicOps2GradientTests(string backend) : BackendTest(backend)
{
    private static Model Graph()
    {
        var x = Layers.Input([4], dtype: DType.Float64);
        var y = NF.Where(x > 0.1, NF.Gelu(x), NF.Softplus(x)) + NF.Maximum(x, -x * 0.5) * NF.Clip(x, -0.5, 0.8)
                + NF.Pow(NF.Abs(x) + 1, 1.5) + NF.Silu(x) * NF.Erf(x) + NF.LogSoftmax(x) + NF.Sin(x) * NF.Cos(x)
                + NF.Reshape(NF.Softmax(NF.Reshape(x * 2, [-1, 2, 2]), [1, 2]), [-1, 4]) + NF.L2Normalize(x, -1)
                + NF.Minimum(NF.Rsqrt(NF.Square(x) + 1), 0.9) + NF.Log1p(NF.Abs(x)) + NF.Expm1(x * 0.5) + NF.Reciprocal(NF.Square(x) + 2)
                + NF.ReduceMin(x, -1, keepDims: true);
        return new Model(x, NF.ReduceSum(NF.Squeeze(NF.ExpandDims(y, [1, 2]), [1, 2]), -1));
    }

    [SkippableFact]
    public void Gradients_equal_finite_differences()
    {
        RequireBackend();
        SymbolicOps2FiniteDifferences.AssertGradientMatches(Graph(), [0.3, -0.7, 1.2, -0.2, 0.9, 0.05, -1.1, 0.45], [2, 4], tolerance: 1e-5);
    }

    [SkippableFact]
    public void Fit_trains_through_a_float16_float32_promotion()
    {
        RequireBackend();
        NF.Random.SetSeed(1717);
        var input = Layers.Input([4]);
        var half = Layers.Input([4], dtype: DType.Float16);
        var dense = new Layers.Dense(4, name: "before_promotion");
        var h = dense.Call(input);
        var mixed = NF.Maximum(h, half * 0.1) + NF.Where(half > 0, h, -h);   // float32 with float16: float32
        var model = new Model([input, half], new Layers.Dense(1, name: "after_promotion").Call(mixed));
        model.Compile(new Optimizers.Adam(0.02f), new Losses.MeanSquaredError());
        var x = NF.Random.Normal([64, 4]);
        var signs = NF.Cast(NF.Random.Normal([64, 4]), DType.Float16);
        var y = NF.ReduceSum(x, 1, keepDims: true) * 0.5f;
        var before = dense.GetWeights()[0].ToArray<float>();
        var history = model.Fit([x, signs], y, batchSize: 16, epochs: 8, verbose: 0);
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], string.Join(", ", history["loss"]));
        Assert.NotEqual(before, dense.GetWeights()[0].ToArray<float>());
    }
}

public sealed class ManagedSymbolicOps2GradientTests() : SymbolicOps2GradientTests("managed");

public sealed class NativeCpuSymbolicOps2GradientTests() : SymbolicOps2GradientTests("cpu");

public sealed class CudaSymbolicOps2GradientTests() : SymbolicOps2GradientTests("cuda");
