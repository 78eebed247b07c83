namespace NeuralFlow.Train;

/// <summary>
/// What <see cref="Checkpoint.Restore"/> matched (TensorFlow's <c>CheckpointLoadStatus</c>): the objects of the
/// file that this checkpoint lacked and the objects of this checkpoint that the file lacked, with TensorFlow's
/// assertions on them. Restoring part of a checkpoint (the generator alone for inference) is not an error;
/// these make it one where the caller wants everything matched.
/// </summary>
public sealed class CheckpointLoadStatus
{
    internal CheckpointLoadStatus(string? path, IReadOnlyList<string> unusedInFile, IReadOnlyList<string> unmatchedObjects)
    {
        Path = path;
        UnusedInFile = unusedInFile;
        UnmatchedObjects = unmatchedObjects;
    }

    /// <summary>The checkpoint restored from; null when Restore was given none (nothing was restored).</summary>
    public string? Path { get; }

    /// <summary>Names saved in the file that no object of this checkpoint took.</summary>
    public IReadOnlyList<string> UnusedInFile { get; }

    /// <summary>Names of this checkpoint's objects that the file did not hold (left as they were).</summary>
    public IReadOnlyList<string> UnmatchedObjects { get; }

    /// <summary>
    /// Throws unless every object of the file was restored into this checkpoint and every object of this
    /// checkpoint was restored (<c>status.assert_consumed()</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Something was not matched; the message names it.</exception>
    public CheckpointLoadStatus AssertConsumed()
    {
        if (UnusedInFile.Count > 0)
            throw new InvalidOperationException($"Checkpoint: '{Path}' holds objects this checkpoint does not: {string.Join(", ", UnusedInFile)}.");
        return AssertExistingObjectsMatched();
    }

    /// <summary>
    /// Throws unless every object of this checkpoint was restored from the file (<c>status.assert_existing_objects_matched()</c>);
    /// objects of the file that this checkpoint lacks are allowed.
    /// </summary>
    /// <exception cref="InvalidOperationException">An object was not restored (or no checkpoint was given); the message names it.</exception>
    public CheckpointLoadStatus AssertExistingObjectsMatched()
    {
        if (Path is null)
            throw new InvalidOperationException("Checkpoint: nothing was restored (Restore was given no path: no checkpoint was found).");
        if (UnmatchedObjects.Count > 0)
            throw new InvalidOperationException($"Checkpoint: '{Path}' does not hold {string.Join(", ", UnmatchedObjects)}; they keep their values.");
        return this;
    }

    /// <summary>Says that a partial restore is intended (<c>status.expect_partial()</c>); NeuralFlow warns of nothing, so it only returns this status.</summary>
    public CheckpointLoadStatus ExpectPartial() => this;
}
