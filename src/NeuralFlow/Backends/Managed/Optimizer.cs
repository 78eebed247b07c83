using System.Numerics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// One fused optimizer step over a vector of lanes: w and the slots are updated in place from g.
/// Each kind is a struct, so the JIT emits one loop per (kind, T). The arithmetic is the order
/// of <c>nf_optimizer_update</c> in <c>neuralflow.h</c> (no fused multiply-add), so results
/// match the native engine and the tensor-op formulas bit for bit.
/// </summary>
internal interface IOptimizerStep<T> where T : unmanaged
{
    /// <summary>One step; s2 (issue 16: AMSGrad, centered RMSprop) is ignored by the steps without a third slot.</summary>
    void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2);
}

/// <summary>Hyperparameters converted to T once and broadcast to every lane.</summary>
internal static class Lanes
{
    public static Vector<T> Of<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => new(T.CreateTruncating(value));
}

/// <summary>SGD without momentum: w -= lr*g.</summary>
internal readonly struct SgdStep<T>(in OptimizerParams p) : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _lr = Lanes.Of<T>(p.LearningRate);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2) => w -= _lr * g;
}

/// <summary>SGD with momentum: v = mu*v - lr*g; w += nesterov ? mu*v - lr*g : v.</summary>
internal readonly struct MomentumStep<T>(in OptimizerParams p) : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _lr = Lanes.Of<T>(p.LearningRate), _mu = Lanes.Of<T>(p.Momentum);
    private readonly bool _nesterov = p.Nesterov;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        s0 = _mu * s0 - _lr * g;
        w += _nesterov ? _mu * s0 - _lr * g : s0;
    }
}

/// <summary>
/// Adam: m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*(g*g); w -= (alpha*m) / (sqrt(v) + eps); with
/// AMSGrad (issue 16) the root is of vh = max(vh, v), kept in s2.
/// </summary>
internal readonly struct AdamStep<T>(in OptimizerParams p) : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _alpha = Lanes.Of<T>(
        p.LearningRate * Math.Sqrt(1.0 - Math.Pow(p.Beta2, p.Step)) / (1.0 - Math.Pow(p.Beta1, p.Step)));
    private readonly Vector<T> _b1 = Lanes.Of<T>(p.Beta1), _c1 = Lanes.Of<T>(1.0 - p.Beta1);
    private readonly Vector<T> _b2 = Lanes.Of<T>(p.Beta2), _c2 = Lanes.Of<T>(1.0 - p.Beta2);
    private readonly Vector<T> _eps = Lanes.Of<T>(p.Epsilon);
    private readonly bool _amsgrad = p.Amsgrad;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        s0 = _b1 * s0 + _c1 * g;
        s1 = _b2 * s1 + _c2 * (g * g);
        var v = s1;
        if (_amsgrad) v = s2 = Vector.ConditionalSelect(Vector.GreaterThan(s2, s1), s2, s1);
        w -= (_alpha * s0) / (Vector.SquareRoot(v) + _eps);
    }
}

/// <summary>
/// RMSprop (Keras 3): ms = rho*ms + (1-rho)*(g*g); inc = (lr*g) / sqrt(ms + eps); momentum: mom = mu*mom + inc,
/// w -= mom; else w -= inc. Centered (issue 16, Keras 3): mg = rho*mg + (1-rho)*g in s2 and
/// inc = (g*lr) / sqrt((ms - mg*mg) + eps).
/// </summary>
internal readonly struct RMSpropStep<T>(in OptimizerParams p) : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _rho = Lanes.Of<T>(p.Rho), _c = Lanes.Of<T>(1.0 - p.Rho);
    private readonly Vector<T> _lr = Lanes.Of<T>(p.LearningRate), _eps = Lanes.Of<T>(p.Epsilon), _mu = Lanes.Of<T>(p.Momentum);
    private readonly bool _momentum = p.Momentum > 0, _centered = p.Centered;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        s0 = _rho * s0 + _c * (g * g);
        Vector<T> inc;
        if (_centered)
        {
            s2 = _rho * s2 + _c * g;
            inc = (g * _lr) / Vector.SquareRoot((s0 - s2 * s2) + _eps);
        }
        else inc = (_lr * g) / Vector.SquareRoot(s0 + _eps);
        if (_momentum)
        {
            s1 = _mu * s1 + inc;
            w -= s1;
        }
        else w -= inc;
    }
}

/// <summary>Adagrad (Keras 3): acc += g*g; w -= (lr*g) / sqrt(acc + eps).</summary>
internal readonly struct AdagradStep<T>(in OptimizerParams p) : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _lr = Lanes.Of<T>(p.LearningRate), _eps = Lanes.Of<T>(p.Epsilon);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        s0 += g * g;
        w -= (_lr * g) / Vector.SquareRoot(s0 + _eps);
    }
}

/// <summary>
/// Where a step runs: one tensor (<see cref="ManagedBackend.OptimizerUpdate(OptimizerKind, DType, nint, nint, nint, nint, nint, long, in OptimizerParams)"/>)
/// or many (<see cref="ManagedBackend.OptimizerUpdateMulti"/>). The kind switches call it with
/// the step struct, so the JIT emits one loop per (kind, T, target).
/// </summary>
internal interface IOptimizerTarget
{
    void Run<T, TStep>(TStep step, long cost) where T : unmanaged where TStep : struct, IOptimizerStep<T>;
}

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void OptimizerUpdate(OptimizerKind kind, DType dtype, nint param, nint grad, nint slot0, nint slot1, nint slot2, long count, in OptimizerParams p)
    {
        var (s0, s1, s2) = CheckOptimizer(nameof(OptimizerUpdate), kind, dtype, p, param, grad, slot0, slot1, slot2, count);
        if (count == 0) return;
        RunOptimizer(kind, dtype, p, new OneTensor(param, grad, s0, s1, s2, count));
    }

    // nf_optimizer_update_ex's checks (common/checks.cpp) with the same messages; the slots the
    // kind does not use come back as 0, so no step can touch them.
    private static (nint Slot0, nint Slot1, nint Slot2) CheckOptimizer(string M, OptimizerKind kind, DType dtype, in OptimizerParams p,
                                                                      nint param, nint grad, nint slot0, nint slot1, nint slot2, long count)
    {
        if ((uint)kind > (uint)OptimizerKind.Ftrl)
            throw new ArgumentException($"{M}: kind = {(int)kind} is not a valid OptimizerKind.", nameof(kind));
        CheckDType(M, nameof(dtype), dtype);
        if (!dtype.IsFloating()) throw Unsupported(M, "an optimizer update", dtype);
        CheckCount(M, nameof(count), count);
        if (p.Step < 1)
            throw new ArgumentException($"{M}: p.Step = {p.Step} must be at least 1.", nameof(p));
        if (double.IsNaN(p.WeightDecay) || double.IsNaN(p.GradMul) || double.IsNaN(p.GradDiv) || double.IsNaN(p.ClipValue))
            throw new ArgumentException($"{M}: an option is NaN (WeightDecay {p.WeightDecay}, GradMul {p.GradMul}, GradDiv {p.GradDiv}, ClipValue {p.ClipValue}).", nameof(p));
        if (kind == OptimizerKind.Ftrl && (double.IsNaN(p.LrPower) || double.IsNaN(p.L1) || double.IsNaN(p.L2) || double.IsNaN(p.L2Shrinkage) || double.IsNaN(p.Beta)))
            throw new ArgumentException($"{M}: an Ftrl option is NaN (LrPower {p.LrPower}, L1 {p.L1}, L2 {p.L2}, L2Shrinkage {p.L2Shrinkage}, Beta {p.Beta}).", nameof(p));
        CheckPointer(M, nameof(param), param, count);
        CheckPointer(M, nameof(grad), grad, count);
        // Which slots this kind (with these hyperparameters) reads and writes: the one rule.
        var (need0, need1, need2) = OptimizerSlots.Needed(kind, p);
        if (count > 0)
        {
            if (need0 && slot0 == 0) throw MissingSlot(M, kind, 0, p.Momentum);
            if (need1 && slot1 == 0) throw MissingSlot(M, kind, 1, p.Momentum);
            if (need2 && slot2 == 0) throw MissingSlot(M, kind, 2, p.Momentum);
        }
        return (need0 ? slot0 : 0, need1 ? slot1 : 0, need2 ? slot2 : 0);
    }

    // The four original kinds without options keep their own steps; the others are wrapped so the options come first.
    [MethodImpl(ManagedKernel)]
    private static void RunOptimizer<TTarget>(OptimizerKind kind, DType dtype, in OptimizerParams p, TTarget target) where TTarget : struct, IOptimizerTarget
    {
        bool plain = kind <= OptimizerKind.Adagrad && !p.HasOptions;
        if (dtype == DType.Float32)
        {
            if (plain) OptimizerUpdate<float, TTarget>(kind, p, target);
            else OptimizerUpdateEx<float, TTarget>(kind, p, target);
        }
        else if (plain) OptimizerUpdate<double, TTarget>(kind, p, target);
        else OptimizerUpdateEx<double, TTarget>(kind, p, target);
    }

    private static ArgumentException MissingSlot(string method, OptimizerKind kind, int slot, double momentum)
    {
        string name = (kind, slot) switch
        {
            (OptimizerKind.Sgd, _) => "velocity",
            (OptimizerKind.Adam or OptimizerKind.Nadam or OptimizerKind.Adamax, 0) => "m",
            (OptimizerKind.Adam or OptimizerKind.Nadam, 1) => "v",
            (OptimizerKind.Adam, _) => "v_hat (amsgrad)",
            (OptimizerKind.Adamax, _) => "u",
            (OptimizerKind.RMSprop, 0) => "mean square",
            (OptimizerKind.RMSprop, 1) => "momentum buffer",
            (OptimizerKind.RMSprop, _) => "mean gradient (centered)",
            (OptimizerKind.Adadelta, 0) => "accumulated gradient",
            (OptimizerKind.Adadelta, _) => "accumulated update",
            (OptimizerKind.Ftrl, 0) => "accumulator",
            (OptimizerKind.Ftrl, _) => "linear",
            _ => "accumulator",
        };
        string why = kind is OptimizerKind.Sgd or OptimizerKind.RMSprop ? $" with momentum = {momentum}" : "";
        return new ArgumentException(
            $"{method}: slot{slot} ({name}) is 0 but {kind}{why} needs it.", $"slot{slot}");
    }

    [MethodImpl(ManagedKernel)]
    private static void OptimizerUpdate<T, TTarget>(OptimizerKind kind, in OptimizerParams p, TTarget target)
        where T : unmanaged, IFloatingPointIeee754<T> where TTarget : struct, IOptimizerTarget
    {
        switch (kind)
        {
            case OptimizerKind.Sgd when p.Momentum == 0: target.Run<T, SgdStep<T>>(new(p), 1); break;
            case OptimizerKind.Sgd: target.Run<T, MomentumStep<T>>(new(p), 2); break;
            case OptimizerKind.Adam: target.Run<T, AdamStep<T>>(new(p), 4); break;
            case OptimizerKind.RMSprop: target.Run<T, RMSpropStep<T>>(new(p), 4); break;
            default: target.Run<T, AdagradStep<T>>(new(p), 4); break;
        }
    }

    /// <summary>One tensor's buffers, the slots it does not use 0.</summary>
    private readonly struct OneTensor(nint w, nint g, nint s0, nint s1, nint s2, long count) : IOptimizerTarget
    {
        public void Run<T, TStep>(TStep step, long cost) where T : unmanaged where TStep : struct, IOptimizerStep<T> =>
            RunOptimizer<T, TStep>(step, w, g, s0, s1, s2, count, cost);
    }

    /// <summary>Runs <paramref name="step"/> over [0, count), in parallel pieces above the threshold.</summary>
    [MethodImpl(ManagedKernel)]
    private static void RunOptimizer<T, TStep>(TStep step, nint w, nint g, nint s0, nint s1, nint s2, long count, long cost)
        where T : unmanaged where TStep : struct, IOptimizerStep<T>
    {
        WorkerPool.Split(new OptimizerJob<T, TStep> { Step = step, W = w, G = g, S0 = s0, S1 = s1, S2 = s2 },
            count, ChunksFor(count * cost, count / Vector<T>.Count));
    }

    private struct OptimizerJob<T, TStep> : IRangeJob where T : unmanaged where TStep : struct, IOptimizerStep<T>
    {
        public TStep Step;
        public nint W, G, S0, S1, S2;

        [MethodImpl(ManagedKernel)]
        public readonly void Run(long begin, long end) => OptimizerRange<T, TStep>(Step, W, G, S0, S1, S2, begin, end);
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void OptimizerRange<T, TStep>(TStep step, nint w, nint g, nint s0, nint s1, nint s2, long begin, long end)
        where T : unmanaged where TStep : struct, IOptimizerStep<T>
    {
        T* pw = (T*)w, pg = (T*)g, p0 = (T*)s0, p1 = (T*)s1, p2 = (T*)s2;
        int lanes = Vector<T>.Count;
        long i = begin;
        for (; i + lanes <= end; i += lanes)
            StepLanes(ref step, pw + i, pg + i, p0 == null ? null : p0 + i, p1 == null ? null : p1 + i, p2 == null ? null : p2 + i);
        int rest = (int)(end - i);
        if (rest == 0) return;
        // The tail runs the same vector code on zero-padded copies (padding lanes are discarded).
        T* buf = stackalloc T[5 * lanes];
        new Span<T>(buf, 5 * lanes).Clear();
        T* tw = buf, tg = buf + lanes, t0 = p0 == null ? null : buf + 2 * lanes, t1 = p1 == null ? null : buf + 3 * lanes;
        T* t2 = p2 == null ? null : buf + 4 * lanes;
        CopyElements(pw + i, tw, rest);
        CopyElements(pg + i, tg, rest);
        if (t0 != null) CopyElements(p0 + i, t0, rest);
        if (t1 != null) CopyElements(p1 + i, t1, rest);
        if (t2 != null) CopyElements(p2 + i, t2, rest);
        StepLanes(ref step, tw, tg, t0, t1, t2);
        CopyElements(tw, pw + i, rest);
        if (t0 != null) CopyElements(t0, p0 + i, rest);
        if (t1 != null) CopyElements(t1, p1 + i, rest);
        if (t2 != null) CopyElements(t2, p2 + i, rest);
    }

    // Inlined into the range loop: as a call per vector of lanes (its step struct passed by
    // reference, every vector through memory) it cost 4-5x the arithmetic (SGD over the
    // workshop's 40K weights: 20 us against 4 us).
    [MethodImpl(ManagedKernel | MethodImplOptions.AggressiveInlining)]
    private static unsafe void StepLanes<T, TStep>(ref TStep step, T* w, T* g, T* s0, T* s1, T* s2)
        where T : unmanaged where TStep : struct, IOptimizerStep<T>
    {
        Vector<T> vw = Vector.Load(w), v0 = s0 == null ? default : Vector.Load(s0), v1 = s1 == null ? default : Vector.Load(s1);
        Vector<T> v2 = s2 == null ? default : Vector.Load(s2);
        step.Step(ref vw, Vector.Load(g), ref v0, ref v1, ref v2);
        vw.Store(w);
        if (s0 != null) v0.Store(s0);
        if (s1 != null) v1.Store(s1);
        if (s2 != null) v2.Store(s2);
    }

    private static unsafe void CopyElements<T>(T* from, T* to, int count) where T : unmanaged =>
        new ReadOnlySpan<T>(from, count).CopyTo(new Span<T>(to, count));
}
