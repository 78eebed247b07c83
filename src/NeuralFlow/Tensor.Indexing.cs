using System.Runtime.CompilerServices;

namespace NeuralFlow;

/// <summary>
/// One position in a tensor index: an integer or <see cref="Index"/> (picks one element and drops
/// the axis), a <see cref="System.Range"/> (keeps the axis), a stepped range made by
/// <see cref="NF.Step"/> (every n-th element, backwards for a negative step), or
/// <see cref="NF.NewAxis"/> (inserts a size-1 axis), or <see cref="NF.Ellipsis"/> (Python's <c>...</c>:
/// as many whole axes as the other entries leave). Converts implicitly, so <c>t[3]</c>,
/// <c>t[^1]</c>, <c>t[..500]</c>, <c>t[1, ..]</c>, <c>t[NF.Ellipsis, 0]</c> and
/// <c>t[NF.Step(.., -1), NF.NewAxis]</c> all read naturally. A bool tensor as the whole index, <c>t[mask]</c>,
/// takes the elements (or rows) where it is true, as TensorFlow's and PyTorch's <c>x[mask]</c> (<see cref="NF.BooleanMask"/>).
/// </summary>
public readonly struct TensorIndex
{
    // A position is kept as written: a plain int (negative counts from the end, as in Python) or
    // an Index (^n). Turning -n into ^n here overflowed for int.MinValue ("Non-negative number
    // required", naming nothing); the error is now the one of any other out-of-range index.
    private readonly int _position;
    private readonly bool _fromEnd;
    private readonly Range _range;
    private readonly int _step;   // ranges: 0 stands for 1, so default(TensorIndex) stays position 0
    private readonly Kind _kind;
    private readonly Tensor? _mask;

    private enum Kind : byte { Position, Range, NewAxis, Ellipsis, Mask }

    [MethodImpl(Hot)]
    private TensorIndex(int position, bool fromEnd, Range range, Kind kind, int step = 1, Tensor? mask = null)
    {
        _position = position;
        _fromEnd = fromEnd;
        _range = range;
        _kind = kind;
        _step = step;
        _mask = mask;
    }

    /// <summary>True for a range (stepped or not), false for a single position or a new axis.</summary>
    public bool IsRange => _kind == Kind.Range;

    /// <summary>True for <see cref="NF.NewAxis"/>, which inserts a size-1 axis and reads no axis of the tensor.</summary>
    public bool IsNewAxis => _kind == Kind.NewAxis;

    /// <summary>True for <see cref="NF.Ellipsis"/>, which stands for every axis the other entries do not read.</summary>
    public bool IsEllipsis => _kind == Kind.Ellipsis;

    /// <summary>A range's step (1 for a plain range); 0 for a position or a new axis.</summary>
    public int Step => _kind == Kind.Range ? (_step == 0 ? 1 : _step) : 0;

    /// <summary>A single position; a negative one counts from the end (-1 is the last).</summary>
    public static implicit operator TensorIndex(int index) => new(index, false, default, Kind.Position);
    /// <summary>A single position, possibly from the end (^1).</summary>
    public static implicit operator TensorIndex(Index index) => new(index.Value, index.IsFromEnd, default, Kind.Position);
    /// <summary>A range of positions.</summary>
    public static implicit operator TensorIndex(Range range) => new(0, false, range, Kind.Range);
    /// <summary>
    /// A tensor: a bool mask is the whole index, <c>t[mask]</c> is <c>NF.BooleanMask(t, mask)</c> (TensorFlow's and PyTorch's
    /// <c>x[mask]</c>); an integer scalar is a position read on the device, <c>t[.., i]</c> (TensorFlow's <c>x[:, i]</c> with a
    /// tensor i), so a traced function reads each call's own i.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="mask"/> is null.</exception>
    public static implicit operator TensorIndex(Tensor mask) =>
        new(0, false, default, Kind.Mask, mask: mask ?? throw new ArgumentNullException(nameof(mask), "Tensor indexing: the mask tensor is null."));

    /// <summary>True for a tensor used as the index (a bool mask, or an integer scalar position).</summary>
    public bool IsMask => _kind == Kind.Mask;

    /// <summary>The tensor of a tensor index (a mask or a position); null for the other kinds.</summary>
    internal Tensor? Mask => _mask;

    internal static TensorIndex Stepped(Range range, int step)
    {
        if (step == 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Step: the step of range {range} is 0; a slice step must be nonzero (negative steps go backwards).");
        return new(0, false, range, Kind.Range, step);
    }

    /// <summary>True for a single position (an int or an Index).</summary>
    internal bool IsPosition => _kind == Kind.Position;

    /// <summary>A position as Python writes it: ^n is -n (a symbolic index saved as Keras' GetItem key).</summary>
    internal int PythonPosition => _fromEnd ? -_position : _position;

    /// <summary>A range's bounds as written (its step is <see cref="Step"/>).</summary>
    internal Range RangeBounds => _range;

    internal static TensorIndex NewAxis => new(0, false, default, Kind.NewAxis);

    internal static TensorIndex Ellipsis => new(0, false, default, Kind.Ellipsis);

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

    /// <summary>
    /// What this index takes from an axis of <paramref name="size"/>. A range clamps to the axis
    /// like a Python slice, so t[..500] on 300 rows gives 300 rows; a stepped range takes every
    /// |step|-th position of the range, from its first position for a positive step and from its
    /// last for a negative one (NumPy's <c>x[a:b][::step]</c>).
    /// </summary>
    internal AxisPick Pick(int size, int axis, Shape shape)
    {
        // A mask selects by values, not by a view; the indexer takes it before resolving picks, and other readers refuse it.
        if (_kind == Kind.Mask)
            throw new ArgumentException($"A tensor index (a bool mask) cannot stand for axis {axis} of shape {shape} here: it is the whole index of a tensor, t[mask].");
        if (_kind == Kind.NewAxis) return AxisPick.NewAxis;
        if (_kind == Kind.Position) return AxisPick.Select(Resolve(size, axis, shape));
        int start = Math.Clamp(_range.Start.IsFromEnd ? size - _range.Start.Value : _range.Start.Value, 0, size);
        int end = Math.Clamp(_range.End.IsFromEnd ? size - _range.End.Value : _range.End.Value, 0, size);
        int count = Math.Max(0, end - start);
        int step = Step;
        long magnitude = Math.Abs((long)step);
        int taken = count == 0 ? 0 : (int)((count - 1) / magnitude + 1);
        return new AxisPick(step > 0 ? start : start + count - 1, taken, step, AxisPick.Kinds.Range);
    }
}

/// <summary>
/// One resolved entry of an index: a position that drops its axis, <see cref="Count"/> positions
/// from <see cref="First"/> every <see cref="Step"/> (negative: backwards), or a new size-1 axis.
/// The indexer and <see cref="NF.StridedSlice"/> both resolve to these, so they share one view
/// builder and one gradient.
/// </summary>
internal readonly record struct AxisPick(int First, int Count, int Step, AxisPick.Kinds Kind)
{
    internal enum Kinds : byte { Select, Range, NewAxis }

    internal static AxisPick Select(int index) => new(index, 1, 1, Kinds.Select);
    internal static AxisPick NewAxis => new(0, 1, 1, Kinds.NewAxis);
    internal static AxisPick Span(int start, int count) => new(start, count, 1, Kinds.Range);

    /// <summary>Positions start..start+count of one axis, every other axis whole.</summary>
    internal static AxisPick[] SpanOn(Shape shape, int axis, int start, int count)
    {
        var picks = new AxisPick[axis + 1];
        for (int i = 0; i < axis; i++) picks[i] = Span(0, shape[i]);
        picks[axis] = Span(start, count);
        return picks;
    }

    /// <summary>
    /// The view of <paramref name="layout"/> the picks describe, and the result axes still to be
    /// reversed. Negative steps become a positive-stride view of the same elements plus a reverse
    /// (a gather): views with negative strides are not something every engine's kernels expect.
    /// </summary>
    internal static (Layout Layout, int[] Reversed) Apply(Layout layout, AxisPick[] picks)
    {
        var reversed = new List<int>();
        int axis = 0; // axis of the result that the next pick applies to
        foreach (var p in picks)
        {
            switch (p.Kind)
            {
                case Kinds.NewAxis:
                    layout = layout.InsertAxis(axis++);
                    break;
                case Kinds.Select:
                    layout = layout.Select(axis, p.First);
                    break;
                default:
                    // Lowest position taken; (Count - 1) * |Step| stays within the axis, so fits an int.
                    int lowest = p.Step > 0 || p.Count == 0 ? p.First : p.First + (p.Count - 1) * p.Step;
                    int stride = p.Count > 1 ? (int)Math.Abs((long)p.Step) : 1;
                    layout = layout.Slice(axis, lowest, p.Count, stride);
                    if (p.Step < 0 && p.Count > 1) reversed.Add(axis);
                    axis++;
                    break;
            }
        }
        return (layout, reversed.ToArray());
    }
}

public partial class Tensor
{
    /// <summary>
    /// A view of part of this tensor: integers (and <c>^n</c>) pick one position and drop that
    /// axis, ranges keep it, <see cref="NF.Step"/> ranges take every n-th position (backwards for a
    /// negative step) and <see cref="NF.NewAxis"/> inserts a size-1 axis. Axes not named are kept
    /// whole. Read-only: a tensor is immutable.
    /// </summary>
    [IndexerName("Slice")]
    public Tensor this[params TensorIndex[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            if (Array.Exists(indices, i => i.IsMask))
                return Array.Exists(indices, i => i.IsMask && i.Mask!.DType != DType.Bool) ? TensorPositions(indices) : Masked(indices);
            indices = ExpandEllipsis(indices);
            int read = indices.Count(i => !i.IsNewAxis);
            if (read > Rank)
                throw new IndexOutOfRangeException($"Too many indices: {read} for a tensor of shape {Shape} (rank {Rank}).");
            var picks = new AxisPick[indices.Length];
            int axis = 0; // axis of this tensor that the next index reads
            for (int i = 0; i < indices.Length; i++)
            {
                picks[i] = indices[i].IsNewAxis ? AxisPick.NewAxis : indices[i].Pick(Shape[axis], axis, Shape);
                if (!indices[i].IsNewAxis) axis++;
            }
            return Pick(picks, "Tensor indexing");
        }
    }

    // t[.., i] with i an integer scalar tensor: TensorFlow's __getitem__ takes a tensor as a position (a strided slice
    // whose begin is a tensor), as compute_gradients' tf.nn.softmax(logits)[:, target_class_idx] does inside a
    // tf.function given a tensor class. The position is not read on the host: each tensor entry becomes a whole-axis
    // range and the slice is then gathered there, so an NF.Function traced once reads each call's own position, and the
    // gradient flows as through NF.Gather. Negative positions count from the end, as Python's; others out of range are
    // NF.Gather's error.
    private Tensor TensorPositions(TensorIndex[] indices)
    {
        indices = ExpandEllipsis(indices);
        var positions = new List<(int Axis, Tensor Position)>();
        var plain = new TensorIndex[indices.Length];
        int resultAxis = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            if (index.IsMask)
            {
                var position = index.Mask!;
                if (position.DType is not (DType.Int32 or DType.Int64) || position.Rank != 0)
                    throw new ArgumentException($"Tensor indexing: a tensor entry must be an int32 or int64 scalar (a position), got {position.DType.Name()} of shape {position.Shape}; " +
                                                "a bool mask is the whole index (t[mask]), and several positions are NF.Gather(t, indices, axis).");
                positions.Add((resultAxis++, position));
                plain[i] = ..;
            }
            else
            {
                if (index.IsRange || index.IsNewAxis) resultAxis++;
                plain[i] = index;
            }
        }
        var sliced = this[plain];
        // Last first, so that removing an axis leaves the axes of the earlier positions where they were.
        for (int k = positions.Count - 1; k >= 0; k--)
        {
            var (axis, position) = positions[k];
            // The length as a C# number (a weak scalar): it takes the position's dtype and device.
            int length = sliced.Shape[axis];
            var wrapped = NF.Where(NF.Less(position, 0), position + length, position);
            sliced = NF.Gather(sliced, wrapped, axis: axis);
        }
        return sliced;
    }

    // t[mask]: TensorFlow's __getitem__ takes a bool tensor as the whole key to tf.boolean_mask (other tensor keys are
    // scalar positions, TensorPositions, which refuses the rest); PyTorch's x[mask] gives the same elements.
    private Tensor Masked(TensorIndex[] indices)
    {
        var mask = Array.Find(indices, i => i.IsMask).Mask!;
        if (indices.Length != 1)
            throw new ArgumentException($"Tensor indexing: a mask tensor is the whole index (t[mask]); with {indices.Length} entries, select with NF.BooleanMask(t, mask, axis) and slice the result.");
        return NF.BooleanMask(this, mask);
    }

    /// <summary>
    /// The entries with an ellipsis replaced by whole-axis ranges for every axis the other entries
    /// leave unread (none when they read all: NumPy's <c>x[..., 0]</c> on a vector is <c>x[0]</c>).
    /// </summary>
    private TensorIndex[] ExpandEllipsis(TensorIndex[] indices)
    {
        int at = Array.FindIndex(indices, i => i.IsEllipsis);
        if (at < 0) return indices;
        if (Array.FindIndex(indices, at + 1, i => i.IsEllipsis) >= 0)
            throw new IndexOutOfRangeException($"Tensor indexing: an index can only have a single ellipsis (NF.Ellipsis); got {indices.Count(i => i.IsEllipsis)}.");
        int read = indices.Count(i => !i.IsNewAxis && !i.IsEllipsis);
        if (read > Rank)
            throw new IndexOutOfRangeException($"Too many indices: {read} besides the ellipsis for a tensor of shape {Shape} (rank {Rank}).");
        var whole = Enumerable.Repeat((TensorIndex)(..), Rank - read);
        return [.. indices[..at], .. whole, .. indices[(at + 1)..]];
    }

    /// <summary>The part of this tensor that resolved picks describe, with its gradient.</summary>
    internal Tensor Pick(AxisPick[] picks, string op)
    {
        var (layout, reversed) = AxisPick.Apply(Layout, picks);
        var view = RecordView(layout, picks, op);
        // The view is not disposed: a gradient tape may have saved it.
        return reversed.Length == 0 ? view : NF.Reverse(view, reversed);
    }

    /// <summary>
    /// The positive-stride view that <paramref name="picks"/> describe (negative steps not yet
    /// reversed), recorded: its gradient is <see cref="PlaceInZeros"/>, whose own gradient is this
    /// view again, so a gradient of a gradient (an outer tape) flows through both. A raw copy or an
    /// unrecorded view in a backward silently drops that path (the second derivative came out 0).
    /// </summary>
    internal Tensor PickView(AxisPick[] picks, string op) => RecordView(AxisPick.Apply(Layout, picks).Layout, picks, op);

    // The view of layout (what picks resolve to on this tensor), recorded with PlaceInZeros as its gradient.
    private Tensor RecordView(Layout layout, AxisPick[] picks, string op) =>
        Tape.Record(View(layout), this, static (g, n) =>
        {
            var (picks, op) = ((AxisPick[], string))n.State!;
            return [PlaceInZeros(g, n.X.Shape, picks, op)];
        }, (picks, op), op);

    /// <summary>
    /// Zeros of <paramref name="shape"/> with <paramref name="part"/> at the positions
    /// <paramref name="picks"/> describe: the gradient of a view, recorded with the same view of
    /// the outer gradient as its gradient.
    /// </summary>
    internal static Tensor PlaceInZeros(Tensor part, Shape shape, AxisPick[] picks, string op)
    {
        var whole = NF.Fill(shape, 0, part.DType, part.Backend);
        using (var target = whole.View(AxisPick.Apply(whole.Layout, picks).Layout))
            Engine.CopyInto(part, target);
        return Tape.Record(whole, part, static (g, n) =>
        {
            var (picks, op) = ((AxisPick[], string))n.State!;
            return [g.PickView(picks, op)];
        }, (picks, op), op);
    }
}
