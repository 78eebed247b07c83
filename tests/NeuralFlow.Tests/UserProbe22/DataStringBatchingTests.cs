using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// Strings in <c>padded_batch</c> and in <c>cache(filename)</c>, as tf.data: PaddedBatch pads a
/// tf.string component with b"" by default (or the given padding string) to the longest element of
/// the batch or the padded shape, next to numeric components padded with their value; a cache file
/// keeps text, non-ASCII UTF-8 and empty strings included, and a second pass (and a second
/// dataset over the same file) reads it back. Before, both refused strings. Expected values worked
/// out by hand (padding only moves strings).
/// </summary>
public abstract class DataStringBatchingTests(string backend) : BackendFileTest(backend)
{
    // Sentences of 1, 3 and 2 words: a ragged tf.string dataset, as tf.strings.split would make.
    private static Dataset<(StringTensor, Tensor)> Sentences() =>
        Dataset.FromGenerator<(StringTensor, Tensor)>(() => new[]
        {
            (new StringTensor(["hi"]), NF.Constant(new long[] { 7 })),
            (new StringTensor(["the", "café", "opens"]), NF.Constant(new long[] { 1, 2, 3 })),
            (new StringTensor(["", "x"]), NF.Constant(new long[] { 4, 5 })),
        });

    [SkippableFact]
    public void Padded_batch_pads_strings_with_empty_strings_as_tensorflow()
    {
        RequireBackend();
        var batches = Sentences().PaddedBatch(2).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(new Shape(2, 3), batches[0].Item1.Shape);
        Assert.Equal(new[] { "hi", "", "", "the", "café", "opens" }, batches[0].Item1.ToArray());
        Assert.Equal(new long[] { 7, 0, 0, 1, 2, 3 }, batches[0].Item2.ToArray<long>());
        Assert.Equal(new[] { "", "x" }, batches[1].Item1.ToArray());

        // A padding string and a padded shape: every batch [n, 4], numbers padded with -1.
        var padded = Sentences().PaddedBatch(3, paddedShapes: [[4], [4]], paddingString: "<pad>", paddingValue: -1).Single();
        Assert.Equal(new[] { "hi", "<pad>", "<pad>", "<pad>", "the", "café", "opens", "<pad>", "", "x", "<pad>", "<pad>" }, padded.Item1.ToArray());
        Assert.Equal(new long[] { 7, -1, -1, -1, 1, 2, 3, -1, 4, 5, -1, -1 }, padded.Item2.ToArray<long>());
        Assert.Equal("(TensorSpec(shape=(None, 4), dtype=tf.string, name=None), TensorSpec(shape=(None, 4), dtype=tf.int64, name=None))",
                     Sentences().PaddedBatch(3, paddedShapes: [[4], [4]], paddingString: "<pad>").ElementSpec.ToString());

        // Scalars of one shape batch as Batch does; a too-short padded shape is refused naming the component.
        Assert.Equal(new[] { "a", "b" }, Dataset.FromTensorSlices(new[] { "a", "b" }).PaddedBatch(2).Single().ToArray());
        var tooShort = Assert.Throws<InvalidOperationException>(() => Sentences().PaddedBatch(3, paddedShapes: [[2], [4]], paddingString: "").ToList());
        Assert.Contains("component 0 has an element of length 3", tooShort.Message);
        Assert.Throws<ArgumentNullException>(() => Sentences().PaddedBatch(3, null, paddingString: null!));
    }

    [SkippableFact]
    public void A_cache_file_keeps_utf8_and_empty_strings_and_the_second_pass_reads_the_file()
    {
        RequireBackend();
        string[] texts = ["plain", "", "naïve café ☕", "𝄞 clef", "tab\tand\nnewline", ""];
        using var scores = NF.Constant(new float[] { 1, 2, 3, 4, 5, 6 });
        int reads = 0;
        var source = Dataset.FromTensorSlices(texts, scores).Map((t, s) => { Interlocked.Increment(ref reads); return (t, s * 2f); });
        var path = Temp.File("strings.cache");
        var cached = source.Cache(path);
        var first = cached.Select(e => (e.Item1.Item(), e.Item2.Item<float>())).ToList();
        Assert.Equal(6, reads);
        Assert.True(File.Exists(path));
        Assert.Equal(texts, first.Select(e => e.Item1));
        Assert.Equal(new float[] { 2, 4, 6, 8, 10, 12 }, first.Select(e => e.Item2));

        // The second epoch and a new dataset over the same file read it, never the Map.
        Assert.Equal(first, cached.Select(e => (e.Item1.Item(), e.Item2.Item<float>())).ToList());
        Assert.Equal(texts, source.Cache(path).Batch(4).SelectMany(b => b.Item1.ToArray()));
        Assert.Equal(6, reads);

        // Batched strings (a [n] vector per element) round-trip with their shape.
        var batchPath = Temp.File("batches.cache");
        var batches = Dataset.FromTensorSlices(texts).Batch(4).Cache(batchPath);
        Assert.Equal(new[] { 4, 2 }, batches.Select(b => b.Count).ToArray());
        var again = batches.ToList();
        Assert.Equal(new Shape(4), again[0].Shape);
        Assert.Equal(texts, again.SelectMany(b => b.ToArray()));
    }
}

/// <summary>Padded and cached strings on the managed backend.</summary>
public sealed class ManagedDataStringBatchingTests() : DataStringBatchingTests("managed");

/// <summary>Padded and cached strings on the native CPU backend.</summary>
public sealed class NativeCpuDataStringBatchingTests() : DataStringBatchingTests("cpu");

/// <summary>Padded and cached strings on CUDA.</summary>
public sealed class CudaDataStringBatchingTests() : DataStringBatchingTests("cuda");
