namespace NeuralFlow.IO;

/// <summary>
/// Writes a file so that a crash, a kill or a full disk mid-write never leaves a truncated file
/// under the final name: the bytes go to a temporary file in the same directory, are flushed to
/// the disk, and the temporary file is then renamed over the target (an atomic replace on the
/// file systems .NET supports). Readers see the old file or the new one, never a mix.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot write '{path}': the directory '{directory}' does not exist.");
        if (Directory.Exists(full))
            throw new IOException($"Cannot write '{path}': it is a directory.");
        // Hidden, unique and beside the target, so that the rename stays on one file system.
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
