using System.Text;
using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// <c>tf.data.TextLineDataset(filenames, compression_type, buffer_size, num_parallel_reads)</c>: the
/// read buffer (0: the default; negative refused, as TensorFlow's "buffer_size must be &gt;= 0"), and
/// num_parallel_reads &gt; 1 interleaving the files' lines as TensorFlow's deterministic parallel
/// interleave (cycle_length n, block_length 1; order from text_line_reads_references.py). Also what
/// TensorFlow prints for a TextLineDataset and a from_tensors dataset, and Unbatch's cardinality
/// after a Map (TensorFlow: the batch size the element spec knows, else unknown). Before, the
/// constructor took no buffer size or parallel reads, printing named the wrong classes and the
/// cardinality after a Map was unknown.
/// </summary>
public abstract class DataTextLineReadsTests(string backend) : BackendFileTest(backend)
{
    private string[] Files()
    {
        string[][] lines = [["a1", "a2", "a3", "a4"], ["b1"], ["c1", "c2", "c3"], ["d1", "d2"]];
        return lines.Select((l, i) =>
        {
            var path = Temp.File($"f{i}.txt");
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes(string.Join("\n", l) + "\n"));
            return path;
        }).ToArray();
    }

    private static string[] Lines(Dataset<StringTensor> ds) => ds.Select(l => l.Item()).ToArray();

    [SkippableFact]
    public void Num_parallel_reads_interleaves_the_files_one_line_each_in_tensorflows_order()
    {
        RequireBackend();
        var files = Files();
        // text_line_reads_references.py: interleave([A, B, C, D], n).
        Assert.Equal(new[] { "a1", "a2", "a3", "a4", "b1", "c1", "c2", "c3", "d1", "d2" }, Lines(new TextLineDataset(files, numParallelReads: 1)));
        Assert.Equal(new[] { "a1", "b1", "a2", "a3", "c1", "a4", "c2", "c3", "d1", "d2" }, Lines(new TextLineDataset(files, numParallelReads: 2)));
        Assert.Equal(new[] { "a1", "b1", "c1", "a2", "c2", "a3", "d1", "c3", "a4", "d2" }, Lines(new TextLineDataset(files, numParallelReads: 3)));
        var eight = new TextLineDataset(files, numParallelReads: 8);
        Assert.Equal(new[] { "a1", "b1", "c1", "d1", "a2", "c2", "d2", "a3", "c3", "a4" }, Lines(eight));
        // Every pass reads the files afresh, in the same order.
        Assert.Equal(Lines(eight), Lines(eight));
        Assert.Equal(10, Lines(new TextLineDataset(files, numParallelReads: Dataset.Autotune)).Length);
        Assert.Equal("TensorSpec(shape=(), dtype=tf.string, name=None)", eight.ElementSpec.ToString());
        Assert.Equal(Dataset.Unknown, eight.Cardinality);

        // Any buffer size reads the same lines (a buffer smaller than a line included); 0 is the default.
        Assert.Equal(Lines(new TextLineDataset(files)), Lines(new TextLineDataset(files, bufferSize: 1)));
        Assert.Equal(Lines(new TextLineDataset(files)), Lines(new TextLineDataset(files, compressionType: "", bufferSize: 0)));
    }

    [SkippableFact]
    public void Negative_buffer_sizes_and_bad_parallel_reads_are_refused_naming_them()
    {
        RequireBackend();
        var files = Files();
        var buffer = Assert.Throws<ArgumentOutOfRangeException>(() => new TextLineDataset(files, bufferSize: -1));
        Assert.Equal("bufferSize", buffer.ParamName);
        Assert.Contains("bufferSize must be >= 0", buffer.Message);
        foreach (var bad in new[] { 0, -2 })
        {
            var reads = Assert.Throws<ArgumentOutOfRangeException>(() => new TextLineDataset(files, numParallelReads: bad));
            Assert.Equal("numParallelReads", reads.ParamName);
        }
        // A missing file still fails the pass that reaches it, naming it, when read in parallel.
        var missing = Temp.File("missing.txt");
        Assert.Contains("missing.txt", Assert.Throws<FileNotFoundException>(() => new TextLineDataset([files[0], missing], numParallelReads: 2).ToList()).Message);
    }

    [SkippableFact]
    public void Datasets_print_tensorflows_class_names()
    {
        RequireBackend();
        var files = Files();
        Assert.Equal("<TextLineDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)>", new TextLineDataset(files).ToString());
        Assert.Equal("<TextLineDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)>", new TextLineDataset(files, numParallelReads: 2).ToString());
        using var x = NF.Constant(new float[] { 1, 2, 3 });
        Assert.Equal("<_TensorDataset element_spec=TensorSpec(shape=(3,), dtype=tf.float32, name=None)>", Dataset.FromTensors(x).ToString());
        Assert.Equal("<_TensorDataset element_spec=TensorSpec(shape=(2,), dtype=tf.string, name=None)>", Dataset.FromTensors(new StringTensor(["a", "b"])).ToString());
        Assert.Equal("<_TensorDataset element_spec=(TensorSpec(shape=(3,), dtype=tf.float32, name=None), TensorSpec(shape=(3,), dtype=tf.float32, name=None))>",
                     Dataset.FromTensors(x, x).ToString());
        Assert.Equal("<_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tf.float32, name=None)>", Dataset.FromTensorSlices(x).ToString());
    }

    [SkippableFact]
    public void Unbatch_after_a_map_knows_the_batch_size_the_spec_knows_as_tensorflow()
    {
        RequireBackend();
        // TF: ds.batch(5, drop_remainder=True).map(f).unbatch().cardinality() == 10 (the map keeps (5,)).
        var doubled = Dataset.Range(10).Batch(5, dropRemainder: true).Map(x => x * 2L);
        Assert.Equal(10, doubled.Unbatch().Cardinality);
        Assert.Equal(10, doubled.Unbatch().Count());
        // Texts too: Map to upper case keeps the (4,) batches.
        var texts = Dataset.FromTensorSlices(new[] { "a", "b", "c", "d", "e", "f", "g", "h" }).Batch(4, dropRemainder: true).Map(t => t.Apply(s => s.ToUpperInvariant()));
        Assert.Equal(8, texts.Unbatch().Cardinality);
        // A batch of unknown size ((None,) without drop_remainder): unknown (-2).
        Assert.Equal(Dataset.Unknown, Dataset.Range(10).Batch(4).Map(x => x * 2L).Unbatch().Cardinality);
        // A Map that changes the batch's length: the traced (10,) spec tells 2 * 10 rows (TF: 20).
        var twice = Dataset.Range(10).Batch(5, dropRemainder: true).Map(x => NF.Concat([x, x], 0)).Unbatch();
        Assert.Equal(20, twice.Cardinality);
        Assert.Equal(20, twice.Count());
        // FromTensors of a (3,) tensor unbatches to 3 (TF: 3); an infinite input stays infinite.
        using var x3 = NF.Constant(new float[] { 1, 2, 3 });
        Assert.Equal(3, Dataset.FromTensors(x3).Unbatch().Cardinality);
        Assert.Equal(Dataset.Infinite, doubled.Repeat().Unbatch().Cardinality);
    }
}

/// <summary>TextLineDataset's reads on the managed backend.</summary>
public sealed class ManagedDataTextLineReadsTests() : DataTextLineReadsTests("managed");

/// <summary>TextLineDataset's reads on the native CPU backend.</summary>
public sealed class NativeCpuDataTextLineReadsTests() : DataTextLineReadsTests("cpu");

/// <summary>TextLineDataset's reads on CUDA.</summary>
public sealed class CudaDataTextLineReadsTests() : DataTextLineReadsTests("cuda");
