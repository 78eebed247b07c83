using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>
/// The records of TFRecord files, one scalar string element (<see cref="StringTensor"/>) per record
/// (<c>tf.data.TFRecordDataset</c>), read lazily file after file, each record checked against its CRC-32C
/// checksums (a damaged or cut-short file fails the pass that reaches it with an <see cref="InvalidDataException"/>
/// naming the file and offset, as TensorFlow's DataLossError). A record's bytes are kept exactly (text reads as text;
/// other bytes escaped, see <see cref="StringTensor.FromBytes"/>), so <c>ds.Map(r =&gt; NF.IO.ParseSingleExample(r, features))</c>
/// decodes serialized <see cref="Train.Example"/>s and NF.IO.DecodeRaw raw buffers. Written by
/// <see cref="IO.TFRecordWriter"/> or by TensorFlow. It prints as TensorFlow's
/// <c>&lt;TFRecordDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)&gt;</c>.
/// </summary>
public sealed class TFRecordDataset : Dataset<StringTensor>
{
    /// <summary>The records of <paramref name="filenames"/>, uncompressed (<c>tf.data.TFRecordDataset(["a.tfrecord"])</c>).</summary>
    public TFRecordDataset(params string[] filenames) : this(filenames, compressionType: null) { }

    /// <summary>
    /// The records of <paramref name="filenames"/> (<c>tf.data.TFRecordDataset(filenames, compression_type, buffer_size,
    /// num_parallel_reads)</c>): <paramref name="compressionType"/> null or "", "GZIP" or "ZLIB"; <paramref name="bufferSize"/>
    /// bytes buffered per file (null or 0: 256 KB); <paramref name="numParallelReads"/> files read at once, their records
    /// interleaved one at a time (null: one file after another; <see cref="Dataset.Autotune"/>: one per processor).
    /// </summary>
    public TFRecordDataset(IEnumerable<string> filenames, string? compressionType = null, int? bufferSize = null, int? numParallelReads = null)
        : base(new TFRecordNode(TextLineDataset.CheckedFiles(filenames, nameof(TFRecordDataset), "a TFRecord file"),
                                CompressedFile.CheckedCompression(compressionType, nameof(TFRecordDataset)),
                                TextLineDataset.CheckedBufferSize(bufferSize, nameof(TFRecordDataset)),
                                TextLineDataset.CheckedParallelReads(numParallelReads, nameof(TFRecordDataset))))
    {
    }
}
