using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// <c>Dataset.FromGenerator(generator, outputSignature)</c>, tf.data's
/// <c>from_generator(gen, output_signature=...)</c>: the signature is the element spec, elements
/// are checked against it as they come (TensorFlow fails the iteration naming the shapes), and
/// elements of varying length batch with PaddedBatch, as in the guide's <c>gen_series</c>.
/// </summary>
public class DataGeneratorSignatureTests
{
    private static readonly TupleSpec SeriesSignature = new(new TensorSpec([], DType.Int32), new TensorSpec([null], DType.Float32));

    // The guide's gen_series: (i, a random-length vector of normals), endless.
    private static IEnumerable<(Tensor, Tensor)> Series(int seed)
    {
        var random = new System.Random(seed);
        for (int i = 0; ; i++)
        {
            int size = random.Next(0, 10);
            yield return (NF.Constant(i), NF.Constant(Enumerable.Range(0, size).Select(_ => (float)random.NextDouble() + 1f).ToArray()));
        }
    }

    [Fact]
    public void The_guides_gen_series_has_its_signature_as_element_spec_and_padded_batches()
    {
        var series = Dataset.FromGenerator(() => Series(3), SeriesSignature);
        Assert.Equal("(TensorSpec(shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(None,), dtype=tf.float32, name=None))", series.ElementSpec.ToString());
        var batches = series.Shuffle(20, seed: 1).PaddedBatch(10);
        Assert.Equal("(TensorSpec(shape=(None,), dtype=tf.int32, name=None), TensorSpec(shape=(None, None), dtype=tf.float32, name=None))", batches.ElementSpec.ToString());
        var (ids, sequences) = batches.First();
        Assert.Equal([10], ids.Shape.ToArray());
        Assert.Equal(10, sequences.Shape[0]);
        // Each row keeps its generator values (all >= 1) and is padded with zeros after them.
        var expected = Series(3).Take(30).ToDictionary(e => e.Item1.Item<int>(), e => e.Item2.ToArray<float>());
        var rows = sequences.ToArray<float>();
        int width = sequences.Shape[1];
        var idValues = ids.ToArray<int>();
        Assert.All(idValues, id => Assert.InRange(id, 0, 29));   // a buffer of 20: the first batch comes from the first 30
        Assert.Equal(idValues.Max(id => expected[id].Length), width);
        for (int r = 0; r < 10; r++)
        {
            var row = rows.Skip(r * width).Take(width).ToArray();
            var values = expected[idValues[r]];
            Assert.Equal(values, row.Take(values.Length));
            Assert.All(row.Skip(values.Length), v => Assert.Equal(0f, v));
        }
        Assert.Equal(idValues.Distinct().Count(), idValues.Length);
    }

    [Fact]
    public void The_guides_image_generator_with_full_shapes()
    {
        IEnumerable<(Tensor, Tensor)> Flow() { for (int i = 0; i < 2; i++) yield return (NF.Zeros([4, 8, 8, 3]), NF.Zeros([4, 5])); }
        var ds = Dataset.FromGenerator(Flow, new TupleSpec(new TensorSpec([4, 8, 8, 3]), new TensorSpec([4, 5])));
        Assert.Equal("(TensorSpec(shape=(4, 8, 8, 3), dtype=tf.float32, name=None), TensorSpec(shape=(4, 5), dtype=tf.float32, name=None))", ds.ElementSpec.ToString());
        Assert.Equal(2, ds.Count());
        Assert.Equal("(TensorSpec(shape=(8, 8, 3), dtype=tf.float32, name=None), TensorSpec(shape=(5,), dtype=tf.float32, name=None))", ds.Unbatch().ElementSpec.ToString());
    }

    [Fact]
    public void An_element_of_another_shape_fails_the_pass_naming_the_element_and_both_shapes()
    {
        IEnumerable<Tensor> Gen()
        {
            yield return NF.Zeros([2]);
            yield return NF.Zeros([3]);
        }
        var ds = Dataset.FromGenerator(Gen, new TensorSpec([2]));
        using var it = ds.GetEnumerator();
        Assert.True(it.MoveNext());
        var error = Assert.Throws<InvalidOperationException>(() => it.MoveNext());
        Assert.Contains("element 1", error.Message);
        Assert.Contains("shape (3,)", error.Message);
        Assert.Contains("TensorSpec(shape=(2,), dtype=tf.float32, name=None)", error.Message);
        // A rank that differs fails too, a null dimension lets lengths vary.
        Assert.Throws<InvalidOperationException>(() => Dataset.FromGenerator(() => new[] { NF.Zeros([2, 1]) }, new TensorSpec([null])).Count());
        Assert.Equal(2, Dataset.FromGenerator(Gen, new TensorSpec([null])).Count());
        Assert.Equal(2, Dataset.FromGenerator(Gen, new TensorSpec(null)).Count());
    }

    [Fact]
    public void An_element_of_another_dtype_fails_naming_the_component_and_dtypes()
    {
        IEnumerable<(Tensor, Tensor)> Gen() { yield return (NF.Constant(1), NF.Constant(new[] { 1.0, 2.0 })); }
        var ds = Dataset.FromGenerator(Gen, SeriesSignature);
        var error = Assert.Throws<InvalidOperationException>(() => ds.First());
        Assert.Contains("element 0, component 1", error.Message);
        Assert.Contains("float64", error.Message);
        Assert.Contains("dtype=tf.float32", error.Message);
    }

    [Fact]
    public void A_signature_of_another_structure_is_refused_when_the_dataset_is_made()
    {
        IEnumerable<(Tensor, Tensor)> Pairs() { yield break; }
        var error = Assert.Throws<ArgumentException>(() => Dataset.FromGenerator(Pairs, new TensorSpec([null])));
        Assert.Contains("(Tensor, Tensor)", error.Message);
        Assert.Throws<ArgumentException>(() => Dataset.FromGenerator(() => new[] { NF.Zeros([1]) }, SeriesSignature));
        Assert.Throws<ArgumentException>(() => new TupleSpec(new TensorSpec([])));
    }

    [Fact]
    public void A_dictionary_signature_gives_the_keys_before_any_element()
    {
        IEnumerable<IReadOnlyDictionary<string, Tensor>> Records()
        {
            for (int i = 1; i <= 3; i++)
                yield return new Dictionary<string, Tensor> { ["tokens"] = NF.Ones([i], DType.Int32), ["score"] = NF.Constant((float)i) };
        }
        var signature = new DictionarySpec(new Dictionary<string, TensorSpec> { ["tokens"] = new([null], DType.Int32), ["score"] = new([]) });
        var ds = Dataset.FromGenerator(Records, signature);
        Assert.Equal(2, ds.ComponentCount);   // known before the first element
        // In the signature's key order, as TF prints output_signature's dict (UserProbe24.DatasetDictOrderTests).
        Assert.Equal("{'tokens': TensorSpec(shape=(None,), dtype=tf.int32, name=None), 'score': TensorSpec(shape=(), dtype=tf.float32, name=None)}", ds.ElementSpec.ToString());
        var batch = ds.PaddedBatch(3).First();
        Assert.Equal([3, 3], batch["tokens"].Shape.ToArray());
        Assert.Equal([1, 0, 0, 1, 1, 0, 1, 1, 1], batch["tokens"].ToArray<int>());
        var wrongKeys = new DictionarySpec(new Dictionary<string, TensorSpec> { ["tokens"] = new([null], DType.Int32) });
        Assert.Throws<InvalidOperationException>(() => Dataset.FromGenerator(Records, wrongKeys).First());
    }
}
