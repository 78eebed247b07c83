namespace NeuralFlow.Data;

/// <summary>
/// Options for a whole input pipeline (TensorFlow's <c>tf.data.Options</c>), given with
/// <see cref="Dataset{T}.WithOptions"/>: they apply to every step of the dataset, before and after
/// the call, as tf.data's do. A value left null keeps the default; options given twice are
/// merged, the later call winning where both set a value.
/// </summary>
public sealed class DatasetOptions
{
    /// <summary>
    /// <c>options.deterministic</c>: false lets the steps whose own <c>deterministic</c> argument is
    /// left null (<c>Interleave</c>, <c>Map</c> with parallelism) deliver elements out of order,
    /// whichever is ready first, so that a slow source or a slow element does not hold up the
    /// others. No element is lost or repeated. Null or true: the order is the input's.
    /// </summary>
    public bool? Deterministic { get; set; }

    /// <summary><c>options.threading</c>: the threads the pipeline's parallel steps may use.</summary>
    public ThreadingOptions Threading { get; } = new();

    /// <summary><c>options.autotune</c>: whether <see cref="Dataset.Autotune"/> values adapt while the pipeline runs.</summary>
    public AutotuneOptions Autotune { get; } = new();

    /// <summary>An independent copy (a dataset keeps the values it was given, whatever the caller changes later).</summary>
    internal DatasetOptions Clone()
    {
        var copy = new DatasetOptions { Deterministic = Deterministic };
        copy.Threading.PrivateThreadpoolSize = Threading.PrivateThreadpoolSize;
        copy.Autotune.Enabled = Autotune.Enabled;
        return copy;
    }

    /// <summary>These options over <paramref name="earlier"/>: a value set here wins, one left null here keeps the earlier one.</summary>
    internal DatasetOptions Over(DatasetOptions earlier)
    {
        var merged = new DatasetOptions { Deterministic = Deterministic ?? earlier.Deterministic };
        merged.Threading.PrivateThreadpoolSize = Threading.PrivateThreadpoolSize ?? earlier.Threading.PrivateThreadpoolSize;
        merged.Autotune.Enabled = Autotune.Enabled ?? earlier.Autotune.Enabled;
        return merged;
    }

    /// <summary>The values set, e.g. <c>DatasetOptions(Deterministic=False, Threading.PrivateThreadpoolSize=2)</c>.</summary>
    public override string ToString()
    {
        var set = new List<string>();
        if (Deterministic is { } d) set.Add($"Deterministic={d}");
        if (Threading.PrivateThreadpoolSize is { } size) set.Add($"Threading.PrivateThreadpoolSize={size}");
        if (Autotune.Enabled is { } enabled) set.Add($"Autotune.Enabled={enabled}");
        return $"DatasetOptions({string.Join(", ", set)})";
    }
}

/// <summary><c>tf.data.ThreadingOptions</c>.</summary>
public sealed class ThreadingOptions
{
    private int? _privateThreadpoolSize;

    /// <summary>
    /// <c>private_threadpool_size</c>: at most this many elements are worked on at once by the
    /// pipeline's parallel steps (a <c>Map</c>'s parallelism, an <c>Interleave</c>'s sources read
    /// ahead at once); 1 makes every step sequential. Null: no limit beyond each step's own.
    /// </summary>
    public int? PrivateThreadpoolSize
    {
        get => _privateThreadpoolSize;
        set => _privateThreadpoolSize = value is < 1
            ? throw new ArgumentOutOfRangeException(nameof(value), value, "ThreadingOptions.PrivateThreadpoolSize must be at least 1 (or null for no limit).")
            : value;
    }
}

/// <summary><c>tf.data.experimental.AutotuneOptions</c>.</summary>
public sealed class AutotuneOptions
{
    /// <summary>
    /// <c>enabled</c>: false freezes what <see cref="Dataset.Autotune"/> would tune: a
    /// <c>Prefetch(Dataset.Autotune)</c> keeps its starting buffer on its own thread instead of
    /// growing it and timing the consumer's thread against it. Null or true: tuned.
    /// </summary>
    public bool? Enabled { get; set; }
}
