namespace NeuralFlow.Data;

/// <summary>
/// A dataset's files are neither on this machine nor obtainable: not in the cache folder, and
/// the download failed (offline, every mirror failed or served a file whose SHA-256 did not
/// match, or the cache folder cannot be written). The message says where to put the files.
/// </summary>
public sealed class DatasetUnavailableException : IOException
{
    /// <summary>Creates the exception with its full explanation.</summary>
    public DatasetUnavailableException(string message, Exception? innerException = null) : base(message, innerException) { }
}
