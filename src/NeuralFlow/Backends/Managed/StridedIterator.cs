using System.Runtime.CompilerServices;

namespace NeuralFlow.Backends.Managed;

/// <summary>Fixed room for one long per dimension, kept inline so plans never allocate.</summary>
[InlineArray(Shape.MaxRank)]
internal struct RankBuffer
{
    private long _element0;
}

/// <summary>
/// A kernel body over one innermost run: n elements, operand k starting at element offset ok
/// (from its buffer pointer, layout offset included) and continuing with the plan's inner
/// stride of operand k. Implemented by structs so the JIT inlines it into the iteration.
/// </summary>
internal interface IRunKernel
{
    void Run(long o0, long o1, long o2, long n);
}

/// <summary>
/// A run kernel that also tracks the row-major index of the next element (to address an
/// output or operand by position rather than through the plan); parallel pieces set it to
/// their first element.
/// </summary>
internal interface IOrderedRunKernel : IRunKernel
{
    long Next { get; set; }
}

/// <summary>
/// The N-d iteration shared by the elementwise kernels (the same scheme as the native
/// engine's make_plan/for_runs). Kernels never walk an N-d index per element: size-1 axes are
/// dropped and neighbouring axes that are contiguous with respect to each other in every
/// operand are merged, so a contiguous tensor becomes one long run and a [rows, cols] tensor
/// with a broadcast row becomes rows runs of cols. The kernel then specialises on the inner
/// strides (1/1/1, 1/1/0, ...). Up to three operands (by convention operand 0 is the output).
/// </summary>
internal struct StridedPlan
{
    /// <summary>Rank after coalescing, at least 1 (a scalar is shape [1]).</summary>
    public int Rank;
    /// <summary>Element count (0 for an empty tensor).</summary>
    public long Count;
    public RankBuffer Shape, S0, S1, S2;
    /// <summary>Layout offsets of the operands.</summary>
    public long Base0, Base1, Base2;

    public readonly long InnerSize => Shape[Rank - 1];
    public readonly long Inner0 => S0[Rank - 1];
    public readonly long Inner1 => S1[Rank - 1];
    public readonly long Inner2 => S2[Rank - 1];

    public static StridedPlan Create(in Layout l0) => Create(1, l0, l0, l0);
    public static StridedPlan Create(in Layout l0, in Layout l1) => Create(2, l0, l1, l1);
    public static StridedPlan Create(in Layout l0, in Layout l1, in Layout l2) => Create(3, l0, l1, l2);

    private static StridedPlan Create(int operands, in Layout l0, in Layout l1, in Layout l2)
    {
        int rank = l0.Rank;
        Span<long> shape = stackalloc long[Math.Max(rank, 1)];
        var dims = l0.Shape.Dims;
        for (int i = 0; i < rank; i++) shape[i] = dims[i];
        return Create(operands, shape[..rank], l0.Strides, l1.Strides, l2.Strides, l0.Offset, l1.Offset, l2.Offset);
    }

    /// <summary>
    /// The plan of a shape with up to three stride sets (unused operands may pass any strides
    /// of the right length, e.g. operand 0's again; they merge like operand 0).
    /// </summary>
    public static StridedPlan Create(int operands, ReadOnlySpan<long> shape,
        ReadOnlySpan<long> s0, ReadOnlySpan<long> s1, ReadOnlySpan<long> s2, long b0, long b1, long b2)
    {
        var p = new StridedPlan { Base0 = b0, Base1 = b1, Base2 = b2 };
        long count = 1;
        foreach (var n in shape) count *= n;
        p.Count = count;
        if (operands < 3) s2 = s0;
        if (operands < 2) s1 = s0;
        // Collect dims innermost first, merging into the previous (inner) one when every operand
        // steps over the inner block exactly: stride[d] == stride[inner] * size[inner].
        RankBuffer sh = default, t0 = default, t1 = default, t2 = default;
        int r = 0;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            long n = shape[d];
            if (n == 1) continue; // size-1 axes contribute nothing, whatever their stride
            if (r > 0 && s0[d] == t0[r - 1] * sh[r - 1] && s1[d] == t1[r - 1] * sh[r - 1] && s2[d] == t2[r - 1] * sh[r - 1])
            {
                sh[r - 1] *= n;
                continue;
            }
            sh[r] = n; t0[r] = s0[d]; t1[r] = s1[d]; t2[r] = s2[d];
            r++;
        }
        if (r == 0)
        {
            p.Rank = 1;
            p.Shape[0] = 1;
            p.S0[0] = p.S1[0] = p.S2[0] = 1;
            return p;
        }
        p.Rank = r;
        for (int i = 0; i < r; i++)
        {
            p.Shape[i] = sh[r - 1 - i];
            p.S0[i] = t0[r - 1 - i];
            p.S1[i] = t1[r - 1 - i];
            p.S2[i] = t2[r - 1 - i];
        }
        return p;
    }

    /// <summary>
    /// Calls kernel.Run for consecutive runs covering linear (row-major) elements
    /// [begin, end). A run never crosses an inner row, so its strides are the inner strides.
    /// </summary>
    [MethodImpl(ManagedKernel)]
    public readonly void ForRuns<TKernel>(long begin, long end, ref TKernel kernel) where TKernel : struct, IRunKernel
    {
        if (begin >= end) return;
        int r = Rank;
        long innerN = Shape[r - 1];
        if (r == 1)
        {
            // The common contiguous / single-axis case: one run, no index bookkeeping.
            kernel.Run(Base0 + begin * S0[0], Base1 + begin * S1[0], Base2 + begin * S2[0], end - begin);
            return;
        }
        RankBuffer idx = default;
        long o0 = Base0, o1 = Base1, o2 = Base2;
        long rem = begin;
        for (int d = r - 1; d >= 0; d--)
        {
            long q = rem / Shape[d];
            long i = rem - q * Shape[d];
            rem = q;
            idx[d] = i;
            o0 += i * S0[d]; o1 += i * S1[d]; o2 += i * S2[d];
        }
        long pos = begin;
        while (true)
        {
            long n = Math.Min(innerN - idx[r - 1], end - pos);
            kernel.Run(o0, o1, o2, n);
            pos += n;
            if (pos >= end) return;
            // Back to the start of the inner row, then carry one step into the outer axes.
            long back = idx[r - 1];
            o0 -= back * S0[r - 1]; o1 -= back * S1[r - 1]; o2 -= back * S2[r - 1];
            idx[r - 1] = 0;
            for (int d = r - 2; d >= 0; d--)
            {
                o0 += S0[d]; o1 += S1[d]; o2 += S2[d];
                if (++idx[d] < Shape[d]) break;
                long full = idx[d];
                o0 -= full * S0[d]; o1 -= full * S1[d]; o2 -= full * S2[d];
                idx[d] = 0;
            }
        }
    }

    /// <summary>
    /// Runs the kernel over every element, on the calling thread for small work and split into
    /// contiguous linear ranges over the <see cref="WorkerPool"/> for large work. <paramref name="cost"/> weighs
    /// an element (1 for an add, more for exp/pow) so expensive ops go parallel sooner.
    /// </summary>
    [MethodImpl(ManagedKernel)]
    public readonly void Execute<TKernel>(TKernel kernel, int cost = 1) where TKernel : struct, IRunKernel
    {
        long count = Count;
        if (count == 0) return;
        // Strided inner runs take the scalar path, several times slower per element than the
        // vector path the costs are calibrated on (stride 0 still vectorises).
        if (Inner0 != 1 || Inner1 > 1 || Inner2 > 1 || Inner1 < 0 || Inner2 < 0) cost *= 4;
        RunPieces(kernel, ManagedBackend.ChunksFor(count * cost, count / 64), null);
    }

    /// <summary>
    /// Runs the kernel over every element in row-major pieces, each starting with
    /// <see cref="IOrderedRunKernel.Next"/> at its first element; <paramref name="work"/> sizes
    /// the split as in <see cref="Execute"/>.
    /// </summary>
    public readonly void ExecuteInOrder<TKernel>(TKernel kernel, long work) where TKernel : struct, IOrderedRunKernel =>
        RunPieces(kernel, ManagedBackend.ChunksFor(work, Count), static (ref TKernel k, long first) => k.Next = first);

    private delegate void PieceStart<TKernel>(ref TKernel kernel, long first);

    // One piece on the calling thread, or `pieces` over the WorkerPool, each with its own copy of
    // the kernel, told its first element by `start` when the kernel tracks positions.
    [MethodImpl(ManagedKernel)]
    private readonly void RunPieces<TKernel>(TKernel kernel, int pieces, PieceStart<TKernel>? start) where TKernel : struct, IRunKernel
    {
        long count = Count;
        if (pieces == 1)
        {
            ForRuns(0, count, ref kernel);
            return;
        }
        WorkerPool.Run(new PiecesJob<TKernel> { Plan = this, Kernel = kernel, Start = start, Count = count, Pieces = pieces }, pieces);
    }

    private struct PiecesJob<TKernel> : IPartJob where TKernel : struct, IRunKernel
    {
        public StridedPlan Plan;
        public TKernel Kernel;
        public PieceStart<TKernel>? Start;
        public long Count;
        public int Pieces;

        [MethodImpl(ManagedKernel)]
        public readonly void Part(int piece)
        {
            var k = Kernel;
            // Piece edges on multiples of 64 elements keep threads off each other's cache lines.
            long b = ManagedBackend.SplitPoint(Count, Pieces, piece) & ~63L;
            long e = piece == Pieces - 1 ? Count : ManagedBackend.SplitPoint(Count, Pieces, piece + 1) & ~63L;
            Start?.Invoke(ref k, b);
            Plan.ForRuns(b, e, ref k);
        }
    }

    /// <summary>Element offset (without base) of linear index i for the operand with strides s.</summary>
    public readonly long OffsetOf(long i, in RankBuffer s)
    {
        long off = 0;
        for (int d = Rank - 1; d >= 0; d--)
        {
            long q = i / Shape[d];
            off += (i - q * Shape[d]) * s[d];
            i = q;
        }
        return off;
    }
}
