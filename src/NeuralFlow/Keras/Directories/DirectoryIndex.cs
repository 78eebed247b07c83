using System.Globalization;

namespace NeuralFlow.Keras;

/// <summary>
/// The arguments every <c>*_dataset_from_directory</c> utility shares (Keras' dataset_utils):
/// <see cref="Op"/> names the utility in messages, <see cref="Noun"/> what it reads ("images",
/// "text files", "audio files") and <see cref="Formats"/> the file extensions it keeps.
/// </summary>
internal sealed record DirectoryOptions(
    string Op, string Noun, string[] Formats, string Directory, DirectoryLabels Labels, string? LabelMode,
    IReadOnlyList<string>? ClassNames, int? BatchSize, bool Shuffle, int? Seed, double? ValidationSplit,
    string? Subset, bool FollowLinks, bool Verbose);

/// <summary>One returned dataset's files (in dataset order), their class ids, and whether each pass reshuffles them.</summary>
internal sealed record DirectorySplit(string[] Paths, int[]? Labels, bool Shuffle);

/// <summary>
/// What indexing a directory gave: the splits asked for (one, or training and validation), the
/// class names (null without labels), the label mode (null without labels) and the seed used.
/// </summary>
internal sealed record DirectoryContents(DirectorySplit[] Splits, string[]? ClassNames, string? LabelMode, int Seed);

/// <summary>
/// Keras' dataset_utils behind image/text/audio_dataset_from_directory: its argument checks (in
/// its order and words), <c>index_directory</c> (classes from the sorted sub-directory names,
/// files by a sorted walk, the list shuffled once by numpy's generator with the seed) and
/// <c>get_training_or_validation_split</c> (validation from the end of that list), so that a seed
/// gives the split a Keras user gets, and the two subsets never share a file.
/// </summary>
internal static class DirectoryIndex
{
    /// <summary>
    /// Where the "Found N files ..." lines go (Keras prints them to stdout); null: Console.Out.
    /// Per async flow, so that a test can read its own lines while others run.
    /// </summary>
    internal static readonly AsyncLocal<TextWriter?> Output = new();

    private static void Print(string line) => (Output.Value ?? Console.Out).WriteLine(line);

    /// <summary>
    /// Checks the arguments, indexes the directory and splits it: one split for a subset (or
    /// none), two (training, validation) when <paramref name="both"/>.
    /// </summary>
    public static DirectoryContents Read(DirectoryOptions o, bool both)
    {
        var (labels, labelMode) = CheckLabels(o);
        string? subset = both ? "both" : o.Subset;
        CheckValidationSplit(o.Op, o.ValidationSplit, subset, o.Shuffle, o.Seed, both);
        if (o.BatchSize is < 1)
            throw new ArgumentOutOfRangeException("batchSize", o.BatchSize, $"{o.Op}: batch_size must be at least 1, or null for single {o.Noun}.");
        if (o.Seed is < 0)
            throw new ArgumentOutOfRangeException("seed", o.Seed, $"{o.Op}: the seed must be between 0 and 2**32 - 1 (numpy's rule), got {o.Seed}.");
        // Keras draws a seed when none is given, so that shuffling still happens once, then per pass.
        int seed = o.Seed ?? (int)(NF.Random.NextSeed() % 1_000_000);

        var (paths, ids, classNames) = Index(o, labels, seed);
        if (labelMode == "binary" && classNames!.Length != 2)
            throw new ArgumentException($"{o.Op}: When passing `label_mode=\"binary\"`, there must be exactly 2 class_names. Received: class_names={List(classNames)}", "labelMode");
        if (ids is not null && labels is int[]) CheckExplicitIds(o.Op, ids, labelMode, classNames!.Length);

        DirectorySplit[] splits = both
            ? [Subset(o, paths, ids, "training", o.Shuffle), Subset(o, paths, ids, "validation", shuffle: false)]
            : [Subset(o, paths, ids, o.Subset, o.Shuffle)];
        return new DirectoryContents(splits, classNames, labelMode, seed);
    }

    // Keras' checks of labels, class_names and label_mode; labels come back as "inferred", an int[] or null.
    private static (object? Labels, string? LabelMode) CheckLabels(DirectoryOptions o)
    {
        if (o.Labels.Unknown is { } text) throw new ArgumentException(LabelsMessage(o, text), "labels");
        object? labels = o.Labels.IsNone ? null : (object?)o.Labels.Ids ?? "inferred";
        if (labels is int[] && o.ClassNames is { Count: > 0 })
            throw new ArgumentException($"{o.Op}: You can only pass `class_names` if `labels=\"inferred\"`. Received: labels=[{string.Join(", ", (int[])labels)}], and class_names={List(o.ClassNames)}", "classNames");
        if (o.LabelMode is not ("int" or "categorical" or "binary" or null))
            throw new ArgumentException($"{o.Op}: `label_mode` argument must be one of \"int\", \"categorical\", \"binary\", or None (null). Received: label_mode={o.LabelMode}", "labelMode");
        return labels is null || o.LabelMode is null ? (null, null) : (labels, o.LabelMode);
    }

    private static string LabelsMessage(DirectoryOptions o, object received) =>
        $"{o.Op}: `labels` argument should be a list of integer labels (DirectoryLabels.Of(...)), of the same size as the number of {o.Noun} in the target directory. " +
        "If you wish to infer the labels from the subdirectory names in the target directory, pass `labels=\"inferred\"`. " +
        $"If you wish to get a dataset that only contains {o.Noun} (no labels), pass `labels: null`. Received: labels={received}";

    /// <summary>Keras' check_validation_split_arg (subset "both" only through the methods that return two datasets).</summary>
    internal static void CheckValidationSplit(string op, double? validationSplit, string? subset, bool shuffle, int? seed, bool both)
    {
        bool split = validationSplit is { } v && v != 0;
        if (split && !(validationSplit > 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException("validationSplit", validationSplit, $"{op}: `validation_split` must be between 0 and 1, received: {Show(validationSplit!.Value)}");
        if (split != (subset is not null))
            throw new ArgumentException($"{op}: If `subset` is set, `validation_split` must be set, and inversely.", split ? "subset" : "validationSplit");
        if (subset == "both" && !both)
            throw new ArgumentException(op.StartsWith("Unlabeled", StringComparison.Ordinal)
                ? $"{op}: subset \"both\" returns two datasets; call {op} twice, with subset \"training\" and \"validation\" and the same seed (the two never share a file)."
                : $"{op}: subset \"both\" returns two datasets; call the {op.Replace("DatasetFromDirectory", "DatasetsFromDirectory")} method, which returns (training, validation).", nameof(subset));
        if (subset is not ("training" or "validation" or "both" or null))
            throw new ArgumentException($"{op}: `subset` must be either \"training\", \"validation\" or \"both\", received: {subset}", nameof(subset));
        if (split && shuffle && seed is null)
            throw new ArgumentException($"{op}: If using `validation_split` and shuffling the data, you must provide a `seed` argument, to make sure that there is no overlap between the training and validation subset.", nameof(seed));
    }

    // Keras' index_directory: the files, their class ids (null without labels) and the class names.
    private static (string[] Paths, int[]? Ids, string[]? ClassNames) Index(DirectoryOptions o, object? labels, int seed)
    {
        string directory = o.Directory ?? throw new ArgumentNullException("directory", $"{o.Op}: directory is null.");
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException(File.Exists(directory)
                ? $"{o.Op}: '{directory}' is a file, not a directory."
                : $"{o.Op}: the directory '{directory}' does not exist.");
        string[] subdirs;
        if (labels is "inferred")
        {
            subdirs = new DirectoryInfo(directory).EnumerateDirectories().Select(d => d.Name).Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
            if (o.ClassNames is { } names)
            {
                if (names.Any(n => n is null) || names.Distinct().Count() != names.Count || !names.All(subdirs.Contains))
                    throw new ArgumentException($"{o.Op}: The `class_names` passed did not match the names of the subdirectories of the target directory. " +
                                                $"Expected: {List(subdirs)} (or a subset of it, each name once), but received: class_names={List(names)}", "classNames");
                subdirs = [.. names]; // the caller's order
            }
        }
        else
        {
            // Explicit or no labels: the whole tree from the directory down, one "class".
            if (o.ClassNames is not null)
                throw new ArgumentException(labels is null
                    ? $"{o.Op}: When `labels=null` (no labels), argument `class_names` cannot be specified."
                    : $"{o.Op}: When argument `labels` is specified, argument `class_names` cannot be specified (the `class_names` will be the sorted list of labels).", "classNames");
            subdirs = [""];
        }

        var paths = new List<string>();
        var ids = new List<int>();
        for (int c = 0; c < subdirs.Length; c++)
            foreach (var file in ValidFiles(Path.Combine(directory, subdirs[c]), o.FollowLinks, o.Formats))
            {
                paths.Add(Path.Combine(directory, subdirs[c], file));
                ids.Add(c);
            }

        int[]? labelIds;
        string[]? classNames;
        if (labels is "inferred") (labelIds, classNames) = (ids.ToArray(), subdirs);
        else if (labels is null) (labelIds, classNames) = (null, null);
        else
        {
            var given = (int[])labels;
            if (given.Length != paths.Count)
                throw new ArgumentException($"{o.Op}: Expected the lengths of `labels` to match the number of files in the target directory. " +
                                            $"len(labels) is {given.Length} while we found {paths.Count} files in directory {directory}.", "labels");
            labelIds = given;
            classNames = given.Distinct().Order().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        if (o.Verbose)
            Print(labelIds is null ? $"Found {paths.Count} files." : $"Found {paths.Count} files belonging to {classNames!.Length} classes.");

        var order = Enumerable.Range(0, paths.Count).ToArray();
        // Keras shuffles paths and labels with two RandomState(seed) of the same draws: one permutation.
        if (o.Shuffle) new NumpyRandomState((uint)seed).Shuffle(order);
        return (order.Select(i => paths[i]).ToArray(), labelIds is null ? null : order.Select(i => labelIds[i]).ToArray(), classNames);
    }

    /// <summary>
    /// os.walk of <paramref name="top"/> as Keras sorts it: directories by path, files by name
    /// (ordinal, as Python compares strings), those whose lower-cased name ends in one of
    /// <paramref name="formats"/>; paths relative to <paramref name="top"/>. Linked directories
    /// are entered only with <paramref name="followLinks"/>, and never one that leads back to a
    /// directory already on the way down (Python would recurse without end).
    /// </summary>
    private static IEnumerable<string> ValidFiles(string top, bool followLinks, string[] formats)
    {
        var roots = new List<(string Relative, string[] Files)>();
        void Walk(string dir, string relative, HashSet<string> ancestors)
        {
            DirectoryInfo info = new(dir);
            FileSystemInfo[] entries;
            try { entries = info.GetFileSystemInfos(); }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException) { return; } // os.walk skips what it cannot list
            roots.Add((relative, entries.Where(e => e is not DirectoryInfo).Select(e => e.Name)
                                        .Where(n => formats.Any(f => n.ToLowerInvariant().EndsWith(f, StringComparison.Ordinal))).ToArray()));
            foreach (var sub in entries.OfType<DirectoryInfo>())
            {
                bool link = sub.LinkTarget is not null;
                if (link && !followLinks) continue;
                string real = link ? (sub.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? sub.FullName) : sub.FullName;
                if (!ancestors.Add(real)) continue;
                Walk(sub.FullName, relative.Length == 0 ? sub.Name : relative + "/" + sub.Name, ancestors);
                ancestors.Remove(real);
            }
        }
        var topInfo = new DirectoryInfo(top);
        string topReal = topInfo.LinkTarget is not null ? topInfo.ResolveLinkTarget(true)?.FullName ?? topInfo.FullName : topInfo.FullName;
        Walk(top, "", new HashSet<string>(StringComparer.Ordinal) { topReal });
        foreach (var (relative, files) in roots.OrderBy(r => r.Relative, StringComparer.Ordinal))
            foreach (var name in files.Order(StringComparer.Ordinal))
                yield return relative.Length == 0 ? name : Path.Combine(relative, name);
    }

    // Explicit labels must make sense for their encoding (Keras would one-hot an id past the class
    // count to a row of zeros, or cast ids 3 and 7 to "binary" floats 3.0 and 7.0).
    private static void CheckExplicitIds(string op, int[] ids, string? labelMode, int classes)
    {
        foreach (int id in ids)
        {
            if (labelMode == "categorical" && (id < 0 || id >= classes))
                throw new ArgumentOutOfRangeException("labels", id, $"{op}: label {id} is not a class id in [0, {classes}) for label_mode \"categorical\" ({classes} distinct labels).");
            if (labelMode == "binary" && id is not (0 or 1))
                throw new ArgumentOutOfRangeException("labels", id, $"{op}: label {id} is not 0 or 1, as label_mode \"binary\" needs.");
            if (id < 0)
                throw new ArgumentOutOfRangeException("labels", id, $"{op}: label {id} is negative; class ids start at 0.");
        }
    }

    // Keras' get_training_or_validation_split: validation is the last int(split * n) files.
    private static DirectorySplit Subset(DirectoryOptions o, string[] paths, int[]? ids, string? subset, bool shuffle)
    {
        if (subset is null)
        {
            if (paths.Length == 0) throw NoFiles(o, "");
            return new DirectorySplit(paths, ids, shuffle);
        }
        int validation = (int)(o.ValidationSplit!.Value * paths.Length);
        if (validation == 0 && paths.Length > 0)
            throw new ArgumentException($"{o.Op}: validation_split {Show(o.ValidationSplit.Value)} of {paths.Length} files leaves no file for validation " +
                                        "(Keras takes int(validation_split * files)); raise validation_split or add files.", "validationSplit");
        int training = paths.Length - validation;
        if (o.Verbose) Print(subset == "training" ? $"Using {training} files for training." : $"Using {validation} files for validation.");
        var (from, count) = subset == "training" ? (0, training) : (training, validation);
        if (count == 0) throw NoFiles(o, subset == "training" ? "training " : "validation ");
        return new DirectorySplit(paths[from..(from + count)], ids?[from..(from + count)], shuffle);
    }

    private static ArgumentException NoFiles(DirectoryOptions o, string which) => new(
        $"{o.Op}: No {which}{o.Noun} found in directory {o.Directory}. Allowed format{(o.Formats.Length > 1 ? "s" : "")}: {string.Join(", ", o.Formats)}", "directory");

    private static string List(IEnumerable<string> names) => "[" + string.Join(", ", names.Select(n => $"'{n}'")) + "]";

    private static string Show(double v) => v.ToString(CultureInfo.InvariantCulture);
}
