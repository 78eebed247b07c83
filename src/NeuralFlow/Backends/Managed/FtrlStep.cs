using System.Numerics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// Ftrl (Keras 3, keras/src/optimizers/ftrl.py) in the order of <c>ftrl_step</c> in
/// native/src/common/optimizer_step.h, so the three engines agree bit for bit: with
/// P(x) = x^(-lrPower), na = acc + g*g; lin = lin + ((g + s*w) - ((P(na) - P(acc))/lr)*w);
/// w = (clip(lin, -l1, l1) - lin) / (P(na)/lr + q2); acc = na; s = 2*l2Shrinkage and
/// q2 = 2*(l2 + beta/(2*lr)) in double. slot0 = acc, slot1 = lin.
/// </summary>
internal readonly struct FtrlStep<T>(in OptimizerParams p) : IOptimizerStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _lr = Lanes.Of<T>(p.LearningRate), _l1 = Lanes.Of<T>(p.L1);
    private readonly Vector<T> _shrink = Lanes.Of<T>(2.0 * p.L2Shrinkage);
    private readonly Vector<T> _q2 = Lanes.Of<T>(2.0 * (p.L2 + p.Beta / (2.0 * p.LearningRate)));
    private readonly T _power = T.CreateTruncating(-p.LrPower);
    // Keras' default power -0.5 is a square root: IEEE-exact on every engine and vectorised.
    private readonly bool _root = p.LrPower == -0.5;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector<T> w, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
    {
        var na = s0 + g * g;
        var pn = Power(na);
        var pa = Power(s0);
        s1 = s1 + ((g + _shrink * w) - ((pn - pa) / _lr) * w);
        var clipped = Vector.ConditionalSelect(Vector.LessThan(s1, -_l1), -_l1, Vector.ConditionalSelect(Vector.GreaterThan(s1, _l1), _l1, s1));
        w = (clipped - s1) / (pn / _lr + _q2);
        s0 = na;
    }

    // Any other power goes lane by lane through PortablePow (the native engines' ftrl_pow: computed in
    // double from basic operations, a float rounded once), so all three engines give the same bits.
    private Vector<T> Power(Vector<T> x)
    {
        if (_root) return Vector.SquareRoot(x);
        Span<T> lanes = stackalloc T[Vector<T>.Count];
        x.CopyTo(lanes);
        double power = double.CreateTruncating(_power);
        for (int i = 0; i < lanes.Length; i++) lanes[i] = T.CreateTruncating(PortablePow.Pow(double.CreateTruncating(lanes[i]), power));
        return new Vector<T>(lanes);
    }
}
