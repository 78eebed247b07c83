using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// Text in tf.data pipelines: <see cref="StringTensor"/> elements from
/// <c>Dataset.FromTensorSlices(["the cat", ...])</c> travel through every step next to tensors, as
/// tf.string components do in TensorFlow (element_spec <c>TensorSpec(shape=(), dtype=tf.string, name=None)</c>,
/// Batch makes a [batch] vector, Unbatch splits it again, Shuffle/Take/Skip/Filter/Repeat/Cache/Zip/
/// Concatenate/Prefetch/Map/Interleave carry it). Expected values are what TensorFlow 2 prints for the
/// same pipelines (worked out by hand: the pipelines only move strings).
/// </summary>
public abstract class DataStringsTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Texts = ["the cat", "a dog", "the bird", "one fish", "two fish"];

    private static string[] All(IEnumerable<StringTensor> ds) => ds.SelectMany(s => s.ToArray()).ToArray();

    [SkippableFact]
    public void A_string_tensor_is_an_immutable_host_array_printed_as_tensorflow_prints_it()
    {
        RequireBackend();
        var scalar = new StringTensor("the cat");
        Assert.Equal(Shape.Scalar, scalar.Shape);
        Assert.Equal(DType.String, scalar.DType);
        Assert.Equal("the cat", scalar.Item());
        Assert.Equal("tf.Tensor(b'the cat', shape=(), dtype=string)", scalar.ToString());

        var source = new[] { "a", "b", "c", "d", "e", "f" };
        var grid = new StringTensor(source, new Shape(2, 3));
        source[0] = "changed";   // the array was copied
        Assert.Equal("tf.Tensor([[b'a' b'b' b'c'] [b'd' b'e' b'f']], shape=(2, 3), dtype=string)", grid.ToString());
        Assert.Equal(new[] { "d", "e", "f" }, grid[1].ToArray());
        Assert.Equal(new[] { "d", "e", "f" }, grid[-1].ToArray());
        Assert.Equal(new StringTensor(["a", "b", "c"]), grid[0]);
        Assert.Equal(new[] { "A", "B" }, new StringTensor(["a", "b"]).Apply(s => s.ToUpperInvariant()).ToArray());

        Assert.Contains("null (at 1)", Assert.Throws<ArgumentException>(() => new StringTensor(["a", null!])).Message);
        Assert.Contains("holds 4 strings, but 3", Assert.Throws<ArgumentException>(() => new StringTensor(["a", "b", "c"], new Shape(2, 2))).Message);
        Assert.Contains("shape (2, 3)", Assert.Throws<InvalidOperationException>(() => grid.Item()).Message);
        Assert.Throws<IndexOutOfRangeException>(() => grid[2]);
        // Strings are not numbers: no tensor of DType.String can be made.
        Assert.Contains("StringTensor", Assert.Throws<NotSupportedException>(() => NF.Zeros([2], DType.String)).Message);
    }

    [SkippableFact]
    public void From_tensor_slices_of_strings_has_a_tf_string_spec_and_batches_into_vectors()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(Texts);
        Assert.Equal("TensorSpec(shape=(), dtype=tf.string, name=None)", ds.ElementSpec.ToString());
        Assert.Equal(5, ds.Cardinality);
        Assert.Equal(Texts, ds.Select(s => s.Item()).ToArray());
        Assert.All(ds, s => Assert.Equal(Shape.Scalar, s.Shape));

        var batched = ds.Batch(2);
        Assert.Equal("TensorSpec(shape=(None,), dtype=tf.string, name=None)", batched.ElementSpec.ToString());
        var batches = batched.ToList();
        Assert.Equal(new[] { 2, 2, 1 }, batches.Select(b => b.Count).ToArray());
        Assert.Equal(new Shape(2), batches[0].Shape);
        Assert.Equal(new[] { "the bird", "one fish" }, batches[1].ToArray());
        Assert.Equal("TensorSpec(shape=(2,), dtype=tf.string, name=None)", ds.Batch(2, dropRemainder: true).ElementSpec.ToString());
        Assert.Equal(new[] { 2, 2 }, ds.Batch(2, dropRemainder: true).Select(b => b.Count).ToArray());

        // Batch of batches, then Unbatch back to the vectors and the scalars.
        var nested = ds.Batch(2, dropRemainder: true).Batch(2);
        Assert.Equal("TensorSpec(shape=(None, 2), dtype=tf.string, name=None)", nested.ElementSpec.ToString());
        Assert.Equal(new Shape(2, 2), nested.First().Shape);
        Assert.Equal(Texts[..4], All(nested.Unbatch().Unbatch()));
        Assert.Equal(Texts, ds.Batch(3).Unbatch().Select(s => s.Item()).ToArray());

        // FromTensors: the whole tensor, one element; FromTensorSlices of a matrix: its rows.
        var whole = Dataset.FromTensors(new StringTensor(Texts));
        Assert.Equal("TensorSpec(shape=(5,), dtype=tf.string, name=None)", whole.ElementSpec.ToString());
        Assert.Equal(Texts, whole.Single().ToArray());
        using var scores = NF.Constant(new float[] { 1, 2, 3, 4, 5 });
        var pair = Dataset.FromTensors(new StringTensor(Texts), scores);
        Assert.Equal("(TensorSpec(shape=(5,), dtype=tf.string, name=None), TensorSpec(shape=(5,), dtype=tf.float32, name=None))", pair.ElementSpec.ToString());
        Assert.Equal(Texts, pair.Repeat(2).Unbatch().Select(e => e.Item1.Item()).Take(5));
        Assert.Equal(10, pair.Repeat(2).Unbatch().Count());
        var rows = Dataset.FromTensorSlices(new StringTensor(["a", "b", "c", "d"], new Shape(2, 2)));
        Assert.Equal(new[] { "c", "d" }, rows.Last().ToArray());
    }

    [SkippableFact]
    public void Texts_and_labels_pair_up_and_shuffle_batch_take_skip_filter_keep_them_together()
    {
        RequireBackend();
        using var labels = NF.Constant(new long[] { 0, 1, 0, 1, 1 });
        var ds = Dataset.FromTensorSlices((Texts, labels));
        Assert.Equal("(TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))", ds.ElementSpec.ToString());

        // Shuffle moves a text and its label together: every pair survives, in a seeded order that repeats.
        var shuffled = ds.Shuffle(100, seed: 1).Batch(2);
        var pairs = new List<(string, long)>();
        foreach (var (texts, ids) in shuffled)
            using (ids) pairs.AddRange(texts.ToArray().Zip(ids.ToArray<long>()));
        Assert.Equal(Texts.Zip(new long[] { 0, 1, 0, 1, 1 }).OrderBy(p => p.First), pairs.OrderBy(p => p.Item1));
        var again = Dataset.FromTensorSlices((Texts, labels)).Shuffle(100, seed: 1).Batch(2).SelectMany(e => e.Item1.ToArray()).ToArray();
        Assert.Equal(pairs.Select(p => p.Item1), again);

        Assert.Equal(new[] { "a dog", "the bird" }, ds.Skip(1).Take(2).Select(e => e.Item1.Item()).ToArray());
        // Filter on the text (a C# predicate) and on the label (a tensor predicate).
        Assert.Equal(new[] { "the cat", "the bird" }, ds.Filter((t, y) => t.Item().StartsWith("the")).Select(e => e.Item1.Item()).ToArray());
        Assert.Equal(new[] { "a dog", "one fish", "two fish" }, ds.Filter((t, y) => NF.Equal(y, 1L)).Select(e => e.Item1.Item()).ToArray());
        Assert.Equal(10, ds.Repeat(2).Count());
        Assert.Equal(Texts.Concat(Texts), ds.Repeat(2).Select(e => e.Item1.Item()));
    }

    [SkippableFact]
    public void Map_reads_and_makes_strings_and_zip_concatenate_cache_prefetch_interleave_carry_them()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(Texts);
        // A Map that returns strings: a C# lambda upper-casing, traced for the spec as tf.data traces.
        var upper = ds.Map(t => t.Apply(s => s.ToUpperInvariant()));
        Assert.Equal("TensorSpec(shape=(), dtype=tf.string, name=None)", upper.ElementSpec.ToString());
        Assert.Equal(Texts.Select(s => s.ToUpperInvariant()), upper.Select(s => s.Item()));
        // A Map from strings to a number and back, and one that pairs a text with its length.
        var lengths = ds.Map(t => NF.Constant((long)t.Item().Length));
        Assert.Equal(new long[] { 7, 5, 8, 8, 8 }, lengths.Select(t => t.Item<long>()));
        // A Map of strings reads them on the host: Batch runs it per element, saying why.
        var lengthBatches = lengths.Batch(2);
        Assert.Equal(new long[] { 7, 5, 8, 8, 8 }, lengthBatches.SelectMany(b => b.ToArray<long>()));
        Assert.False(lengthBatches.MapBatchFusion!.IsFused);
        Assert.Contains("strings", lengthBatches.MapBatchFusion.Reason);
        var labelled = ds.Map(t => (t, NF.Constant(t.Item().Length)));
        Assert.Equal("(TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.int32, name=None))", labelled.ElementSpec.ToString());
        Assert.Equal(new[] { "the cat", "the bird" }, labelled.Batch(2).Unbatch().Filter((t, n) => t.Item().StartsWith("the")).Select(e => e.Item1.Item()));

        var zipped = Dataset.Zip(ds, Dataset.Range(5));
        Assert.Equal(new[] { "the cat:0", "a dog:1" }, zipped.Take(2).Select(e => $"{e.Item1.Item()}:{e.Item2.Item<long>()}"));
        Assert.Equal(Texts.Concat(Texts.Take(2)), All(ds.Concatenate(Dataset.FromTensorSlices(Texts[..2]))));

        var calls = 0;
        var cached = ds.Map(t => { calls++; return t; }).Cache();
        Assert.Equal(Texts, All(cached));
        Assert.Equal(Texts.Order(), All(cached.Shuffle(5, seed: 2).Batch(5).Unbatch()).Order());
        Assert.Equal(5, calls);
        Assert.Equal(Texts, All(ds.Prefetch(2)));
        Assert.Equal(Texts, All(ds.Batch(2).Prefetch(Dataset.Autotune).Unbatch()));

        // Window stacks strings as Batch does; GroupByWindow groups texts by a key of their own (odd or even length).
        var windows = ds.Window(2, shift: 1, dropRemainder: true).ToList();
        Assert.Equal(4, windows.Count);
        Assert.Equal(new[] { "a dog", "the bird" }, windows[1].ToArray());
        var groups = ds.GroupByWindow(t => NF.Constant((long)(t.Item().Length % 2)), (key, texts) => texts.Batch(10), windowSize: 10)
                       .Select(g => string.Join("|", g.ToArray())).Order().ToArray();
        Assert.Equal(new[] { "the bird|one fish|two fish", "the cat|a dog" }, groups);

        // Interleave: each text read as a dataset of its words, two at a time.
        var words = ds.Take(2).Interleave(t => Dataset.FromTensorSlices(t.Item().Split(' ')), cycleLength: 2);
        Assert.Equal(new[] { "the", "a", "cat", "dog" }, words.Select(w => w.Item()));
        // Unique compares strings (tf.data's unique takes tf.string): each text once, at its first occurrence.
        Assert.Equal(Texts, All(Dataset.FromTensorSlices(Texts.Concat(Texts.Reverse()).ToArray()).Unique()));
    }

    [SkippableFact]
    public void Generators_yield_strings_checked_against_their_signature()
    {
        RequireBackend();
        IEnumerable<StringTensor> Lines() { yield return "first"; yield return "second"; }
        var ds = Dataset.FromGenerator(Lines, new TensorSpec([], DType.String));
        Assert.Equal("TensorSpec(shape=(), dtype=tf.string, name=None)", ds.ElementSpec.ToString());
        Assert.Equal(new[] { "first", "second" }, ds.Batch(2).Single().ToArray());
        // A tensor signature does not fit string elements, nor a string signature tensors.
        Assert.Throws<ArgumentException>(() => Dataset.FromGenerator(Lines, new TensorSpec([], DType.Int64)));
        Assert.Throws<ArgumentException>(() => Dataset.FromGenerator(() => new[] { NF.Constant(1L) }, new TensorSpec([], DType.String)));
        IEnumerable<StringTensor> Vectors() { yield return new StringTensor(["a", "b"]); }
        Assert.Contains("expects TensorSpec(shape=(), dtype=tf.string, name=None)",
            Assert.Throws<InvalidOperationException>(() => Dataset.FromGenerator(Vectors, new TensorSpec([], DType.String)).ToList()).Message);
    }

    [SkippableFact]
    public void Bad_string_inputs_are_refused_with_messages_that_name_them()
    {
        RequireBackend();
        Assert.Contains("null (at 1)", Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(["a", null!])).Message);
        Assert.Throws<ArgumentNullException>(() => Dataset.FromTensorSlices((string[])null!));
        Assert.Contains("same first dimension", Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(Texts, NF.Constant(new long[] { 1, 2 }))).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(new StringTensor("alone"))).Message);
        // A Map that returns a null StringTensor.
        Assert.Contains("null Tensor or StringTensor", Assert.Throws<ArgumentNullException>(() => Dataset.FromTensorSlices(Texts).Map(t => (StringTensor)null!).ToList()).Message);

        // Mixed ranks in a batch: element 0 is one text, element 1 two.
        IEnumerable<StringTensor> Mixed() { yield return "one"; yield return new StringTensor(["two", "three"]); }
        var mixed = Assert.Throws<InvalidOperationException>(() => Dataset.FromGenerator(Mixed).Batch(2).ToList());
        Assert.Contains("element 0 of the batch has shape () and element 1 has shape (2,)", mixed.Message);
        // Ragged texts pad with "" as TF's padded_batch pads with b"" (UserProbe22.DataStringBatchingTests has more,
        // and the cache files of strings); before, both were refused.
        IEnumerable<StringTensor> Ragged() { yield return new StringTensor(["a"]); yield return new StringTensor(["b", "c"]); }
        Assert.Equal(new[] { "a", "", "b", "c" }, Dataset.FromGenerator(Ragged).PaddedBatch(2).Single().ToArray());
        // A string spec is a spec, but no numeric op takes DType.String.
        Assert.Equal("TensorSpec(shape=(None,), dtype=tf.string, name=None)", new TensorSpec([null], DType.String).ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Range(0, 3, dtype: DType.String));
    }
}

/// <summary>String datasets on the managed backend.</summary>
public sealed class ManagedDataStringsTests() : DataStringsTests("managed");

/// <summary>String datasets on the native CPU backend.</summary>
public sealed class NativeCpuDataStringsTests() : DataStringsTests("cpu");

/// <summary>String datasets on CUDA.</summary>
public sealed class CudaDataStringsTests() : DataStringsTests("cuda");
