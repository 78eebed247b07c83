using System.Text;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public static partial class Utils
{
    /// <summary>
    /// The .txt files of <paramref name="directory"/> as batches of texts and labels (Keras'
    /// <c>text_dataset_from_directory</c>): with <paramref name="labels"/> "inferred" each
    /// sub-directory is a class (sorted by name, or in the order of <paramref name="classNames"/>,
    /// which may also leave classes out), its files found at any depth; <paramref name="labels"/>
    /// may instead be integer labels, one per file in the sorted walk order (an int[] or long[],
    /// a list, or an integer tensor), or null for texts alone. <paramref name="labelMode"/> "int"
    /// gives int32 [batch] labels, "categorical" one-hot float32 [batch, classes], "binary" float32
    /// [batch, 1] (two classes), null no labels. The file list is shuffled once with
    /// <paramref name="seed"/> exactly as Keras does (numpy's generator), so
    /// <paramref name="validationSplit"/> with <paramref name="subset"/> "training" or "validation"
    /// picks the same disjoint files as Keras with that seed; the training batches are reshuffled
    /// each pass within 8 batches. Each text is the file's UTF-8 content, cut to
    /// <paramref name="maxLength"/> bytes (TF's substr; a character the cut would split is left
    /// out). Prints Keras' "Found N files belonging to C classes." unless
    /// <paramref name="verbose"/> is false. For both subsets at once see
    /// <see cref="TextDatasetsFromDirectory"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="ArgumentException">An argument Keras refuses (with its message), or no .txt file was found.</exception>
    public static TextDirectoryDataset TextDatasetFromDirectory(
        string directory, DirectoryLabels labels = default, string? labelMode = "int", IReadOnlyList<string>? classNames = null,
        int? batchSize = 32, int? maxLength = null, bool shuffle = true, int? seed = null, double? validationSplit = null,
        string? subset = null, bool followLinks = false, bool verbose = true)
    {
        var options = TextOptions(directory, labels, labelMode, classNames, batchSize, maxLength, shuffle, seed, validationSplit, subset, followLinks, verbose);
        var contents = DirectoryIndex.Read(options, both: false);
        return TextDataset(contents, contents.Splits[0], batchSize, maxLength);
    }

    /// <summary>
    /// <see cref="TextDatasetFromDirectory"/> with Keras' <c>subset="both"</c>: the training and
    /// validation datasets of the same shuffled list (disjoint; validation not reshuffled per pass).
    /// </summary>
    public static (TextDirectoryDataset Training, TextDirectoryDataset Validation) TextDatasetsFromDirectory(
        string directory, double validationSplit, int? seed, DirectoryLabels labels = default, string? labelMode = "int",
        IReadOnlyList<string>? classNames = null, int? batchSize = 32, int? maxLength = null, bool shuffle = true,
        bool followLinks = false, bool verbose = true)
    {
        var options = TextOptions(directory, labels, labelMode, classNames, batchSize, maxLength, shuffle, seed, validationSplit, null, followLinks, verbose);
        var contents = DirectoryIndex.Read(options, both: true);
        return (TextDataset(contents, contents.Splits[0], batchSize, maxLength), TextDataset(contents, contents.Splits[1], batchSize, maxLength));
    }

    private static DirectoryOptions TextOptions(string directory, DirectoryLabels labels, string? labelMode, IReadOnlyList<string>? classNames, int? batchSize,
                                                int? maxLength, bool shuffle, int? seed, double? validationSplit, string? subset, bool followLinks, bool verbose)
    {
        if (maxLength is < 0)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "TextDatasetFromDirectory: max_length must be 0 or more (bytes of each text), or null for whole files.");
        return new("TextDatasetFromDirectory", "text files", [".txt"], directory, labels, labelMode, classNames, batchSize, shuffle, seed,
                   validationSplit, subset, followLinks, verbose);
    }

    private static TextDirectoryDataset TextDataset(DirectoryContents contents, DirectorySplit split, int? batchSize, int? maxLength)
    {
        string[] Read(Tensor positions) => DirectoryPipeline.Files(split, positions).Select(p => ReadText(p, maxLength)).ToArray();
        return contents.LabelMode is null
            ? new TextDirectoryDataset(null, DirectoryPipeline.UnlabeledPositions(split, contents, batchSize), Read, null, split.Paths)
            : new TextDirectoryDataset(DirectoryPipeline.LabeledPositions(split, contents, batchSize), null, Read, contents.ClassNames, split.Paths);
    }

    // tf.io.read_file then tf.strings.substr(txt, 0, max_length): the first max_length bytes.
    private static string ReadText(string path, int? maxLength)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = maxLength is { } max && max < bytes.Length ? Utf8Boundary(bytes, max) : bytes.Length;
        return Encoding.UTF8.GetString(bytes, 0, length);
    }

    // The cut at `length` bytes moved back to the start of a UTF-8 sequence it would split: a C#
    // string cannot hold half a character (TF keeps the raw bytes).
    private static int Utf8Boundary(byte[] bytes, int length)
    {
        int start = length;
        while (start > 0 && length - start < 4 && (bytes[start - 1] & 0xC0) == 0x80) start--;
        if (start == 0 || length - start >= 4) return length; // not UTF-8 continuation of a lead: cut as asked
        byte lead = bytes[start - 1];
        int needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return length - (start - 1) < needed ? start - 1 : length;
    }
}
