using System.Runtime.CompilerServices;

namespace NeuralFlow;

/// <summary>
/// One position in a tensor index: an integer or <see cref="Index"/> (picks one element and drops
/// the axis) or a <see cref="System.Range"/> (keeps the axis). Converts implicitly, so
/// <c>t[3]</c>, <c>t[^1]</c>, <c>t[..500]</c> and <c>t[1, ..]</c> all read naturally.
/// </summary>
public readonly struct TensorIndex
{
    // A position is kept as written: a plain int (negative counts from the end, as in Python) or
    // an Index (^n). Turning -n into ^n here overflowed for int.MinValue ("Non-negative number
    // required", naming nothing); the error is now the one of any other out-of-range index.
    private readonly int _position;
    private readonly bool _fromEnd;
    private readonly Range _range;

    [MethodImpl(Hot)]
    private TensorIndex(int position, bool fromEnd, Range range, bool isRange)
    {
        _position = position;
        _fromEnd = fromEnd;
        _range = range;
        IsRange = isRange;
    }

    /// <summary>True for a range, false for a single position.</summary>
    public bool IsRange { get; }

    /// <summary>A single position; a negative one counts from the end (-1 is the last).</summary>
    public static implicit operator TensorIndex(int index) => new(index, false, default, false);
    /// <summary>A single position, possibly from the end (^1).</summary>
    public static implicit operator TensorIndex(Index index) => new(index.Value, index.IsFromEnd, default, false);
    /// <summary>A range of positions.</summary>
    public static implicit operator TensorIndex(Range range) => new(0, false, range, true);

    [MethodImpl(Hot)]
    internal int Resolve(int size, int axis, Shape shape)
    {
        // In 64 bits: size + int.MinValue and size - ^int.MaxValue cannot wrap.
        long i = _fromEnd ? (long)size - _position : _position < 0 ? (long)size + _position : _position;
        if (i < 0 || i >= size)
            throw new IndexOutOfRangeException(
                $"Index {(_fromEnd ? "^" : "")}{_position} is out of range for axis {axis} with size {size} (shape {shape}); " +
                (size == 0 ? "the axis is empty." : $"valid indices are {-size}..{size - 1}."));
        return (int)i;
    }

    internal (int Start, int Count) Resolve(int size)
    {
        // Ranges clamp to the axis like Python slices, so t[..500] on 300 rows gives 300 rows.
        int start = Math.Clamp(_range.Start.IsFromEnd ? size - _range.Start.Value : _range.Start.Value, 0, size);
        int end = Math.Clamp(_range.End.IsFromEnd ? size - _range.End.Value : _range.End.Value, 0, size);
        return (start, Math.Max(0, end - start));
    }
}

public partial class Tensor
{
    /// <summary>
    /// A view of part of this tensor: integers (and <c>^n</c>) pick one position and drop that
    /// axis, ranges keep it. Axes not named are kept whole. Read-only: a tensor is immutable.
    /// </summary>
    [IndexerName("Slice")]
    public Tensor this[params TensorIndex[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            var layout = Layout;
            if (indices.Length > Rank)
                throw new IndexOutOfRangeException($"Too many indices: {indices.Length} for a tensor of shape {Shape} (rank {Rank}).");
            int axis = 0; // axis of the result that the next index applies to
            for (int i = 0; i < indices.Length; i++)
            {
                int size = layout.Shape[axis];
                if (indices[i].IsRange)
                {
                    var (start, count) = indices[i].Resolve(size);
                    layout = layout.Slice(axis, start, count);
                    axis++;
                }
                else
                {
                    layout = layout.Select(axis, indices[i].Resolve(size, i, Shape));
                }
            }
            return Tape.Record(View(layout), this, static (g, n) =>
            {
                // Scatter the gradient into zeros shaped like the input, at the same positions.
                var dx = NF.ZerosLike(n.X);
                using var target = dx[(TensorIndex[])n.State!];
                Engine.CopyInto(g, target);
                return [dx];
            }, indices, "Tensor indexing");
        }
    }
}
