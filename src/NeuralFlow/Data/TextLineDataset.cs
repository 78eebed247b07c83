using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>
/// The lines of text files, one scalar string element (<see cref="StringTensor"/>) per line
/// (<c>tf.data.TextLineDataset</c>, the "Load text" tutorial's reader): file after file in the
/// order given, each read lazily when a pass reaches it, or several files at once, one line of
/// each in turn (<c>numParallelReads</c>). A line ends at '\n' and holds no '\r'
/// (TensorFlow's reader drops every '\r', so "\r\n" files read as "\n" ones); a last line without
/// '\n' counts unless it is empty. Text is decoded as UTF-8. A missing file fails the pass that
/// reaches it with a <see cref="FileNotFoundException"/> naming it, as tf.data fails at iteration.
/// Transform it as any dataset: <c>lines.Skip(1).Filter(...)</c>, <c>lines.Map(l =&gt; (l, label))</c>,
/// <c>lines.Batch(32)</c>, then <c>TextVectorization.Adapt</c> and <c>Call</c>. It prints as
/// TensorFlow's <c>&lt;TextLineDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)&gt;</c>.
/// </summary>
public sealed class TextLineDataset : Dataset<StringTensor>
{
    /// <summary>TensorFlow's read buffer when <c>buffer_size</c> is not given or 0 (256 KB).</summary>
    internal const int DefaultBufferSize = 256 * 1024;

    /// <summary>The lines of <paramref name="filenames"/>, uncompressed (<c>tf.data.TextLineDataset(["a.txt", "b.txt"])</c>).</summary>
    public TextLineDataset(params string[] filenames) : this(filenames, compressionType: null) { }

    /// <summary>
    /// The lines of <paramref name="filenames"/> (<c>tf.data.TextLineDataset(filenames, compression_type,
    /// buffer_size, num_parallel_reads)</c>), decompressed as <paramref name="compressionType"/> says
    /// (null or "" for plain text, "GZIP" or "ZLIB").
    /// </summary>
    /// <param name="filenames">The files, read in this order.</param>
    /// <param name="compressionType">null or "" (plain text), "GZIP" or "ZLIB".</param>
    /// <param name="bufferSize">Bytes to buffer per file read (null or 0: TensorFlow's default, 256 KB); negative is refused.</param>
    /// <param name="numParallelReads">
    /// Files read at once (null: one after another). Greater than one, the lines of that many files
    /// are interleaved as TensorFlow interleaves them (its parallel interleave, cycle length
    /// <paramref name="numParallelReads"/>, block length 1, deterministic): one line of each open file
    /// in turn, and a file that ends gives its place to the next file. <see cref="Dataset.Autotune"/>
    /// reads as many files at once as there are processors, as TensorFlow's AUTOTUNE. 0 and other negatives are refused.
    /// </param>
    public TextLineDataset(IEnumerable<string> filenames, string? compressionType = null, int? bufferSize = null, int? numParallelReads = null)
        : base(new TextLineNode(Checked(filenames), CompressedFile.CheckedCompression(compressionType, nameof(TextLineDataset)),
                                CheckedBufferSize(bufferSize, nameof(TextLineDataset)), CheckedParallelReads(numParallelReads, nameof(TextLineDataset))))
    {
    }

    private static string[] Checked(IEnumerable<string> filenames) => CheckedFiles(filenames, nameof(TextLineDataset), "a text file");

    // The file list of a file-reading dataset: no null or empty name (TextLineDataset, TFRecordDataset).
    internal static string[] CheckedFiles(IEnumerable<string> filenames, string who, string what)
    {
        ArgumentNullException.ThrowIfNull(filenames);
        var files = filenames.ToArray();
        for (int i = 0; i < files.Length; i++)
            if (string.IsNullOrEmpty(files[i]))
                throw new ArgumentException($"{who}: filename {i} is {(files[i] is null ? "null" : "empty")}; give the path of {what}.", nameof(filenames));
        return files;
    }

    // TensorFlow: "`buffer_size` must be >= 0 (0 == default)".
    internal static int CheckedBufferSize(int? bufferSize, string who) => bufferSize switch
    {
        null or 0 => DefaultBufferSize,
        < 0 => throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, $"{who}: bufferSize must be >= 0 (0 or null: the default, 256 KB)."),
        var n => n.Value,
    };

    // TensorFlow's parallel interleave needs a cycle_length > 0; AUTOTUNE is one per processor.
    internal static int CheckedParallelReads(int? numParallelReads, string who) => numParallelReads switch
    {
        null => 1,
        Autotune => Environment.ProcessorCount,
        < 1 => throw new ArgumentOutOfRangeException(nameof(numParallelReads), numParallelReads,
            $"{who}: numParallelReads must be at least 1, Dataset.Autotune, or null (one file after another)."),
        var n => n.Value,
    };
}
