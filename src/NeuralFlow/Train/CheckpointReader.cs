namespace NeuralFlow.Train;

/// <summary>
/// Reads the values of a checkpoint written by <see cref="Checkpoint.Save"/> or <see cref="CheckpointManager.Save"/>
/// without restoring them into objects (<c>tf.train.load_checkpoint(ckpt_dir_or_file)</c>, TensorFlow's
/// <c>CheckpointReader</c>). Keys are the checkpoint's paths: <c>step/value</c> for a variable, <c>net/variables/0</c>
/// for a model's first variable, and the same variable by the fields that hold it (<c>net/l1/kernel</c>); the
/// optimizer's state is under its name (<c>optimizer/iterations</c>, <c>optimizer/net/slots/...</c>).
/// </summary>
public sealed class CheckpointReader : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;
    private readonly Dictionary<string, string> _aliases;

    /// <summary>Opens <paramref name="checkpointDirOrPath"/>: a folder (its latest checkpoint) or a checkpoint's path.</summary>
    /// <exception cref="FileNotFoundException">The folder has no checkpoint, or no checkpoint is at the path.</exception>
    /// <exception cref="InvalidDataException">The file is not a NeuralFlow checkpoint.</exception>
    public CheckpointReader(string checkpointDirOrPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDirOrPath);
        string path = checkpointDirOrPath;
        if (Directory.Exists(checkpointDirOrPath))
            path = Checkpoint.LatestCheckpoint(checkpointDirOrPath)
                   ?? throw new FileNotFoundException($"CheckpointReader: the folder '{checkpointDirOrPath}' has no checkpoint (no '{Checkpoint.StateFileName}' file naming one that exists).");
        (Path, _tensors, _aliases) = Checkpoint.OpenForReading(path);
    }

    /// <summary>The checkpoint read (a folder's latest).</summary>
    public string Path { get; }

    /// <summary>Every key with its value's shape (<c>get_variable_to_shape_map()</c>), sorted; a model's variables also by their field paths.</summary>
    public IReadOnlyDictionary<string, Shape> VariableToShapeMap() => Map(t => t.Shape);

    /// <summary>Every key with its value's dtype (<c>get_variable_to_dtype_map()</c>), sorted like <see cref="VariableToShapeMap"/>.</summary>
    public IReadOnlyDictionary<string, DType> VariableToDTypeMap() => Map(t => t.DType);

    /// <summary>Whether the checkpoint holds <paramref name="key"/> (<c>has_tensor</c>).</summary>
    public bool HasTensor(string key) => _tensors.ContainsKey(key) || _aliases.ContainsKey(key);

    /// <summary>A copy of the value saved under <paramref name="key"/> (<c>get_tensor</c>).</summary>
    /// <exception cref="KeyNotFoundException">The checkpoint holds no such key; the message names some that it holds.</exception>
    public Tensor GetTensor(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string stored = _aliases.TryGetValue(key, out var alias) ? alias : key;
        if (!_tensors.TryGetValue(stored, out var value))
            throw new KeyNotFoundException($"CheckpointReader: '{Path}' holds no '{key}'; it holds {string.Join(", ", VariableToShapeMap().Keys.Take(12))}{(_tensors.Count + _aliases.Count > 12 ? ", ..." : "")}.");
        return NF.Identity(value);
    }

    private SortedDictionary<string, T> Map<T>(Func<Tensor, T> of)
    {
        var map = new SortedDictionary<string, T>(StringComparer.Ordinal);
        foreach (var (key, t) in _tensors) map[key] = of(t);
        foreach (var (alias, key) in _aliases)
            if (_tensors.TryGetValue(key, out var t)) map[alias] = of(t);
        return map;
    }

    /// <summary>Frees the values read.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
