namespace NeuralFlow.Keras;

/// <summary>What <c>Fit</c> recorded: one value per epoch for each loss and metric (Keras' <c>history.history</c>).</summary>
public sealed class History
{
    private readonly Dictionary<string, List<float>> _values = [];
    private readonly List<int> _epochs = [];

    /// <summary>The values of <paramref name="key"/> ("loss", "accuracy", "val_loss", ...), one per epoch.</summary>
    public IReadOnlyList<float> this[string key] => _values.TryGetValue(key, out var v)
        ? v
        : throw new KeyNotFoundException($"History has no '{key}'; it has {string.Join(", ", _values.Keys)}.");

    /// <summary>The recorded names, in first-seen order.</summary>
    public IReadOnlyCollection<string> Keys => _values.Keys;

    /// <summary>Number of epochs recorded.</summary>
    public int Epochs => _values.Count == 0 ? 0 : _values.Values.Max(v => v.Count);

    /// <summary>
    /// The 0-based epoch of each recorded entry (Keras' <c>history.epoch</c>): <c>[3, 4]</c> for a Fit
    /// resumed at epoch 3 (<c>initialEpoch</c>, or a <see cref="Callbacks.BackupAndRestore"/> checkpoint) up to 5.
    /// </summary>
    public IReadOnlyList<int> Epoch => _epochs;

    // The dictionary itself, not the interface: enumerated through IReadOnlyDictionary, its
    // enumerator was JIT-compiled in a cold process's first epoch (the ReadyToRun image holds the
    // Dictionary<string, float> code NeuralFlow calls directly, not what an interface dispatches to).
    internal void Add(int epoch, Dictionary<string, float> logs)
    {
        _epochs.Add(epoch);
        foreach (var (k, v) in logs)
        {
            if (!_values.TryGetValue(k, out var list)) _values[k] = list = [];
            list.Add(v);
        }
    }
}

/// <summary>
/// What <c>Evaluate</c> returns: the loss, then each metric; deconstructs in that order. It is also
/// Keras' <c>evaluate(return_dict=True)</c>: a read-only dictionary of the values by name, in that
/// order (<c>Keys</c>, <c>TryGetValue</c>, <c>foreach (var (name, value) in result)</c>).
/// </summary>
public sealed class EvaluationResult(IReadOnlyList<KeyValuePair<string, float>> values) : IReadOnlyDictionary<string, float>
{
    // Evaluate's logs as an array, by a loop over the dictionary itself rather than ToList() (which
    // JIT-compiled a dozen framework methods over KeyValuePair<string, float> in a cold process).
    internal static EvaluationResult From(Dictionary<string, float> logs)
    {
        var items = new KeyValuePair<string, float>[logs.Count];
        int i = 0;
        foreach (var kv in logs) items[i++] = kv;
        return new EvaluationResult(items);
    }

    /// <summary>The values as an array, for Fit to read without interface calls (see <see cref="From"/>).</summary>
    internal KeyValuePair<string, float>[] Items { get; } = values as KeyValuePair<string, float>[] ?? [.. values ?? throw new ArgumentNullException(nameof(values))];

    /// <summary>Names and values, the loss first.</summary>
    public IReadOnlyList<KeyValuePair<string, float>> Values => Items;

    /// <summary>The loss.</summary>
    public float Loss => Values[0].Value;

    /// <summary>The value named <paramref name="name"/>; an unknown name is a <see cref="KeyNotFoundException"/> listing the names.</summary>
    public float this[string name]
    {
        get
        {
            if (TryGetValue(name, out var value)) return value;
            throw new KeyNotFoundException($"Evaluate returned no '{name}'; it returned {string.Join(", ", Values.Select(kv => kv.Key))}.");
        }
    }

    /// <summary>
    /// The value at <paramref name="index"/>, the loss first then the metrics in <c>MetricsNames</c> order, as
    /// Keras' <c>score = model.evaluate(...)</c> list is read (<c>score[0]</c> the loss, <c>score[1]</c> the accuracy).
    /// </summary>
    public float this[int index] => index >= 0 && index < Values.Count
        ? Values[index].Value
        : throw new ArgumentOutOfRangeException(nameof(index), index,
            $"Evaluate returned {Values.Count} values ({string.Join(", ", Values.Select(kv => kv.Key))}).");

    /// <summary>How many values: the loss and each metric (Keras' <c>len(score)</c>).</summary>
    public int Count => Values.Count;

    /// <summary>The names, the loss first (the keys of Keras' <c>return_dict=True</c> result, in its order).</summary>
    public IEnumerable<string> Keys => Values.Select(kv => kv.Key);

    IEnumerable<float> IReadOnlyDictionary<string, float>.Values => Values.Select(kv => kv.Value);

    /// <summary>Whether a value is named <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <summary>The value named <paramref name="key"/>, if there is one.</summary>
    public bool TryGetValue(string key, out float value)
    {
        foreach (var kv in Values)
            if (kv.Key == key)
            {
                value = kv.Value;
                return true;
            }
        value = float.NaN;
        return false;
    }

    /// <summary>The names and values in order, the loss first.</summary>
    public IEnumerator<KeyValuePair<string, float>> GetEnumerator() => Values.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>(loss, metric).</summary>
    public void Deconstruct(out float loss, out float metric) { loss = Loss; metric = Values.Count > 1 ? Values[1].Value : float.NaN; }

    /// <summary>(loss, metric1, metric2).</summary>
    public void Deconstruct(out float loss, out float metric1, out float metric2)
    {
        Deconstruct(out loss, out metric1);
        metric2 = Values.Count > 2 ? Values[2].Value : float.NaN;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(" - ", Values.Select(kv => $"{kv.Key}: {kv.Value:0.0000}"));
}
