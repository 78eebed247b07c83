namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The hidden files a save (<c>Save</c>, a <c>Snapshot</c>'s writing pass) keeps beside its target
/// while it runs, and the removal of those a killed save left.
/// </summary>
/// <remarks>
/// <para>A save to <c>dir/name</c> owns the stem <c>dir/.name.nf-saving-{guid}</c>: it creates and
/// locks <c>{stem}.lock</c> (opened with <see cref="FileShare.None"/>: an exclusive lock on Windows,
/// an exclusive <c>flock</c> on Linux and macOS, which the system releases when the process ends,
/// killed or not), then writes into the directory <c>{stem}.tmp</c>, moves an earlier save aside to
/// <c>{stem}.old</c> while it renames its own into place, and removes the directories before the
/// lock. So a stem whose lock file is gone or can be locked belongs to no running save.</para>
/// <para>Only names of exactly this shape (the target's name, <c>.nf-saving-</c>, 32 hex digits and
/// one of the three endings) are touched: a user's own hidden files beside the target never are.</para>
/// </remarks>
internal static class SaveLeftovers
{
    private const string Tag = ".nf-saving-";
    private static readonly string[] Endings = [".tmp", ".old", ".lock"];

    private static string Prefix(string full) => "." + Path.GetFileName(full) + Tag;

    /// <summary>A new save's stem beside <paramref name="full"/>: its lock, held until <see cref="Release"/>, and its (empty) directory.</summary>
    public static (string Stem, FileStream Lock) Claim(string full)
    {
        string stem = Path.Combine(Path.GetDirectoryName(full)!, Prefix(full) + Guid.NewGuid().ToString("N"));
        var held = new FileStream(stem + ".lock", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try { Directory.CreateDirectory(stem + ".tmp"); }
        catch
        {
            Release(stem, held);
            throw;
        }
        return (stem, held);
    }

    /// <summary>Ends a save's claim: its lock file goes last, after the directories.</summary>
    public static void Release(string stem, FileStream held)
    {
        held.Dispose();
        try { File.Delete(stem + ".lock"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The stems of saves to <paramref name="full"/> present now, running or killed.</summary>
    public static IEnumerable<string> Stems(string full)
    {
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return [];
        string prefix = Prefix(full);
        return Directory.EnumerateFileSystemEntries(parent, prefix + "*")
            .Select(entry => (entry, name: Path.GetFileName(entry)))
            .Where(e => Endings.Any(end => e.name.Length == prefix.Length + 32 + end.Length && e.name.EndsWith(end, StringComparison.Ordinal)
                                           && e.name.AsSpan(prefix.Length, 32).ToString().All(Uri.IsHexDigit)))
            .Select(e => e.entry[..(e.entry.Length - Endings.First(end => e.name.EndsWith(end, StringComparison.Ordinal)).Length)])
            .Distinct()
            .ToList();
    }

    /// <summary>
    /// Removes what killed saves to <paramref name="full"/> left (running saves are left alone). A save
    /// killed within its commit, after moving the earlier save aside and before renaming its own into
    /// place, left no directory at <paramref name="full"/>: its complete save, or else the earlier one,
    /// is put there first, so that no complete save is lost.
    /// </summary>
    public static void Clean(string full)
    {
        foreach (var stem in Stems(full))
        {
            if (IsRunning(stem)) continue;
            if (!Directory.Exists(full))
                foreach (var complete in new[] { stem + ".tmp", stem + ".old" })
                    if (SavedDataset.IsComplete(complete))
                    {
                        Directory.Move(complete, full);
                        break;
                    }
            foreach (var dir in new[] { stem + ".tmp", stem + ".old" })
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            File.Delete(stem + ".lock");
        }
    }

    // A running save holds its lock file; a killed one's lock the system released (or the file is gone).
    private static bool IsRunning(string stem)
    {
        try
        {
            using var probe = new FileStream(stem + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException) { return false; }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return true; }
    }
}
