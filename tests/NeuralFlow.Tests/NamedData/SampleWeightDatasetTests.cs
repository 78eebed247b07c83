using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.NamedData;

/// <summary>
/// Datasets whose elements carry a third part, one weight per example (Keras' <c>(x, y,
/// sample_weight)</c> elements, with tensors or a dictionary of named inputs): Fit and Evaluate
/// weigh the loss exactly as <c>Fit(x, y, sampleWeight:)</c> does with the same batches. Before,
/// a third part was "the dataset's elements need 2 tensors".
/// </summary>
public abstract class SampleWeightDatasetTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y, Tensor W) Data()
    {
        NF.Random.SetSeed(31);
        var x = NF.Random.Normal([24, 3]);
        var y = NF.Cast(NF.Greater(NF.ReduceSum(x, 1), 0.0), DType.Int32);
        var w = NF.Random.Uniform([24], 0, 2);
        return (x, y, w);
    }

    private static Model MakeModel(bool named)
    {
        NF.Random.SetSeed(32);
        var input = Layers.Input([3], name: "features");
        var model = new Model(input, new Layers.Dense(2).Call(new Layers.Dense(4, activation: "tanh").Call(input)));
        model.Compile(new Optimizers.SGD(0.1), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        return model;
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Weighted_elements_train_and_evaluate_as_sample_weight_does(bool named)
    {
        RequireBackend();
        var (x, y, w) = Data();
        var reference = MakeModel(named);
        var expected = reference.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, shuffle: false, sampleWeight: w);
        var expectedEval = reference.Evaluate(x, y, batchSize: 8, sampleWeight: w);

        var model = MakeModel(named);
        Dataset ds = named
            ? Dataset.FromTensorSlices(new Dictionary<string, Tensor> { ["features"] = x }, y, w).Batch(8)
            : Dataset.FromTensorSlices(x, y, w).Batch(8);
        var history = model.Fit(ds, epochs: 3, verbose: 0);
        Assert.Equal(expected["loss"], history["loss"]);
        Assert.Equal(expected["accuracy"], history["accuracy"]);
        var eval = model.Evaluate(ds);
        Assert.Equal(expectedEval.Loss, eval.Loss);

        // Unweighted data gives another loss: the weights were used, not dropped.
        var plain = MakeModel(named).Fit(Dataset.FromTensorSlices(x, y).Batch(8), epochs: 3, verbose: 0);
        Assert.NotEqual(plain["loss"][0], history["loss"][0]);
    }

    [SkippableFact]
    public void Weights_of_the_wrong_shape_or_dtype_are_named()
    {
        RequireBackend();
        var (x, y, _) = Data();
        var model = MakeModel(false);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(Dataset.FromTensorSlices(x, y, NF.Ones([24, 2])).Batch(8), verbose: 0));
        Assert.Contains("sampleWeight", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Evaluate(Dataset.FromTensorSlices(x, y, NF.Ones([24], DType.Int32)).Batch(8)));
        Assert.Contains("float32 or float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(Dataset.FromTensorSlices(new Dictionary<string, Tensor> { ["features"] = x },
            new Dictionary<string, Tensor> { ["dense_1"] = y }, NF.Ones([24])).Map((f, t, s) => (f, t, new Dictionary<string, Tensor> { ["s"] = s })).Batch(8), verbose: 0));
        Assert.Contains("one weight tensor", e.Message);
    }
}

public sealed class ManagedSampleWeightDatasetTests() : SampleWeightDatasetTests("managed");
public sealed class NativeCpuSampleWeightDatasetTests() : SampleWeightDatasetTests("cpu");
public sealed class CudaSampleWeightDatasetTests() : SampleWeightDatasetTests("cuda");
