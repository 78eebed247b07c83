using NeuralFlow.Keras;
using static NeuralFlow.Tests.Keras16.MetricData;
using static NeuralFlow.Tests.SweepLossMetric.Published;

namespace NeuralFlow.Tests.SweepLossMetric;

/// <summary>
/// Every numbered example of the docstrings of keras/src/losses/losses.py (Keras 3, at
/// /work/.mirror/keras-team+keras HEAD 3422977a), checked to the printed precision on every
/// engine: the class forms with sample_weight and each reduction, and the function forms. The
/// examples other suites already check (CategoricalFocalCrossentropy and Dice in
/// Breadth3/SegmentationFocalLossTests) are not repeated here; the function examples whose
/// inputs are random (hinge, mean_squared_error, ...) print no number and are left out, except
/// kl_divergence and poisson, whose docstrings assert a NumPy formula, checked here on fixed inputs.
/// </summary>
public abstract class LossDocstringTests(string backend) : BackendTest(backend)
{
    // BinaryCrossentropy's and BinaryFocalCrossentropy's examples: logits of 4 samples, as one
    // example of 4 (Example 1) and as 2 examples of 2 (Example 2).
    private static Tensor Flat4True => T([0, 1, 0, 0]);
    private static Tensor Flat4Logits => T([-18.6, 0.51, 2.94, -12.8]);
    private static Tensor Two2True => T([0, 1, 0, 0], 2, 2);
    private static Tensor Two2Logits => T([-18.6, 0.51, 2.94, -12.8], 2, 2);
    private static Tensor Weights82 => T([0.8, 0.2]);

    // The cross-entropies' examples (CategoricalCrossentropy, SparseCategoricalCrossentropy).
    private static Tensor OneHot => T([0, 1, 0, 0, 0, 1], 2, 3);
    private static Tensor Probabilities => T([0.05, 0.95, 0, 0.1, 0.8, 0.1], 2, 3);
    private static Tensor Weights37 => T([0.3, 0.7]);

    // The function examples' [[0, 1], [0, 0]] against [[0.6, 0.4], [0.4, 0.6]].
    private static Tensor Y01 => T([0, 1, 0, 0], 2, 2);
    private static Tensor P64 => T([0.6, 0.4, 0.4, 0.6], 2, 2);

    [SkippableFact]
    public void Regression_losses_give_their_class_examples()
    {
        RequireBackend();
        Is("0.02", Value(new Losses.MeanSquaredError().Call(T([1.0, 0.0, 1.0]), T([0.9, 0.1, 0.8]))), "MeanSquaredError");
        Is("0.5666667", Value(new Losses.MeanAbsoluteError().Call(T([1.0, 0.3, 1.0]), T([1.9, 0.3, 1.8]))), "MeanAbsoluteError");
        Is("6.111111", Value(new Losses.MeanAbsolutePercentageError().Call(T([100.0, 200.0, 300.0]), T([90.0, 210.0, 310.0]))), "MeanAbsolutePercentageError");
    }

    [SkippableFact]
    public void BinaryCrossentropy_from_logits_gives_its_class_examples()
    {
        RequireBackend();
        var bce = new Losses.BinaryCrossentropy(fromLogits: true);
        Is("0.8654", Value(bce.Call(Flat4True, Flat4Logits)), "Example 1");
        Is("0.8654", Value(bce.Call(Two2True, Two2Logits)), "Example 2");
        Is("0.243", Value(bce.Call(Two2True, Two2Logits, Weights82)), "Example 2, sample_weight [0.8, 0.2]");
        Is("1.730", Value(new Losses.BinaryCrossentropy(fromLogits: true, reduction: "sum").Call(Two2True, Two2Logits)), "Example 2, reduction sum");
        Are(["0.235", "1.496"], Values(new Losses.BinaryCrossentropy(fromLogits: true, reduction: null).Call(Two2True, Two2Logits)), "Example 2, reduction None");
    }

    [SkippableFact]
    public void BinaryFocalCrossentropy_gives_its_class_examples()
    {
        RequireBackend();
        Losses.BinaryFocalCrossentropy Focal(double gamma, bool balanced = false, string? reduction = Losses.SumOverBatchSize) =>
            new(applyClassBalancing: balanced, gamma: gamma, fromLogits: true, reduction: reduction);
        Is("0.691", Value(Focal(2).Call(Flat4True, Flat4Logits)), "Example 1, gamma 2");
        Is("0.51", Value(Focal(2, balanced: true).Call(Flat4True, Flat4Logits)), "Example 1, class balancing");
        Is("0.647", Value(Focal(3).Call(Two2True, Two2Logits)), "Example 2, gamma 3");
        Is("0.482", Value(Focal(3, balanced: true).Call(Two2True, Two2Logits)), "Example 2, class balancing");
        Is("0.133", Value(Focal(3).Call(Two2True, Two2Logits, Weights82)), "sample_weight [0.8, 0.2]");
        Is("0.097", Value(Focal(3, balanced: true).Call(Two2True, Two2Logits, Weights82)), "sample_weight, class balancing");
        Is("1.222", Value(Focal(4, reduction: "sum").Call(Two2True, Two2Logits)), "gamma 4, reduction sum");
        Is("0.914", Value(Focal(4, balanced: true, reduction: "sum").Call(Two2True, Two2Logits)), "reduction sum, class balancing");
        Are(["0.0017", "1.1561"], Values(Focal(5, reduction: null).Call(Two2True, Two2Logits)), "gamma 5, reduction None");
        Are(["0.0004", "0.8670"], Values(Focal(5, balanced: true, reduction: null).Call(Two2True, Two2Logits)), "reduction None, class balancing");
    }

    [SkippableFact]
    public void Categorical_and_sparse_crossentropy_give_their_class_examples()
    {
        RequireBackend();
        foreach (var (what, labels, make) in new (string, Tensor, Func<string?, Losses.Loss>)[]
        {
            ("CategoricalCrossentropy", OneHot, r => new Losses.CategoricalCrossentropy(reduction: r)),
            ("SparseCategoricalCrossentropy", T([1, 2]), r => new Losses.SparseCategoricalCrossentropy(reduction: r)),
        })
        {
            var loss = make(Losses.SumOverBatchSize);
            Is("1.177", Value(loss.Call(labels, Probabilities)), what);
            Is("0.814", Value(loss.Call(labels, Probabilities, Weights37)), $"{what}, sample_weight [0.3, 0.7]");
            Is("2.354", Value(make("sum").Call(labels, Probabilities)), $"{what}, reduction sum");
            Are(["0.0513", "2.303"], Values(make(null).Call(labels, Probabilities)), $"{what}, reduction None");
        }
        // The sparse loss takes integer labels as the docstring's np.array([1, 2]) is.
        Is("1.177", Value(new Losses.SparseCategoricalCrossentropy().Call(NF.Constant(new long[] { 1, 2 }), Probabilities)), "int64 labels");
    }

    [SkippableFact]
    public void Function_forms_give_their_examples()
    {
        RequireBackend();
        Are(["-0.", "-0.99999994", "0.99999994"],
            Values(Losses.CosineSimilarity.PerExample(T([0, 1, 1, 1, 1, 1], 3, 2), T([1, 0, 1, 1, -1, -1], 3, 2), axis: -1)), "cosine_similarity");
        // huber and log_cosh give one value per example; the docstrings print their mean.
        Is("0.155", Values(Losses.Huber.PerExample(Y01, P64)).Average(), "huber");
        Is("0.108", Values(Losses.LogCosh.PerExample(T([0, 1, 0, 0], 2, 2), T([1, 1, 0, 0], 2, 2))).Average(), "log_cosh");
        Are(["0.0513", "2.303"], Values(Losses.CategoricalCrossentropy.PerExample(OneHot, Probabilities)), "categorical_crossentropy");
        Are(["0.0513", "2.303"], Values(Losses.SparseCategoricalCrossentropy.PerExample(T([1, 2]), Probabilities)), "sparse_categorical_crossentropy");
        Are(["0.916", "0.714"], Values(Losses.BinaryCrossentropy.PerExample(Y01, P64)), "binary_crossentropy");
        var focal = Values(Losses.BinaryFocalCrossentropy.PerExample(Y01, P64, gamma: 2));
        Are(["0.330", "0.206"], focal, "binary_focal_crossentropy, gamma 2");
        // The docstring's "bce_loss" calls binary_focal_crossentropy with its default gamma (2), yet
        // prints binary_crossentropy's values and their ratio: the ratio is to binary_crossentropy.
        var bce = Values(Losses.BinaryCrossentropy.PerExample(Y01, P64));
        Are(["0.360", "0.289"], [focal[0] / bce[0], focal[1] / bce[1]], "focal_loss / bce_loss");
    }

    // kl_divergence's and poisson's docstrings draw random inputs and assert a NumPy formula; these
    // fixed inputs stand in for them, the formula evaluated here in float64.
    [SkippableFact]
    public void Kl_divergence_and_poisson_functions_follow_their_docstring_formulas()
    {
        RequireBackend();
        double[] yTrue = [0, 1, 1, 1, 0, 0];
        double[] yPred = [0.2, 0.5, 0.9, 0.7, 0.1, 0.3];
        var kl = Losses.KLDivergence.PerExample(T(yTrue, 2, 3), T(yPred, 2, 3));
        Assert.Equal(new Shape(2), kl.Shape);
        static double Clip(double v) => Math.Clamp(v, 1e-7, 1);
        int[] rows = [0, 1];
        double[] expected = rows.Select(r => Enumerable.Range(3 * r, 3).Sum(i => Clip(yTrue[i]) * Math.Log(Clip(yTrue[i]) / Clip(yPred[i])))).ToArray();
        Reference.AssertClose(expected, Values(kl), 1e-5, 1e-6, "kl_divergence = sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [1e-7, 1]");
        var poisson = Losses.Poisson.PerExample(T(yTrue, 2, 3), T(yPred, 2, 3));
        Assert.Equal(new Shape(2), poisson.Shape);
        expected = rows.Select(r => Enumerable.Range(3 * r, 3).Average(i => yPred[i] + 1e-7 - yTrue[i] * Math.Log(yPred[i] + 1e-7))).ToArray();
        Reference.AssertClose(expected, Values(poisson), 0, 1e-5, "poisson = mean(y_pred - y_true * log(y_pred), axis=-1), atol 1e-5");
    }
}

public sealed class ManagedLossDocstringTests() : LossDocstringTests("managed");

public sealed class NativeCpuLossDocstringTests() : LossDocstringTests("cpu");

public sealed class CudaLossDocstringTests() : LossDocstringTests("cuda");
