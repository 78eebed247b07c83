using System.Collections;
using System.Reflection;
using NeuralFlow.Keras;

namespace NeuralFlow.Train;

// The checkpoint's object graph, as tf.train.Checkpoint's: objects under names, where an object is a
// saved thing (a layer or model, an optimizer, a variable, a random generator, a dataset iterator) or a container of
// named objects (another Checkpoint, a dictionary with string keys, a list or array, by index).
// Saving flattens the graph to paths ("net/l1/bias"); a layer's variables are also reachable by the
// names of the fields that hold them ("net/l1/kernel"), so a graph of plain checkpoints and variables
// restores part of a model (the checkpoint guide's fake_net), as TensorFlow's attribute paths do.
public sealed partial class Checkpoint
{
    // Throws unless `value` is something a checkpoint can hold; collections are checked element by element.
    private static void Validate(string name, object? value, string where)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name == SaveCounterKey)
            throw new ArgumentException($"Checkpoint: '{name}'{where} cannot name an object: names are non-empty, without '/', and '{SaveCounterKey}' is the checkpoint's own.");
        switch (value)
        {
            case Layer or Optimizers.Optimizer or Variable or NF.Random.Generator or Data.ICheckpointedIterator or Checkpoint or Module:
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Key is not string key)
                        throw new ArgumentException($"Checkpoint: the dictionary '{name}'{where} has the key {entry.Key} ({entry.Key.GetType().Name}); a checkpoint's dictionaries have string keys.");
                    Validate(key, entry.Value, $" (in '{name}'{where})");
                }
                return;
            case IList list when value is not Tensor:
                for (int i = 0; i < list.Count; i++) Validate(i.ToString(System.Globalization.CultureInfo.InvariantCulture), list[i], $" (in '{name}'{where})");
                return;
            default:
                throw new ArgumentException(
                    $"Checkpoint: '{name}'{where} is {(value is null ? "null" : "a " + value.GetType().Name)}; a checkpoint holds models or layers, modules, optimizers, variables, " +
                    "random generators, dataset iterators (Dataset.Iterator()), other checkpoints, and dictionaries (string keys) or lists of these.");
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "/" + name;

    /// <summary>The saved things under <paramref name="value"/> at <paramref name="path"/>, by path, each container walked once per path (a cycle ends).</summary>
    private static List<KeyValuePair<string, object>> LeavesOf(string path, object value)
    {
        var leaves = new List<KeyValuePair<string, object>>();
        var open = new HashSet<object>(ReferenceEqualityComparer.Instance);
        void Walk(string at, object item)
        {
            switch (item)
            {
                case Layer or Optimizers.Optimizer or Variable or NF.Random.Generator or Data.ICheckpointedIterator:
                    leaves.Add(new(at, item));
                    return;
            }
            if (!open.Add(item)) return;   // a container inside itself: its objects are already on this path
            foreach (var (name, child) in Children(item)) Walk(Join(at, name), child);
            open.Remove(item);
        }
        Walk(path, value);
        return leaves;
    }

    /// <summary>The named objects of a container: a checkpoint's in order, a dictionary's by key, a list's by index.</summary>
    private static IEnumerable<KeyValuePair<string, object>> Children(object container)
    {
        switch (container)
        {
            case Checkpoint checkpoint:
                return checkpoint._objects.ToArray();
            case IDictionary dictionary:
                var entries = new List<KeyValuePair<string, object>>();
                foreach (DictionaryEntry e in dictionary) entries.Add(new((string)e.Key, e.Value!));
                entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                return entries;
            case IList list:
                return Enumerable.Range(0, list.Count).Select(i => new KeyValuePair<string, object>(i.ToString(System.Globalization.CultureInfo.InvariantCulture), list[i]!)).ToArray();
            case Module module:
                // A module's fields by name (tf.Module's attributes), those that can hold saved things; a delegate, a
                // plain tensor, or a dictionary without string keys is not part of the checkpoint, as TensorFlow skips
                // attributes that are not trackable.
                return module.Fields().Where(f => f.Value switch
                {
                    Layer or Optimizers.Optimizer or Variable or NF.Random.Generator or Data.ICheckpointedIterator or Checkpoint or Module => true,
                    Tensor or null => false,
                    IDictionary d => Module.MayHoldObjects(d.GetType()) && d.Keys.Cast<object>().All(k => k is string),
                    IList l => Module.MayHoldObjects(l.GetType()),
                    _ => false,
                }).Select(f => new KeyValuePair<string, object>(f.Name, f.Value!)).ToArray();
            default:
                return [];
        }
    }

    /// <summary>
    /// The containers under <paramref name="value"/> at <paramref name="path"/> (itself included): checkpoints, for delayed
    /// restoration through their indexer, and dictionaries and lists, whose elements added later take their waiting values.
    /// </summary>
    private static List<(string Path, object Container)> ContainersOf(string path, object value)
    {
        var found = new List<(string, object)>();
        var open = new HashSet<object>(ReferenceEqualityComparer.Instance);
        void Walk(string at, object item)
        {
            if (item is Layer or Optimizers.Optimizer or Variable or NF.Random.Generator or Data.ICheckpointedIterator || !open.Add(item)) return;
            found.Add((at, item));
            foreach (var (name, child) in Children(item)) Walk(Join(at, name), child);
            open.Remove(item);
        }
        Walk(path, value);
        return found;
    }

    /// <summary>The containers of type <typeparamref name="T"/> under <paramref name="value"/> (checkpoints, modules), each with its path.</summary>
    private static IEnumerable<(string Path, T Container)> ContainersOf<T>(string path, object value) where T : class =>
        ContainersOf(path, value).Where(c => c.Container is T).Select(c => (c.Path, (T)c.Container));

    /// <summary>
    /// Each variable of <paramref name="layer"/> by the names that reach it: its own weights by their short names
    /// ("kernel", "bias"), variables and layers in its fields by the fields' names (an auto-property by the property's),
    /// collections by key or index. The first path to a variable is its name.
    /// </summary>
    internal static List<(string Path, Variable Variable)> NamedVariables(Layer layer)
    {
        var found = new List<(string, Variable)>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        void Visit(string at, object? value)
        {
            switch (value)
            {
                case Variable variable:
                    if (seen.Add(variable)) found.Add((at, variable));
                    return;
                case Layer sub:
                    if (!seen.Add(sub)) return;
                    foreach (var own in sub.OwnWeights)
                        if (seen.Add(own)) found.Add((Join(at, own.Name[(own.Name.LastIndexOf('/') + 1)..]), own));
                    for (var type = sub.GetType(); type is not null && type != typeof(Layer); type = type.BaseType)
                        foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                            if (!f.FieldType.IsValueType && f.FieldType != typeof(string) && f.GetValue(sub) is { } held)
                                Visit(Join(at, FieldName(f)), held);
                    return;
                case Tensor or string or null:
                    return;
                case IDictionary dictionary when MayHoldObjects(dictionary.GetType()):
                    if (!seen.Add(dictionary)) return;
                    foreach (DictionaryEntry e in dictionary)
                        if (e.Key is string key) Visit(Join(at, key), e.Value);
                    return;
                case IList list when MayHoldObjects(list.GetType()):
                    if (!seen.Add(list)) return;
                    for (int i = 0; i < list.Count; i++) Visit(Join(at, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), list[i]);
                    return;
            }
        }
        Visit("", layer);
        return found;
    }

    // Whether a collection's elements can be layers or variables: not a float[] or List<int> (a lookup table of a
    // million numbers is not walked element by element).
    private static bool MayHoldObjects(Type type)
    {
        if (type.IsArray) return !type.GetElementType()!.IsValueType && type.GetElementType() != typeof(string);
        return !type.IsGenericType || type.GetGenericArguments() is not { Length: > 0 } args || !args.All(a => a.IsValueType || a == typeof(string))
               || typeof(IDictionary).IsAssignableFrom(type) && !args[^1].IsValueType && args[^1] != typeof(string);
    }

    // "<L1>k__BackingField", the field of an auto-property, is named by its property, L1.
    private static string FieldName(FieldInfo field) =>
        field.Name is ['<', ..] name && name.IndexOf('>') is > 1 and var end ? name[1..end] : field.Name;
}
