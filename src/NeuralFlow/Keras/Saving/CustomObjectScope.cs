using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class KerasSerialization
{
    // The custom objects of the scopes open in this flow of execution, innermost last (Keras 3 keeps
    // custom_object_scope's objects in thread-local state too): an async flow sees its own scopes.
    private static readonly AsyncLocal<IReadOnlyList<CustomObjects>?> Scopes = new();

    /// <summary>
    /// Makes <paramref name="customObjects"/> (class name to the factory that rebuilds one from its
    /// config) known to loading until the returned scope is disposed (Keras'
    /// <c>keras.saving.custom_object_scope</c>): <see cref="Model.FromConfig"/>, <see cref="Model.FromJson"/>,
    /// <see cref="Model.Load(string, IReadOnlyDictionary{string, Func{JsonObject, Layer}}?)"/> and <see cref="Deserialize(JsonObject, IReadOnlyDictionary{string, Func{JsonObject, Layer}}?)"/>
    /// called inside it find these names before the registered ones. Unlike <see cref="Register{TLayer}"/>
    /// it changes nothing outside the scope, and nothing for saving (which names a type by its registration).
    /// </summary>
    public static IDisposable CustomObjectScope(IReadOnlyDictionary<string, Func<JsonObject, Layer>> customObjects)
    {
        ArgumentNullException.ThrowIfNull(customObjects);
        return CustomObjectScope(CustomObjects.Of(customObjects));
    }

    /// <summary>
    /// Makes <paramref name="customObjects"/> known to loading until the returned scope is disposed
    /// (Keras' <c>keras.saving.custom_object_scope</c>): layers and subclassed models, and the losses,
    /// metrics, activations, initializers, regularizers and constraints that layer configs and a
    /// compile config name, each found before the built-in and registered ones of its kind.
    /// </summary>
    public static IDisposable CustomObjectScope(CustomObjects customObjects)
    {
        ArgumentNullException.ThrowIfNull(customObjects);
        var outer = Scopes.Value;
        Scopes.Value = [.. outer ?? [], customObjects];
        return new ScopeExit(outer);
    }

    /// <summary>
    /// The layer (or Sequential / functional model) that <paramref name="entry"/>, a
    /// <c>{"class_name", "config"}</c> object of <see cref="Serialize"/>, describes (Keras'
    /// <c>keras.layers.deserialize(config, custom_objects)</c>); <paramref name="customObjects"/> are
    /// looked up before the registered types. An entry that does not rebuild is an
    /// <see cref="ArgumentException"/> saying why.
    /// </summary>
    public static Layer Deserialize(JsonObject entry, IReadOnlyDictionary<string, Func<JsonObject, Layer>>? customObjects = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WithCustomObjects(customObjects, () => Rethrown("Deserialize", nameof(entry), () => Deserialize(entry.DeepClone(), "the layer entry")));
    }

    /// <summary>Runs <paramref name="load"/> inside a scope of <paramref name="customObjects"/> (none: as it is).</summary>
    internal static T WithCustomObjects<T>(IReadOnlyDictionary<string, Func<JsonObject, Layer>>? customObjects, Func<T> load) =>
        WithCustomObjects(customObjects is null ? null : CustomObjects.Of(customObjects), load);

    /// <summary>Runs <paramref name="load"/> inside a scope of <paramref name="customObjects"/> (none: as it is).</summary>
    internal static T WithCustomObjects<T>(CustomObjects? customObjects, Func<T> load)
    {
        if (customObjects is null) return load();
        using (CustomObjectScope(customObjects)) return load();
    }

    /// <summary>A config that does not rebuild, as the <see cref="ArgumentException"/> of a method that took it.</summary>
    internal static T Rethrown<T>(string method, string parameter, Func<T> load)
    {
        try { return load(); }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException)
        {
            throw new ArgumentException($"{method}: {e.Message}", parameter, e);
        }
    }

    /// <summary>
    /// The object of kind <typeparamref name="T"/> the innermost open scope gives <paramref name="name"/>
    /// (a layer factory, an activation, a loss factory...), or null when no scope gives one.
    /// </summary>
    internal static T? Scoped<T>(string name) where T : class
    {
        if (Scopes.Value is not { } scopes) return null;
        for (int i = scopes.Count - 1; i >= 0; i--)
            if (scopes[i].TryGetValue(name, out var value) && value is T found) return found;
        return null;
    }

    private sealed class ScopeExit(IReadOnlyList<CustomObjects>? outer) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Scopes.Value = outer;
        }
    }
}
