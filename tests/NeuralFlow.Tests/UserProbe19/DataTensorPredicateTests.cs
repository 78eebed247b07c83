using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// Predicates written as tf.data's are, returning a scalar bool tensor (<c>ds.filter(lambda x: x &lt; 3)</c>,
/// the guide's <c>filter(lambda features, label: label == 0)</c>): before, Filter and TakeWhile
/// took only a C# bool, so every ported predicate needed <c>.Item&lt;bool&gt;()</c> at its end.
/// Also <c>Dataset.Counter</c> (tf.data.experimental.Counter), which the guide zips with lines.
/// </summary>
public abstract class DataTensorPredicateTests(string backend) : BackendTest(backend)
{
    private static long[] Values(Dataset<Tensor> ds) => ds.Select(t => NF.Cast(t, DType.Int64).Item<long>()).ToArray();

    [SkippableFact]
    public void Filter_and_take_while_take_a_scalar_bool_tensor()
    {
        RequireBackend();
        Assert.Equal([0L, 1, 2], Values(Dataset.Range(10).Filter(x => x < 3)));
        Assert.Equal([1L], Values(Dataset.FromTensorSlices(NF.Constant(new[] { 1, 2, 3 })).Filter(x => NF.Equal(x, 1))));
        Assert.Equal([0L, 1, 2, 3], Values(Dataset.Range(10).TakeWhile(x => x < 4)));
        // The pair and triple forms, as the guide filters (features, label) elements by label.
        var labelled = Dataset.FromTensorSlices(NF.Ones([6, 2]), NF.Constant(new[] { 0, 1, 0, 1, 1, 0 }));
        Assert.Equal(3, labelled.Filter((features, label) => NF.Equal(label, 0)).Count());
        var weighted = Dataset.FromTensorSlices(NF.Ones([4, 2]), NF.Constant(new[] { 0, 1, 0, 1 }), NF.Constant(new[] { 1f, 0f, 2f, 3f }));
        Assert.Equal([1f, 2f], weighted.Filter((f, l, w) => w > 0.5f).Select(e => e.Item3.Item<float>()).Take(2));
        // A C# bool still works (the overloads do not make old lambdas ambiguous).
        Assert.Equal([5L, 6], Values(Dataset.Range(7).Filter(x => x.Item<long>() >= 5)));
    }

    [SkippableFact]
    public void A_predicate_that_is_not_a_scalar_bool_is_named()
    {
        RequireBackend();
        var number = Assert.Throws<InvalidOperationException>(() => Dataset.Range(10).Filter(x => x * 2).ToList());
        Assert.Contains("Filter: the predicate must return a scalar bool tensor", number.Message);
        Assert.Contains("dtype int64 and shape ()", number.Message);
        var vector = Assert.Throws<InvalidOperationException>(() => Dataset.Range(10).Batch(2).TakeWhile(x => x < 3).ToList());
        Assert.Contains("TakeWhile", vector.Message);
        Assert.Contains("shape (2,)", vector.Message);
        Assert.Contains("NF.ReduceAll", vector.Message);
    }

    [SkippableFact]
    public void Counter_numbers_lines_as_in_the_guide()
    {
        RequireBackend();
        Assert.Equal([5L, 7, 9, 11], Values(Dataset.Counter(5, 2).Take(4)));
        Assert.Equal(Dataset.Infinite, Dataset.Counter().Cardinality);
        Assert.Equal(DType.Int32, Dataset.Counter(dtype: DType.Int32).First().DType);
        // The guide: zip((counter, lines)).shuffle(100).batch(20): the ids of the first batch come
        // from the first 120 lines (a buffer of 100 plus the 20 drawn), each once.
        var lines = Dataset.FromTensorSlices(NF.Zeros([892, 3]));
        var batch = Dataset.Zip(Dataset.Counter(), lines).Shuffle(100, seed: 1).Batch(20).First();
        var ids = batch.Item1.ToArray<long>();
        Assert.Equal(20, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 0, 119));
        Assert.Equal(892, Dataset.Zip(Dataset.Counter(), lines).Cardinality);
    }
}

/// <summary>Tensor predicates and the counter, on the managed backend.</summary>
public sealed class ManagedDataTensorPredicateTests() : DataTensorPredicateTests("managed");

/// <summary>Tensor predicates and the counter, on the native CPU backend.</summary>
public sealed class NativeCpuDataTensorPredicateTests() : DataTensorPredicateTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataTensorPredicateTests() : DataTensorPredicateTests("cuda");
