using System.Collections;
using System.Reflection;

namespace NeuralFlow.Keras;

/// <summary>
/// Finds the layers and variables a layer holds in its fields, as Keras' attribute tracking
/// does: held directly or inside arrays, lists, dictionaries and other collections, nested too,
/// and the variables of the <see cref="Module"/>s it holds.
/// Every object is visited once (a visited set), so a layer graph with a cycle (a sublayer
/// holding its model) ends, and the order is deterministic: fields in declaration order (the
/// most derived type first), collections in their order, dictionaries by key (as TensorFlow's
/// tracked dicts). Only materialized collections are read (arrays, ICollection,
/// IReadOnlyCollection): a lazy sequence could run arbitrary code or never end.
/// </summary>
internal static class Tracking
{
    /// <summary>The layers (other than <paramref name="owner"/>) and variables in the owner's fields.</summary>
    public static (List<Layer> Layers, List<Variable> Variables) InFields(Layer owner)
    {
        var found = (Layers: new List<Layer>(), Variables: new List<Variable>());
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance) { owner };
        for (var type = owner.GetType(); type is not null && type != typeof(Layer); type = type.BaseType)
            foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (MayHold(f.FieldType) && f.GetValue(owner) is { } value)
                    Visit(value, seen, found.Layers, found.Variables);
        return found;
    }

    /// <summary>
    /// The metrics held in the fields that <paramref name="owner"/>'s own class declares, directly or
    /// in materialized collections (Keras' <c>layer._metrics</c>: a metric assigned as an attribute),
    /// each once, in field order. Fields declared by NeuralFlow's <see cref="Layer"/> and
    /// <see cref="Model"/> (the compiled metrics) are not the layer's own.
    /// </summary>
    public static List<Metrics.Metric> MetricsInFields(Layer owner)
    {
        var found = new List<Metrics.Metric>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        for (var type = owner.GetType(); type is not null && type != typeof(Layer) && type != typeof(Model); type = type.BaseType)
            foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                switch (f.GetValue(owner))
                {
                    case Metrics.Metric m:
                        if (seen.Add(m)) found.Add(m);
                        break;
                    case IEnumerable items when typeof(Metrics.Metric).IsAssignableFrom(ElementType(f.FieldType)) && IsMaterializedCollection(f.FieldType):
                        foreach (var item in items)
                            if (item is Metrics.Metric held && seen.Add(held)) found.Add(held);
                        break;
                }
        return found;
    }

    [MethodImpl(Hot)]
    private static void Visit(object value, HashSet<object> seen, List<Layer> layers, List<Variable> variables)
    {
        switch (value)
        {
            case Layer layer:
                if (seen.Add(layer)) layers.Add(layer);
                return;
            case Variable variable:
                if (seen.Add(variable)) variables.Add(variable);
                return;
            case Module module:
                // A tf.Module held by a layer: its variables are the layer's, as Keras tracks a module's.
                if (seen.Add(module))
                    foreach (var v in module.Variables)
                        if (seen.Add(v)) variables.Add(v);
                return;
            case Tensor or string:
                return;
        }
        var type = value.GetType();
        if (!IsMaterializedCollection(type) || !MayHold(ElementType(type)) || !seen.Add(value)) return;
        if (value is IDictionary dictionary)
        {
            foreach (var item in InKeyOrder(dictionary))
                if (item is not null) Visit(item, seen, layers, variables);
            return;
        }
        foreach (var item in (IEnumerable)value)
            if (item is not null) Visit(item is DictionaryEntry e ? e.Value! : ValueOfPair(item), seen, layers, variables);
    }

    // Dictionary values sorted by key when the keys compare (strings ordinally), else in the dictionary's order.
    private static IEnumerable<object?> InKeyOrder(IDictionary dictionary)
    {
        var entries = new List<DictionaryEntry>();
        for (var e = dictionary.GetEnumerator(); e.MoveNext();) entries.Add(e.Entry); // a generic dictionary enumerates KeyValuePairs
        if (entries.All(e => e.Key is string))
            entries.Sort((a, b) => string.CompareOrdinal((string)a.Key, (string)b.Key));
        else if (entries.Count > 0 && entries.All(e => e.Key is IComparable && e.Key.GetType() == entries[0].Key.GetType()))
            entries.Sort((a, b) => Comparer.Default.Compare(a.Key, b.Key));
        return entries.Select(e => e.Value);
    }

    // The value of a KeyValuePair (a read-only dictionary that is not an IDictionary), else the item.
    [MethodImpl(Hot)]
    private static object ValueOfPair(object item)
    {
        var type = item.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
            return type.GetProperty("Value")!.GetValue(item) ?? "";
        return item;
    }

    [MethodImpl(Hot)]
    private static bool IsMaterializedCollection(Type type) =>
        type.IsArray || typeof(ICollection).IsAssignableFrom(type) ||
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() is var d &&
                                      (d == typeof(IReadOnlyCollection<>) || d == typeof(ICollection<>)));

    // The element type of a collection type (a dictionary's value type), or object when unknown.
    [MethodImpl(Hot)]
    private static Type ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType()!;
        var enumerable = type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        if (enumerable is null) return typeof(object);
        var element = enumerable.GetGenericArguments()[0];
        return element.IsGenericType && element.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)
            ? element.GetGenericArguments()[1]
            : element;
    }

    // Whether a value of this static type can be, or contain, a layer or a variable (so a
    // List<int> or a float[] is never walked).
    [MethodImpl(Hot)]
    private static bool MayHold(Type type) =>
        typeof(Layer).IsAssignableFrom(type) || typeof(Tensor).IsAssignableFrom(type) || typeof(Module).IsAssignableFrom(type) ||
        type.IsAssignableFrom(typeof(Layer)) || type.IsAssignableFrom(typeof(Variable)) ||
        (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type));
}
