namespace NeuralFlow;

/// <summary>
/// A list of tensors of one dtype and (by default) one shape, written by index and stacked at the end
/// (<c>tf.TensorArray</c>, as it behaves eagerly): the way TensorFlow code collects a loop's per-step
/// outputs (an RNN's states, an episode's action probabilities and rewards) inside <c>tf.function</c>.
/// In C# a <c>List&lt;Tensor&gt;</c> and <see cref="NF.Stack"/> do the same, inside <see cref="NF.Function"/>
/// too; this class keeps ported code as it was and checks what TensorFlow checks: the index range of a
/// fixed size array, the dtype, and that every element has the element shape (the first write's, unless
/// <c>elementShape</c> is given). <see cref="Write"/> and the other writers return the array itself, so
/// that <c>ta = ta.Write(i, x)</c> reads as in TensorFlow. Gradients flow from <see cref="Stack"/>,
/// <see cref="Read"/> and the others to the tensors written, as they would through NF.Stack.
/// </summary>
public sealed class TensorArray
{
    private readonly List<Tensor?> _items;

    /// <summary>
    /// An array of <paramref name="size"/> elements of <paramref name="dtype"/>; with <paramref name="dynamicSize"/>
    /// a write past the end grows it (<c>tf.TensorArray(dtype, size, dynamic_size, element_shape=...)</c>).
    /// <paramref name="inferShape"/> false lets elements differ in shape (then only Concat joins them).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative size.</exception>
    public TensorArray(DType dtype, int size = 0, bool dynamicSize = false, Shape? elementShape = null, bool inferShape = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (dtype == DType.String)
            throw new ArgumentException("TensorArray: holds numeric tensors; collect strings in a string[] (StringTensor) instead.", nameof(dtype));
        DType = dtype;
        DynamicSize = dynamicSize;
        ElementShape = elementShape;
        InferShape = inferShape;
        _items = new List<Tensor?>(size);
        for (int i = 0; i < size; i++) _items.Add(null);
    }

    /// <summary>The elements' dtype.</summary>
    public DType DType { get; }

    /// <summary>Whether a write past the end grows the array.</summary>
    public bool DynamicSize { get; }

    /// <summary>Whether every element must have the same shape.</summary>
    public bool InferShape { get; }

    /// <summary>The shape of every element: given, or the first write's; null while unknown.</summary>
    public Shape? ElementShape { get; private set; }

    /// <summary>The number of elements (<c>size()</c>), written or not.</summary>
    public int Size => _items.Count;

    /// <summary>Puts <paramref name="value"/> at <paramref name="index"/> and returns this array (<c>ta.write(i, value)</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative index, or one past the end of a fixed size array.</exception>
    /// <exception cref="ArgumentException">Another dtype, or another shape than the elements'.</exception>
    public TensorArray Write(int index, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (index < 0)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"TensorArray.Write: writing to a negative index ({index}) is not allowed.");
        if (index >= _items.Count)
        {
            if (!DynamicSize)
                throw new ArgumentOutOfRangeException(nameof(index), index,
                    $"TensorArray.Write: tried to write to index {index} but the array is not resizeable (dynamicSize: false) and its size is {_items.Count}.");
            while (_items.Count <= index) _items.Add(null);
        }
        if (value.DType != DType)
            throw new ArgumentException($"TensorArray.Write: the array's dtype is {DType.Name()} but the value written at {index} is {value.DType.Name()}; cast it first.", nameof(value));
        CheckShape(value.Shape, $"the value written at {index}");
        _items[index] = value;
        return this;
    }

    /// <summary>The element at <paramref name="index"/> (<c>ta.read(i)</c>); an element never written reads as zeros of the element shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index outside [0, Size).</exception>
    /// <exception cref="InvalidOperationException">An element never written while the element shape is unknown.</exception>
    public Tensor Read(int index)
    {
        if (index < 0 || index >= _items.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"TensorArray.Read: tried to read from index {index} but the array's size is {_items.Count}.");
        return _items[index] ?? Zeros(index);
    }

    /// <summary>The elements stacked along a new first axis (<c>ta.stack()</c>): [Size, ...element shape].</summary>
    /// <exception cref="InvalidOperationException">Elements of different shapes, or an empty array whose element shape is unknown.</exception>
    public Tensor Stack()
    {
        if (_items.Count == 0)
            return ElementShape is { } shape
                ? NF.Zeros(new Shape([0, .. shape.Dims]), DType)
                : throw new InvalidOperationException("TensorArray.Stack: the array is empty and its element shape is unknown; give elementShape to stack an empty array.");
        return NF.Stack(Elements(nameof(Stack)));
    }

    /// <summary>The elements at <paramref name="indices"/> stacked (<c>ta.gather(indices)</c>).</summary>
    public Tensor Gather(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0)
            return ElementShape is { } shape
                ? NF.Zeros(new Shape([0, .. shape.Dims]), DType)
                : throw new InvalidOperationException("TensorArray.Gather: no indices and an unknown element shape.");
        return NF.Stack(indices.Select(Read).ToArray());
    }

    /// <summary>The elements joined along their first axis (<c>ta.concat()</c>); their first axes may differ.</summary>
    /// <exception cref="InvalidOperationException">An empty array, or elements of rank 0.</exception>
    public Tensor Concat()
    {
        if (_items.Count == 0)
            throw new InvalidOperationException("TensorArray.Concat: the array is empty.");
        var elements = Elements(nameof(Concat));
        if (elements[0].Rank == 0)
            throw new InvalidOperationException("TensorArray.Concat: the elements are scalars; Concat joins along their first axis (use Stack).");
        return NF.Concat(elements);
    }

    /// <summary>Writes the slices of <paramref name="value"/> along its first axis at 0, 1, ... (<c>ta.unstack(value)</c>).</summary>
    public TensorArray Unstack(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Rank == 0)
            throw new ArgumentException("TensorArray.Unstack: the value is a scalar; it needs a first axis to split.", nameof(value));
        var parts = NF.Unstack(value);
        for (int i = 0; i < parts.Length; i++) Write(i, parts[i]);
        return this;
    }

    /// <summary>Writes the slices of <paramref name="value"/> along its first axis at <paramref name="indices"/> (<c>ta.scatter</c>).</summary>
    public TensorArray Scatter(IReadOnlyList<int> indices, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Rank == 0 || value.Shape[0] != indices.Count)
            throw new ArgumentException($"TensorArray.Scatter: {indices.Count} indices need a value whose first axis is {indices.Count}; it has shape {value.Shape}.", nameof(value));
        var parts = NF.Unstack(value);
        for (int i = 0; i < parts.Length; i++) Write(indices[i], parts[i]);
        return this;
    }

    /// <summary>Writes pieces of <paramref name="value"/> of the given lengths along its first axis at 0, 1, ... (<c>ta.split</c>).</summary>
    public TensorArray Split(Tensor value, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(lengths);
        var parts = NF.Split(value, lengths);
        for (int i = 0; i < parts.Length; i++) Write(i, parts[i]);
        return this;
    }

    private Tensor[] Elements(string op)
    {
        var elements = new Tensor[_items.Count];
        for (int i = 0; i < elements.Length; i++) elements[i] = _items[i] ?? Zeros(i);
        if (!InferShape && op == nameof(Stack))
            for (int i = 1; i < elements.Length; i++)
                if (elements[i].Shape != elements[0].Shape)
                    throw new InvalidOperationException(
                        $"TensorArray.Stack: element {i} has shape {elements[i].Shape} and element 0 {elements[0].Shape}; stacking needs one shape (Concat joins different first axes).");
        return elements;
    }

    private Tensor Zeros(int index) => ElementShape is { } shape
        ? NF.Zeros(shape, DType)
        : throw new InvalidOperationException(
            $"TensorArray: element {index} was never written and the element shape is unknown, so it cannot be read as zeros; write it, or give elementShape.");

    private void CheckShape(Shape shape, string what)
    {
        if (!InferShape) return;
        if (ElementShape is null) ElementShape = shape;
        else if (ElementShape != shape)
            throw new ArgumentException($"TensorArray: {what} has shape {shape}, but the array's elements have shape {ElementShape}.", "value");
    }
}
