namespace NeuralFlow.Keras;

/// <summary>
/// What an overridden <see cref="Model.TrainStep(StepData)"/> returns (Keras' dict of logs): named
/// values that Fit shows in its progress bar and passes to callbacks and History. A value is a
/// tensor the step computed (read after the step) or a metric (its <see cref="Metrics.Metric.Result"/>
/// read after the step). Fit reads them from the device only when the progress bar or a callback
/// wants them, so a step traced by Fit replays without a host read; a metric's Result inside the
/// step would be a host read, which makes the step run eagerly.
/// <code>
/// return new StepLogs { { "d_loss", dLossTracker }, { "g_loss", gLoss } };
/// return ComputeMetrics(x, y, yPred);   // the model's metrics, as Keras' default step returns
/// </code>
/// A <c>Dictionary&lt;string, Tensor&gt;</c> converts to StepLogs.
/// </summary>
public sealed class StepLogs : IEnumerable<KeyValuePair<string, object>>
{
    private readonly List<(string Name, Tensor? Tensor, Metrics.Metric? Metric)> _entries = [];

    /// <summary>Empty logs; add values with <see cref="Add(string, Tensor)"/> and <see cref="Add(string, Metrics.Metric)"/>.</summary>
    public StepLogs() { }

    /// <summary>Logs the scalar <paramref name="value"/> under <paramref name="name"/> (a later value of that name replaces it).</summary>
    public StepLogs Add(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Shape.Count != 1)
            throw new ArgumentException($"StepLogs: the value logged as '{name}' must hold one number (a scalar), got shape {value.Shape}.", nameof(value));
        return Set(name, value, null);
    }

    /// <summary>Logs <paramref name="metric"/>'s result under <paramref name="name"/>.</summary>
    public StepLogs Add(string name, Metrics.Metric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return Set(name, null, metric);
    }

    private StepLogs Set(string name, Tensor? tensor, Metrics.Metric? metric)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int i = _entries.FindIndex(e => e.Name == name);
        if (i >= 0) _entries[i] = (name, tensor, metric);
        else _entries.Add((name, tensor, metric));
        return this;
    }

    /// <summary>
    /// The value logged as <paramref name="name"/> (Keras' <c>logs["loss"]</c> of a step called by hand): the tensor, or a
    /// metric's current result as a float32 scalar.
    /// </summary>
    /// <exception cref="KeyNotFoundException">Nothing is logged under that name; the message lists what is.</exception>
    public Tensor this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            int i = _entries.FindIndex(e => e.Name == name);
            if (i < 0) throw new KeyNotFoundException($"StepLogs: nothing is logged as '{name}'; the logs hold {(_entries.Count == 0 ? "nothing" : string.Join(", ", Names))}.");
            var (_, tensor, metric) = _entries[i];
            return tensor ?? NF.Constant(metric!.Result());
        }
    }

    /// <summary>The names, in order.</summary>
    public IReadOnlyList<string> Names => _entries.ConvertAll(e => e.Name);

    /// <summary>The tensor values, in order (what a traced step returns).</summary>
    internal Tensor[] Tensors => _entries.Where(e => e.Tensor is not null).Select(e => e.Tensor!).ToArray();

    /// <summary>The names of the tensor values, in the order of <see cref="Tensors"/>.</summary>
    internal IReadOnlyList<string> TensorNames => _entries.Where(e => e.Tensor is not null).Select(e => e.Name).ToArray();

    /// <summary>The metrics logged (whose states a strategy sums over the ranks before reading them).</summary>
    internal IEnumerable<Metrics.Metric> LoggedMetrics => _entries.Where(e => e.Metric is not null).Select(e => e.Metric!);

    /// <summary>
    /// The values as numbers: each tensor in <paramref name="tensors"/> (the values of
    /// <see cref="Tensors"/> from this call or a replay of it, in order), each metric's result.
    /// Null <paramref name="tensors"/> (a rank that ran no rows of the last batch) reads the
    /// metrics alone and gives the tensor values as NaN.
    /// </summary>
    internal Dictionary<string, float> Read(IReadOnlyList<Tensor>? tensors)
    {
        using var scope = TensorScope.Begin();
        var logs = new Dictionary<string, float>(_entries.Count);
        int k = 0;
        foreach (var (name, tensor, metric) in _entries)
            if (tensor is null) Metrics.Metric.Log(logs, name, metric!);
            else logs[name] = tensors is null ? float.NaN : NF.Cast(tensors[k++], DType.Float32).ToArray<float>()[0];
        return logs;
    }

    /// <summary>Keras' <c>return {"loss": loss}</c>.</summary>
    public static implicit operator StepLogs(Dictionary<string, Tensor> values)
    {
        var logs = new StepLogs();
        foreach (var (name, value) in values) logs.Add(name, value);
        return logs;
    }

    IEnumerator<KeyValuePair<string, object>> IEnumerable<KeyValuePair<string, object>>.GetEnumerator() =>
        _entries.Select(e => new KeyValuePair<string, object>(e.Name, (object?)e.Tensor ?? e.Metric!)).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)this).GetEnumerator();
}
