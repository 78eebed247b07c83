namespace NeuralFlow.Data;

/// <summary>
/// The type of one tensor of a dataset's elements (TensorFlow's <c>tf.TensorSpec</c>): its
/// dtype and its shape, where a dimension is null when it is not the same for every element
/// (TensorFlow's <c>None</c>: the batch axis after <c>Batch</c> without <c>dropRemainder</c>, the
/// length of a generator's sequences) and the whole shape is null when even the rank is not
/// known. It prints as TensorFlow does: <c>TensorSpec(shape=(None, 28, 28), dtype=tf.float32, name=None)</c>.
/// </summary>
public sealed class TensorSpec : ElementSpec, IEquatable<TensorSpec>
{
    private readonly int?[]? _shape;

    /// <summary>
    /// A spec of <paramref name="shape"/> (null dims unknown; a null shape: rank unknown) and
    /// <paramref name="dtype"/> (<c>tf.TensorSpec(shape=(None,), dtype=tf.float32)</c> is
    /// <c>new TensorSpec([null], DType.Float32)</c>).
    /// </summary>
    public TensorSpec(int?[]? shape, DType dtype = DType.Float32, string? name = null)
    {
        if (shape is not null)
        {
            if (shape.Length > NeuralFlow.Shape.MaxRank)
                throw new ArgumentException($"TensorSpec: a tensor has at most {NeuralFlow.Shape.MaxRank} dimensions; shape {Format(shape)} has {shape.Length}.", nameof(shape));
            foreach (var d in shape)
                if (d < 0) throw new ArgumentException($"TensorSpec: shape {Format(shape)} has the negative dimension {d}; use null for an unknown dimension.", nameof(shape));
        }
        if (dtype != DType.String) _ = dtype.SizeInBytes();   // refuses a value that is no dtype
        _shape = (int?[]?)shape?.Clone();
        DType = dtype;
        Name = name;
    }

    /// <summary>The spec of exactly <paramref name="tensor"/>'s shape and dtype (<c>tf.TensorSpec.from_tensor</c>).</summary>
    public static TensorSpec FromTensor(Tensor tensor, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new TensorSpec(Known(tensor.Shape), tensor.DType, name);
    }

    /// <summary>The dimensions, null where unknown; null when the rank itself is unknown.</summary>
    public IReadOnlyList<int?>? Shape => _shape;

    /// <summary>The number of dimensions, or null when unknown.</summary>
    public int? Rank => _shape?.Length;

    /// <summary>The tensors' element type.</summary>
    public DType DType { get; }

    /// <summary>An optional name (TensorFlow's <c>name</c>; datasets leave it null).</summary>
    public string? Name { get; }

    /// <summary>
    /// Null for a dense tensor; else the spec is TensorFlow's <c>tf.RaggedTensorSpec</c> of this ragged rank: 0 for the
    /// rows of a ragged tensor (dense tensors whose first axis varies, as <c>from_tensor_slices</c> of a RaggedTensor
    /// gives them), 1 or more for <see cref="RaggedTensor"/> elements (a <c>Batch</c> of ragged rows, <c>RaggedBatch</c>).
    /// </summary>
    public int? RaggedRank { get; private init; }

    /// <summary>This spec as a <c>tf.RaggedTensorSpec</c> of <paramref name="raggedRank"/> (see <see cref="RaggedRank"/>).</summary>
    internal TensorSpec AsRagged(int? raggedRank) => new(_shape, DType, Name) { RaggedRank = raggedRank };

    /// <summary>Whether every dimension (and so the rank) is known.</summary>
    public bool IsFullyDefined => _shape is not null && _shape.All(d => d is not null);

    /// <summary>
    /// Whether <paramref name="tensor"/> fits this spec (<c>is_compatible_with</c>): the same dtype
    /// and rank, and each known dimension equal.
    /// </summary>
    public bool IsCompatibleWith(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.DType == DType && ShapeFits(tensor.Shape);
    }

    /// <summary>Whether a tensor of <paramref name="shape"/> fits this spec's shape (its dtype aside).</summary>
    public bool ShapeFits(Shape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (_shape is null) return true;
        if (_shape.Length != shape.Rank) return false;
        for (int i = 0; i < _shape.Length; i++)
            if (_shape[i] is { } d && d != shape[i]) return false;
        return true;
    }

    /// <summary>
    /// Why <paramref name="tensor"/> does not fit this spec ("expected a tensor of dtype float32, got int32", or of a
    /// shape), or null when it fits: the one wording of NF.Function's input signatures and concrete functions.
    /// </summary>
    internal string? Mismatch(Tensor tensor) =>
        tensor.DType != DType ? $"expected a tensor of dtype {DType.Name()}, got {tensor.DType.Name()}"
        : !ShapeFits(tensor.Shape) ? $"expected a tensor of shape {(_shape is null ? "<unknown>" : Format(_shape))}, got {Format(Known(tensor.Shape))}"
        : null;

    /// <summary>
    /// Whether every tensor this spec takes, <paramref name="other"/> takes too (<c>is_subtype_of</c>): the same dtype,
    /// and <paramref name="other"/>'s rank unknown or the same, each of its known dimensions equal to this one's.
    /// </summary>
    public bool IsSubtypeOf(TensorSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (DType != other.DType) return false;
        if (other._shape is null) return true;
        if (_shape is null || _shape.Length != other._shape.Length) return false;
        for (int i = 0; i < _shape.Length; i++)
            if (other._shape[i] is { } d && _shape[i] != d) return false;
        return true;
    }

    /// <summary>
    /// The most specific spec that both this one and <paramref name="other"/> fit
    /// (<c>most_specific_compatible_type</c>): dimensions that differ become unknown, a rank
    /// that differs makes the shape unknown; the dtypes must be the same.
    /// </summary>
    public TensorSpec MostSpecificCompatible(TensorSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.DType != DType)
            throw new ArgumentException($"TensorSpec: {this} and {other} have different dtypes; no spec fits both.", nameof(other));
        if (RaggedRank != other.RaggedRank)
            throw new ArgumentException($"TensorSpec: {this} and {other} differ in raggedness; no spec fits both.", nameof(other));
        if (_shape is null || other._shape is null || _shape.Length != other._shape.Length) return new TensorSpec(null, DType, Name) { RaggedRank = RaggedRank };
        var dims = new int?[_shape.Length];
        for (int i = 0; i < dims.Length; i++) dims[i] = _shape[i] == other._shape[i] ? _shape[i] : null;
        return new TensorSpec(dims, DType, Name == other.Name ? Name : null) { RaggedRank = RaggedRank };
    }

    internal override int Count => 1;

    internal override void CollectInto(List<TensorSpec> flat) => flat.Add(this);

    /// <summary>As TensorFlow prints it: <c>TensorSpec(shape=(None, 10), dtype=tf.float32, name=None)</c>.</summary>
    public override string ToString() => RaggedRank is { } raggedRank
        ? $"RaggedTensorSpec(TensorShape({(_shape is null ? "None" : "[" + string.Join(", ", _shape.Select(Dim)) + "]")}), tf.{DType.Name()}, {raggedRank}, tf.int64)"
        : $"TensorSpec(shape={(_shape is null ? "<unknown>" : Format(_shape))}, dtype=tf.{DType.Name()}, name={(Name is null ? "None" : $"'{Name}'")})";

    /// <summary>A shape as Python prints a tuple: <c>()</c>, <c>(3,)</c>, <c>(None, 28, 28)</c>.</summary>
    internal static string Format(IReadOnlyList<int?> dims) => dims.Count == 1
        ? $"({Dim(dims[0])},)"
        : $"({string.Join(", ", dims.Select(Dim))})";

    private static string Dim(int? d) => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None";

    internal static int?[] Known(Shape shape) => shape.Select(d => (int?)d).ToArray();

    /// <summary>The same shape (unknown dimensions in the same places), dtype and name.</summary>
    public bool Equals(TensorSpec? other) =>
        other is not null && DType == other.DType && Name == other.Name && RaggedRank == other.RaggedRank &&
        (_shape is null ? other._shape is null : other._shape is not null && _shape.SequenceEqual(other._shape));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TensorSpec);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(DType);
        hash.Add(Name);
        hash.Add(RaggedRank);
        hash.Add(_shape?.Length ?? -1);
        foreach (var d in _shape ?? []) hash.Add(d);
        return hash.ToHashCode();
    }
}
