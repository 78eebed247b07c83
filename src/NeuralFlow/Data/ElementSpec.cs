namespace NeuralFlow.Data;

/// <summary>
/// The structure, dtypes and shapes of a dataset's elements (TensorFlow's
/// <c>Dataset.element_spec</c>): a <see cref="TensorSpec"/> for a tensor, a <see cref="TupleSpec"/>
/// for a tuple and a <see cref="DictionarySpec"/> for a dictionary of named tensors, nested as the
/// elements are. It prints as TensorFlow prints the nested specs:
/// <c>(TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(100,), dtype=tf.int32, name=None))</c>.
/// </summary>
public abstract class ElementSpec
{
    private protected ElementSpec() { }

    /// <summary>The tensor specs in the element's flat order (tuple items in order, dictionary keys in ordinal order).</summary>
    public IReadOnlyList<TensorSpec> Components
    {
        get
        {
            var flat = new List<TensorSpec>(Count);
            CollectInto(flat);
            return flat;
        }
    }

    /// <summary>Tensors per element.</summary>
    internal abstract int Count { get; }

    internal abstract void CollectInto(List<TensorSpec> flat);
}

/// <summary>The spec of tuple elements (TensorFlow prints it as a Python tuple of specs).</summary>
public sealed class TupleSpec : ElementSpec
{
    private readonly ElementSpec[] _items;

    /// <summary>A tuple of <paramref name="items"/> (2 or 3, as dataset elements), e.g. <c>new TupleSpec(new TensorSpec([]), new TensorSpec([null]))</c>.</summary>
    public TupleSpec(params ElementSpec[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Length is < 2 or > 3)
            throw new ArgumentException($"TupleSpec: dataset elements are tuples of 2 or 3 parts, got {items.Length}.", nameof(items));
        foreach (var item in items) ArgumentNullException.ThrowIfNull(item, nameof(items));
        _items = (ElementSpec[])items.Clone();
    }

    /// <summary>The items' specs, in order.</summary>
    public IReadOnlyList<ElementSpec> Items => _items;

    /// <summary>Item <paramref name="index"/>'s spec.</summary>
    public ElementSpec this[int index] => _items[index];

    internal override int Count => _items.Sum(i => i.Count);

    internal override void CollectInto(List<TensorSpec> flat)
    {
        foreach (var item in _items) item.CollectInto(flat);
    }

    /// <summary>As Python prints a tuple of specs.</summary>
    public override string ToString() => $"({string.Join(", ", _items.Select(i => i.ToString()))})";
}

/// <summary>
/// The spec of dictionary elements: one spec per key, listed and printed in the dictionary's own key
/// order as TF prints a dict's spec; the flat components (<see cref="ElementSpec.Components"/>) go in
/// ordinal key order, as tf.nest flattens a dict.
/// </summary>
public sealed class DictionarySpec : ElementSpec
{
    private readonly string[] _keys;
    private readonly ElementSpec[] _values;

    internal DictionarySpec(string[] keys, ElementSpec[] values) => (_keys, _values) = (keys, values);

    /// <summary>One spec per key (<c>{"title": tf.TensorSpec(...), ...}</c>), the keys in the dictionary's order.</summary>
    public DictionarySpec(IReadOnlyDictionary<string, TensorSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        if (specs.Count == 0) throw new ArgumentException("DictionarySpec: a dataset element's dictionary needs at least one named tensor.", nameof(specs));
        _keys = specs.Keys.ToArray();
        _values = Array.ConvertAll(_keys, k => (ElementSpec)(specs[k] ?? throw new ArgumentNullException(nameof(specs), $"DictionarySpec: the spec of key '{k}' is null.")));
    }

    /// <summary>The keys, in the dictionary's order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The spec of key <paramref name="key"/>; an unknown key is refused naming the keys there are.</summary>
    public ElementSpec this[string key]
    {
        get
        {
            int i = Array.IndexOf(_keys, key ?? throw new ArgumentNullException(nameof(key)));
            return i >= 0 ? _values[i] : throw new KeyNotFoundException($"The elements have no key '{key}'; their keys are {string.Join(", ", _keys.Select(k => $"'{k}'"))}.");
        }
    }

    internal override int Count => _values.Sum(v => v.Count);

    internal override void CollectInto(List<TensorSpec> flat)
    {
        foreach (int i in FlatOrder()) _values[i].CollectInto(flat);
    }

    // The values' indices in ordinal key order (tf.nest's flat order).
    private int[] FlatOrder() => Enumerable.Range(0, _keys.Length).OrderBy(i => _keys[i], StringComparer.Ordinal).ToArray();

    /// <summary>As Python prints a dict of specs: <c>{'a': TensorSpec(...), 'b': ...}</c>.</summary>
    public override string ToString() => "{" + string.Join(", ", _keys.Select((k, i) => $"'{k}': {_values[i]}")) + "}";
}
