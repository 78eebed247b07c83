using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.UserProbe7;

/// <summary>
/// Keras losses with inputs a TF2 user may pass and the existing sweeps do not: float64 tensors,
/// int64 and uint8 class ids of rank 1 and rank 2, logits of magnitude 1000, label smoothing with
/// logits, probabilities of exactly 0 and 1, sample weights with zeros under every reduction, and
/// non-binary hinge labels. References: loss_edge_references.py beside this file (PyTorch 1.13
/// float64 and NumPy, following Keras' documented formulas).
/// </summary>
public abstract class LossEdgeTests(string backend) : BackendTest(backend)
{
    private static readonly double[,] Logits = { { 1000, 0, -1000 }, { 0, 0, 0 }, { -3, 2, 0.5 }, { 50, -50, 49 } };

    private static double[] Values(Tensor t)
    {
        Assert.Equal(DType.Float64, t.DType);
        return t.ToArray<double>();
    }

    [SkippableFact]
    public void Sparse_categorical_crossentropy_takes_int64_uint8_and_rank2_ids_with_huge_logits()
    {
        RequireBackend();
        double[] expected = [0, 1.0986122886681098, 0.2069069336734131, 1.3132616875182228];
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true, reduction: "none");
        AssertClose(expected, Values(loss.Call(NF.Constant(new long[] { 0, 2, 1, 2 }), NF.Constant(Logits))), 1e-12, 1e-12, "int64 ids");
        AssertClose(expected, Values(loss.Call(NF.Constant(new byte[] { 0, 2, 1, 2 }), NF.Constant(Logits))), 1e-12, 1e-12, "uint8 ids");
        AssertClose(expected, Values(loss.Call(NF.Constant(new long[,] { { 0 }, { 2 }, { 1 }, { 2 } }), NF.Constant(Logits))), 1e-12, 1e-12, "(N, 1) ids");
        // The wrong class at logit -1000: a finite 2000, not inf or NaN.
        AssertClose([2000], Values(loss.Call(NF.Constant(new long[] { 2 }), NF.Constant(new double[,] { { 1000, 0, -1000 } }))), 1e-12, 0, "huge wrong");
        using var mean = new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(NF.Constant(new long[] { 0, 2, 1, 2 }), NF.Constant(Logits));
        Assert.Equal(expected.Sum() / 4, mean.ToArray<double>()[0], 12);
    }

    [SkippableFact]
    public void Categorical_and_binary_crossentropy_smooth_labels_with_huge_logits()
    {
        RequireBackend();
        var onehot = NF.Constant(new double[,] { { 1, 0, 0 }, { 0, 0, 1 }, { 0, 1, 0 }, { 0, 0, 1 } });
        AssertClose([100.0, 1.0986122886681098, 0.42357360034007974, 4.579928354184889],
            Values(new Losses.CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1, reduction: "none").Call(onehot, NF.Constant(Logits))),
            1e-12, 1e-12, "cce smoothed");
        var z = NF.Constant(new double[,] { { 1000, -1000 }, { 0, 3 }, { -40, 40 } });
        var y = NF.Constant(new double[,] { { 1, 1 }, { 0, 1 }, { 1, 0 } });
        AssertClose([500.0, 0.5208672660668436, 36.0],
            Values(new Losses.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.2, reduction: "none").Call(y, z)), 1e-12, 1e-12, "bce smoothed");
        // Probabilities of exactly 0 and 1 are clipped to [1e-7, 1 - 1e-7], as Keras.
        AssertClose([8.059047875479163, 0.3465736402799751, 8.05904787574234],
            Values(new Losses.BinaryCrossentropy(reduction: "none").Call(y, NF.Constant(new double[,] { { 1, 0 }, { 0, 0.5 }, { 1, 1 } }))), 1e-6, 0, "bce probabilities");
    }

    [SkippableFact]
    public void Sample_weights_with_zeros_reduce_as_keras_under_each_reduction()
    {
        RequireBackend();
        var z = NF.Constant(new double[,] { { 1000, -1000 }, { 0, 3 }, { -40, 40 } });
        var y = NF.Constant(new double[,] { { 1, 1 }, { 0, 1 }, { 1, 0 } });
        var w = NF.Constant(new[] { 2.0, 0.0, 0.5 });
        Assert.Equal(340.0, new Losses.BinaryCrossentropy(fromLogits: true).Call(y, z, w).ToArray<double>()[0], 9);
        Assert.Equal(1020.0, new Losses.BinaryCrossentropy(fromLogits: true, reduction: "sum").Call(y, z, w).ToArray<double>()[0], 9);
        Assert.Equal(408.0, new Losses.BinaryCrossentropy(fromLogits: true, reduction: "mean_with_sample_weight").Call(y, z, w).ToArray<double>()[0], 9);
        // All-zero weights: 0 under every reduction (Keras' divide_no_nan), never NaN.
        var zeros = NF.Constant(new[] { 0.0, 0.0, 0.0 });
        foreach (var reduction in new[] { "sum_over_batch_size", "sum", "mean_with_sample_weight" })
            Assert.Equal(0.0, new Losses.BinaryCrossentropy(fromLogits: true, reduction: reduction).Call(y, z, zeros).ToArray<double>()[0]);
        // (N, 1) weights against (N,) per-example losses, float32 weights against float64 values.
        AssertClose([2 * 500.0, 0, 0.5 * 40.0], Values(new Losses.BinaryCrossentropy(fromLogits: true, reduction: "none")
            .Call(y, z, NF.Constant(new float[,] { { 2 }, { 0 }, { 0.5f } }))), 1e-9, 1e-9, "(N, 1) weights");
    }

    [SkippableFact]
    public void Regression_losses_in_float64_match_torch_and_numpy()
    {
        RequireBackend();
        var a = NF.Constant(new double[,] { { 0, 1000, -3 }, { 1e-3, 2, 0.3 } });
        var b = NF.Constant(new double[,] { { 1, 0, -2.5 }, { 0, 2, 0 } });
        AssertClose([166.79166666666666, 0.015000166666666667], Values(new Losses.Huber(0.5, "none").Call(b, a)), 1e-12, 1e-15, "huber");
        // log cosh of a difference of 1000 is 1000 - log 2, not inf.
        AssertClose([333.2869160522938, 0.014780423308618987], Values(new Losses.LogCosh("none").Call(b, a)), 1e-12, 1e-15, "logcosh");
        var yk = NF.Constant(new double[,] { { 0, 1, 0 }, { 0.25, 0.25, 0.5 } });
        var pk = NF.Constant(new double[,] { { 0.5, 0.5, 0 }, { 0.2, 0.3, 0.5 } });
        AssertClose([0.6931456380650982, 0.010205498630063786], Values(new Losses.KLDivergence("none").Call(yk, pk)), 1e-9, 1e-12, "kld");
        AssertClose([0.5643823268533218, 0.6833086537122345], Values(new Losses.Poisson("none").Call(yk, pk)), 1e-9, 1e-12, "poisson");
        var yh = NF.Constant(new double[,] { { 1, -1, 0, 1 } });
        var ph = NF.Constant(new double[,] { { 0.3, 0.8, -2, 1.5 } });
        AssertClose([0.875], Values(new Losses.Hinge("none").Call(yh, ph)), 1e-12, 0, "hinge");
        AssertClose([1.1825], Values(new Losses.SquaredHinge("none").Call(yh, ph)), 1e-12, 0, "squared hinge");
    }

    [SkippableFact]
    public void Targets_take_the_predictions_dtype_as_keras_casts_y_true()
    {
        RequireBackend();
        // Keras casts y_true to y_pred's dtype: float64 or int64 targets against float32
        // predictions give a float32 loss; float32 targets against float64 predictions a float64 one.
        var p32 = NF.Constant(new[,] { { 0.25f, 0.75f }, { 0.5f, 0.5f } });
        using var bce = new Losses.BinaryCrossentropy().Call(NF.Constant(new[,] { { 0.0, 1.0 }, { 1.0, 0.0 } }), p32);
        Assert.Equal(DType.Float32, bce.DType);
        Assert.Equal(0.4904146, bce.ToArray<float>()[0], 5);   // mean of -log 0.75 and -log 0.5
        using var bceInt = new Losses.BinaryCrossentropy().Call(NF.Constant(new long[,] { { 0, 1 }, { 1, 0 } }), p32);
        Assert.Equal(DType.Float32, bceInt.DType);
        Assert.Equal(0.4904146, bceInt.ToArray<float>()[0], 5);
        using var cce = new Losses.CategoricalCrossentropy().Call(NF.Constant(new byte[,] { { 0, 1 }, { 1, 0 } }), p32);
        Assert.Equal(DType.Float32, cce.DType);
        Assert.Equal(0.4904146, cce.ToArray<float>()[0], 5);
        using var mse = new Losses.MeanSquaredError().Call(NF.Constant(new[] { 1f, 2f }), NF.Constant(new[] { 1.5, 2.0 }));
        Assert.Equal(DType.Float64, mse.DType);
        Assert.Equal(0.125, mse.ToArray<double>()[0], 15);
    }

    [SkippableFact]
    public void An_empty_batch_gives_zero_and_an_empty_none_reduction()
    {
        RequireBackend();
        var y = NF.Zeros([0, 3], DType.Float64);
        Assert.Equal(0.0, new Losses.CategoricalCrossentropy(fromLogits: true).Call(y, y).ToArray<double>()[0]);
        Assert.Equal(0.0, new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(NF.Zeros([0], DType.Int64), y).ToArray<double>()[0]);
        Assert.Equal(new Shape(0), new Losses.MeanSquaredError("none").Call(y, y).Shape);
    }
}

public sealed class ManagedLossEdgeTests() : LossEdgeTests("managed");

public sealed class NativeCpuLossEdgeTests() : LossEdgeTests("cpu");

public sealed class CudaLossEdgeTests() : LossEdgeTests("cuda");
