namespace NeuralFlow.Data;

// tf.data.Dataset.list_files: the file names a pattern matches, as a dataset of strings for Interleave.
public abstract partial class Dataset
{
    /// <summary>
    /// The files <paramref name="filePattern"/> matches (<c>tf.data.Dataset.list_files</c>; wildcards
    /// <c>*</c> and <c>?</c> in the file name), one scalar string element each, for
    /// <c>Interleave(path =&gt; new CsvDataset(path.Item(), ...).Map(...))</c>. As in TF the names are
    /// shuffled unless <paramref name="shuffle"/> is false, again on every pass (each epoch a new
    /// order); give <paramref name="seed"/> for a repeatable order. Sorted when not shuffled. A
    /// pattern that matches nothing is a <see cref="FileNotFoundException"/> naming it.
    /// </summary>
    public static Dataset<StringTensor> ListFiles(string filePattern, bool shuffle = true, int? seed = null) =>
        ListFiles([filePattern ?? throw new ArgumentNullException(nameof(filePattern))], shuffle, seed);

    /// <summary>As the single-pattern <c>ListFiles</c>, over the matches of every pattern (sorted together).</summary>
    public static Dataset<StringTensor> ListFiles(IEnumerable<string> filePatterns, bool shuffle = true, int? seed = null)
    {
        // TF's matching_files sorts all the names of all the patterns as one list.
        var files = FilePattern.Match(filePatterns, "file").Order(StringComparer.Ordinal).ToArray();
        var names = FromTensorSlices(files);
        return shuffle ? names.Shuffle(files.Length, seed) : names;
    }
}
