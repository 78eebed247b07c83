namespace NeuralFlow.Data;

/// <summary>
/// The files that paths and patterns name, as TF's matching_files (<see cref="NF.IO.MatchingFiles"/>'s globs), each
/// pattern's matches in sorted (ordinal) order; a pattern matching nothing is an error.
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
            if (pattern.IndexOfAny(['*', '?', '[']) < 0)
            {
                if (!File.Exists(pattern)) throw new FileNotFoundException($"The {what} '{pattern}' does not exist.", pattern);
                files.Add(pattern);
                continue;
            }
            // TF's glob (NF.IO.MatchingFiles: sets, escapes, wildcard directories), sorted.
            var matches = NF.IO.MatchingFiles(pattern);
            if (matches.Length == 0) throw new FileNotFoundException($"No file matches the {what} pattern '{pattern}'.", pattern);
            files.AddRange(matches);
        }
        if (files.Count == 0) throw new ArgumentException($"No {what}s were given.", nameof(patterns));
        return files;
    }
}
