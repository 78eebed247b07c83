using System.Numerics;

namespace NeuralFlow.Backends.Managed;

// Issue 16: Nadam, Adamax, Adadelta, gradient clipping and weight decay (AMSGrad and centered
// RMSprop are options of AdamStep and RMSpropStep), in the order of nf_optimizer_update_ex
// (neuralflow.h) and of the native engines' shared element step (optimizer_step.h), so all
// three engines agree bit for bit: scale g, clip g, decay w, then the kind's step, each
// operation rounded to T.

/// <summary>The options around an inner step: g = (g*mul)/div, clip to [-c, c], w = w - (w*wd)*lr.</summary>
internal readonly struct WithOptions<T, TStep>(in OptimizerParams p, TStep inner) : IOptimizerStep<T>
    where T : unmanaged, IFloatingPointIeee754<T> where TStep : struct, IOptimizerStep<T>
{
    private readonly TStep _inner = inner;
    private readonly Vector<T> _mul = Lanes.Of<T>(p.GradMul), _div = Lanes.Of<T>(p.GradDiv);
    private readonly Vector<T> _clip = Lanes.Of<T>(p.ClipValue), _wd = Lanes.Of<T>(p.WeightDecay), _lr = Lanes.Of<T>(p.LearningRate);
    private readonly bool _scale = p.GradDiv != 0, _clipping = p.ClipValue > 0, _decay = p.WeightDecay != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        if (_scale) g = (g * _mul) / _div;
        if (_clipping)  // g < -c ? -c : g > c ? c : g, which leaves NaN as it is (ops.clip)
            g = Vector.ConditionalSelect(Vector.LessThan(g, -_clip), -_clip, Vector.ConditionalSelect(Vector.GreaterThan(g, _clip), _clip, g));
        if (_decay) w = w - (w * _wd) * _lr;
        var inner = _inner;
        inner.Step(ref w, g, ref s0, ref s1, ref s2);
    }
}

/// <summary>Nadam (Keras 3): m, v as Keras 3 writes them; mh = (u1*m)/(1-P1) + ((1-u0)*g)/(1-P0); w -= (mh*lr) / (sqrt(v/(1-b2^t)) + eps).</summary>
internal readonly struct NadamStep<T> : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _c1, _c2, _u1, _d1, _a0, _d0, _dv, _lr, _eps;

    public NadamStep(in OptimizerParams p)
    {
        var (u0, u1, p0) = NadamSchedule.At(p.Beta1, p.Step);
        _c1 = Lanes.Of<T>(1.0 - p.Beta1);
        _c2 = Lanes.Of<T>(1.0 - p.Beta2);
        _u1 = Lanes.Of<T>(u1);
        _d1 = Lanes.Of<T>(1.0 - p0 * u1);
        _a0 = Lanes.Of<T>(1.0 - u0);
        _d0 = Lanes.Of<T>(1.0 - p0);
        _dv = Lanes.Of<T>(1.0 - Math.Pow(p.Beta2, p.Step));
        _lr = Lanes.Of<T>(p.LearningRate);
        _eps = Lanes.Of<T>(p.Epsilon);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        s0 = s0 + (g - s0) * _c1;
        s1 = s1 + (g * g - s1) * _c2;
        var mh = (_u1 * s0) / _d1 + (_a0 * g) / _d0;
        w -= (mh * _lr) / (Vector.SquareRoot(s1 / _dv) + _eps);
    }
}

/// <summary>Adamax (Keras 3): m = m + (g - m)*(1-b1); u = max(b2*u, |g|); w -= (lr*m) / ((1-b1^t)*(u + eps)).</summary>
internal readonly struct AdamaxStep<T>(in OptimizerParams p) : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _c1 = Lanes.Of<T>(1.0 - p.Beta1), _b2 = Lanes.Of<T>(p.Beta2);
    private readonly Vector<T> _corr = Lanes.Of<T>(1.0 - Math.Pow(p.Beta1, p.Step));
    private readonly Vector<T> _lr = Lanes.Of<T>(p.LearningRate), _eps = Lanes.Of<T>(p.Epsilon);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        s0 = s0 + (g - s0) * _c1;
        var decayed = _b2 * s1;
        var abs = Vector.Abs(g);
        s1 = Vector.ConditionalSelect(Vector.GreaterThan(decayed, abs), decayed, abs);
        w -= (_lr * s0) / (_corr * (s1 + _eps));
    }
}

/// <summary>Adadelta (Keras 3): ag = rho*ag + ((1-rho)*g)*g; d = (-sqrt(ad + eps)*g) / sqrt(ag + eps); ad = rho*ad + ((1-rho)*d)*d; w += lr*d.</summary>
internal readonly struct AdadeltaStep<T>(in OptimizerParams p) : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _rho = Lanes.Of<T>(p.Rho), _c = Lanes.Of<T>(1.0 - p.Rho);
    private readonly Vector<T> _lr = Lanes.Of<T>(p.LearningRate), _eps = Lanes.Of<T>(p.Epsilon);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        s0 = _rho * s0 + (_c * g) * g;
        var d = (-Vector.SquareRoot(s1 + _eps) * g) / Vector.SquareRoot(s0 + _eps);
        s1 = _rho * s1 + (_c * d) * d;
        w += _lr * d;
    }
}

/// <summary>
/// Nadam's momentum schedule at a step, in double, as <c>nadam_u_product</c> in
/// native/src/common/optimizer_step.h: u_i = b1*(1 - 0.5*0.96^i), and the product P of
/// u_1..u_step (Keras 3 keeps P as an optimizer variable; it is a function of the step).
/// </summary>
internal static class NadamSchedule
{
    public static (double U0, double U1, double Product) At(double beta1, long step)
    {
        double t = step;
        long head = Math.Min(step, 2000);
        double prod = 1.0;
        for (long i = 1; i <= head; i++) prod *= beta1 * (1.0 - 0.5 * Math.Pow(0.96, i));
        // Past 2000 steps 0.96^i < 1e-35 and each factor is beta1 exactly in double.
        if (step > head) prod *= Math.Pow(beta1, step - head);
        return (beta1 * (1.0 - 0.5 * Math.Pow(0.96, t)), beta1 * (1.0 - 0.5 * Math.Pow(0.96, t + 1.0)), prod);
    }
}

public sealed partial class ManagedBackend
{
    // The steps with options or of issue 16's kinds, each wrapped so the options come first.
    private static void OptimizerUpdateEx<T, TTarget>(OptimizerKind kind, in OptimizerParams p, TTarget target)
        where T : unmanaged, IFloatingPointIeee754<T> where TTarget : struct, IOptimizerTarget
    {
        switch (kind)
        {
            case OptimizerKind.Sgd when p.Momentum == 0: Run<T, SgdStep<T>, TTarget>(new(p), p, target); break;
            case OptimizerKind.Sgd: Run<T, MomentumStep<T>, TTarget>(new(p), p, target); break;
            case OptimizerKind.Adam: Run<T, AdamStep<T>, TTarget>(new(p), p, target); break;
            case OptimizerKind.RMSprop: Run<T, RMSpropStep<T>, TTarget>(new(p), p, target); break;
            case OptimizerKind.Adagrad: Run<T, AdagradStep<T>, TTarget>(new(p), p, target); break;
            case OptimizerKind.Nadam: Run<T, NadamStep<T>, TTarget>(new(p), p, target); break;
            case OptimizerKind.Adamax: Run<T, AdamaxStep<T>, TTarget>(new(p), p, target); break;
            case OptimizerKind.Adadelta: Run<T, AdadeltaStep<T>, TTarget>(new(p), p, target); break;
            default: Run<T, FtrlStep<T>, TTarget>(new(p), p, target); break;
        }
    }

    private static void Run<T, TStep, TTarget>(TStep step, in OptimizerParams p, TTarget target)
        where T : unmanaged, IFloatingPointIeee754<T> where TStep : struct, IOptimizerStep<T> where TTarget : struct, IOptimizerTarget =>
        target.Run<T, WithOptions<T, TStep>>(new(p, step), 6);
}
