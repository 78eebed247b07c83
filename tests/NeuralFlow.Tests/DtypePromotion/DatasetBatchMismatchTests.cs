using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.DtypePromotion;

/// <summary>
/// Fit and Evaluate on a dataset whose batch holds a different number of examples in the
/// features than in the targets name that mismatch (as Fit(x, y) does for tensors, and as Keras'
/// data adapter refuses it) instead of failing inside the loss: before, a dictionary dataset of
/// 4 feature rows and 3 target rows threw "MeanSquaredError: shapes (4, 1) and (3, 1) cannot be
/// broadcast", an op the user never called.
/// </summary>
public abstract class DatasetBatchMismatchTests(string backend) : BackendTest(backend)
{
    private static Model Named()
    {
        NF.Random.SetSeed(5);
        var a = Layers.Input([2], name: "a");
        var b = Layers.Input([1], name: "b");
        var model = new Model([a, b], [new Layers.Dense(1).Call(new Layers.Concatenate().Call([a, b]))]);
        model.Compile("sgd", "mse");
        return model;
    }

    private static Dictionary<string, Tensor> Features(int n) => new()
    {
        ["a"] = NF.Ones([n, 2]),
        ["b"] = NF.Ones([n, 1]),
    };

    [SkippableFact]
    public void A_dictionary_dataset_with_fewer_targets_is_named_by_Fit_and_Evaluate()
    {
        RequireBackend();
        var model = Named();
        var ds = Dataset.Zip(Dataset.FromTensorSlices(Features(8)).Batch(4), Dataset.FromTensorSlices(NF.Ones([6, 1])).Batch(3));
        var fit = Assert.Throws<ArgumentException>(() => model.Fit(ds, verbose: 0));
        Assert.Contains("Fit: a dataset batch's features and targets need the same number of examples", fit.Message);
        var evaluate = Assert.Throws<ArgumentException>(() => model.Evaluate(ds, verbose: 0));
        Assert.Contains("Evaluate: a dataset batch's features and targets need the same number of examples", evaluate.Message);
    }

    [SkippableFact]
    public void A_tensor_dataset_with_fewer_targets_is_named_by_Fit()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(1));
        model.Compile("sgd", "mse");
        var e = Assert.Throws<ArgumentException>(() => model.Fit(Dataset.FromTensors(NF.Ones([4, 3]), NF.Ones([3, 1])), verbose: 0));
        Assert.Contains("same number of examples", e.Message);
        // Matching batches still train.
        Assert.True(float.IsFinite(model.Fit(Dataset.FromTensors(NF.Ones([4, 3]), NF.Ones([4, 1])), verbose: 0)["loss"][0]));
    }
}

public sealed class ManagedDatasetBatchMismatchTests() : DatasetBatchMismatchTests("managed");

public sealed class NativeCpuDatasetBatchMismatchTests() : DatasetBatchMismatchTests("cpu");

public sealed class CudaDatasetBatchMismatchTests() : DatasetBatchMismatchTests("cuda");
