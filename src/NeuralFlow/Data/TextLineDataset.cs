using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>
/// The lines of text files, one scalar string element (<see cref="StringTensor"/>) per line
/// (<c>tf.data.TextLineDataset</c>, the "Load text" tutorial's reader): file after file in the
/// order given, each read lazily when a pass reaches it. A line ends at '\n' and holds no '\r'
/// (TensorFlow's reader drops every '\r', so "\r\n" files read as "\n" ones); a last line without
/// '\n' counts unless it is empty. Text is decoded as UTF-8. A missing file fails the pass that
/// reaches it with a <see cref="FileNotFoundException"/> naming it, as tf.data fails at iteration.
/// Transform it as any dataset: <c>lines.Skip(1).Filter(...)</c>, <c>lines.Map(l =&gt; (l, label))</c>,
/// <c>lines.Batch(32)</c>, then <c>TextVectorization.Adapt</c> and <c>Call</c>.
/// </summary>
public sealed class TextLineDataset : Dataset<StringTensor>
{
    /// <summary>The lines of <paramref name="filenames"/>, uncompressed (<c>tf.data.TextLineDataset(["a.txt", "b.txt"])</c>).</summary>
    public TextLineDataset(params string[] filenames) : this(filenames, compressionType: null) { }

    /// <summary>
    /// The lines of <paramref name="filenames"/>, decompressed as <paramref name="compressionType"/>
    /// says (TF's <c>compression_type</c>: null or "" for plain text, "GZIP" or "ZLIB").
    /// </summary>
    public TextLineDataset(IEnumerable<string> filenames, string? compressionType)
        : base(new TextLineNode(Checked(filenames), CompressedFile.CheckedCompression(compressionType, nameof(TextLineDataset))))
    {
    }

    private static string[] Checked(IEnumerable<string> filenames)
    {
        ArgumentNullException.ThrowIfNull(filenames);
        var files = filenames.ToArray();
        for (int i = 0; i < files.Length; i++)
            if (string.IsNullOrEmpty(files[i]))
                throw new ArgumentException($"TextLineDataset: filename {i} is {(files[i] is null ? "null" : "empty")}; give the path of a text file.", nameof(filenames));
        return files;
    }
}
