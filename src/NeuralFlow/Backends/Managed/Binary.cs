using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// A binary arithmetic op as a static-abstract struct: the JIT specialises the run kernel per
/// (op, T) so the inner loops have no calls left. Vec handles two contiguous spans (a bias add
/// [N, M] + [M] keeps both inner strides 1, so every row lands here); VecAS / VecSA are the
/// broadcast-scalar forms (b or a has inner stride 0, e.g. a column broadcast [N, M] + [N, 1]).
/// The exactly rounded ones (+, -, *, /) run VectorLoops' vector loops; the rest specialised
/// scalar loops (pow: TensorPrimitives).
/// </summary>
internal interface IBinaryOp<T> where T : unmanaged
{
    static abstract T Apply(T a, T b);
    static abstract void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d);
    static abstract void VecAS(ReadOnlySpan<T> a, T b, Span<T> d);
    static abstract void VecSA(T a, ReadOnlySpan<T> b, Span<T> d);
}

/// <summary>A comparison writing bool bytes.</summary>
internal interface ICompareOp<T> where T : unmanaged
{
    static abstract bool Apply(T a, T b);
}

/// <summary>Scalar fallbacks for ops TensorPrimitives lacks; still specialised per op.</summary>
internal static class ScalarLoops
{
    [MethodImpl(ManagedKernel)]
    public static void Map<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged where TOp : IBinaryOp<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TOp.Apply(a[i], b[i]);
    }

    [MethodImpl(ManagedKernel)]
    public static void MapAS<T, TOp>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged where TOp : IBinaryOp<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TOp.Apply(a[i], b);
    }

    [MethodImpl(ManagedKernel)]
    public static void MapSA<T, TOp>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged where TOp : IBinaryOp<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = TOp.Apply(a, b[i]);
    }
}

internal struct AddOp<T> : IExactBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static T Apply(T a, T b) => a + b;
    public static Vector<T> Apply(Vector<T> a, Vector<T> b) => a + b;
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.Map<T, AddOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => VectorLoops.MapAS<T, AddOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.MapSA<T, AddOp<T>>(a, b, d);
}

internal struct SubOp<T> : IExactBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static T Apply(T a, T b) => a - b;
    public static Vector<T> Apply(Vector<T> a, Vector<T> b) => a - b;
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.Map<T, SubOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => VectorLoops.MapAS<T, SubOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.MapSA<T, SubOp<T>>(a, b, d);
}

internal struct MulOp<T> : IExactBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static T Apply(T a, T b) => a * b;
    public static Vector<T> Apply(Vector<T> a, Vector<T> b) => a * b;
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.Map<T, MulOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => VectorLoops.MapAS<T, MulOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.MapSA<T, MulOp<T>>(a, b, d);
}

internal struct DivFloatOp<T> : IExactBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a / b;
    public static Vector<T> Apply(Vector<T> a, Vector<T> b) => a / b;
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.Map<T, DivFloatOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => VectorLoops.MapAS<T, DivFloatOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.MapSA<T, DivFloatOp<T>>(a, b, d);
}

/// <summary>Truncating integer division that never traps: x/0 is 0 and MinValue/-1 wraps to MinValue.</summary>
internal struct DivIntOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
{
    public static T Apply(T a, T b)
    {
        if (b == T.Zero) return T.Zero;
        // Only signed types have -1; MinValue / -1 overflows (a hardware trap), its wrapped value is MinValue.
        if (T.IsNegative(b) && b == -T.One && a == T.MinValue) return a;
        return a / b;
    }
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, DivIntOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, DivIntOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, DivIntOp<T>>(a, b, d);
}

/// <summary>
/// Float power with PyTorch's exact cases (x^2 = x*x, x^3 = x*x*x, x^-1 = 1/x, x^-2 = 1/(x*x)) as the
/// native engines' <c>pow_of</c> (native/src/common/elementwise_ops.h); other exponents through the runtime's pow.
/// </summary>
internal struct PowFloatOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Two = T.CreateTruncating(2), Three = T.CreateTruncating(3);

    public static T Apply(T a, T b) =>
        b == Two ? a * a : b == Three ? a * a * a : b == -T.One ? T.One / a : b == -Two ? T.One / (a * a) : T.Pow(a, b);

    private static bool Exact(T b) => b == Two || b == Three || b == -T.One || b == -Two;

    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, PowFloatOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d)
    {
        if (Exact(b)) ScalarLoops.MapAS<T, PowFloatOp<T>>(a, b, d);
        else TensorPrimitives.Pow(a, b, d);
    }
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, PowFloatOp<T>>(a, b, d);
}

/// <summary>Integer power by repeated squaring (wrapping); a negative exponent gives 0 unless |base| is 1.</summary>
internal struct PowIntOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    [MethodImpl(ManagedKernel)]
    public static T Apply(T a, T b)
    {
        if (T.IsNegative(b))
        {
            if (a == T.One) return T.One;
            if (T.IsNegative(a) && a == -T.One) return T.IsEvenInteger(b) ? T.One : a;
            return T.Zero;
        }
        T result = T.One, x = a;
        while (b != T.Zero)
        {
            if (!T.IsEvenInteger(b)) result *= x;
            b >>>= 1;
            if (b != T.Zero) x *= x;
        }
        return result;
    }
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, PowIntOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, PowIntOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, PowIntOp<T>>(a, b, d);
}

/// <summary>
/// Maximum and minimum as the native engines define them (common/elementwise_ops.h): a where a &gt; b
/// (a &lt; b) or a is NaN, else b. NaN propagates from either side, and a tie of zeros gives b
/// (max(-0, +0) is +0, max(+0, -0) is -0), where .NET's T.Max and TensorPrimitives.Max give +0 for
/// both, so the managed engine differed from cpu and cuda on signed zeros (elu(-0), relu6(-0)).
/// </summary>
internal static class PickLoops
{
    public static T Max<T>(T a, T b) where T : unmanaged, INumber<T> => a > b || T.IsNaN(a) ? a : b;

    public static T Min<T>(T a, T b) where T : unmanaged, INumber<T> => a < b || T.IsNaN(a) ? a : b;

    // aSpan/bSpan: which operands are spans (the others are the scalars sa/sb, broadcast).
    [MethodImpl(ManagedKernel)]
    public static void Run<T>(ReadOnlySpan<T> a, T sa, bool aSpan, ReadOnlySpan<T> b, T sb, bool bSpan, Span<T> d, bool max)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var va0 = new Vector<T>(sa);
            var vb0 = new Vector<T>(sb);
            for (; i <= d.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var va = aSpan ? new Vector<T>(a[i..]) : va0;
                var vb = bSpan ? new Vector<T>(b[i..]) : vb0;
                var pickA = (max ? Vector.GreaterThan(va, vb) : Vector.LessThan(va, vb)) | ~Vector.Equals(va, va); // a != a: NaN
                Vector.ConditionalSelect(pickA, va, vb).CopyTo(d[i..]);
            }
        }
        for (; i < d.Length; i++)
        {
            T x = aSpan ? a[i] : sa, y = bSpan ? b[i] : sb;
            d[i] = max ? Max(x, y) : Min(x, y);
        }
    }
}

/// <summary>Maximum (PickLoops' rule). On bool bytes it is "or".</summary>
internal struct MaxOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static T Apply(T a, T b) => PickLoops.Max(a, b);
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => PickLoops.Run(a, default, true, b, default, true, d, max: true);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => PickLoops.Run(a, default, true, default, b, false, d, max: true);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => PickLoops.Run(default, a, false, b, default, true, d, max: true);
}

/// <summary>Minimum (PickLoops' rule). On bool bytes it is "and".</summary>
internal struct MinOp<T> : IBinaryOp<T> where T : unmanaged, INumber<T>
{
    public static T Apply(T a, T b) => PickLoops.Min(a, b);
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => PickLoops.Run(a, default, true, b, default, true, d, max: false);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => PickLoops.Run(a, default, true, default, b, false, d, max: false);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => PickLoops.Run(default, a, false, b, default, true, d, max: false);
}

internal struct EqOp<T> : ICompareOp<T> where T : unmanaged, INumber<T> { public static bool Apply(T a, T b) => a == b; }
internal struct NeOp<T> : ICompareOp<T> where T : unmanaged, INumber<T> { public static bool Apply(T a, T b) => a != b; }
internal struct LtOp<T> : ICompareOp<T> where T : unmanaged, INumber<T> { public static bool Apply(T a, T b) => a < b; }
internal struct LeOp<T> : ICompareOp<T> where T : unmanaged, INumber<T> { public static bool Apply(T a, T b) => a <= b; }
internal struct GtOp<T> : ICompareOp<T> where T : unmanaged, INumber<T> { public static bool Apply(T a, T b) => a > b; }
internal struct GeOp<T> : ICompareOp<T> where T : unmanaged, INumber<T> { public static bool Apply(T a, T b) => a >= b; }

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void Binary(BinaryOp op, DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout)
    {
        const string M = nameof(Binary);
        CheckDType(M, nameof(dtype), dtype);
        long count = CheckLayout(M, nameof(outLayout), outLayout);
        CheckLayout(M, nameof(aLayout), aLayout);
        CheckLayout(M, nameof(bLayout), bLayout);
        CheckSameShape(M, nameof(aLayout), aLayout, nameof(bLayout), bLayout);
        CheckSameShape(M, nameof(aLayout), aLayout, nameof(outLayout), outLayout);
        if ((uint)op > (uint)BinaryOp.RightShift)
            throw new ArgumentException($"{M}: op = {(int)op} is not a valid BinaryOp.", nameof(op));
        if (dtype == DType.Bool ? !op.TakesBool() : dtype.IsFloating() && op.IsBitwise())
            throw Unsupported(M, op.ToString(), dtype);
        CheckPointer(M, nameof(a), a, count);
        CheckPointer(M, nameof(b), b, count);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        var plan = StridedPlan.Create(outLayout, aLayout, bLayout);

        if (op.IsComparison())
        {
            switch (dtype)
            {
                case DType.Float32: Compare<float>(op, plan, a, b, output); break;
                case DType.Float64: Compare<double>(op, plan, a, b, output); break;
                case DType.Int32: Compare<int>(op, plan, a, b, output); break;
                case DType.Int64: Compare<long>(op, plan, a, b, output); break;
                default: Compare<byte>(op, plan, a, b, output); break; // uint8 and bool
            }
            return;
        }
        switch (dtype)
        {
            case DType.Float32: BinaryFloat<float>(op, plan, a, b, output); break;
            case DType.Float64: BinaryFloat<double>(op, plan, a, b, output); break;
            case DType.Int32: BinaryInt<int>(op, plan, a, b, output); break;
            case DType.Int64: BinaryInt<long>(op, plan, a, b, output); break;
            case DType.UInt8: BinaryInt<byte>(op, plan, a, b, output); break;
            default: // bool: maximum is "or", minimum is "and" on 0/1 bytes, as are the bitwise ops
                if (op.IsBitwise()) BinaryBits<byte>(op, plan, a, b, output);
                else if (op == BinaryOp.Maximum) RunBinary<byte, MaxOp<byte>>(plan, a, b, output);
                else RunBinary<byte, MinOp<byte>>(plan, a, b, output);
                break;
        }
    }

    [MethodImpl(ManagedKernel)]
    private static void BinaryFloat<T>(BinaryOp op, in StridedPlan p, nint a, nint b, nint o) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: RunBinary<T, AddOp<T>>(p, a, b, o); break;
            case BinaryOp.Sub: RunBinary<T, SubOp<T>>(p, a, b, o); break;
            case BinaryOp.Mul: RunBinary<T, MulOp<T>>(p, a, b, o); break;
            case BinaryOp.Div: RunBinary<T, DivFloatOp<T>>(p, a, b, o); break;
            case BinaryOp.Pow: RunBinary<T, PowFloatOp<T>>(p, a, b, o, cost: 16); break;
            case BinaryOp.Maximum: RunBinary<T, MaxOp<T>>(p, a, b, o); break;
            case BinaryOp.FloorDiv: RunBinary<T, FloorDivFloatOp<T>>(p, a, b, o, cost: 8); break;
            case BinaryOp.FloorMod: RunBinary<T, FloorModFloatOp<T>>(p, a, b, o, cost: 8); break;
            case BinaryOp.TruncateMod: RunBinary<T, TruncModFloatOp<T>>(p, a, b, o, cost: 8); break;
            default: RunBinary<T, MinOp<T>>(p, a, b, o); break;
        }
    }

    private static void BinaryInt<T>(BinaryOp op, in StridedPlan p, nint a, nint b, nint o) where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        switch (op)
        {
            case BinaryOp.Add: RunBinary<T, AddOp<T>>(p, a, b, o); break;
            case BinaryOp.Sub: RunBinary<T, SubOp<T>>(p, a, b, o); break;
            case BinaryOp.Mul: RunBinary<T, MulOp<T>>(p, a, b, o); break;
            case BinaryOp.Div: RunBinary<T, DivIntOp<T>>(p, a, b, o, cost: 4); break;
            case BinaryOp.Pow: RunBinary<T, PowIntOp<T>>(p, a, b, o, cost: 8); break;
            case BinaryOp.Maximum: RunBinary<T, MaxOp<T>>(p, a, b, o); break;
            case BinaryOp.FloorDiv: RunBinary<T, FloorDivIntOp<T>>(p, a, b, o, cost: 4); break;
            case BinaryOp.FloorMod: RunBinary<T, FloorModIntOp<T>>(p, a, b, o, cost: 4); break;
            case BinaryOp.TruncateMod: RunBinary<T, TruncModIntOp<T>>(p, a, b, o, cost: 4); break;
            case >= BinaryOp.BitwiseAnd: BinaryBits<T>(op, p, a, b, o); break;
            default: RunBinary<T, MinOp<T>>(p, a, b, o); break;
        }
    }

    // The bitwise ops (BinaryBitwise.cs) of integers and of bool's bytes.
    private static void BinaryBits<T>(BinaryOp op, in StridedPlan p, nint a, nint b, nint o) where T : unmanaged, IBinaryInteger<T>
    {
        switch (op)
        {
            case BinaryOp.BitwiseAnd: RunBinary<T, BitAndOp<T>>(p, a, b, o); break;
            case BinaryOp.BitwiseOr: RunBinary<T, BitOrOp<T>>(p, a, b, o); break;
            case BinaryOp.BitwiseXor: RunBinary<T, BitXorOp<T>>(p, a, b, o); break;
            case BinaryOp.LeftShift: RunBinary<T, LeftShiftOp<T>>(p, a, b, o, cost: 2); break;
            default: RunBinary<T, RightShiftOp<T>>(p, a, b, o, cost: 2); break;
        }
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void RunBinary<T, TOp>(in StridedPlan p, nint a, nint b, nint o, int cost = 1)
        where T : unmanaged where TOp : IBinaryOp<T>
    {
        p.Execute(new BinaryRun<T, TOp>
        {
            Out = (T*)o, A = (T*)a, B = (T*)b,
            SO = p.Inner0, SA = p.Inner1, SB = p.Inner2,
        }, cost);
    }

    private unsafe struct BinaryRun<T, TOp> : IRunKernel where T : unmanaged where TOp : IBinaryOp<T>
    {
        public T* Out, A, B;
        public long SO, SA, SB;

        [MethodImpl(ManagedKernel)]
        public void Run(long oo, long oa, long ob, long n)
        {
            T* po = Out + oo, pa = A + oa, pb = B + ob;
            if (SO == 1 && (SA | SB) is 0 or 1)
            {
                // Spans hold at most int.MaxValue elements: walk huge runs in slices.
                while (n > 0)
                {
                    int m = (int)Math.Min(n, 1 << 30);
                    var d = new Span<T>(po, m);
                    if (SA == 1 && SB == 1) TOp.Vec(new ReadOnlySpan<T>(pa, m), new ReadOnlySpan<T>(pb, m), d);
                    else if (SA == 1) TOp.VecAS(new ReadOnlySpan<T>(pa, m), *pb, d);
                    else if (SB == 1) TOp.VecSA(*pa, new ReadOnlySpan<T>(pb, m), d);
                    else d.Fill(TOp.Apply(*pa, *pb));
                    n -= m; po += m; pa += m * SA; pb += m * SB;
                }
                return;
            }
            long so = SO, sa = SA, sb = SB;
            for (long i = 0; i < n; i++, po += so, pa += sa, pb += sb)
                *po = TOp.Apply(*pa, *pb);
        }
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void Compare<T>(BinaryOp op, in StridedPlan p, nint a, nint b, nint o) where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case BinaryOp.Equal: RunCompare<T, EqOp<T>>(p, a, b, o); break;
            case BinaryOp.NotEqual: RunCompare<T, NeOp<T>>(p, a, b, o); break;
            case BinaryOp.Less: RunCompare<T, LtOp<T>>(p, a, b, o); break;
            case BinaryOp.LessEqual: RunCompare<T, LeOp<T>>(p, a, b, o); break;
            case BinaryOp.Greater: RunCompare<T, GtOp<T>>(p, a, b, o); break;
            default: RunCompare<T, GeOp<T>>(p, a, b, o); break;
        }
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void RunCompare<T, TOp>(in StridedPlan p, nint a, nint b, nint o)
        where T : unmanaged where TOp : ICompareOp<T>
    {
        p.Execute(new CompareRun<T, TOp>
        {
            Out = (byte*)o, A = (T*)a, B = (T*)b,
            SO = p.Inner0, SA = p.Inner1, SB = p.Inner2,
        }, cost: 4); // a scalar loop (bool bytes from T lanes do not map onto one vector op)
    }

    private unsafe struct CompareRun<T, TOp> : IRunKernel where T : unmanaged where TOp : ICompareOp<T>
    {
        public byte* Out;
        public T* A, B;
        public long SO, SA, SB;

        [MethodImpl(ManagedKernel)]
        public void Run(long oo, long oa, long ob, long n)
        {
            byte* po = Out + oo;
            T* pa = A + oa, pb = B + ob;
            if (SO == 1 && SA == 1 && SB == 1)
            {
                // Branch-free body: the JIT turns the bool into a setcc, keeping the loop tight.
                for (long i = 0; i < n; i++) po[i] = TOp.Apply(pa[i], pb[i]) ? (byte)1 : (byte)0;
                return;
            }
            if (SO == 1 && SA == 1 && SB == 0)
            {
                T bv = *pb;
                for (long i = 0; i < n; i++) po[i] = TOp.Apply(pa[i], bv) ? (byte)1 : (byte)0;
                return;
            }
            long so = SO, sa = SA, sb = SB;
            for (long i = 0; i < n; i++, po += so, pa += sa, pb += sb)
                *po = TOp.Apply(*pa, *pb) ? (byte)1 : (byte)0;
        }
    }
}
