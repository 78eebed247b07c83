using System.Collections;
using System.Runtime.CompilerServices;

namespace NeuralFlow;

/// <summary>
/// The dimensions of a tensor, immutable. Written as a collection expression where a shape is
/// expected (<c>NF.Zeros([3, 4])</c>); <c>[]</c> is the scalar shape.
/// </summary>
/// <remarks>
/// Widths, the one rule for the C# API and the C ABI (whose <c>nf_layout</c> holds int64
/// dimensions, strides and offsets): every dimension fits int32 (so a dimension is an
/// <c>int</c> here and widens losslessly to int64 there); every element count, stride and byte
/// count is int64 and computed with checked arithmetic. A shape whose element count (or the
/// product of its non-zero dimensions, which sets its strides) passes int64, or a tensor whose
/// byte count does, is refused with an <see cref="OverflowException"/> naming the shape, never
/// wrapped into a small buffer. Sizes that fit int64 but not in memory fail in the allocator
/// with an <see cref="OutOfMemoryException"/> (<see cref="InsufficientMemoryException"/> on a GPU).
/// </remarks>
[CollectionBuilder(typeof(Shape), nameof(Create))]
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    /// <summary>The most dimensions a tensor may have (the C ABI's NF_MAX_RANK).</summary>
    public const int MaxRank = 8;

    private readonly int[] _dims;
    private long[]? _rowMajorStrides;

    /// <summary>
    /// The row-major strides of this shape, made once and shared by every contiguous layout of it
    /// (an op's result no longer allocates them): layouts never write into their strides.
    /// </summary>
    internal long[] RowMajorStrides
    {
        [MethodImpl(Hot)] get => _rowMajorStrides ??= Layout.RowMajorStrides(_dims);
    }

    /// <summary>A shape with the given dimensions (each at least 0).</summary>
    [MethodImpl(Hot)]
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length > MaxRank)
            throw new ArgumentException($"A tensor has at most {MaxRank} dimensions; shape {Format(dims)} has {dims.Length}.", nameof(dims));
        foreach (var d in dims)
            if (d < 0) throw new ArgumentException($"Dimensions must be at least 0; shape {Format(dims)} has {d}.", nameof(dims));
        _dims = (int[])dims.Clone();
        Count = CheckedCount(_dims);
    }

    // The element count; also checks the product of the non-zero dimensions, the largest
    // row-major stride, so that no layout of a valid shape can wrap either.
    [MethodImpl(Hot)]
    private static long CheckedCount(int[] dims)
    {
        long count = 1, strideSpan = 1;
        try
        {
            checked
            {
                foreach (var d in dims)
                {
                    count *= d;
                    strideSpan *= Math.Max(d, 1);
                }
            }
        }
        catch (OverflowException)
        {
            throw new OverflowException(
                $"Shape {Format(dims)} has more elements than a tensor can hold (the element count must fit a 64-bit integer).");
        }
        return count;
    }

    /// <summary>
    /// Bytes needed for this many elements of <paramref name="dtype"/>, checked: an overflow is
    /// an <see cref="OverflowException"/> naming the shape and the dtype.
    /// </summary>
    [MethodImpl(Hot)]
    internal long ByteCount(DType dtype)
    {
        try { return checked(Count * dtype.SizeInBytes()); }
        catch (OverflowException)
        {
            throw new OverflowException(
                $"A {dtype.Name()} tensor of shape {this} would need {Count} x {dtype.SizeInBytes()} bytes, more than a 64-bit byte count holds.");
        }
    }

    /// <summary>Builds a shape from a collection expression.</summary>
    [MethodImpl(Hot)]
    public static Shape Create(ReadOnlySpan<int> dims) => new(dims.ToArray());

    /// <summary>The shape of a scalar, <c>()</c>.</summary>
    public static Shape Scalar { get; } = new();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>Number of elements (the product of the dimensions; 1 for a scalar).</summary>
    public long Count { get; }

    int IReadOnlyCollection<int>.Count => _dims.Length;

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[NormalizeAxis(axis)];

    /// <summary>The size of an axis counted from either end: <c>shape[^1]</c> is the last (Python's <c>x.shape[-1]</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is past the rank.</exception>
    public int this[Index axis] => axis is { IsFromEnd: true, Value: 0 }
        ? throw new ArgumentOutOfRangeException(nameof(axis), $"Axis ^0 is past the last of a tensor of rank {Rank} (shape {this}); ^1 is the last.")
        : this[axis.IsFromEnd ? -axis.Value : axis.Value];

    /// <summary>
    /// The shape of the axes in <paramref name="range"/>: <c>shape[1..]</c> drops the batch axis, as
    /// Python's <c>x.shape[1:]</c> (a TensorShape) gives the input shape of a model.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past the rank or ends before it starts.</exception>
    public Shape this[Range range]
    {
        get
        {
            int start = range.Start.IsFromEnd ? Rank - range.Start.Value : range.Start.Value;
            int end = range.End.IsFromEnd ? Rank - range.End.Value : range.End.Value;
            // Python's slice clamps; an out-of-range C# range is a mistake, so it says which.
            if (start < 0 || end > Rank || start > end)
                throw new ArgumentOutOfRangeException(nameof(range), $"Axes {range} are not within a shape of rank {Rank} ({this}).");
            return new Shape(_dims[start..end]);
        }
    }

    /// <summary>The dimensions as a new array.</summary>
    [MethodImpl(Hot)]
    public int[] ToArray() => (int[])_dims.Clone();

    internal ReadOnlySpan<int> Dims => _dims;

    /// <summary>Turns a possibly negative axis into 0..Rank-1, or throws naming the axis and the rank.</summary>
    [MethodImpl(Hot)]
    public int NormalizeAxis(int axis, string? paramName = "axis")
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank)
            throw new ArgumentOutOfRangeException(paramName, axis,
                $"Axis {axis} is out of range for a tensor of rank {Rank} (shape {this}); valid axes are {-Rank}..{Rank - 1}.");
        return a;
    }

    /// <summary>
    /// Whether a tensor of this shape broadcasts to <paramref name="target"/> unchanged (NumPy's rule
    /// one way: no more axes than target, each trailing axis 1 or equal to target's).
    /// </summary>
    internal bool BroadcastsTo(Shape target)
    {
        if (Rank > target.Rank) return false;
        for (int i = 1; i <= Rank; i++)
            if (this[-i] != 1 && this[-i] != target[-i]) return false;
        return true;
    }

    /// <summary>An array converts to a shape.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>A shape converts to its dimensions (so it can be passed where an int[] is wanted, as to NF.Reshape).</summary>
    public static implicit operator int[](Shape shape) => shape.ToArray();

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public bool Equals(Shape? other) => ReferenceEquals(this, other) || other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }
    /// <summary>Equal when the dimensions are equal.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);
    /// <summary>Not equal when the dimensions differ.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <summary>The Python-style form users know: <c>(3, 4)</c>, <c>(4,)</c>, <c>()</c>.</summary>
    public override string ToString() => Format(_dims);

    internal static string Format(ReadOnlySpan<int> dims) => dims.Length switch
    {
        0 => "()",
        1 => $"({dims[0]},)",
        _ => "(" + string.Join(", ", dims.ToArray()) + ")",
    };

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dims).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _dims.GetEnumerator();
}
