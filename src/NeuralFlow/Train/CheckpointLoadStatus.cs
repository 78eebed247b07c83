namespace NeuralFlow.Train;

/// <summary>
/// What <see cref="Checkpoint.Restore"/> matched (TensorFlow's <c>CheckpointLoadStatus</c>): the objects of the
/// file that this checkpoint lacked and the objects of this checkpoint that the file lacked, with TensorFlow's
/// assertions on them. Restoring part of a checkpoint (the generator alone for inference) is not an error;
/// these make it one where the caller wants everything matched.
/// </summary>
public sealed class CheckpointLoadStatus
{
    private readonly IReadOnlyList<string> _unusedAtRestore;
    private readonly Func<IReadOnlyCollection<string>>? _taken;
    private readonly Func<IReadOnlyList<string>>? _waiting;

    internal CheckpointLoadStatus(string? path, IReadOnlyList<string> unusedInFile, IReadOnlyList<string> unmatchedObjects,
                                  Func<IReadOnlyCollection<string>>? takenSince = null, Func<IReadOnlyList<string>>? waiting = null)
    {
        Path = path;
        _unusedAtRestore = unusedInFile;
        UnmatchedObjects = unmatchedObjects;
        _taken = takenSince;
        _waiting = waiting;
    }

    /// <summary>The checkpoint restored from; null when Restore was given none (nothing was restored).</summary>
    public string? Path { get; }

    /// <summary>
    /// Names saved in the file that no object of this checkpoint took; as TensorFlow's status, it follows delayed restoration:
    /// an object added afterwards (an element appended to a restored list) that took its values is no longer listed.
    /// </summary>
    public IReadOnlyList<string> UnusedInFile => _taken?.Invoke() is { Count: > 0 } taken ? [.. _unusedAtRestore.Where(n => !taken.Contains(n))] : _unusedAtRestore;

    /// <summary>
    /// Names of models or layers the restore matched that were not built then, whose saved values wait for their variables
    /// (taken as each layer builds, on its first call); empty once all are built.
    /// </summary>
    public IReadOnlyList<string> WaitingForVariables => _waiting?.Invoke() is { } waiting
        ? [.. waiting.Where(n => !_unusedAtRestore.Contains(n))]
        : [];

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
        if (WaitingForVariables is { Count: > 0 } waiting)
            throw new InvalidOperationException(
                $"Checkpoint: the values '{Path}' holds for {string.Join(", ", waiting)} wait for variables not created yet: they are assigned when each layer builds (call the model once).");
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
