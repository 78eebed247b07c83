namespace NeuralFlow.IO;

/// <summary>
/// Writes a file so that a crash, a kill or a full disk mid-write never leaves a truncated file
/// under the final name: the bytes go to a temporary file in the same directory, are flushed to
/// the disk, and the temporary file is then renamed over the target (an atomic replace on the
/// file systems .NET supports). Readers see the old file or the new one, never a mix. A read-only
/// file is refused, as any other writer refuses it.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        using var file = Begin(path);
        write(file.Stream);
        file.Commit();
    }

    /// <summary>
    /// Starts writing <paramref name="path"/> bit by bit (a stream of records written as they
    /// come): the bytes go to the temporary file until <see cref="Pending.Commit"/> puts it in
    /// place; disposing it uncommitted (an abandoned or failed write) deletes it.
    /// </summary>
    public static Pending Begin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot write '{path}': the directory '{directory}' does not exist.");
        if (Directory.Exists(full))
            throw new IOException($"Cannot write '{path}': it is a directory.");
        // The rename below would replace a read-only file (only the directory's permissions count
        // on Unix, and as root not even those), where Python's open(path, "w") and .NET's own
        // writers refuse it: a file marked read-only to keep it is never overwritten.
        if (File.Exists(full) && File.GetAttributes(full).HasFlag(FileAttributes.ReadOnly))
            throw new UnauthorizedAccessException($"Cannot write '{path}': the file exists and is read-only; clear its read-only attribute (chmod u+w) or write to another name.");
        // Hidden, unique and beside the target, so that the rename stays on one file system.
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        return new Pending(full, temp, new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16));
    }

    /// <summary>A file being written under a temporary name (see <see cref="Begin"/>).</summary>
    internal sealed class Pending(string path, string temp, FileStream stream) : IDisposable
    {
        private bool _done;

        public Stream Stream => stream;

        /// <summary>Flushes the bytes to the disk and renames the temporary file over the target.</summary>
        public void Commit()
        {
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            File.Move(temp, path, overwrite: true);
            _done = true;
        }

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            stream.Dispose();
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
