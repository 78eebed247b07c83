using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralFlow.Backends.Managed;

/// <summary>A unary op as a static-abstract struct (see IBinaryOp): Apply for strided elements, Vec for contiguous spans.</summary>
internal interface IUnaryOp<T> where T : unmanaged
{
    static abstract T Apply(T x);
    static abstract void Vec(ReadOnlySpan<T> x, Span<T> d);
}

internal struct NegOp<T> : IExactUnaryOp<T> where T : unmanaged, INumberBase<T>
{
    public static T Apply(T x) => -x; // uint8 wraps (256 - x), as unsigned negation does in C
    public static Vector<T> Apply(Vector<T> x) => -x;  // floats: the sign flipped, -(+0) is -0
    public static void Vec(ReadOnlySpan<T> x, Span<T> d) => VectorLoops.Map<T, NegOp<T>>(x, d);
}

internal struct AbsFloatOp<T> : IExactUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => T.Abs(x);
    public static Vector<T> Apply(Vector<T> x) => Vector.Abs(x);  // the sign bit cleared, as T.Abs
    public static void Vec(ReadOnlySpan<T> x, Span<T> d) => VectorLoops.Map<T, AbsFloatOp<T>>(x, d);
}

/// <summary>
/// Integer |x| that wraps at MinValue instead of throwing (TensorPrimitives.Abs and T.Abs throw
/// OverflowException there; the native engine returns MinValue). uint8 is the identity.
/// </summary>
internal struct AbsIntOp<T> : IUnaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Apply(T x) => T.IsNegative(x) ? T.Zero - x : x;
    [MethodImpl(ManagedKernel)]
    public static void Vec(ReadOnlySpan<T> x, Span<T> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i]);
    }
}

// exp, log and the ops built on exp compute every element through WholeVectors, so that an
// element's bits never depend on the span around it (strided, broadcast or a fused block's tail).
internal struct ExpOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => WholeVectors.One<T, TensorExp<T>>(x);
    public static void Vec(ReadOnlySpan<T> x, Span<T> d) => WholeVectors.Apply<T, TensorExp<T>>(x, d);
}

internal struct LogOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => WholeVectors.One<T, TensorLog<T>>(x);
    public static void Vec(ReadOnlySpan<T> x, Span<T> d) => WholeVectors.Apply<T, TensorLog<T>>(x, d);
}

internal struct SqrtOp<T> : IExactUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x) => T.Sqrt(x);
    public static Vector<T> Apply(Vector<T> x) => Vector.SquareRoot(x);
    public static void Vec(ReadOnlySpan<T> x, Span<T> d) => VectorLoops.Map<T, SqrtOp<T>>(x, d);
}

/// <summary>
/// tanh. TensorPrimitives.Tanh loses relative precision near 0 (about 3e-5 relative in float32
/// at |x| = 1e-3 and the sign of tiny doubles), so: float32 evaluates (e - 1) / (e + 1) with
/// e = exp(2|x|) in double (error about 1e-16 / |x|, far below float resolution) on vectors,
/// and tiny |x| returns x itself; float64 uses the C library's tanh per element.
/// </summary>
internal struct TanhOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x)
    {
        if (typeof(T) != typeof(float)) return T.CreateTruncating(Math.Tanh(double.CreateTruncating(x)));
        Span<T> v = [x];
        Vec(v, v);  // float32: the vector formula, so a lone element gets a span's bits
        return v[0];
    }

    [MethodImpl(ManagedKernel)]
    public static void Vec(ReadOnlySpan<T> x, Span<T> d)
    {
        if (typeof(T) != typeof(float))
        {
            for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i]);
            return;
        }
        const int Block = 256;
        Span<double> e = stackalloc double[Block];
        for (int start = 0; start < d.Length; start += Block)
        {
            int n = Math.Min(Block, d.Length - start);
            var xs = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(x.Slice(start, n));
            var es = e[..n];
            VectorLoops.Widen(xs, es);
            AbsFloatOp<double>.Vec(es, es);
            // tanh(20) is 1 in double; clamping keeps exp finite (inf / inf would give NaN). NaN passes through.
            MinOp<double>.VecAS(es, 20.0, es);
            MulOp<double>.VecAS(es, 2.0, es);
            WholeVectors.Apply<double, TensorExp<double>>(es, es);
            var ds = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(d.Slice(start, n));
            for (int i = 0; i < n; i++)
            {
                float v = xs[i];
                double t = (es[i] - 1) / (es[i] + 1);
                // Below 1e-4, tanh(x) = x - x^3/3 rounds to x in float32.
                ds[i] = Math.Abs(v) < 1e-4f ? v : MathF.CopySign((float)t, v);
            }
        }
    }
}

internal struct SquareOp<T> : IExactUnaryOp<T> where T : unmanaged, INumber<T>
{
    public static T Apply(T x) => x * x;
    public static Vector<T> Apply(Vector<T> x) => x * x;
    public static void Vec(ReadOnlySpan<T> x, Span<T> d) => VectorLoops.Map<T, SquareOp<T>>(x, d);
}

/// <summary>
/// x &lt; 0 ? 0 : x, the native engines' definition (common/elementwise_ops.h Relu): NaN fails the
/// comparison and passes through, and -0 stays -0 (PyTorch's relu). T.Max / TensorPrimitives.Max
/// would give +0 for -0 (IEEE maximum), so the managed engine differed from cpu and cuda there.
/// </summary>
internal struct ReluOp<T> : IUnaryOp<T> where T : unmanaged, INumber<T>
{
    public static T Apply(T x) => x < T.Zero ? T.Zero : x;
    [MethodImpl(ManagedKernel)]
    public static void Vec(ReadOnlySpan<T> x, Span<T> d)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            for (; i <= d.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var xv = new Vector<T>(x[i..]);
                Vector.ConditionalSelect(Vector.LessThan(xv, Vector<T>.Zero), Vector<T>.Zero, xv).CopyTo(d[i..]);
            }
        for (; i < d.Length; i++) d[i] = Apply(x[i]);
    }
}

/// <summary>
/// -1, 0 or 1, NaN stays NaN: the native engines' (0 &lt; x) - (x &lt; 0) (common/elementwise_ops.h
/// Sign), so a zero of either sign gives +0, as PyTorch and NumPy (TensorPrimitives.Sign throws on NaN).
/// </summary>
internal struct SignOp<T> : IUnaryOp<T> where T : unmanaged, INumber<T>
{
    public static T Apply(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.IsNaN(x) ? x : T.Zero;
    [MethodImpl(ManagedKernel)]
    public static void Vec(ReadOnlySpan<T> x, Span<T> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i]);
    }
}

/// <summary>
/// Sigmoid through e = exp(-|x|), which never overflows: x >= 0 gives 1 / (1 + e) and x &lt; 0
/// gives e / (1 + e). The naive 1 / (1 + exp(-x)) overflows exp for x &lt;&lt; 0 and flushes
/// the (representable) tiny results to 0; this form keeps full relative precision on both tails.
/// </summary>
internal struct SigmoidOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x)
    {
        T e = ExpOp<T>.Apply(-T.Abs(x));
        T r = T.One / (T.One + e);
        return x >= T.Zero ? r : e * r;
    }

    [MethodImpl(ManagedKernel)]
    public static void Vec(ReadOnlySpan<T> x, Span<T> d)
    {
        // e = exp(-|x|) for a block into a stack buffer, then a vector select combines.
        const int Block = 256;
        Span<T> e = stackalloc T[Block];
        for (int start = 0; start < d.Length; start += Block)
        {
            int n = Math.Min(Block, d.Length - start);
            var xs = x.Slice(start, n);
            var es = e[..n];
            AbsFloatOp<T>.Vec(xs, es);
            NegOp<T>.Vec(es, es);
            ExpOp<T>.Vec(es, es);
            var ds = d.Slice(start, n);
            int i = 0;
            if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
            {
                for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var xv = new Vector<T>(xs[i..]);
                    var ev = new Vector<T>(es[i..]);
                    var r = Vector<T>.One / (Vector<T>.One + ev);
                    Vector.ConditionalSelect(Vector.GreaterThanOrEqual(xv, Vector<T>.Zero), r, ev * r).CopyTo(ds[i..]);
                }
            }
            for (; i < n; i++)
            {
                T r = T.One / (T.One + es[i]);
                ds[i] = xs[i] >= T.Zero ? r : es[i] * r;
            }
        }
    }
}

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void Unary(UnaryOp op, DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        const string M = nameof(Unary);
        CheckDType(M, nameof(dtype), dtype);
        long count = CheckLayout(M, nameof(outLayout), outLayout);
        CheckLayout(M, nameof(xLayout), xLayout);
        CheckSameShape(M, nameof(xLayout), xLayout, nameof(outLayout), outLayout);
        if ((uint)op > (uint)UnaryOp.Erfc)
            throw new ArgumentException($"{M}: op = {(int)op} is not a valid UnaryOp.", nameof(op));
        if (dtype == DType.Bool || (!dtype.IsFloating() && op.NeedsFloat()))
            throw Unsupported(M, op.ToString(), dtype);
        CheckPointer(M, nameof(x), x, count);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        var plan = StridedPlan.Create(outLayout, xLayout);
        switch (dtype)
        {
            case DType.Float32: UnaryFloat<float>(op, plan, x, output); break;
            case DType.Float64: UnaryFloat<double>(op, plan, x, output); break;
            case DType.Int32: UnaryInt<int>(op, plan, x, output); break;
            case DType.Int64: UnaryInt<long>(op, plan, x, output); break;
            default: UnaryInt<byte>(op, plan, x, output); break;
        }
    }

    [MethodImpl(ManagedKernel)]
    private static void UnaryFloat<T>(UnaryOp op, in StridedPlan p, nint x, nint o) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var run = new PlanRun<T>(p, x, o);
        FloatUnaryOp<T, PlanRun<T>>(op, ref run);
    }

    /// <summary>What to do with the op struct of a float UnaryOp: <see cref="FloatUnaryOp"/> picks it.</summary>
    internal interface IFloatUnaryUse<T> where T : unmanaged
    {
        /// <param name="cost">Work per element in adds (how finely StridedPlan splits it).</param>
        void Use<TOp>(int cost) where TOp : IUnaryOp<T>;
    }

    /// <summary>
    /// The one table of the managed float unary ops: which struct computes each UnaryOp. The eager
    /// kernel (<see cref="Unary"/>) and the fused program's steps (FusedElementwise.cs) both take
    /// their op from here, so a fused step runs the very function the unfused call ran.
    /// </summary>
    [MethodImpl(ManagedKernel)]
    internal static void FloatUnaryOp<T, TUse>(UnaryOp op, ref TUse use) where T : unmanaged, IFloatingPointIeee754<T>
        where TUse : IFloatUnaryUse<T>, allows ref struct
    {
        switch (op)
        {
            case UnaryOp.Neg: use.Use<NegOp<T>>(1); break;
            case UnaryOp.Abs: use.Use<AbsFloatOp<T>>(1); break;
            case UnaryOp.Exp: use.Use<ExpOp<T>>(4); break;
            case UnaryOp.Log: use.Use<LogOp<T>>(4); break;
            case UnaryOp.Sqrt: use.Use<SqrtOp<T>>(2); break;
            case UnaryOp.Square: use.Use<SquareOp<T>>(1); break;
            case UnaryOp.Relu: use.Use<ReluOp<T>>(1); break;
            case UnaryOp.Sigmoid: use.Use<SigmoidOp<T>>(10); break;
            case UnaryOp.Tanh: use.Use<TanhOp<T>>(10); break;
            case UnaryOp.Sign: use.Use<SignOp<T>>(1); break;
            case UnaryOp.Floor: use.Use<DoubleFnOp<T, FloorFn>>(1); break;
            case UnaryOp.Ceil: use.Use<DoubleFnOp<T, CeilFn>>(1); break;
            case UnaryOp.Round: use.Use<DoubleFnOp<T, RoundFn>>(1); break;
            case UnaryOp.Sin: use.Use<DoubleFnOp<T, SinFn>>(10); break;
            case UnaryOp.Cos: use.Use<DoubleFnOp<T, CosFn>>(10); break;
            case UnaryOp.Log1p: use.Use<DoubleFnOp<T, Log1pFn>>(10); break;
            case UnaryOp.Expm1: use.Use<DoubleFnOp<T, Expm1Fn>>(10); break;
            case UnaryOp.Rsqrt: use.Use<DoubleFnOp<T, RsqrtFn>>(2); break;
            case UnaryOp.Erf: use.Use<DoubleFnOp<T, ErfFn>>(40); break;
            case UnaryOp.Softplus: use.Use<DoubleFnOp<T, SoftplusFn>>(16); break;
            case UnaryOp.Erfc: use.Use<DoubleFnOp<T, ErfcFn>>(40); break;
            default: throw new ArgumentException($"Unary: op = {(int)op} is not a valid UnaryOp.", nameof(op));
        }
    }

    // The eager kernel's use of an op: run it over a strided plan.
    private readonly struct PlanRun<T>(in StridedPlan p, nint x, nint o) : IFloatUnaryUse<T> where T : unmanaged
    {
        private readonly StridedPlan _p = p;
        public void Use<TOp>(int cost) where TOp : IUnaryOp<T> => RunUnary<T, TOp>(_p, x, o, cost);
    }

    private static void UnaryInt<T>(UnaryOp op, in StridedPlan p, nint x, nint o) where T : unmanaged, IBinaryInteger<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: RunUnary<T, NegOp<T>>(p, x, o); break;
            case UnaryOp.Abs: RunUnary<T, AbsIntOp<T>>(p, x, o); break;
            case UnaryOp.Square: RunUnary<T, SquareOp<T>>(p, x, o); break;
            case UnaryOp.Relu: RunUnary<T, ReluOp<T>>(p, x, o); break;
            default: RunUnary<T, SignOp<T>>(p, x, o); break;
        }
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void RunUnary<T, TOp>(in StridedPlan p, nint x, nint o, int cost = 1)
        where T : unmanaged where TOp : IUnaryOp<T>
    {
        p.Execute(new UnaryRun<T, TOp> { Out = (T*)o, X = (T*)x, SO = p.Inner0, SX = p.Inner1 }, cost);
    }

    private unsafe struct UnaryRun<T, TOp> : IRunKernel where T : unmanaged where TOp : IUnaryOp<T>
    {
        public T* Out, X;
        public long SO, SX;

        [MethodImpl(ManagedKernel)]
        public void Run(long oo, long ox, long unused, long n)
        {
            T* po = Out + oo, px = X + ox;
            if (SO == 1 && SX == 1)
            {
                while (n > 0)
                {
                    int m = (int)Math.Min(n, 1 << 30);
                    TOp.Vec(new ReadOnlySpan<T>(px, m), new Span<T>(po, m));
                    n -= m; po += m; px += m;
                }
                return;
            }
            if (SO == 1 && SX == 0)
            {
                FillWith(po, n, TOp.Apply(*px));
                return;
            }
            // Strided: gathered into blocks for Vec, the contiguous path's function (one definition per op).
            const int Block = 256;
            T* bx = stackalloc T[Block];
            T* bo = stackalloc T[Block];
            long so = SO, sx = SX;
            while (n > 0)
            {
                int m = (int)Math.Min(n, Block);
                for (int i = 0; i < m; i++, px += sx) bx[i] = *px;
                TOp.Vec(new ReadOnlySpan<T>(bx, m), new Span<T>(bo, m));
                for (int i = 0; i < m; i++, po += so) *po = bo[i];
                n -= m;
            }
        }
    }
}
