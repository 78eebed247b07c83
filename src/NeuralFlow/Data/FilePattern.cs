namespace NeuralFlow.Data;

/// <summary>
/// The files that paths and patterns name, as TF's matching_files: wildcards (<c>*</c>, <c>?</c>) in the
/// file name, each pattern's matches in sorted (ordinal) order; a pattern matching nothing is an error.
/// </summary>
internal static class FilePattern
{
    /// <param name="what">The files' kind in messages ("CSV file", "file").</param>
    internal static IReadOnlyList<string> Match(IEnumerable<string> patterns, string what)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var files = new List<string>();
        foreach (var pattern in patterns)
        {
            ArgumentException.ThrowIfNullOrEmpty(pattern, nameof(patterns));
            string name = Path.GetFileName(pattern);
            if (name.IndexOfAny(['*', '?']) < 0)
            {
                if (!File.Exists(pattern)) throw new FileNotFoundException($"The {what} '{pattern}' does not exist.", pattern);
                files.Add(pattern);
                continue;
            }
            string directory = Path.GetDirectoryName(pattern) is { Length: > 0 } d ? d : ".";
            var matches = Directory.Exists(directory) ? Directory.GetFiles(directory, name).Order(StringComparer.Ordinal).ToArray() : [];
            if (matches.Length == 0) throw new FileNotFoundException($"No file matches the {what} pattern '{pattern}'.", pattern);
            files.AddRange(matches);
        }
        if (files.Count == 0) throw new ArgumentException($"No {what}s were given.", nameof(patterns));
        return files;
    }
}
