using NeuralFlow.Keras;

namespace NeuralFlow.Tests.SweepOps;

/// <summary>
/// The printed examples of Keras 3's keras/src/ops/math.py, nn.py (beyond the activations),
/// core.py and linalg.py docstrings, and of keras/src/optimizers/rmsprop.py, whose operation
/// NeuralFlow has, on every engine, dtype included.
/// </summary>
public abstract class MathNnCoreDocstringTests(string backend) : BackendTest(backend)
{
    private static Tensor I(params int[] v) => NF.Constant(v);
    private static Tensor F32(params float[] v) => NF.Constant(v);
    private static readonly DType I32 = DType.Int32, F32Type = DType.Float32, F64 = DType.Float64;

    private static readonly float[,] Probabilities = { { 0.9f, 0.05f, 0.05f }, { 0.1f, 0.8f, 0.1f }, { 0.2f, 0.3f, 0.5f } };

    // keras/src/ops/math.py.
    [SkippableFact]
    public void Math_examples_give_the_printed_values()
    {
        RequireBackend();
        Published.Is(NF.UnsortedSegmentSum(I(1, 2, 10, 20, 100, 200), I(0, 0, 1, 1, 2, 2), 3), I32, [3, 30, 300], 0, 0);
        var (values, indices) = NF.TopK(I(5, 2, 7, 1, 9, 3), k: 3);
        Published.Is(values, I32, [9, 7, 5], 0, 0);
        Published.Is(indices, I32, [4, 2, 0], 0, 0);
        Published.Is(NF.ReduceLogSumExp(F32(1, 2, 3)), F32Type, 3.407606);
        Published.Is(NF.Rsqrt(F32(1, 10, 100)), F32Type, [1.0, 0.31622776, 0.1]);
        // np.array input: float64 (the docstring prints JAX's float32); values to its 5-6 digits.
        Published.Is(NF.Erf(NF.Constant(new double[] { -3, -2, -1, 0, 1 })), F64, [-0.99998, -0.99532, -0.842701, 0, 0.842701], 1e-5, 1e-5);
    }

    // keras/src/ops/nn.py: one_hot, the three crossentropies, moments, batch_normalization, normalize.
    [SkippableFact]
    public void Nn_examples_give_the_printed_values()
    {
        RequireBackend();
        Published.Is(NF.OneHot(I(1, 3, 2, 0), 4), F32Type, [4, 4], [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0], 0, 0);
        // keras.ops.binary_crossentropy is elementwise; the loss's per-example form over a last axis of 1 is the same.
        var bce = Losses.BinaryCrossentropy.PerExample(NF.Reshape(I(0, 1, 1, 0), [4, 1]), NF.Reshape(F32(0.1f, 0.9f, 0.8f, 0.2f), [4, 1]));
        Published.Is(bce, F32Type, [0.10536054, 0.10536054, 0.22314355, 0.22314355], 1e-5);
        var target = NF.Constant(new[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
        Published.Is(Losses.CategoricalCrossentropy.PerExample(target, NF.Constant(Probabilities)), F32Type, [0.10536054, 0.22314355, 0.6931472], 1e-5);
        Published.Is(Losses.SparseCategoricalCrossentropy.PerExample(I(0, 1, 2), NF.Constant(Probabilities)), F32Type, [0.10536056, 0.22314355, 0.6931472], 1e-5);
        var (mean, variance) = NF.Moments(F32(0, 1, 2, 3, 100), [0]);
        Published.Is(mean, F32Type, 21.2);
        Published.Is(variance, F32Type, 1553.3601);
        var x = NF.Constant(new[,] { { 0.1f, 0.2f, 0.3f }, { 0.4f, 0.5f, 0.6f }, { 0.7f, 0.8f, 0.9f } });
        var normalized = NF.BatchNormalization(x, F32(0.4f, 0.5f, 0.6f), F32(0.67f, 0.67f, 0.67f), axis: -1);
        Published.Is(normalized, F32Type, [3, 3], [-0.36624, -0.36624, -0.36624, 0, 0, 0, 0.36624, 0.36624, 0.36624], 1e-4, 1e-6);
        // keras.ops.normalize of int32 is float32 (its x / norm in Keras' float rules).
        Published.Is(Utils.Normalize(NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } })), F32Type, [2, 3],
            [0.26726124, 0.5345225, 0.8017837, 0.45584232, 0.5698029, 0.68376344]);
    }

    // keras/src/ops/core.py: scatter, scatter_update with reduction "add", shape, dtype; linalg.py: norm.
    [SkippableFact]
    public void Core_and_linalg_examples_give_the_printed_values()
    {
        RequireBackend();
        var indices = NF.Constant(new[,] { { 0, 1 }, { 1, 1 } });
        Published.Is(NF.ScatterNd(indices, NF.Constant(new double[] { 1, 1 }), new Shape(2, 2)), F64, [2, 2], [0, 1, 0, 1], 0, 0);
        var added = NF.TensorScatterAdd(NF.Zeros([4], F64), NF.Constant(new[,] { { 0 }, { 0 }, { 1 } }), NF.Constant(new double[] { 1, 1, 1 }));
        Published.Is(added, F64, [2, 1, 0, 0], 0, 0);
        var zeros = NF.Zeros([8, 12]);
        Assert.Equal([8, 12], zeros.Shape.ToArray());
        Assert.Equal("float32", zeros.DType.Name());
        Published.Is(NF.Norm(NF.Reshape(NF.Range(0f, 9f) - 4, [3, 3])), F32Type, 7.7459664);
    }

    // keras/src/optimizers/rmsprop.py: one step of lr 0.1 on loss var²/2 (gradient = var = 10).
    [SkippableFact]
    public void Rmsprop_example_steps_to_the_printed_value()
    {
        RequireBackend();
        var v = new Variable(10f);
        var optimizer = new Optimizers.RMSprop(learningRate: 0.1);
        using (var tape = new GradientTape())
        {
            var loss = NF.Square(v) / 2;
            optimizer.ApplyGradients([tape.Gradient(loss, v)], [v]);
        }
        Published.Is(v, F32Type, 9.683772);
    }
}

public sealed class ManagedMathNnCoreDocstringTests() : MathNnCoreDocstringTests("managed");

public sealed class NativeCpuMathNnCoreDocstringTests() : MathNnCoreDocstringTests("cpu");

public sealed class CudaMathNnCoreDocstringTests() : MathNnCoreDocstringTests("cuda");
