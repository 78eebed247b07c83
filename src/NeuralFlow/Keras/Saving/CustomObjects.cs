using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Keras' <c>custom_objects</c>: the objects of your own that a saved model names, each under the
/// name the file gives it, for <see cref="Model.Load(string, CustomObjects)"/> and
/// <see cref="KerasSerialization.CustomObjectScope(CustomObjects)"/> to rebuild. Layers and
/// subclassed models, losses, metrics, initializers, regularizers and constraints by the factory
/// that rebuilds one from its config (a class's <c>from_config</c>); activations, loss and metric
/// functions by the function itself (a Python function in Keras' custom_objects):
/// <code>
/// var model = Model.Load("m.keras", new CustomObjects
/// {
///     { "MyModel", MyModel.FromConfig },               // Func&lt;JsonObject, Layer&gt;
///     { "CustomMse", c => new CustomMse() },            // Func&lt;JsonObject, Losses.Loss&gt;
///     { "my_activation", x => NF.Square(NF.Tanh(x)) }, // Func&lt;Tensor, Tensor&gt;
///     { "my_metric", MyMetric },                        // Func&lt;Tensor, Tensor, Tensor&gt;: y_true, y_pred
/// });
/// </code>
/// A name the file uses for another kind of object than the one given is not served by it.
/// </summary>
public sealed class CustomObjects : IReadOnlyDictionary<string, object>
{
    private readonly Dictionary<string, object> _objects = new(StringComparer.Ordinal);

    /// <summary>A layer or subclassed model type, by the factory that rebuilds one from its <see cref="Layer.GetConfig"/>.</summary>
    public void Add(string name, Func<JsonObject, Layer> layer) => Put(name, layer);

    /// <summary>An activation function (a layer's <c>activation</c> names it).</summary>
    public void Add(string name, Func<Tensor, Tensor> activation) => Put(name, activation);

    /// <summary>A loss or metric function of (y_true, y_pred), as Compile took it.</summary>
    public void Add(string name, Func<Tensor, Tensor, Tensor> lossOrMetric) => Put(name, lossOrMetric);

    /// <summary>A loss class, by the factory that rebuilds one from its <see cref="Losses.Loss.GetConfig"/>.</summary>
    public void Add(string name, Func<JsonObject, Losses.Loss> loss) => Put(name, loss);

    /// <summary>A metric class, by the factory that rebuilds one from its <see cref="Metrics.PredictionMetric.GetConfig"/>.</summary>
    public void Add(string name, Func<JsonObject, Metrics.PredictionMetric> metric) => Put(name, metric);

    /// <summary>An initializer, by the factory that rebuilds one from its config.</summary>
    public void Add(string name, Func<JsonObject, Initializer> initializer) => Put(name, initializer);

    /// <summary>A regularizer, by the factory that rebuilds one from its config.</summary>
    public void Add(string name, Func<JsonObject, Regularizers.Regularizer> regularizer) => Put(name, regularizer);

    /// <summary>A constraint, by the factory that rebuilds one from its config.</summary>
    public void Add(string name, Func<JsonObject, Constraints.Constraint> constraint) => Put(name, constraint);

    private void Put(string name, object value)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("CustomObjects: a custom object has an empty name.", nameof(name));
        ArgumentNullException.ThrowIfNull(value);
        if (!_objects.TryAdd(name, value)) throw new ArgumentException($"CustomObjects: '{name}' is given twice.", nameof(name));
    }

    /// <summary>The layer factories of the older form of <c>customObjects</c>.</summary>
    internal static CustomObjects Of(IReadOnlyDictionary<string, Func<JsonObject, Layer>> layers)
    {
        var objects = new CustomObjects();
        foreach (var (name, factory) in layers)
        {
            if (factory is null) throw new ArgumentException($"CustomObjectScope: the custom object '{name}' has no factory.", nameof(layers));
            objects.Add(name, factory);
        }
        return objects;
    }

    /// <inheritdoc/>
    public object this[string key] => _objects[key];

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _objects.Keys;

    /// <inheritdoc/>
    public IEnumerable<object> Values => _objects.Values;

    /// <inheritdoc/>
    public int Count => _objects.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _objects.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object value) => _objects.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _objects.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
