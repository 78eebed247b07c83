namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// NF.ConfusionMatrix (tf.math.confusion_matrix), which the imbalanced-data tutorial's plot_cm needed
/// and NeuralFlow lacked: TensorFlow's docstring example, numClasses, weights and dtype, the (N, 1)
/// columns a model's labels and predictions come in, and errors naming the bad argument.
/// </summary>
public abstract class ConfusionMatrixTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Counts_labels_down_and_predictions_across_as_tensorflows_docstring()
    {
        RequireBackend();
        // tf.math.confusion_matrix([1, 2, 4], [2, 2, 4]): five classes, one more than the largest id.
        var cm = NF.ConfusionMatrix(NF.Constant(new[] { 1, 2, 4 }), NF.Constant(new[] { 2, 2, 4 }));
        Assert.Equal(DType.Int32, cm.DType);
        Assert.Equal(new[] { 5, 5 }, cm.Shape.ToArray());
        int[] want = new int[25];
        want[1 * 5 + 2] = 1;
        want[2 * 5 + 2] = 1;
        want[4 * 5 + 4] = 1;
        Assert.Equal(want, cm.ToArray<int>());

        // numClasses pads; weights are summed in the dtype asked for.
        var weighted = NF.ConfusionMatrix(NF.Constant(new long[] { 0, 1, 1, 0 }), NF.Constant(new long[] { 0, 1, 0, 0 }), numClasses: 3,
                                          weights: NF.Constant(new[] { 0.5f, 2f, 1.5f, 0.25f }), dtype: DType.Float32);
        Assert.Equal(DType.Float32, weighted.DType);
        Assert.Equal(new[] { 0.75f, 0, 0, 1.5f, 2f, 0, 0, 0, 0 }, weighted.ToArray<float>());

        // A model's (N, 1) float labels and the bools of a threshold, as the tutorial's plot_cm passes them.
        var labels = NF.Constant(new[] { 0f, 1f, 1f, 0f, 1f }, [5, 1]);
        var predicted = NF.Greater(NF.Constant(new[] { 0.2f, 0.7f, 0.4f, 0.6f, 0.9f }, [5, 1]), 0.5f);
        Assert.Equal(new[] { 1, 1, 1, 2 }, NF.ConfusionMatrix(labels, predicted).ToArray<int>());
        Assert.Equal(new[] { 0, 0 }, NF.ConfusionMatrix(NF.Constant(Array.Empty<int>()), NF.Constant(Array.Empty<int>())).Shape.ToArray());
        Assert.Equal(new[] { 0, 0, 0, 0 }, NF.ConfusionMatrix(NF.Constant(Array.Empty<int>()), NF.Constant(Array.Empty<int>()), numClasses: 2).ToArray<int>());
    }

    [SkippableFact]
    public void Bad_ids_and_shapes_fail_naming_the_argument()
    {
        RequireBackend();
        var ids = NF.Constant(new[] { 0, 1, 2 });
        var e = Assert.Throws<ArgumentException>(() => NF.ConfusionMatrix(NF.Constant(new[] { 0, -1, 2 }), ids));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("-1", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.ConfusionMatrix(ids, NF.Constant(new[] { 0, 1, 3 }), numClasses: 3));
        Assert.Equal("predictions", e.ParamName);
        Assert.Contains("numClasses = 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.ConfusionMatrix(ids, NF.Constant(new[] { 0, 1 })));
        Assert.Contains("as many", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.ConfusionMatrix(NF.Constant(new[] { 0.5f, 1f, 0f }), ids));
        Assert.Contains("fractional", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.ConfusionMatrix(NF.Zeros([3, 2], DType.Int32), ids));
        Assert.Contains("1-D", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.ConfusionMatrix(ids, ids, weights: NF.Ones([2])));
        Assert.Equal("weights", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.ConfusionMatrix(ids, ids, numClasses: -1));
    }
}

/// <summary>NF.ConfusionMatrix on the managed backend.</summary>
public sealed class ManagedConfusionMatrixTests() : ConfusionMatrixTests("managed");

/// <summary>NF.ConfusionMatrix on the native CPU backend.</summary>
public sealed class NativeCpuConfusionMatrixTests() : ConfusionMatrixTests("cpu");

/// <summary>NF.ConfusionMatrix on CUDA.</summary>
public sealed class CudaConfusionMatrixTests() : ConfusionMatrixTests("cuda");
