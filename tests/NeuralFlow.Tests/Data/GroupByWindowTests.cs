using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// tf.data's group_by_window and bucket_by_sequence_length. Expected values are the examples of
/// TensorFlow's API documentation (tf.data.Dataset.group_by_window, bucket_by_sequence_length)
/// or traced by hand from its kernel's order: a full group is reduced at once, groups left when
/// the input ends are reduced smallest key first.
/// </summary>
public abstract class GroupByWindowTests(string backend) : BackendTest(backend)
{
    private static long[][] Rows(IEnumerable<Tensor> batches) => batches.Select(b => b.ToArray<long>()).ToArray();

    private static Dataset<Tensor> Sequences(params long[][] elements) =>
        Dataset.FromGenerator(() => elements.Select(e => NF.Constant(e)));

    private static void Equal(long[][] expected, long[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }

    [SkippableFact]
    public void Group_by_window_batches_each_key_as_its_window_fills()
    {
        RequireBackend();
        // TensorFlow's documented example: range(10), key x % 2, windows of 5.
        var ds = Dataset.Range(10).GroupByWindow(x => x % 2, (key, window) => window.Batch(5), 5);
        Equal([[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]], Rows(ds));
        Assert.Equal(Dataset.Unknown, ds.Cardinality);
        // A key given as a long, and a second pass giving the same again.
        var byLong = Dataset.Range(10).GroupByWindow(x => x.Item<long>() % 2, (key, window) => window.Batch(5), 5);
        Equal([[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]], Rows(byLong));
        Equal([[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]], Rows(byLong));
    }

    [SkippableFact]
    public void Groups_left_at_the_end_are_reduced_smallest_key_first()
    {
        RequireBackend();
        // Keys 5, 1, 0, 1, 0: no window of 3 fills, so the end flushes keys 0, 1, 5 in that order.
        var ds = Dataset.Range(5).GroupByWindow(x => x.Item<long>() == 0 ? 5 : x.Item<long>() % 2, (key, window) => window.Batch(3), 3);
        Equal([[2, 4], [1, 3], [0]], Rows(ds));
    }

    [SkippableFact]
    public void Window_size_func_sizes_each_key_and_the_reduce_function_sees_its_key()
    {
        RequireBackend();
        // Key 0 windows of 1, key 1 windows of 2: 0 -> [0]; 2 -> [2]; 3 fills [1, 3]; 4 -> [4]; 5 is left for the end.
        var seen = new List<long>();
        var ds = Dataset.Range(6).GroupByWindow(x => x % 2, (key, window) => { seen.Add(key); return window.Batch(4); }, key => key + 1);
        Equal([[0], [2], [1, 3], [4], [5]], Rows(ds));
        Assert.Equal(new long[] { 0, 0, 1, 0, 1 }, seen);
        // The reduce function may read its window more than once, and change the elements.
        var twice = Dataset.Range(4).GroupByWindow(x => x % 2, (key, window) => window.Concatenate(window).Batch(4).Map(b => NF.ReduceSum(b) * 10), 2);
        Assert.Equal(new long[] { 40, 80 }, twice.Select(t => t.Item<long>()).ToArray());
    }

    [SkippableFact]
    public void Group_by_window_works_on_tuples()
    {
        RequireBackend();
        var x = NF.Constant(new float[] { 0, 1, 2, 3, 4, 5 });
        var y = NF.Constant(new long[] { 1, 0, 1, 0, 0, 1 });
        var ds = Dataset.FromTensorSlices(x, y).GroupByWindow(e => e.Item2, (key, window) => window.Batch(3), 3);
        var batches = ds.ToList();
        Assert.Equal(2, batches.Count);
        // Key 0's window fills first (at x = 4), key 1's at x = 5.
        Assert.Equal(new float[] { 1, 3, 4 }, batches[0].Item1.ToArray<float>());
        Assert.Equal(new long[] { 0, 0, 0 }, batches[0].Item2.ToArray<long>());
        Assert.Equal(new float[] { 0, 2, 5 }, batches[1].Item1.ToArray<float>());
    }

    [SkippableFact]
    public void Group_by_window_refuses_bad_sizes_keys_and_reductions_with_clear_messages()
    {
        RequireBackend();
        var ten = Dataset.Range(10);
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => ten.GroupByWindow(x => x % 2, (k, w) => w.Batch(2), 0));
        Assert.Contains("windowSize", size.Message);
        var sizeFunc = Assert.Throws<InvalidOperationException>(() => ten.GroupByWindow(x => x % 2, (k, w) => w.Batch(2), k => k).ToList());
        Assert.Contains("window size for key 0 is 0", sizeFunc.Message);
        var floatKey = Assert.Throws<InvalidOperationException>(() => ten.GroupByWindow(x => NF.Cast(x, DType.Float32), (k, w) => w.Batch(2), 2).ToList());
        Assert.Contains("key function must return a scalar integer", floatKey.Message);
        Assert.Contains("float32", floatKey.Message);
        var vectorKey = Assert.Throws<InvalidOperationException>(() => ten.Batch(2).GroupByWindow(x => x, (k, w) => w, 2).ToList());
        Assert.Contains("shape (2,)", vectorKey.Message);
        var nullReduce = Assert.Throws<InvalidOperationException>(() => ten.GroupByWindow(x => x % 2, (k, w) => (Dataset<Tensor>)null!, 2).ToList());
        Assert.Contains("returned null", nullReduce.Message);
        // The user's own exception comes through with its type.
        Assert.Throws<FormatException>(() => ten.GroupByWindow(x => throw new FormatException("mine"), (k, w) => w, 2).ToList());
    }

    [SkippableFact]
    public void Bucket_by_sequence_length_gives_tensorflows_documented_batches()
    {
        RequireBackend();
        long[][] elements = [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20], [21, 22]];
        // Buckets [0, 3), [3, 5), [5, inf), two elements each, padded to the batch's longest.
        var ds = Sequences(elements).BucketBySequenceLength(x => x.Shape[0], [3, 5], [2, 2, 2]);
        var batches = ds.ToList();
        Assert.Equal(3, batches.Count);
        Assert.Equal(new[] { 2, 4 }, batches[0].Shape.ToArray());
        Equal([[1, 2, 3, 4, 5, 6, 7, 0], [7, 8, 9, 10, 11, 0, 13, 14, 15, 16, 19, 20], [0, 0, 21, 22]], Rows(batches));
        // Padded to the bucket's boundary minus 1, with -1: buckets [0, 4), [4, 7), the rest refused.
        var padded = Sequences(elements).BucketBySequenceLength(x => x.Shape[0], [4, 7], [2, 2, 2], paddingValues: [-1], padToBucketBoundary: true).ToList();
        Assert.Equal(new[] { 2, 3 }, padded[0].Shape.ToArray());
        Assert.Equal(new[] { 2, 6 }, padded[1].Shape.ToArray());
        Assert.Equal(new[] { 1, 3 }, padded[2].Shape.ToArray());
        Assert.Equal(new[] { 1, 6 }, padded[3].Shape.ToArray());
        Equal([[0, -1, -1, 5, 6, 7], [1, 2, 3, 4, -1, -1, 7, 8, 9, 10, 11, -1], [21, 22, -1], [13, 14, 15, 16, 19, 20]], Rows(padded));
        var tooLong = Assert.Throws<InvalidOperationException>(() =>
            Sequences(elements).BucketBySequenceLength(x => x.Shape[0], [3, 5], [2, 2, 2], padToBucketBoundary: true).ToList());
        Assert.Contains("length 5", tooLong.Message);
        Assert.Contains("below the last boundary (5)", tooLong.Message);
    }

    [SkippableFact]
    public void Bucket_by_sequence_length_drops_remainders_and_batches_without_padding()
    {
        RequireBackend();
        long[][] elements = [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20], [21, 22]];
        // The last bucket wants 3 and gets 2: kept at the end, or dropped with dropRemainder.
        Assert.Equal(3, Sequences(elements).BucketBySequenceLength(x => x.Shape[0], [3, 5], [2, 2, 3]).Count());
        var dropped = Sequences(elements).BucketBySequenceLength(x => x.Shape[0], [3, 5], [2, 2, 3], dropRemainder: true).ToList();
        Equal([[1, 2, 3, 4, 5, 6, 7, 0], [0, 0, 21, 22]], Rows(dropped));
        // Equal lengths per bucket batch without padding; unequal ones name Batch's problem.
        var same = Sequences([1, 2], [3], [4, 5], [6]).BucketBySequenceLength(x => x.Shape[0], [2], [2, 2], noPadding: true);
        Equal([[1, 2, 4, 5], [3, 6]], Rows(same));
        var ragged = Assert.Throws<InvalidOperationException>(() =>
            Sequences([1, 2], [3], [4, 5, 6], [7]).BucketBySequenceLength(x => x.Shape[0], [9], [4, 4], noPadding: true).ToList());
        Assert.Contains("cannot stack component 0", ragged.Message);
    }

    [SkippableFact]
    public void Bucket_by_sequence_length_pads_only_the_sequence_axis_of_tuples_and_checks_its_arguments()
    {
        RequireBackend();
        var pairs = Dataset.FromGenerator(() => new[] { 3, 1, 6, 5 }.Select(n => (NF.Ones([n]), NF.Constant((long)n))));
        var batches = pairs.BucketBySequenceLength(e => e.Item1.Shape[0], [4], [2, 2], padToBucketBoundary: false).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(new[] { 2, 3 }, batches[0].Item1.Shape.ToArray());
        Assert.Equal(new long[] { 3, 1 }, batches[0].Item2.ToArray<long>());
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0 }, batches[0].Item1.ToArray<float>());
        Assert.Equal(new[] { 2, 6 }, batches[1].Item1.Shape.ToArray());
        // To the boundary: the sequences to 3 and 7, the scalar labels left as they are.
        var toBoundary = pairs.BucketBySequenceLength(e => e.Item1.Shape[0], [4, 8], [2, 2, 2], padToBucketBoundary: true).ToList();
        Assert.Equal(new[] { 2, 3 }, toBoundary[0].Item1.Shape.ToArray());
        Assert.Equal(new[] { 2 }, toBoundary[0].Item2.Shape.ToArray());
        Assert.Equal(new[] { 2, 7 }, toBoundary[1].Item1.Shape.ToArray());
        Assert.Equal(new long[] { 6, 5 }, toBoundary[1].Item2.ToArray<long>());
        var sizes = Assert.Throws<ArgumentException>(() => pairs.BucketBySequenceLength(e => e.Item1.Shape[0], [4], [2]));
        Assert.Contains("len(bucketBoundaries) + 1 = 2", sizes.Message);
        var order = Assert.Throws<ArgumentException>(() => pairs.BucketBySequenceLength(e => e.Item1.Shape[0], [4, 4], [2, 2, 2]));
        Assert.Contains("increasing order", order.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => pairs.BucketBySequenceLength(e => e.Item1.Shape[0], [4], [2, 0]));
    }

    [SkippableFact]
    public void A_model_fits_on_bucketed_sequences_of_varying_length()
    {
        RequireBackend();
        Utils.SetRandomSeed(3);
        var lengths = new[] { 2, 7, 3, 9, 4, 6, 5, 8, 2, 3, 7, 9 };
        var data = Dataset.FromGenerator(() => lengths.Select(n =>
            (NF.Constant(Enumerable.Range(0, n).Select(i => (long)((i * 3 + n) % 10 + 1)).ToArray()), NF.Constant((float)(n % 2)))));
        var buckets = data.BucketBySequenceLength(e => e.Item1.Shape[0], [4, 7], [2, 2, 2]);
        var model = new Sequential(new Layers.Embedding(11, 4, maskZero: true), new Layers.GlobalAveragePooling1D(), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.01), loss: "binary_crossentropy");
        var history = model.Fit(buckets, epochs: 3, verbose: 0);
        Assert.Equal(3, history["loss"].Count);
        Assert.All(history["loss"], l => Assert.True(float.IsFinite(l) && l > 0));
    }
}

/// <summary>Grouping on the managed backend.</summary>
public sealed class ManagedGroupByWindowTests() : GroupByWindowTests("managed");

/// <summary>Grouping on the native CPU backend.</summary>
public sealed class NativeCpuGroupByWindowTests() : GroupByWindowTests("cpu");

/// <summary>Grouping on CUDA.</summary>
public sealed class CudaGroupByWindowTests() : GroupByWindowTests("cuda");
