using System.Globalization;

namespace NeuralFlow.Train;

/// <summary>
/// Keeps the last few checkpoints of a <see cref="Checkpoint"/> in one folder (<c>tf.train.CheckpointManager</c>):
/// each <see cref="Save"/> writes <c>{directory}/{checkpointName}-{n}</c>, deletes the oldest beyond
/// <see cref="MaxToKeep"/>, and rewrites the folder's <c>checkpoint</c> state file, so that
/// <see cref="LatestCheckpoint"/> (and <see cref="Checkpoint.LatestCheckpoint"/>) name the newest. A manager made on a folder
/// that already has checkpoints takes over their list (a resumed run keeps deleting the old ones).
/// </summary>
public sealed class CheckpointManager
{
    private readonly Checkpoint _checkpoint;
    private readonly List<string> _kept;

    /// <summary>Manages <paramref name="checkpoint"/>'s saves in <paramref name="directory"/>.</summary>
    /// <param name="checkpoint">The checkpoint to save and restore.</param>
    /// <param name="directory">The folder of the checkpoints and the state file; created on the first save.</param>
    /// <param name="maxToKeep">How many checkpoints to keep, newest first; null keeps them all.</param>
    /// <param name="checkpointName">The files' prefix (TensorFlow's "ckpt").</param>
    /// <exception cref="ArgumentOutOfRangeException">maxToKeep is below 1.</exception>
    public CheckpointManager(Checkpoint checkpoint, string directory, int? maxToKeep, string checkpointName = "ckpt")
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(checkpointName);
        if (maxToKeep is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxToKeep), maxToKeep, "CheckpointManager: maxToKeep must be at least 1 (null keeps every checkpoint).");
        _checkpoint = checkpoint;
        Directory = directory;
        MaxToKeep = maxToKeep;
        CheckpointName = checkpointName;
        // The checkpoints an earlier run left (and did not delete), oldest first.
        _kept = Checkpoint.ReadState(directory) is { } state
            ? state.All.Where(p => File.Exists(Checkpoint.FileOf(p))).ToList()
            : [];
    }

    /// <summary>The folder of the checkpoints.</summary>
    public string Directory { get; }

    /// <summary>How many checkpoints are kept; null: all.</summary>
    public int? MaxToKeep { get; }

    /// <summary>The files' prefix.</summary>
    public string CheckpointName { get; }

    /// <summary>The kept checkpoints' paths, oldest first (<c>manager.checkpoints</c>).</summary>
    public IReadOnlyList<string> Checkpoints => _kept;

    /// <summary>The newest kept checkpoint, or null (<c>manager.latest_checkpoint</c>).</summary>
    public string? LatestCheckpoint => _kept.Count > 0 ? _kept[^1] : null;

    /// <summary>
    /// Saves a checkpoint numbered <paramref name="checkpointNumber"/>, or the checkpoint's save counter after counting this
    /// save (<c>manager.save()</c>), deletes the oldest beyond <see cref="MaxToKeep"/>, and updates the state file.
    /// </summary>
    /// <returns>The new checkpoint's path.</returns>
    public string Save(long? checkpointNumber = null)
    {
        long number = _checkpoint.NextSaveNumber();
        string path = _checkpoint.Write(Path.Combine(Directory, $"{CheckpointName}-{(checkpointNumber ?? number).ToString(CultureInfo.InvariantCulture)}"));
        _kept.Remove(path);   // a number saved again is the newest now
        _kept.Add(path);
        while (MaxToKeep is { } max && _kept.Count > max)
        {
            File.Delete(Checkpoint.FileOf(_kept[0]));
            _kept.RemoveAt(0);
        }
        Checkpoint.WriteState(Path.GetFullPath(Directory), _kept);
        return path;
    }

    /// <summary>
    /// Restores the newest checkpoint if there is one (<c>manager.restore_or_initialize()</c>), else leaves the objects as
    /// they are (their fresh initial values).
    /// </summary>
    /// <returns>The path restored from, or null when there was none.</returns>
    public string? RestoreOrInitialize()
    {
        if (LatestCheckpoint is not { } latest) return null;
        _checkpoint.Restore(latest);
        return latest;
    }
}
