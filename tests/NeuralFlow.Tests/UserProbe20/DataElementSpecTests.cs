using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// <c>Dataset.ElementSpec</c> (tf.data's <c>element_spec</c>) through every transformation, with the
/// values TensorFlow prints for the guide "tf.data: Build TensorFlow input pipelines"
/// (site/en/guide/data.ipynb; the notebook keeps no outputs, so the strings are those tf.data's
/// shape rules give: None for the batch axis unless drop_remainder, a map traced once).
/// </summary>
public class DataElementSpecTests
{
    private const string F32 = "dtype=tf.float32, name=None)";
    private const string I64 = "dtype=tf.int64, name=None)";

    [Fact]
    public void Guide_basic_mechanics_element_specs()
    {
        // dataset1 = from_tensor_slices(tf.random.uniform([4, 10]))
        var dataset1 = Dataset.FromTensorSlices(NF.Random.Uniform([4, 10]));
        Assert.Equal("TensorSpec(shape=(10,), " + F32, dataset1.ElementSpec.ToString());
        // dataset2 = from_tensor_slices((uniform([4]), uniform([4, 100], maxval=100, dtype=tf.int32)))
        var dataset2 = Dataset.FromTensorSlices(NF.Random.Uniform([4]), NF.Cast(NF.Random.Uniform([4, 100], 0, 100), DType.Int32));
        Assert.Equal("(TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(100,), dtype=tf.int32, name=None))", dataset2.ElementSpec.ToString());
        var dataset3 = Dataset.Zip(dataset1, dataset2);
        Assert.Equal("(TensorSpec(shape=(10,), dtype=tf.float32, name=None), (TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(100,), dtype=tf.int32, name=None)))",
            dataset3.ElementSpec.ToString());
        var tuple = Assert.IsType<TupleSpec>(dataset3.ElementSpec);
        Assert.Equal(DType.Int32, Assert.IsType<TupleSpec>(tuple[1]).Components[1].DType);
        Assert.Equal(3, dataset3.ElementSpec.Components.Count);
    }

    [Fact]
    public void Batch_axis_is_unknown_unless_the_remainder_is_dropped()
    {
        var inc = Dataset.Range(100);
        var dec = Dataset.Range(0, -100, -1);
        var zipped = Dataset.Zip(inc, dec);
        Assert.Equal("(TensorSpec(shape=(None,), " + I64 + ", TensorSpec(shape=(None,), " + I64 + ")", zipped.Batch(4).ElementSpec.ToString());
        Assert.Equal("(TensorSpec(shape=(7,), " + I64 + ", TensorSpec(shape=(7,), " + I64 + ")", zipped.Batch(7, dropRemainder: true).ElementSpec.ToString());
        var images = Dataset.FromTensorSlices(NF.Zeros([6, 28, 28]), NF.Zeros([6], DType.Int32));
        Assert.Equal("TensorSpec(shape=(None, 28, 28), " + F32, ((TupleSpec)images.Shuffle(6).Batch(4).Prefetch(2).ElementSpec)[0].ToString());
        // Order-only steps, Repeat, Cache, Filter keep the spec.
        var kept = images.Take(3).Skip(1).Repeat(2).Shard(2, 0).Cache().Filter((x, y) => true).Batch(2, dropRemainder: true);
        Assert.Equal("(TensorSpec(shape=(2, 28, 28), dtype=tf.float32, name=None), TensorSpec(shape=(2,), dtype=tf.int32, name=None))", kept.ElementSpec.ToString());
        // Unbatch and Rebatch.
        Assert.Equal("TensorSpec(shape=(), " + I64, inc.Batch(7, dropRemainder: true).Unbatch().ElementSpec.ToString());
        Assert.Equal("TensorSpec(shape=(None,), " + I64, inc.Batch(4).Rebatch(3).ElementSpec.ToString());
        Assert.Equal("TensorSpec(shape=(3,), " + I64, inc.Batch(4).Rebatch(3, dropRemainder: true).ElementSpec.ToString());
    }

    [Fact]
    public void A_map_is_traced_once_on_zeros_and_its_shapes_follow_the_inputs()
    {
        var pixels = Dataset.FromTensorSlices(NF.Zeros([5, 28, 28], DType.UInt8));
        var flat = pixels.Map(img => NF.Cast(NF.Reshape(img, [784]), DType.Float32) / 255f);
        Assert.Equal("TensorSpec(shape=(784,), " + F32, flat.ElementSpec.ToString());
        Assert.Equal("TensorSpec(shape=(None, 784), " + F32, flat.Batch(2).ElementSpec.ToString());
        // After a Batch without dropRemainder the batch axis stays unknown through a Map (traced at two sizes).
        var sums = pixels.Batch(2).Map(b => NF.ReduceSum(NF.Cast(b, DType.Float32), [1, 2]));
        Assert.Equal("TensorSpec(shape=(None,), " + F32, sums.ElementSpec.ToString());
        // The guide's batches.map(label_next_5_steps): inputs all but the last 5 steps, labels the last 5.
        var range = Dataset.Range(100).Batch(15, dropRemainder: true)
            .Map(batch => (NF.Slice(batch, [0], [10]), NF.Slice(batch, [10], [5])));
        Assert.Equal("(TensorSpec(shape=(10,), " + I64 + ", TensorSpec(shape=(5,), " + I64 + ")", range.ElementSpec.ToString());
        // The values are unchanged by the trace.
        var (features, labels) = range.First();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), features.ToArray<long>());
        Assert.Equal(Enumerable.Range(10, 5).Select(i => (long)i), labels.ToArray<long>());
    }

    [Fact]
    public void A_map_whose_shapes_follow_values_read_on_the_host_leaves_them_unknown()
    {
        // The guide: range(100).map(lambda x: tf.fill([tf.cast(x, tf.int32)], x)).padded_batch(4, padded_shapes=(None,))
        var filled = Dataset.Range(100).Map(x => NF.Fill([(int)x.Item<long>()], x.Item<long>(), DType.Int64));
        Assert.Equal("TensorSpec(shape=(None,), " + I64, filled.ElementSpec.ToString());
        var padded = filled.PaddedBatch(4, paddedShapes: [[-1]]);
        Assert.Equal("TensorSpec(shape=(None, None), " + I64, padded.ElementSpec.ToString());
        using var second = padded.Skip(1).First();
        Assert.Equal(new[] { 4, 7 }, second.Shape.ToArray());
        // A given padded length is known; without paddedShapes each component keeps its own spec.
        Assert.Equal("TensorSpec(shape=(None, 120), " + I64, filled.PaddedBatch(4, paddedShapes: [[120]]).ElementSpec.ToString());
        Assert.Equal("TensorSpec(shape=(4, None), " + I64, filled.PaddedBatch(4, dropRemainder: true).ElementSpec.ToString());
        Assert.Equal("TensorSpec(shape=(None, 3), " + F32, Dataset.FromTensorSlices(NF.Zeros([5, 3])).PaddedBatch(2).ElementSpec.ToString());
    }

    [Fact]
    public void A_padded_shape_of_another_rank_is_refused_naming_the_component()
    {
        var ds = Dataset.FromTensorSlices(NF.Zeros([5, 3]));
        var error = Assert.Throws<InvalidOperationException>(() => ds.PaddedBatch(2, paddedShapes: [[4, 4]]).ElementSpec);
        Assert.Contains("component 0", error.Message);
        Assert.Contains("TensorSpec(shape=(3,)", error.Message);
    }

    [Fact]
    public void Tracing_draws_no_random_numbers_the_pipeline_would_have_drawn()
    {
        Dataset<Tensor> Noisy() => Dataset.FromTensorSlices(NF.Zeros([4, 3])).Map(x => x + NF.Random.Uniform([3]));
        NF.Random.SetSeed(11);
        var plain = Noisy().Select(t => t.ToArray<float>()).ToArray();
        NF.Random.SetSeed(11);
        var ds = Noisy();
        Assert.Equal("TensorSpec(shape=(3,), " + F32, ds.ElementSpec.ToString());
        Assert.Equal(plain, ds.Select(t => t.ToArray<float>()).ToArray());
    }

    [Fact]
    public void A_map_that_fails_on_zeros_is_read_from_its_first_element()
    {
        int calls = 0;
        var ds = Dataset.Range(1, 4).Map(x =>
        {
            calls++;
            if (x.Item<long>() == 0) throw new DivideByZeroException("no zeros here");
            return NF.Fill([2, (int)x.Item<long>()], 1.0, DType.Float32);
        });
        Assert.Equal("TensorSpec(shape=(None, None), " + F32, ds.ElementSpec.ToString());
        Assert.Equal(2, calls);   // the failed trace and the first element
        Assert.Equal(3, ds.Count());
    }

    [Fact]
    public void Windows_zip_enumerate_concatenate_scan_and_flat_map()
    {
        var range = Dataset.Range(10);
        Assert.Equal("TensorSpec(shape=(None,), " + I64, range.Window(3).ElementSpec.ToString());
        Assert.Equal("TensorSpec(shape=(3,), " + I64, range.Window(3, shift: 1, dropRemainder: true).ElementSpec.ToString());
        Assert.Equal("(TensorSpec(shape=(), " + I64 + ", TensorSpec(shape=(2,), " + F32 + ")",
            Dataset.FromTensorSlices(NF.Zeros([3, 2])).Enumerate().ElementSpec.ToString());
        var three = Dataset.FromTensorSlices(NF.Zeros([2, 3]));
        var four = Dataset.FromTensorSlices(NF.Zeros([2, 4]));
        Assert.Equal("TensorSpec(shape=(None,), " + F32, three.Concatenate(four).ElementSpec.ToString());
        Assert.Equal("TensorSpec(shape=(3,), " + F32, three.Concatenate(three).ElementSpec.ToString());
        Assert.Equal("TensorSpec(shape=(None,), " + F32, Dataset.SampleFromDatasets([three, four], [0.5, 0.5], seed: 1).ElementSpec.ToString());
        // scan: a running sum of int64 scalars, as a float pair.
        var scanned = range.Scan(NF.Constant(0L), (state, x) => (state + x, NF.Stack([NF.Cast(state, DType.Float32), NF.Cast(x, DType.Float32)])));
        Assert.Equal("TensorSpec(shape=(2,), " + F32, scanned.ElementSpec.ToString());
        // flat_map(lambda x: from_tensor_slices(x)) unbatches rows of 2 x 3 matrices.
        var rows = Dataset.FromTensorSlices(NF.Zeros([4, 2, 3])).FlatMap(m => Dataset.FromTensorSlices(m));
        Assert.Equal("TensorSpec(shape=(3,), " + F32, rows.ElementSpec.ToString());
        var interleaved = Dataset.Range(3).Interleave(x => Dataset.FromTensors(x).Repeat(2), cycleLength: 2);
        Assert.Equal("TensorSpec(shape=(), " + I64, interleaved.ElementSpec.ToString());
    }

    [Fact]
    public void Dictionaries_print_their_keys_in_their_own_order()
    {
        var features = new Dictionary<string, Tensor> { ["title"] = NF.Zeros([4, 5], DType.Int32), ["body"] = NF.Zeros([4, 7]) };
        var ds = Dataset.FromTensorSlices(features, NF.Zeros([4], DType.Int64));
        // tf.data keeps a dict's own key order (title, body) when it prints or builds one (UserProbe24.DatasetDictOrderTests).
        Assert.Equal("({'title': TensorSpec(shape=(5,), dtype=tf.int32, name=None), 'body': TensorSpec(shape=(7,), dtype=tf.float32, name=None)}, TensorSpec(shape=(), " + I64 + ")",
            ds.Batch(2).Unbatch().ElementSpec.ToString());
        var dict = Assert.IsType<DictionarySpec>(((TupleSpec)ds.ElementSpec)[0]);
        Assert.Equal(["title", "body"], dict.Keys);
        Assert.Equal(DType.Int32, ((TensorSpec)dict["title"]).DType);
        Assert.Contains("'title', 'body'", Assert.Throws<KeyNotFoundException>(() => dict["name"]).Message);
        // A Map into a dictionary: the trace tells its keys before any pass.
        var mapped = Dataset.FromTensorSlices(NF.Zeros([3, 2])).Map(x => (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor> { ["x"] = x, ["sum"] = NF.ReduceSum(x) });
        Assert.Equal("{'x': TensorSpec(shape=(2,), dtype=tf.float32, name=None), 'sum': TensorSpec(shape=(), dtype=tf.float32, name=None)}", mapped.ElementSpec.ToString());
        Assert.Equal(2, mapped.ComponentCount);
    }

    [Fact]
    public void A_generator_without_a_signature_tells_dtypes_and_ranks_from_its_first_element()
    {
        static IEnumerable<Tensor> Sequences() { for (int n = 1; n <= 3; n++) yield return NF.Ones([n]); }
        Assert.Equal("TensorSpec(shape=(None,), " + F32, Dataset.FromGenerator(Sequences).ElementSpec.ToString());
        var error = Assert.Throws<InvalidOperationException>(() => Dataset.FromGenerator(() => Enumerable.Empty<Tensor>()).ElementSpec);
        Assert.Contains("no element", error.Message);
        Assert.Equal("TensorSpec(shape=(2, 3), " + F32, Dataset.FromTensors(NF.Zeros([2, 3])).ElementSpec.ToString());
    }

    [Fact]
    public void Image_dataset_from_directory_has_keras_element_spec()
    {
        // Keras: (TensorSpec(shape=(None, 4, 3, 3), dtype=tf.float32), TensorSpec(shape=(None,), dtype=tf.int32)).
        string root = Directory.CreateTempSubdirectory("nf-dataspec-").FullName;
        try
        {
            DatasetFromDirectory.DirectoryFixture.Write(root, "a/x.png", DatasetFromDirectory.DirectoryFixture.SolidPng(6, 8, 1, 2, 3));
            DatasetFromDirectory.DirectoryFixture.Write(root, "b/y.png", DatasetFromDirectory.DirectoryFixture.SolidPng(5, 7, 4, 5, 6));
            var ds = NeuralFlow.Keras.Utils.ImageDatasetFromDirectory(root, imageSize: (4, 3), verbose: false);
            Assert.Equal("(TensorSpec(shape=(None, 4, 3, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))", ds.ElementSpec.ToString());
            Assert.Equal(2, ds.Unbatch().Count());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void TensorSpec_prints_compares_and_checks_as_tf_TensorSpec()
    {
        Assert.Equal("TensorSpec(shape=(None, 28, 28), " + F32, new TensorSpec([null, 28, 28]).ToString());
        Assert.Equal("TensorSpec(shape=<unknown>, dtype=tf.uint8, name='image')", new TensorSpec(null, DType.UInt8, "image").ToString());
        Assert.Equal("TensorSpec(shape=(), dtype=tf.bool, name=None)", new TensorSpec([], DType.Bool).ToString());
        var spec = new TensorSpec([null, 3]);
        Assert.True(spec.IsCompatibleWith(NF.Zeros([5, 3])));
        Assert.False(spec.IsCompatibleWith(NF.Zeros([5, 4])));
        Assert.False(spec.IsCompatibleWith(NF.Zeros([5, 3], DType.Float64)));
        Assert.False(spec.IsCompatibleWith(NF.Zeros([3])));
        Assert.True(new TensorSpec(null).IsCompatibleWith(NF.Zeros([1, 2, 3])));
        Assert.Equal(new TensorSpec([null, 3]), new TensorSpec([2, 3]).MostSpecificCompatible(new TensorSpec([4, 3])));
        Assert.Equal(new TensorSpec(null), new TensorSpec([2]).MostSpecificCompatible(new TensorSpec([2, 2])));
        Assert.Throws<ArgumentException>(() => new TensorSpec([2]).MostSpecificCompatible(new TensorSpec([2], DType.Int32)));
        Assert.Equal(TensorSpec.FromTensor(NF.Zeros([2, 5], DType.Int64)), new TensorSpec([2, 5], DType.Int64));
        Assert.Contains("-1", Assert.Throws<ArgumentException>(() => new TensorSpec([-1, 3])).Message);
        Assert.False(spec.IsFullyDefined);
        Assert.True(new TensorSpec([1, 2]).IsFullyDefined);
    }
}
