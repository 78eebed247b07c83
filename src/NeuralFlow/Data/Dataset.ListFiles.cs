
namespace NeuralFlow.Data;

// tf.data.Dataset.list_files: the file names a shell-style glob matches, as scalar strings.
public abstract partial class Dataset
{
    /// <summary>
    /// The files <paramref name="filePattern"/> matches, one scalar string each (<c>tf.data.Dataset.list_files</c>),
    /// for a pipeline that reads them (<c>.Map(path => NF.IO.ReadFile(path))</c>). The pattern is a glob:
    /// <c>*</c> any run of characters within one path segment, <c>?</c> one character, <c>[abc]</c>,
    /// <c>[a-z]</c> and <c>[!a]</c> sets, <c>\</c> escapes the next character; wildcards may stand in
    /// directory segments too (<c>data/*/train/*.jpg</c>). As TF, the matches are sorted, then, unless
    /// <paramref name="shuffle"/> is false, shuffled with a buffer as large as the list, in a new order
    /// every pass (a <paramref name="seed"/> makes the sequence of orders repeatable).
    /// The directory is read once, when this is called (TF reads it when the eager call runs).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// No file matches (TF's InvalidArgumentError "No files matched pattern", which the pix2pix tutorial catches
    /// to fall back from test/ to val/), or the pattern is empty or has an unclosed '['.
    /// </exception>
    public static Dataset<StringTensor> ListFiles(string filePattern, bool? shuffle = null, int? seed = null) =>
        ListFiles([filePattern ?? throw new ArgumentNullException(nameof(filePattern))], shuffle, seed);

    /// <summary>
    /// <see cref="ListFiles(string, bool?, int?)"/> of several patterns (<c>list_files([p1, p2])</c>): the files of
    /// all of them, sorted together (a file two patterns match is listed twice, as TF's matching_files).
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty, or no pattern matches any file.</exception>
    public static Dataset<StringTensor> ListFiles(IReadOnlyList<string> filePatterns, bool? shuffle = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(filePatterns);
        if (filePatterns.Count == 0)
            throw new ArgumentException("ListFiles: filePatterns is empty; give at least one glob pattern.", nameof(filePatterns));
        var matches = filePatterns.SelectMany(p => NF.IO.MatchingFiles(p)).Order(StringComparer.Ordinal).ToArray();
        if (matches.Length == 0)
            throw new ArgumentException($"ListFiles: No files matched pattern: {string.Join(", ", filePatterns)}", nameof(filePatterns));
        var dataset = FromTensorSlices(matches);
        return shuffle ?? true ? dataset.Shuffle(matches.Length, seed) : dataset;
    }
}
