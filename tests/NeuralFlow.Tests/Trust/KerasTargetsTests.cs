using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// How losses and metrics line targets up with predictions: class labels are range-checked on
/// every path, and (4,) against (4, 1) is squeezed/expanded as Keras does instead of broadcast.
/// </summary>
public abstract class KerasTargetsTests(string backend) : BackendTest(backend)
{
    private static Tensor Probabilities => NF.Constant(new float[] { 0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f }, [2, 3]);

    private static void AssertBadLabel(Action call, string label)
    {
        var e = Assert.Throws<ArgumentException>(call);
        Assert.Contains($"label value of {label}", e.Message);
        Assert.Contains("[0, 3)", e.Message);
        Assert.Contains("3 classes", e.Message);
    }

    [SkippableTheory]
    [InlineData(3)]
    [InlineData(-1)]
    public void Sparse_crossentropy_on_probabilities_rejects_out_of_range_labels(int bad)
    {
        RequireBackend();
        var labels = NF.Constant(new[] { 0, bad });
        AssertBadLabel(() => Losses.SparseCategoricalCrossentropy.PerExample(labels, Probabilities), bad.ToString());
        AssertBadLabel(() => new Losses.SparseCategoricalCrossentropy().Call(NF.Cast(labels, DType.Float32), Probabilities), bad.ToString());
        var e = Assert.Throws<ArgumentException>(() => Losses.SparseCategoricalCrossentropy.PerExample(labels, Probabilities));
        Assert.Contains("position [1]", e.Message);
    }

    [SkippableFact]
    public void Sparse_crossentropy_on_rank3_logits_rejects_out_of_range_labels_and_names_the_position()
    {
        RequireBackend();
        var logits = NF.Zeros([2, 2, 3]);
        var labels = NF.Constant(new[] { 0, 1, 2, 3 }, [2, 2]);
        var e = Assert.Throws<ArgumentException>(() => Losses.SparseCategoricalCrossentropy.PerExample(labels, logits, fromLogits: true));
        Assert.Contains("label value of 3", e.Message);
        Assert.Contains("position [1, 1]", e.Message);
        // In range, rank 3 gives one loss per position: log(3) for uniform logits.
        var ok = Losses.SparseCategoricalCrossentropy.PerExample(NF.Constant(new[] { 0, 1, 2, 0 }, [2, 2]), logits, fromLogits: true);
        Assert.Equal(new Shape(2, 2), ok.Shape);
        Assert.All(ok.ToArray<float>(), v => Assert.Equal(MathF.Log(3), v, 5));
    }

    [SkippableFact]
    public void Sparse_crossentropy_after_softmax_still_rejects_out_of_range_labels()
    {
        RequireBackend();
        var probs = NF.Softmax(NF.Zeros([2, 3]));
        Assert.Throws<ArgumentException>(() => Losses.SparseCategoricalCrossentropy.PerExample(NF.Constant(new[] { 0, 3 }), probs));
        Assert.Throws<ArgumentException>(() => Losses.SparseCategoricalCrossentropy.PerExample(NF.Constant(new[] { 0, 3 }), NF.Zeros([2, 3]), fromLogits: true));
    }

    [SkippableFact]
    public void Sparse_categorical_accuracy_rejects_out_of_range_labels()
    {
        RequireBackend();
        var metric = new Metrics.SparseCategoricalAccuracy();
        AssertBadLabel(() => metric.UpdateState(NF.Constant(new[] { 2, 3 }), Probabilities), "3");
        AssertBadLabel(() => metric.UpdateState(NF.Constant(new[] { -1f, 0f }, [2, 1]), Probabilities), "-1");
        metric.UpdateState(NF.Constant(new[] { 2, 0 }, [2, 1]), Probabilities);
        Assert.Equal(1f, metric.Result());
    }

    [SkippableFact]
    public void Sparse_labels_of_the_wrong_shape_name_both_shapes()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Losses.SparseCategoricalCrossentropy.PerExample(NF.Constant(new[] { 0, 1, 2 }), Probabilities));
        Assert.Contains("(3,)", e.Message);
        Assert.Contains("(2, 3)", e.Message);
    }

    private static Tensor Truth => NF.Constant(new float[] { 1, 0, 1, 0 });           // (4,)
    private static Tensor Scores => NF.Constant(new float[] { 0.9f, 0.2f, 0.4f, 0.1f }, [4, 1]); // (4, 1): 3 of 4 right

    [SkippableFact]
    public void Accuracies_compare_4_against_4x1_elementwise_not_all_pairs()
    {
        RequireBackend();
        var binary = new Metrics.BinaryAccuracy();
        binary.UpdateState(Truth, Scores);
        Assert.Equal(0.75f, binary.Result());
        binary.ResetState();
        binary.UpdateState(NF.Reshape(Truth, [4, 1]), NF.Reshape(Scores, [4]));
        Assert.Equal(0.75f, binary.Result());
        var exact = new Metrics.Accuracy();
        exact.UpdateState(Truth, NF.Constant(new float[] { 1, 0, 0, 0 }, [4, 1]));
        Assert.Equal(0.75f, exact.Result());
    }

    [SkippableFact]
    public void Losses_accept_4_against_4x1_with_the_same_value_as_matching_shapes()
    {
        RequireBackend();
        var column = NF.Reshape(Truth, [4, 1]);
        Losses.Loss[] losses = [new Losses.MeanSquaredError(), new Losses.MeanAbsoluteError(), new Losses.BinaryCrossentropy()];
        foreach (var loss in losses)
        {
            float expected = loss.Call(column, Scores).Item<float>();
            Assert.Equal(expected, loss.Call(Truth, Scores).Item<float>(), 6);
            Assert.Equal(expected, loss.Call(column, NF.Reshape(Scores, [4])).Item<float>(), 6);
            Assert.Equal(new Shape(4), loss.PerExampleLoss(Truth, Scores).Shape); // one value per example
        }
    }

    [SkippableFact]
    public void Incompatible_shapes_get_an_error_naming_both()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Losses.MeanSquaredError().Call(Truth, NF.Zeros([3, 1])));
        Assert.Contains("(4,)", e.Message);
        Assert.Contains("(3, 1)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Metrics.BinaryAccuracy().UpdateState(Truth, NF.Zeros([4, 2])));
        Assert.Contains("(4, 2)", e.Message);
        Assert.Throws<ArgumentException>(() => new Metrics.CategoricalAccuracy().UpdateState(NF.Zeros([4, 3]), NF.Zeros([4, 2])));
    }

    [SkippableFact]
    public void Fit_with_labels_of_shape_n_and_outputs_n_by_1_reports_the_elementwise_accuracy()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var model = new Sequential(new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.SGD(1.0), "binary_crossentropy", ["accuracy"]);
        var separable = NF.Constant(new float[] { 10, -10, 10, -10 }, [4, 1]);
        var history = model.Fit(separable, Truth, batchSize: 4, epochs: 20, verbose: 0);
        Assert.Equal(1f, history["accuracy"][^1]); // all-pairs comparison would give 0.5
        Assert.Equal(1f, model.Evaluate(separable, Truth)["accuracy"]);
    }
}

public sealed class ManagedKerasTargetsTests() : KerasTargetsTests("managed");

public sealed class NativeCpuKerasTargetsTests() : KerasTargetsTests("cpu");

public sealed class CudaKerasTargetsTests() : KerasTargetsTests("cuda");
