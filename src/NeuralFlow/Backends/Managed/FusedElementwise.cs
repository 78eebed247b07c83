using System.Numerics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// Issue 17: the managed fused elementwise program (<see cref="IBackend.FusedElementwise"/>). It
/// runs over blocks of one inner row: each step is one span loop with the op struct the managed
/// Binary / Unary kernels use (AddOp; every unary op through the Unary kernel's table
/// FloatUnaryOp, exp and log computed position-independently by WholeVectors), so a program
/// gives their bits. The op list
/// is <see cref="FusedProgram"/>'s (the mirror of native/src/common/fused_program.h).
/// </summary>
public sealed partial class ManagedBackend
{
    private const int FusedBlock = 256;

    /// <inheritdoc cref="IBackend.FusedElementwise"/>
    public void FusedElementwise(DType dtype, ReadOnlySpan<nint> inputs, ReadOnlySpan<Layout> inputLayouts, ReadOnlySpan<FusedStep> steps,
                                 nint output, in Layout outLayout)
    {
        const string M = nameof(FusedElementwise);
        FusedProgram.Check(dtype, inputs, inputLayouts, steps, outLayout);
        long count = CheckLayout(M, nameof(outLayout), outLayout);
        for (int k = 0; k < inputs.Length; k++)
        {
            CheckLayout(M, nameof(inputLayouts), inputLayouts[k]);
            CheckPointer(M, nameof(inputs), inputs[k], count);
        }
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        if (dtype == DType.Float32) RunFused<float>(inputs, inputLayouts, steps, output, outLayout, count);
        else RunFused<double>(inputs, inputLayouts, steps, output, outLayout, count);
    }

    private static unsafe void RunFused<T>(ReadOnlySpan<nint> inputs, ReadOnlySpan<Layout> inputLayouts, ReadOnlySpan<FusedStep> steps,
                                           nint output, in Layout outLayout, long count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nin = inputs.Length, rank = outLayout.Rank;
        long inner = rank == 0 ? 1 : outLayout.Shape.Dims[rank - 1];
        long rows = inner == 0 ? 0 : count / inner;
        int registers = nin + steps.Length;
        var scratch = FusedScratch<T>.Buffer ??= new T[(FusedStep.MaxInputs + FusedStep.MaxSteps) * FusedBlock];  // per thread: no garbage per call
        Span<nint> regs = stackalloc nint[registers];  // element pointers of each register for the block
        var dims = outLayout.Shape.Dims;
        fixed (T* s = scratch)
        {
            for (long row = 0; row < rows; row++)
            {
                long outRow = RowOffset(row, dims, outLayout);
                long so = rank == 0 ? 0 : outLayout.Strides[rank - 1];
                for (long i0 = 0; i0 < inner; i0 += FusedBlock)
                {
                    int m = (int)Math.Min(FusedBlock, inner - i0);
                    for (int k = 0; k < nin; k++)
                    {
                        var l = inputLayouts[k];
                        long sk = rank == 0 ? 0 : l.Strides[rank - 1];
                        T* src = (T*)inputs[k] + RowOffset(row, dims, l) + i0 * sk;
                        if (sk == 1) regs[k] = (nint)src;
                        else
                        {
                            T* d = s + k * FusedBlock;
                            for (int i = 0; i < m; i++) d[i] = src[i * sk];
                            regs[k] = (nint)d;
                        }
                    }
                    for (int j = 0; j < steps.Length; j++)
                    {
                        var st = steps[j];
                        T* d = s + (nin + j) * FusedBlock;
                        var a = new ReadOnlySpan<T>((T*)regs[st.A], m);
                        var b = st.Kind == FusedKind.Binary ? new ReadOnlySpan<T>((T*)regs[st.B], m) : a;
                        FusedStepOn(st, a, b, new Span<T>(d, m));
                        regs[nin + j] = (nint)d;
                    }
                    // Stored after every step of the block: an input may be the output itself (same layout).
                    T* result = (T*)regs[nin + steps.Length - 1];
                    T* o = (T*)output + outRow + i0 * so;
                    for (int i = 0; i < m; i++) o[i * so] = result[i];
                }
            }
        }
    }

    // Element offset (layout offset included) of the first element of inner row `row`.
    private static long RowOffset(long row, ReadOnlySpan<int> dims, in Layout l)
    {
        long off = l.Offset;
        for (int d = dims.Length - 2; d >= 0; d--)
        {
            long q = row / dims[d];
            off += (row - q * dims[d]) * l.Strides[d];
            row = q;
        }
        return off;
    }

    // One step over a block, with the op structs of Binary.cs / Unary.cs (FusedProgram's list).
    [MethodImpl(ManagedKernel)]
    private static void FusedStepOn<T>(FusedStep st, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (st.Kind == FusedKind.Binary)
            switch ((BinaryOp)st.Op)
            {
                case BinaryOp.Add: AddOp<T>.Vec(a, b, d); return;
                case BinaryOp.Sub: SubOp<T>.Vec(a, b, d); return;
                case BinaryOp.Mul: MulOp<T>.Vec(a, b, d); return;
                case BinaryOp.Div: DivFloatOp<T>.Vec(a, b, d); return;
                case BinaryOp.Maximum: MaxOp<T>.Vec(a, b, d); return;
                case BinaryOp.Minimum: MinOp<T>.Vec(a, b, d); return;
                case BinaryOp.Equal: Compare<T, EqOp<T>>(a, b, d); return;
                case BinaryOp.NotEqual: Compare<T, NeOp<T>>(a, b, d); return;
                case BinaryOp.Less: Compare<T, LtOp<T>>(a, b, d); return;
                case BinaryOp.LessEqual: Compare<T, LeOp<T>>(a, b, d); return;
                case BinaryOp.Greater: Compare<T, GtOp<T>>(a, b, d); return;
                case BinaryOp.GreaterEqual: Compare<T, GeOp<T>>(a, b, d); return;
            }
        else
        {
            var span = new SpanStep<T>(a, d);
            FloatUnaryOp<T, SpanStep<T>>((UnaryOp)st.Op, ref span);  // the eager Unary kernel's table
            return;
        }
        throw new InvalidOperationException($"FusedElementwise: {st.Kind} op {st.Op} has no managed step (FusedProgram lists it)");
    }

    // A fused unary step's use of an op: its Vec over the block, as the eager kernel's contiguous path.
    private readonly ref struct SpanStep<T>(ReadOnlySpan<T> x, Span<T> d) : IFloatUnaryUse<T> where T : unmanaged
    {
        private readonly ReadOnlySpan<T> _x = x;
        private readonly Span<T> _d = d;
        public void Use<TOp>(int cost) where TOp : IUnaryOp<T> => TOp.Vec(_x, _d);
    }

    private static class FusedScratch<T>
    {
        [ThreadStatic] public static T[]? Buffer;
    }

    // A comparison's bool as 0 or 1 of T: what Cast of the bool gives.
    [MethodImpl(ManagedKernel)]
    private static void Compare<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> where TOp : ICompareOp<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TOp.Apply(a[i], b[i]) ? T.One : T.Zero;
    }
}
