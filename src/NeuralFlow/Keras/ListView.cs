using System.Collections;

namespace NeuralFlow.Keras;

/// <summary>
/// A read-only view of a list: what <c>model.Layers</c>, <c>layer.Losses</c> and <c>model.Metrics</c> return.
/// </summary>
/// <remarks>
/// Those properties return instances of the <see cref="Keras.Layers"/>, <see cref="Keras.Losses"/> and <see cref="Keras.Metrics"/>
/// classes themselves, which derive from this. C# then lets the simple names <c>Layers</c>, <c>Metrics</c> and
/// <c>Losses</c> inside a Layer or Model subclass mean both the property and the class
/// ("Color Color"): <c>Layers.Input([8])</c>, <c>Losses.BinaryCrossentropy.PerExample(y, p)</c> and
/// <c>NF.AddN([.. Losses])</c> all compile there, as Keras code reads <c>keras.losses</c> and
/// <c>self.losses</c> side by side. With a property of another type the property would hide the class.
/// </remarks>
public abstract class ListView<T> : IReadOnlyList<T>
{
    private readonly IReadOnlyList<T> _items;

    private protected ListView(IReadOnlyList<T> items) => _items = items;

    /// <summary>The item at <paramref name="index"/>.</summary>
    public T this[int index] => _items[index];

    /// <summary>How many items there are.</summary>
    public int Count => _items.Count;

    /// <summary>
    /// Items <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/>, what C#'s
    /// ranges call: <c>model.Layers[..100]</c>, <c>model.Layers[1..]</c> (Python's <c>model.layers[:100]</c>,
    /// as the transfer learning guide freezes the first layers of a base model).
    /// </summary>
    public IReadOnlyList<T> Slice(int start, int length)
    {
        if (start < 0 || length < 0 || start + length > _items.Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"The range [{start}, {start + length}) is outside the {_items.Count} items.");
        var slice = new T[length];
        for (int i = 0; i < length; i++) slice[i] = _items[start + i];
        return slice;
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => $"[{string.Join(", ", _items)}]";
}
