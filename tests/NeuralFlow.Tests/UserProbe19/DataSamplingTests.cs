using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// tf.data's <c>sample_from_datasets</c> and <c>choose_from_datasets</c> (missing before), as the
/// tf.data guide's "Resampling" section uses them: a class-balanced dataset drawn from one
/// dataset per class, then fed to <c>Fit</c>.
/// </summary>
public abstract class DataSamplingTests(string backend) : BackendTest(backend)
{
    private static long[] Values(Dataset<Tensor> ds) => ds.Select(t => NF.Cast(t, DType.Int64).Item<long>()).ToArray();

    private static Dataset<Tensor> Constant(int value) => Dataset.FromTensors(NF.Constant(value)).Repeat();

    [SkippableFact]
    public void Choose_from_datasets_follows_the_choices_as_the_docstring_does()
    {
        RequireBackend();
        // choose_from_datasets' docstring: three datasets of "foo", "bar", "baz", choices range(3).repeat(3)
        var three = new[] { Constant(0), Constant(1), Constant(2) };
        Assert.Equal([0L, 1, 2, 0, 1, 2, 0, 1, 2], Values(Dataset.ChooseFromDatasets(three, Dataset.Range(3).Repeat(3))));
        // A chosen dataset that has run out ends the result (stop_on_empty_dataset=True, the default) ...
        var choices = Dataset.FromTensorSlices(NF.Constant(new long[] { 0, 0, 0, 1, 1 }));
        Assert.Equal([0L, 1], Values(Dataset.ChooseFromDatasets([Dataset.Range(2), Dataset.Range(10, 15)], choices)));
        // ... or is skipped, and the rest go on
        Assert.Equal([0L, 1, 10, 11], Values(Dataset.ChooseFromDatasets([Dataset.Range(2), Dataset.Range(10, 15)], choices, stopOnEmptyDataset: false)));
        // int32 choices do as well as int64 ones, and every pass starts again
        var int32 = Dataset.ChooseFromDatasets([Dataset.Range(3), Dataset.Range(10, 13)], Dataset.FromTensorSlices(NF.Constant(new[] { 1, 0, 1 })));
        Assert.Equal([10L, 0, 11], Values(int32));
        Assert.Equal([10L, 0, 11], Values(int32));
        Assert.Equal(Dataset.Infinite, Dataset.ChooseFromDatasets(three, Dataset.Range(3).Repeat()).Cardinality);
        Assert.Equal(Dataset.Unknown, Dataset.ChooseFromDatasets(three, Dataset.Range(3)).Cardinality);
    }

    [SkippableFact]
    public void Choose_from_datasets_names_a_bad_choice_and_datasets_of_other_types()
    {
        RequireBackend();
        var two = new[] { Dataset.Range(3), Dataset.Range(10, 13) };
        var outside = Dataset.ChooseFromDatasets(two, Dataset.FromTensorSlices(NF.Constant(new long[] { 0, 3 })));
        using var it = outside.GetEnumerator();
        Assert.True(it.MoveNext());
        Assert.Equal(0L, it.Current.Item<long>());
        var e = Assert.Throws<InvalidOperationException>(() => it.MoveNext());
        Assert.Contains("choice 3", e.Message);
        Assert.Contains("[0, 2)", e.Message);
        var floats = Dataset.ChooseFromDatasets(two, Dataset.FromTensorSlices(NF.Constant(new[] { 0.5f })));
        Assert.Contains("scalar integer", Assert.Throws<InvalidOperationException>(() => floats.ToList()).Message);
        // Datasets of other dtypes: refused when made where both are rows of tensors, else at the first element that differs.
        var made = Assert.Throws<ArgumentException>(() => Dataset.ChooseFromDatasets(
            [Dataset.FromTensorSlices(NF.Zeros([2])), Dataset.FromTensorSlices(NF.Zeros([2], DType.Int32))], Dataset.Range(2)));
        Assert.Contains("ChooseFromDatasets: the datasets' elements have different dtypes in component 0: Float32 and Int32", made.Message);
        var run = Dataset.ChooseFromDatasets([Dataset.Range(3), Dataset.Range(0, 3, dtype: DType.Int32)], Dataset.Range(2));
        Assert.Contains("different dtypes in component 0: Int64 and Int32", Assert.Throws<InvalidOperationException>(() => run.ToList()).Message);
        Assert.Throws<ArgumentException>(() => Dataset.ChooseFromDatasets(Array.Empty<Dataset<Tensor>>(), Dataset.Range(2)));
    }

    [SkippableFact]
    public void Sample_from_datasets_draws_every_element_once_and_a_seed_repeats_the_order()
    {
        RequireBackend();
        var sampled = Dataset.SampleFromDatasets([Dataset.Range(0, 100), Dataset.Range(1000, 1010)], [0.5, 0.5], seed: 4);
        var first = Values(sampled);
        // Without stop_on_empty_dataset a dataset that runs out is left out: all 110 elements come, each in its own order.
        Assert.Equal(Enumerable.Range(0, 100).Concat(Enumerable.Range(1000, 10)).Select(i => (long)i), first.Order());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), first.Where(v => v < 1000));
        Assert.Equal(110, sampled.Cardinality);
        // The ten of the second dataset come early (half the draws until it runs out), not at the end.
        Assert.True(Array.IndexOf(first, 1009L) < 60, $"1009 came at {Array.IndexOf(first, 1009L)}");
        // A seed gives the same order in every pass and every run; rerandomizeEachIteration a new one each pass.
        Assert.Equal(first, Values(sampled));
        Assert.Equal(first, Values(Dataset.SampleFromDatasets([Dataset.Range(0, 100), Dataset.Range(1000, 1010)], [0.5, 0.5], seed: 4)));
        var rerandomized = Dataset.SampleFromDatasets([Dataset.Range(0, 100), Dataset.Range(1000, 1010)], seed: 4, rerandomizeEachIteration: true);
        Assert.NotEqual(Values(rerandomized), Values(rerandomized));
        // stop_on_empty_dataset ends the result at the first dataset that runs out.
        var stopped = Values(Dataset.SampleFromDatasets([Dataset.Range(3), Dataset.Range(10, 13)], seed: 2, stopOnEmptyDataset: true));
        Assert.True(stopped.Count(v => v < 10) == 3 || stopped.Count(v => v >= 10) == 3);
        Assert.True(stopped.Length < 6);
        Assert.Equal(Dataset.Unknown, Dataset.SampleFromDatasets([Dataset.Range(3), Dataset.Range(10, 13)], stopOnEmptyDataset: true).Cardinality);
    }

    [SkippableFact]
    public void Sample_from_datasets_draws_by_the_weights_and_never_from_a_weight_of_zero()
    {
        RequireBackend();
        var draws = Values(Dataset.SampleFromDatasets([Constant(0), Constant(1)], [0.9, 0.1], seed: 11).Take(10000));
        double ones = draws.Count(v => v == 1) / 10000.0;
        Assert.InRange(ones, 0.085, 0.115);   // 0.1 within 5 standard deviations (0.003)
        // A dataset of weight 0 is never drawn; the result ends when the others have run out.
        Assert.Equal([0L, 1, 2], Values(Dataset.SampleFromDatasets([Dataset.Range(3), Dataset.Range(10, 13)], [1, 0], seed: 3)));
        Assert.Equal(3, Dataset.SampleFromDatasets([Dataset.Range(3), Dataset.Range(10, 13)], [1, 0]).Cardinality);
        Assert.Equal(Dataset.Infinite, Dataset.SampleFromDatasets([Constant(0), Constant(1)]).Cardinality);
        // Weights that cannot be probabilities are refused when the dataset is made.
        Assert.Contains("one weight per dataset", Assert.Throws<ArgumentException>(() => Dataset.SampleFromDatasets([Constant(0), Constant(1)], [1.0])).Message);
        Assert.Contains("not all zero", Assert.Throws<ArgumentException>(() => Dataset.SampleFromDatasets([Constant(0), Constant(1)], [0.0, 0.0])).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => Dataset.SampleFromDatasets([Constant(0), Constant(1)], [1.0, -0.5])).Message);
    }

    [SkippableFact]
    public void The_guides_class_balanced_dataset_trains_a_model()
    {
        RequireBackend();
        // The guide's credit-card data, stood in for: 2,000 rows of 4 features, 5% of class 1.
        var rng = new Random(5);
        int n = 2000;
        var x = new float[n * 4];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 20 == 0 ? 1 : 0;
            for (int f = 0; f < 4; f++) x[i * 4 + f] = (float)rng.NextDouble() + (y[i] == 1 ? 1f : 0f);
        }
        var creditcard = Dataset.FromTensorSlices(NF.Constant(x, [n, 4]), NF.Constant(y)).Batch(1024);
        var negative = creditcard.Unbatch().Filter((features, label) => NF.Equal(label, 0)).Repeat();
        var positive = creditcard.Unbatch().Filter((features, label) => NF.Equal(label, 1)).Repeat();
        Assert.All(positive.Batch(10).Take(1).Single().Item2.ToArray<int>(), v => Assert.Equal(1, v));
        var balanced = Dataset.SampleFromDatasets([negative, positive], [0.5, 0.5], seed: 7).Batch(10);
        var labels = balanced.Take(100).SelectMany(b => b.Item2.ToArray<int>()).ToArray();
        Assert.InRange(labels.Average(), 0.42, 0.58);   // about half of each class, where the data has 5% of class 1
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.05), loss: "binary_crossentropy", metrics: ["accuracy"]);
        var train = balanced.Map((f, l) => (f, NF.Cast(NF.Reshape(l, [-1, 1]), DType.Float32)));
        var history = model.Fit(train, epochs: 5, stepsPerEpoch: 20, verbose: 0);
        Assert.Equal(5, history.Epochs);
        // The classes differ by 1 in every feature: a balanced stream teaches the positive class too.
        Assert.True(history["accuracy"][^1] > 0.85, $"accuracy {string.Join(", ", history["accuracy"])}");
        // It recognises the rare class, which a model fitted to the 5% stream could ignore at 95% accuracy.
        var positives = model.Evaluate(positive.Batch(50).Take(2).Map((f, l) => (f, NF.Cast(NF.Reshape(l, [-1, 1]), DType.Float32))));
        Assert.True(positives["accuracy"] > 0.8f, $"accuracy on class 1: {positives["accuracy"]}");
    }

    [SkippableFact]
    public void Dictionary_elements_are_sampled_whole()
    {
        RequireBackend();
        static Dataset<IReadOnlyDictionary<string, Tensor>> Named(float value) => Dataset.FromTensorSlices(
            (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor> { ["a"] = NF.Fill([3, 2], value), ["b"] = NF.Fill([3], value + 1) });
        var mixed = Dataset.SampleFromDatasets([Named(0), Named(10)], seed: 1).ToList();
        Assert.Equal(6, mixed.Count);
        Assert.All(mixed, e => Assert.Equal(e["a"].ToArray<float>()[0] + 1, e["b"].Item<float>()));
        Assert.Equal(3, mixed.Count(e => e["b"].Item<float>() == 11));
    }
}

/// <summary>Sampling and choosing datasets, on the managed backend.</summary>
public sealed class ManagedDataSamplingTests() : DataSamplingTests("managed");

/// <summary>Sampling and choosing datasets, on the native CPU backend.</summary>
public sealed class NativeCpuDataSamplingTests() : DataSamplingTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataSamplingTests() : DataSamplingTests("cuda");
