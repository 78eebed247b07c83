using System.Runtime.CompilerServices;

namespace NeuralFlow;

/// <summary>
/// One position in a tensor index: an integer or <see cref="Index"/> (picks one element and drops
/// the axis) or a <see cref="System.Range"/> (keeps the axis). Converts implicitly, so
/// <c>t[3]</c>, <c>t[^1]</c>, <c>t[..500]</c> and <c>t[1, ..]</c> all read naturally.
/// </summary>
public readonly struct TensorIndex
{
    private readonly Index _index;
    private readonly Range _range;

    private TensorIndex(Index index, Range range, bool isRange)
    {
        _index = index;
        _range = range;
        IsRange = isRange;
    }

    /// <summary>True for a range, false for a single position.</summary>
    public bool IsRange { get; }

    /// <summary>A single position.</summary>
    public static implicit operator TensorIndex(int index) =>
        new(index >= 0 ? Index.FromStart(index) : Index.FromEnd(-index), default, false);
    /// <summary>A single position, possibly from the end (^1).</summary>
    public static implicit operator TensorIndex(Index index) => new(index, default, false);
    /// <summary>A range of positions.</summary>
    public static implicit operator TensorIndex(Range range) => new(default, range, true);

    internal int Resolve(int size, int axis, Shape shape)
    {
        int i = _index.IsFromEnd ? size - _index.Value : _index.Value;
        if (i < 0 || i >= size)
            throw new IndexOutOfRangeException(
                $"Index {(_index.IsFromEnd ? "^" + _index.Value : _index.Value.ToString())} is out of range for axis {axis} of size {size} (shape {shape}).");
        return i;
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
                throw new IndexOutOfRangeException($"Too many indices: {indices.Length} for a tensor of shape {Shape}.");
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
