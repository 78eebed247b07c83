using System.Text;

namespace NeuralFlow.Data;

/// <summary>
/// An immutable n-dimensional array of strings on the host (a TensorFlow <c>tf.string</c>
/// tensor): a scalar (one line of a <see cref="TextLineDataset"/>), a vector (a batch of texts)
/// or more. It is the text element of a dataset, carried by every step (Shuffle, Batch, Take,
/// Filter, Map, Zip, Cache, ...) next to numeric tensors, and the input of
/// <c>TextVectorization</c>, <c>StringLookup</c> and <c>Hashing</c>, which turn it into the
/// numbers a model takes. It has no device and nothing to dispose.
/// </summary>
public sealed class StringTensor : IEquatable<StringTensor>
{
    // Row-major, never changed once made (so a batch, a row or the pipeline may share it).
    private readonly string[] _values;

    /// <summary>A scalar string (<c>tf.constant("the cat")</c>).</summary>
    public StringTensor(string value) : this([value ?? throw new ArgumentNullException(nameof(value))], Shape.Scalar, copy: false) { }

    /// <summary>A vector of strings (<c>tf.constant(["the cat", "a dog"])</c>); the array is copied.</summary>
    public StringTensor(string[] values) : this(values, values is null ? Shape.Scalar : new Shape(values.Length)) { }

    /// <summary>The strings <paramref name="values"/>, row-major, in <paramref name="shape"/>; the array is copied.</summary>
    public StringTensor(string[] values, Shape shape) : this(values, shape, copy: true) { }

    private StringTensor(string[] values, Shape shape, bool copy)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count != values.Length)
            throw new ArgumentException($"StringTensor: shape {shape} holds {shape.Count} strings, but {values.Length} were given.", nameof(shape));
        int nullAt = Array.IndexOf(values, null);
        if (nullAt >= 0)
            throw new ArgumentException($"StringTensor: the strings hold a null (at {nullAt}); tf.string has no null, use \"\" for an empty string.", nameof(values));
        _values = copy ? (string[])values.Clone() : values;
        Shape = shape;
    }

    /// <summary>
    /// A scalar string of <paramref name="bytes"/> (TensorFlow's <c>tf.constant(b"...")</c>, <c>tf.io.read_file</c>):
    /// UTF-8 text reads as that text; bytes that are not UTF-8 are kept escaped (each as the lone surrogate
    /// U+DC00 + byte, Python's surrogateescape), so <see cref="ToBytes"/>, NF.IO.DecodeRaw and NF.IO.ParseSingleExample
    /// get them back exactly.
    /// </summary>
    public static StringTensor FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Wrap([ByteStrings.Decode(bytes)], Shape.Scalar);
    }

    /// <summary>The bytes of the string at <paramref name="index"/> (row-major): its UTF-8, escaped bytes given back as they were.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No string at that index.</exception>
    public byte[] ToBytes(int index = 0)
    {
        if (index < 0 || index >= _values.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"StringTensor.ToBytes: the tensor holds {_values.Length} strings.");
        return ByteStrings.Encode(_values[index]);
    }

    /// <summary>A string tensor over <paramref name="values"/> itself (the caller gives up the array).</summary>
    internal static StringTensor Wrap(string[] values, Shape shape) => new(values, shape, copy: false);

    /// <summary>Dimensions (<c>()</c> for one string).</summary>
    public Shape Shape { get; }

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of strings.</summary>
    public int Count => _values.Length;

    /// <summary>Always <see cref="DType.String"/> (<c>tf.string</c>).</summary>
    public DType DType => DType.String;

    /// <summary>The strings in row-major order (a copy; TensorFlow's <c>numpy()</c>).</summary>
    public string[] ToArray() => (string[])_values.Clone();

    /// <summary>The strings, row-major, without a copy (for the library's own readers).</summary>
    internal IReadOnlyList<string> Values => _values;

    /// <summary>The string of a scalar (or of a one-string tensor); others are refused, naming their shape.</summary>
    public string Item() => _values.Length == 1 ? _values[0] : throw new InvalidOperationException(
        $"StringTensor.Item() needs exactly one string, but this tensor has shape {Shape} ({Count} strings); use ToArray() or index it first.");

    /// <summary>Row <paramref name="index"/> along the first axis (a negative index counts from the end), as <c>t[i]</c> in TensorFlow.</summary>
    [System.Runtime.CompilerServices.IndexerName("Row")]   // frees the name Item for the scalar's string, as Tensor.Item
    public StringTensor this[int index]
    {
        get
        {
            if (Rank == 0) throw new InvalidOperationException("StringTensor: a scalar has no rows to index.");
            int rows = Shape[0];
            int i = index < 0 ? index + rows : index;
            if (i < 0 || i >= rows) throw new IndexOutOfRangeException($"StringTensor: index {index} is out of range for the first axis of shape {Shape}.");
            int width = rows == 0 ? 0 : _values.Length / rows;
            return Wrap(_values.AsSpan(i * width, width).ToArray(), Shape.Create(Shape.ToArray().AsSpan(1)));
        }
    }

    /// <summary>
    /// Each string through <paramref name="fn"/>, same shape (what <c>tf.strings.lower</c> or a
    /// <c>tf.py_function</c> over strings does): <c>lines.Map(l =&gt; l.Apply(s =&gt; s.ToLowerInvariant()))</c>.
    /// </summary>
    public StringTensor Apply(Func<string, string> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var result = new string[_values.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = fn(_values[i]) ?? throw new InvalidOperationException($"StringTensor.Apply: the function returned null for string {i}; return \"\" for an empty string.");
        return Wrap(result, Shape);
    }

    /// <summary>A scalar string (<c>(StringTensor)"text"</c>).</summary>
    public static implicit operator StringTensor(string value) => new(value);

    /// <summary>The same shape and strings.</summary>
    public bool Equals(StringTensor? other) => other is not null && Shape == other.Shape && _values.AsSpan().SequenceEqual(other._values);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StringTensor);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Shape);
        foreach (var v in _values) hash.Add(v);
        return hash.ToHashCode();
    }

    /// <summary>As TensorFlow prints it: <c>tf.Tensor(b'the cat', shape=(), dtype=string)</c> (long tensors elided).</summary>
    public override string ToString()
    {
        var text = new StringBuilder("tf.Tensor(");
        Format(text, 0, 0);
        text.Append(", shape=").Append(TensorSpec.Format(TensorSpec.Known(Shape))).Append(", dtype=string)");
        return text.ToString();
    }

    // Nested brackets as numpy prints an array of bytes; at most 6 items per axis (3 ... 3).
    private void Format(StringBuilder text, int axis, int at)
    {
        if (axis == Rank)
        {
            text.Append("b'").Append(_values[at].Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n")).Append('\'');
            return;
        }
        int n = Shape[axis], stride = 1;
        for (int d = axis + 1; d < Rank; d++) stride *= Shape[d];
        text.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (n > 6 && i == 3) { text.Append("..."); i = n - 3; text.Append(' '); }
            else if (i > 0) text.Append(' ');
            Format(text, axis + 1, at + i * stride);
        }
        text.Append(']');
    }
}
