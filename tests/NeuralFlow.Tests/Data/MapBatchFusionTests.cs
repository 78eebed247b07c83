using NeuralFlow.Data;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// Map-and-batch fusion: a fused pipeline gives bit for bit the batches of the same pipeline with
/// <c>fuseMap: false</c> (order, shuffle, dropRemainder, the partial last batch, Repeat/Take/
/// Skip/Shard), and a function that is not provably per row is not fused, with the reason.
/// </summary>
public abstract class MapBatchFusionTests(string backend) : BackendTest(backend)
{
    private const int N = 50;

    // Images of uint8 like MNIST's (values 0..255) and int labels.
    internal static (Tensor X, Tensor Y) Data()
    {
        var x = NF.Constant(Enumerable.Range(0, N * 4 * 5).Select(i => (byte)(i * 37 % 256)).ToArray(), [N, 4, 5]);
        var y = NF.Constant(Enumerable.Range(0, N).Select(i => i * 3 % 10).ToArray());
        return (x, y);
    }

    // The workshop's section-6 preprocessing.
    private static (Tensor, Tensor) Scale(Tensor img, Tensor label) => (NF.Cast(NF.Reshape(img, [4 * 5]), DType.Float32) / 255f, label);

    private static List<(Shape, float[])[]> Batches<T>(Dataset<T> ds) where T : notnull =>
        ds.EnumerateTensors(disposeEach: true)
          .Select(b => b.Select(t => (t.Shape, NF.Cast(t, DType.Float32).ToArray<float>())).ToArray()).ToList();

    private static void AssertSameBatches<T>(Dataset<T> fused, Dataset<T> unfused) where T : notnull
    {
        var (a, b) = (Batches(fused), Batches(unfused));
        Assert.Equal(b.Count, a.Count);
        for (int i = 0; i < a.Count; i++)
            for (int c = 0; c < a[i].Length; c++)
            {
                Assert.Equal(b[i][c].Item1, a[i][c].Item1);
                Assert.Equal(b[i][c].Item2, a[i][c].Item2); // exact: the same kernels on the same values
            }
    }

    [SkippableFact]
    public void The_section_6_pipeline_is_fused_and_gives_the_unfused_batches_every_epoch()
    {
        RequireBackend();
        var (x, y) = Data();
        Dataset<(Tensor, Tensor)> Pipeline(bool fuse) =>
            Dataset.FromTensorSlices(x, y).Map((img, label) => Scale(img, label)).Shuffle(20, seed: 3).Batch(8, fuseMap: fuse);
        var (fused, unfused) = (Pipeline(true), Pipeline(false));
        Assert.False(fused.MapBatchFusion!.Decided);
        for (int epoch = 0; epoch < 2; epoch++) AssertSameBatches(fused, unfused); // reshuffled, the same way
        var info = fused.MapBatchFusion!;
        Assert.True(info.IsFused, info.ToString());
        Assert.Null(info.Reason);
        Assert.Equal(2 * 7, info.FusedBatches);           // 6 full batches and the partial one (2 elements), twice
        Assert.Equal(0, info.PerElementBatches);
        Assert.Equal("turned off (Batch(..., fuseMap: false))", unfused.MapBatchFusion!.Reason);
    }

    [SkippableFact]
    public void Order_drop_remainder_and_order_only_steps_are_preserved()
    {
        RequireBackend();
        var (x, y) = Data();
        var source = Dataset.FromTensorSlices(x, y).Map((img, label) => Scale(img, label));
        Func<Dataset<(Tensor, Tensor)>, Dataset<(Tensor, Tensor)>>[] shapes =
        [
            d => d,                                                  // consecutive rows: views of the source
            d => d.Shuffle(N, seed: 1),
            d => d.Take(23).Repeat(2),
            d => d.Skip(5).Shard(3, 1).Shuffle(7, seed: 2),
        ];
        foreach (var shape in shapes)
            foreach (bool drop in new[] { false, true })
            {
                var fused = shape(source).Batch(6, dropRemainder: drop);
                AssertSameBatches(fused, shape(source).Batch(6, dropRemainder: drop, fuseMap: false));
                Assert.True(fused.MapBatchFusion!.IsFused, fused.MapBatchFusion.ToString());
            }
    }

    [SkippableFact]
    public void Elementwise_chains_with_captured_tensors_give_the_unfused_values_bit_for_bit()
    {
        RequireBackend();
        var (x, y) = Data();
        var mean = NF.Constant(Enumerable.Range(0, 20).Select(i => i * 0.5f).ToArray(), [4, 5]);
        var rowScale = NF.Constant(new[] { 1f, 2f, 3f, 4f, 5f });
        Dataset<(Tensor, Tensor)> Pipeline(bool fuse) => Dataset.FromTensorSlices(x, y).Map((img, label) =>
        {
            var f = (NF.Cast(img, DType.Float32) - mean) / 37f * rowScale;
            var g = NF.Where(NF.Greater(f, 1f), NF.Tanh(f), NF.Exp(f * 0.01f));
            // Reshape's shape is the element's (-1 included): in the batch run the batch axis stays in front.
            return (NF.Reshape(NF.Sqrt(NF.Abs(g) + 1e-3f), [-1, 2]), NF.Cast(label, DType.Float32) * 2f + 1f);
        }).Shuffle(13, seed: 4).Batch(9, fuseMap: fuse);
        var fused = Pipeline(true);
        AssertSameBatches(fused, Pipeline(false));
        Assert.True(fused.MapBatchFusion!.IsFused, fused.MapBatchFusion.ToString());
    }

    [SkippableFact]
    public void Fit_fed_by_the_fused_pipeline_without_prefetch_trains_as_the_unfused_one()
    {
        // Without Prefetch the pipeline runs inside Fit's step scope, which frees what the step
        // made: the fusion's decision must keep nothing a scope can free.
        RequireBackend();
        var (x, y) = Data();
        float[] Train(bool fuse)
        {
            NF.Random.SetSeed(11);
            var model = new NeuralFlow.Keras.Sequential(new NeuralFlow.Keras.Layers.Dense(10, activation: "softmax"));
            model.Compile(new NeuralFlow.Keras.Optimizers.SGD(0.1f), "sparse_categorical_crossentropy");
            var ds = Dataset.FromTensorSlices(x, y).Map((img, label) => Scale(img, label)).Shuffle(30, seed: 5).Batch(8, fuseMap: fuse);
            model.Fit(ds, epochs: 2, verbose: 0);
            Assert.Equal(fuse, ds.MapBatchFusion!.IsFused);
            return model.TrainableVariables.SelectMany(v => v.ToArray<float>()).ToArray();
        }
        Assert.Equal(Train(false), Train(true));
    }

    public static TheoryData<string> Refused() =>
    [
        "reduce", "random", "host read", "expand dims", "transpose", "variable", "constant output", "filter after map", "map of a map",
    ];

    [SkippableTheory]
    [MemberData(nameof(Refused))]
    public void Functions_that_are_not_provably_per_row_are_not_fused_and_say_why(string what)
    {
        RequireBackend();
        var (x, y) = Data();
        var v = new Variable(NF.Constant(2f));
        var k = NF.Constant(7f);
        var rows = Dataset.FromTensorSlices(x, y);
        Func<Tensor, Tensor, (Tensor, Tensor)> fn = what switch
        {
            "reduce" => (img, label) => (NF.ReduceSum(NF.Cast(img, DType.Float32)), label),
            "random" => (img, label) => (NF.Cast(img, DType.Float32) + NF.Random.Uniform([4, 5]), label),
            "host read" => (img, label) => (NF.Cast(img, DType.Float32) * (label.Item<int>() > 4 ? 1f : 2f), label),
            "expand dims" => (img, label) => (NF.ExpandDims(NF.Cast(img, DType.Float32), 0), label),
            "transpose" => (img, label) => (NF.Transpose(NF.Cast(img, DType.Float32)), label),
            "variable" => (img, label) => (NF.Cast(img, DType.Float32) * v, label),
            "constant output" => (img, label) => (NF.Cast(img, DType.Float32), k),
            _ => Scale,
        };
        var ds = what switch
        {
            "filter after map" => rows.Map((img, label) => fn(img, label)).Filter(e => true),
            "map of a map" => rows.Map((img, label) => (img, label)).Map((img, label) => fn(img, label)),
            _ => rows.Map((img, label) => fn(img, label)),
        };
        string expected = what switch
        {
            "reduce" => "Reduce kernel, which is not elementwise",
            "random" => "kernel, which is not elementwise",
            "host read" => "cannot be traced",
            "expand dims" or "transpose" => "on a batch of 8",
            "variable" => "reads variable",
            "constant output" => "output 1 does not come from the element",
            "filter after map" => "no Map comes right before Batch",
            _ => "not rows of tensors",
        };
        var fused = ds.Batch(8);
        var unfusedBatches = what == "random" ? null : Batches(ds.Batch(8, fuseMap: false));
        var batches = Batches(fused);
        var info = fused.MapBatchFusion!;
        Assert.True(info.Decided);
        Assert.False(info.IsFused);
        Assert.Contains(expected, info.Reason);
        Assert.Equal(0, info.FusedBatches);
        if (unfusedBatches is not null) Assert.Equal(unfusedBatches.Select(b => b.Select(c => c.Item2)), batches.Select(b => b.Select(c => c.Item2)));
    }

    [SkippableFact]
    public void A_batch_whose_function_changed_since_the_decision_is_mapped_element_by_element()
    {
        RequireBackend();
        var (x, y) = Data();
        int calls = 0;
        // From the fourth call on (the decision makes two), the function runs one more kernel:
        // the per-batch check notices and that batch is mapped per element.
        var ds = Dataset.FromTensorSlices(x, y).Map((img, label) =>
        {
            var f = NF.Cast(img, DType.Float32);
            return (++calls >= 4 ? f + 0f : f, label);
        }).Batch(10);
        var batches = Batches(ds);
        var info = ds.MapBatchFusion!;
        Assert.True(info.IsFused);
        Assert.Equal(1, info.FusedBatches);
        Assert.Equal(4, info.PerElementBatches);
        Assert.Contains("kernels on a batch of 10", info.Reason);
        Assert.Equal(5, batches.Count);
        Assert.Equal(x.ToArray<byte>().Select(b => (float)b), batches.SelectMany(b => b[0].Item2));
    }

    [SkippableFact]
    public void A_function_error_reaches_the_consumer_as_in_the_unfused_pipeline()
    {
        RequireBackend();
        var (x, y) = Data();
        var ds = Dataset.FromTensorSlices(x, y).Map((img, label) => (NF.Cast(img, DType.Float32), label)).Batch(8);
        Assert.True(Batches(ds).Count == 7 && ds.MapBatchFusion!.IsFused);
        var bad = Dataset.FromTensorSlices(x, y).Map((img, label) => (NF.Reshape(img, [3]), label)).Batch(8);
        var e = Assert.Throws<ArgumentException>(() => Batches(bad));
        Assert.Contains("Reshape", e.Message);
        Assert.Contains("failed on an element of zeros", bad.MapBatchFusion!.Reason);
    }
}

public sealed class ManagedMapBatchFusionTests() : MapBatchFusionTests("managed");

public sealed class NativeCpuMapBatchFusionTests() : MapBatchFusionTests("cpu");

public sealed class CudaMapBatchFusionTests() : MapBatchFusionTests("cuda");
