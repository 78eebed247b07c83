using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// Code cells of TensorFlow's guide "tf.data: Build TensorFlow input pipelines" (site/en/guide/data.ipynb),
/// written as a C# user would, with the values tf.data's semantics give (the notebook keeps no
/// outputs): reduce, zip of nested tuples, a generator repeated and batched, padded batches,
/// time-series windows and labels, and the order of repeat and batch at an epoch boundary.
/// </summary>
public abstract class DataGuideTests(string backend) : BackendTest(backend)
{
    private static long[] Row(Tensor t) => NF.Cast(t, DType.Int64).ToArray<long>();

    private static long[] Seq(long start, long count, long step = 1) => Enumerable.Range(0, (int)count).Select(i => start + i * step).ToArray();

    [SkippableFact]
    public void Basic_mechanics_reduce_zip_and_generators()
    {
        RequireBackend();
        var dataset = Dataset.FromTensorSlices(NF.Constant(new[] { 8, 3, 0, 8, 2, 1 }));
        Assert.Equal([8, 3, 0, 8, 2, 1], dataset.Select(e => e.Item<int>()));
        using (var it = dataset.GetEnumerator())
        {
            Assert.True(it.MoveNext());
            Assert.Equal(8, it.Current.Item<int>());
        }
        Assert.Equal(22, dataset.Reduce(NF.Constant(0), (state, value) => state + value).Item<int>());
        // zip((dataset1, dataset2)) with dataset2 a pair: for a, (b, c) in dataset3
        var dataset1 = Dataset.FromTensorSlices(NF.Random.Uniform([4, 10]));
        var dataset2 = Dataset.FromTensorSlices(NF.Random.Uniform([4]), NF.Cast(NF.Random.Uniform([4, 100], 0, 100), DType.Int32));
        foreach (var (a, (b, c)) in Dataset.Zip(dataset1, dataset2))
            Assert.Equal("(10,) () (100,) Int32", $"{a.Shape} {b.Shape} {c.Shape} {c.DType}");
        // from_generator(count, args=[25]).repeat().batch(10).take(10)
        static IEnumerable<Tensor> Count(int stop) { for (int i = 0; i < stop; i++) yield return NF.Constant(i); }
        var batches = Dataset.FromGenerator(() => Count(25)).Repeat().Batch(10).Take(10).Select(Row).ToArray();
        Assert.Equal(10, batches.Length);
        Assert.Equal(Seq(0, 10), batches[0]);
        Assert.Equal([20L, 21, 22, 23, 24, 0, 1, 2, 3, 4], batches[2]);
        Assert.Equal(Seq(15, 10), batches[9]);
    }

    [SkippableFact]
    public void Batching_padding_and_repeat_order()
    {
        RequireBackend();
        var zipped = Dataset.Zip(Dataset.Range(100), Dataset.Range(0, -100, -1));
        var first = zipped.Batch(4).Take(4).ToArray();
        Assert.Equal([12L, 13, 14, 15], Row(first[3].Item1));
        Assert.Equal([-12L, -13, -14, -15], Row(first[3].Item2));
        Assert.Equal(25, zipped.Batch(4).Cardinality);
        Assert.Equal(14, zipped.Batch(7, dropRemainder: true).Cardinality);
        // range(100).map(lambda x: tf.fill([x], x)).padded_batch(4, padded_shapes=(None,))
        var padded = Dataset.Range(100).Map(x => NF.Fill([(int)x.Item<long>()], x.Item<long>(), DType.Int64)).PaddedBatch(4, paddedShapes: [null]).Take(2).ToArray();
        Assert.Equal([4, 3], padded[0].Shape.ToArray());
        Assert.Equal([0L, 0, 0, 1, 0, 0, 2, 2, 0, 3, 3, 3], Row(padded[0]));
        Assert.Equal([4, 7], padded[1].Shape.ToArray());
        // titanic_lines (892 lines).repeat(3).batch(128) blurs the epochs; batch(128).repeat(3) keeps them.
        var lines = Dataset.Range(892);
        Assert.Equal(Enumerable.Repeat(128, 20).Append(116), lines.Repeat(3).Batch(128).Select(b => b.Shape[0]));
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Repeat(128, 6).Append(124)), lines.Batch(128).Repeat(3).Select(b => b.Shape[0]));
    }

    [SkippableFact]
    public void Time_series_windows_and_labels()
    {
        RequireBackend();
        var rangeDs = Dataset.Range(100000);
        var batches = rangeDs.Batch(10, dropRemainder: true);
        // dense_1_step: batch[:-1], batch[1:]
        var (features, label) = batches.Map(b => (b[..^1], b[1..])).Skip(2).First();
        Assert.Equal(Seq(20, 9), Row(features));
        Assert.Equal(Seq(21, 9), Row(label));
        // label_next_5_steps over batch(15)
        var (inputs, next5) = rangeDs.Batch(15, dropRemainder: true).Map(b => (b[..^5], b[^5..])).Skip(1).First();
        Assert.Equal(Seq(15, 10), Row(inputs));
        Assert.Equal(Seq(25, 5), Row(next5));
        // zip((range.batch(10, drop_remainder), range.batch(10).skip(1).map(lambda l: l[:3])))
        var predicted = Dataset.Zip(batches, rangeDs.Batch(10).Skip(1).Map(l => l[..3])).Skip(4).First();
        Assert.Equal(Seq(40, 10), Row(predicted.Item1));
        Assert.Equal([50L, 51, 52], Row(predicted.Item2));
        // windows.flat_map(lambda x: x).take(30): the windows of 5, shift 1, in a row
        Assert.Equal(Enumerable.Range(0, 6).SelectMany(s => Seq(s, 5)).Take(30), rangeDs.Window(5, shift: 1).Unbatch().Take(30).Select(t => t.Item<long>()));
        // make_window_dataset(range_ds, window_size=10, shift=5, stride=3)
        var windows = rangeDs.Window(10, shift: 5, stride: 3, dropRemainder: true).Take(10).Select(Row).ToArray();
        Assert.Equal(Seq(0, 10, 3), windows[0]);
        Assert.Equal(Seq(45, 10, 3), windows[9]);
    }
}

/// <summary>The tf.data guide's cells, on the managed backend.</summary>
public sealed class ManagedDataGuideTests() : DataGuideTests("managed");

/// <summary>The tf.data guide's cells, on the native CPU backend.</summary>
public sealed class NativeCpuDataGuideTests() : DataGuideTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataGuideTests() : DataGuideTests("cuda");
