using NeuralFlow.Data;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// <c>Console.WriteLine(ds)</c> shows what TensorFlow's <c>print(ds)</c> does (the guide "tf.data" prints datasets
/// in its first cells): the step's class and the element_spec, e.g.
/// <c>&lt;_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tf.int32, name=None)&gt;</c>.
/// Before, it printed the .NET type name.
/// </summary>
public class DatasetPrintTests
{
    [Fact]
    public void A_dataset_prints_its_step_and_element_spec_as_tensorflow()
    {
        var ds = Dataset.FromTensorSlices(NF.Constant(new[] { 8, 3, 0, 8, 2, 1 }));
        Assert.Equal("<_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tf.int32, name=None)>", ds.ToString());
        Assert.Equal("<_BatchDataset element_spec=TensorSpec(shape=(None,), dtype=tf.int32, name=None)>", ds.Batch(4).ToString());
        Assert.Equal("<_ShuffleDataset element_spec=TensorSpec(shape=(), dtype=tf.int32, name=None)>", ds.Shuffle(3).ToString());
        Assert.Equal("<_MapDataset element_spec=TensorSpec(shape=(), dtype=tf.float32, name=None)>",
            ds.Map(x => NF.Cast(x, DType.Float32) * 2f).ToString());
        Assert.Equal("<_RangeDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>", Dataset.Range(5).ToString());
        var pairs = Dataset.FromTensorSlices(NF.Zeros([4, 3]), NF.Zeros([4], DType.Int64)).Batch(2, dropRemainder: true);
        Assert.Equal("<_BatchDataset element_spec=(TensorSpec(shape=(2, 3), dtype=tf.float32, name=None), TensorSpec(shape=(2,), dtype=tf.int64, name=None))>",
            pairs.ToString());
    }

    [Fact]
    public void Printing_never_throws_when_the_spec_cannot_be_derived()
    {
        // A Map that fails on every element: the trace and the first element both fail; print still works.
        var failing = Dataset.Range(3).Map<Tensor>(_ => throw new InvalidOperationException("boom"));
        Assert.Equal("<_MapDataset>", failing.ToString());
    }
}
