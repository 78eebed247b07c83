using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// tf.data edge cases as users hit them: remainder batches and drop_remainder, an empty dataset,
/// take/skip past the end, repeat before and after batch, shuffle as a seeded permutation that
/// changes per epoch (or not), prefetch keeping the order, a fused map-and-batch equal to the
/// unfused one, and Fit from a dataset equal to Fit from the same tensors.
/// </summary>
public abstract class PipelineTests(string backend) : BackendTest(backend)
{
    private static Dataset<Tensor> Ten() => Dataset.FromTensorSlices(NF.Range(10));

    private static int[] Items(IEnumerable<Tensor> d) => d.SelectMany(t => t.ToArray<int>()).ToArray();

    [SkippableFact]
    public void Batch_remainders_drop_remainder_and_cardinality()
    {
        RequireBackend();
        Assert.Equal(new[] { 4, 4, 2 }, Ten().Batch(4).Select(b => b.Shape[0]));
        Assert.Equal(3, Ten().Batch(4).Cardinality);
        Assert.Equal(new[] { 4, 4 }, Ten().Batch(4, dropRemainder: true).Select(b => b.Shape[0]));
        Assert.Equal(2, Ten().Batch(4, dropRemainder: true).Cardinality);
        Assert.Empty(Ten().Batch(11, dropRemainder: true));
        Assert.Equal(new[] { 10 }, Ten().Batch(11).Select(b => b.Shape[0]));
        Assert.Equal(new[] { 4, 4, 4, 4, 4 }, Ten().Repeat(2).Batch(4).Select(b => b.Shape[0]));   // repeat, then batch: crosses epochs
        Assert.Equal(new[] { 4, 4, 2, 4, 4, 2 }, Ten().Batch(4).Repeat(2).Select(b => b.Shape[0])); // batch, then repeat
        var pairs = Dataset.FromTensorSlices(NF.Range(5), NF.Reshape(NF.Range(0f, 10f, 1f), [5, 2])).Batch(2).ToList();
        Assert.Equal(new[] { new Shape(2, 2), new Shape(2, 2), new Shape(1, 2) }, pairs.Select(p => p.Item2.Shape));
        Assert.Equal(new[] { 8f, 9f }, pairs[2].Item2.ToArray<float>());
    }

    [SkippableFact]
    public void Empty_datasets_take_skip_and_repeat_counts()
    {
        RequireBackend();
        var empty = Dataset.FromTensorSlices(NF.Zeros(new Shape(0, 3)));
        Assert.Empty(empty.Batch(4));
        Assert.Equal(0, empty.Batch(4).Cardinality);
        Assert.Empty(empty.Shuffle(8).Repeat(3));
        Assert.Equal(Enumerable.Range(0, 10), Items(Ten().Take(20)));
        Assert.Empty(Ten().Take(0));
        Assert.Equal(Enumerable.Range(0, 10), Items(Ten().Take(-1)));   // tf.data: -1 takes everything
        Assert.Empty(Ten().Skip(20));
        Assert.Equal(new[] { 8, 9 }, Items(Ten().Skip(8)));
        Assert.Empty(Ten().Repeat(0));
        Assert.Equal(30, Ten().Repeat(3).Cardinality);
        Assert.Equal(Dataset.Infinite, Ten().Repeat().Cardinality);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1 }, Items(Ten().Repeat().Take(12)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ten().Batch(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ten().Shuffle(0));
        Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(NF.Range(3), NF.Range(4)));
    }

    [SkippableFact]
    public void Shuffle_is_a_seeded_permutation_that_changes_each_epoch_unless_told_not_to()
    {
        RequireBackend();
        var shuffled = Ten().Shuffle(10, seed: 1);
        var first = Items(shuffled);
        var second = Items(shuffled);
        Assert.Equal(Enumerable.Range(0, 10), first.Order());
        Assert.Equal(Enumerable.Range(0, 10), second.Order());
        Assert.NotEqual(first, second);
        Assert.Equal(first, Items(Ten().Shuffle(10, seed: 1)));            // the same seed, the same first epoch
        var fixedOrder = Ten().Shuffle(10, seed: 1, reshuffleEachIteration: false);
        Assert.Equal(Items(fixedOrder), Items(fixedOrder));
        Assert.Equal(Enumerable.Range(0, 10), Items(Ten().Shuffle(1)));    // a buffer of one keeps the order
        var window = Items(Ten().Shuffle(2, seed: 4));                     // a small buffer moves an item at most a little
        for (int i = 0; i < 10; i++) Assert.True(window[i] <= i + 1, $"item {window[i]} at {i} with a buffer of 2");
        var repeated = Items(Ten().Shuffle(10, seed: 3).Repeat(2));
        Assert.Equal(Enumerable.Range(0, 10), repeated[..10].Order());     // each epoch is a whole permutation
        Assert.Equal(Enumerable.Range(0, 10), repeated[10..].Order());
    }

    [SkippableFact]
    public void Prefetch_keeps_order_and_fused_map_batch_equals_unfused()
    {
        RequireBackend();
        Assert.Equal(Enumerable.Range(0, 10), Items(Ten().Batch(3).Prefetch(Dataset.Autotune)));
        Assert.Equal(Enumerable.Range(0, 10), Items(Ten().Batch(3).Prefetch(2)));
        var images = NF.Cast(NF.Reshape(NF.Range(0, 7 * 12) % 256, [7, 3, 4]), DType.UInt8);
        var labels = NF.Range(7);
        Func<Tensor, Tensor, (Tensor, Tensor)> prepare = (x, y) => (NF.Cast(NF.Reshape(x, [12]), DType.Float32) / 255f, y);
        foreach (bool drop in new[] { false, true })
        {
            var fused = Dataset.FromTensorSlices(images, labels).Map(prepare).Batch(3, dropRemainder: drop).ToList();
            var unfused = Dataset.FromTensorSlices(images, labels).Map(prepare).Batch(3, dropRemainder: drop, fuseMap: false).ToList();
            Assert.Equal(drop ? 2 : 3, fused.Count);
            Assert.Equal(unfused.Count, fused.Count);
            for (int i = 0; i < fused.Count; i++)
            {
                Assert.Equal(unfused[i].Item1.Shape, fused[i].Item1.Shape);
                Assert.Equal(unfused[i].Item1.ToArray<float>(), fused[i].Item1.ToArray<float>());
                Assert.Equal(unfused[i].Item2.ToArray<int>(), fused[i].Item2.ToArray<int>());
            }
        }
    }

    [SkippableFact]
    public void Fit_from_a_dataset_equals_fit_from_the_same_tensors()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var x = NF.Random.Normal(new Shape(10, 3));
        var y = NF.Random.Uniform(new Shape(10), 0, 3, DType.Int32);
        Sequential Make()
        {
            var m = new Sequential(new Layers.Dense(3));
            m.Compile(new Optimizers.SGD(0.1), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
            m.Call(NF.Zeros(new Shape(1, 3)));
            m.SetWeights([NF.Reshape(NF.Range(0f, 9f, 1f) / 10f - 0.4f, [3, 3]), NF.Zeros(new Shape(3))]);
            return m;
        }
        var fromTensors = Make();
        var h1 = fromTensors.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);
        var fromDataset = Make();
        var h2 = fromDataset.Fit(Dataset.FromTensorSlices(x, y).Batch(4), epochs: 2, verbose: 0);
        Assert.Equal(h1["loss"], h2["loss"]);
        Assert.Equal(h1["accuracy"], h2["accuracy"]);
        Assert.Equal(fromTensors.GetWeights()[0].ToArray<float>(), fromDataset.GetWeights()[0].ToArray<float>());
        var (loss, _) = fromDataset.Evaluate(Dataset.FromTensorSlices(x, y).Batch(3));
        Assert.Equal(fromTensors.Evaluate(x, y, batchSize: 3).Loss, loss);
    }
}

public sealed class ManagedPipelineTests() : PipelineTests("managed");

public sealed class NativeCpuPipelineTests() : PipelineTests("cpu");

public sealed class CudaPipelineTests() : PipelineTests("cuda");
