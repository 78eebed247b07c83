namespace NeuralFlow;

// Special functions of NumPy and PyTorch that no engine has a kernel for: the inverse error
// function (torch.erfinv, tf.math.erfinv) and the modified Bessel functions I0, I1 and their
// exponentially scaled forms (np.i0, torch.special.i0e/i1/i1e, tf.math.bessel_*). Each computes in float64 with the tape paused (Smooth, in Trig.cs) and records its
// derivative as one rule of differentiable ops, so second derivatives work too.
public static partial class NF
{
    private const double SqrtPiOverTwo = 0.88622692545275801;

    /// <summary>
    /// The inverse error function (<c>torch.erfinv</c>, <c>tf.math.erfinv</c>): y with erf(y) = x
    /// for x in (-1, 1); ±inf at ±1, NaN beyond. Integers give float32. Gradient
    /// g · √π / 2 · exp(y²).
    /// </summary>
    public static Tensor Erfinv(Tensor x) =>
        Smooth(x, ErfinvOf, static (g, n) => [g * SqrtPiOverTwo * Exp(Square(n.Output))], nameof(Erfinv));

    // Giles' single-precision approximation ("Approximating the erfinv function", 2010; relative
    // error about 4e-7) polished by Newton steps on erf, which double the correct digits each.
    private static Tensor ErfinvOf(Tensor x)
    {
        var inside = Less(Abs(x), 1.0);
        var xs = Where(inside, x, 0.0);   // ±1, beyond and NaN: filled in at the end
        var w = -Log((1 - xs) * (1 + xs));
        var central = Horner(w - 2.5, ErfinvCentral);
        var tail = Horner(Sqrt(w) - 3, ErfinvTail);
        var y = Where(Less(w, 5.0), central, tail) * xs;
        for (int i = 0; i < 3; i++)
        {
            // erf'(y) = 2/√π exp(-y²); a converged y stops moving (erf(y) - x is 0).
            y -= (Erf(y) - xs) * SqrtPiOverTwo * Exp(Square(y));
        }
        var edge = Where(Equal(x, 1.0), double.PositiveInfinity, Where(Equal(x, -1.0), double.NegativeInfinity, double.NaN));
        return Where(inside, y, edge);
    }

    // c[0] w^(n-1) + ... + c[n-1], coefficients highest degree first.
    private static Tensor Horner(Tensor w, double[] c)
    {
        Tensor p = c[0] * OnesLike(w);
        for (int i = 1; i < c.Length; i++) p = p * w + c[i];
        return p;
    }

    private static readonly double[] ErfinvCentral =
        [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
         -0.00125372503, -0.00417768164, 0.246640727, 1.50140941];

    private static readonly double[] ErfinvTail =
        [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
         -0.0076224613, 0.00943887047, 1.00167406, 2.83297682];

    /// <summary>
    /// The modified Bessel function of the first kind, order 0 (<c>np.i0</c>, <c>torch.i0</c>, <c>tf.math.bessel_i0</c>):
    /// even, I0(0) = 1, growing like e^|x| / √(2π|x|) (inf beyond about 713, and at ±inf, where
    /// NumPy 1.24 and PyTorch 1.13 give NaN). Cephes' Chebyshev expansions, as NumPy's. Integers
    /// give float32. Gradient g · I1(x).
    /// </summary>
    public static Tensor I0(Tensor x) =>
        Smooth(x, static t => BesselOf(t, order: 0, scaled: false), static (g, n) => [g * I1(n.X)], nameof(I0));

    /// <summary>
    /// The modified Bessel function of the first kind, order 1 (<c>torch.special.i1</c>, <c>tf.math.bessel_i1</c>):
    /// odd, I1(0) = 0, ±inf beyond about ±713. Cephes' expansions. Integers give float32. Gradient
    /// g · (I0(x) - I1(x) / x), 1/2 at 0.
    /// </summary>
    public static Tensor I1(Tensor x) => Smooth(x, static t => BesselOf(t, order: 1, scaled: false), static (g, n) =>
    {
        var zero = Equal(n.X, 0);
        var slope = I0(n.X) - n.Output / Where(zero, 1.0, n.X);
        return [g * Where(zero, 0.5, slope)];
    }, nameof(I1));

    /// <summary>
    /// The exponentially scaled I0, e^-|x| I0(x) (<c>torch.special.i0e</c>, <c>tf.math.bessel_i0e</c>,
    /// <c>scipy.special.i0e</c>): finite for every finite x, 0 at ±inf, so that large arguments (a von Mises
    /// normalizer, a Kaiser window) do not overflow. Integers give float32. Gradient g · (I1e(x) - sign(x) I0e(x)).
    /// </summary>
    public static Tensor I0e(Tensor x) =>
        Smooth(x, static t => BesselOf(t, order: 0, scaled: true), static (g, n) => [g * (I1e(n.X) - Sign(n.X) * n.Output)], nameof(I0e));

    /// <summary>
    /// The exponentially scaled I1, e^-|x| I1(x) (<c>torch.special.i1e</c>, <c>tf.math.bessel_i1e</c>): odd, finite,
    /// ±0 at ±inf. Integers give float32. Gradient g · (I0e(x) - I1e(x) (sign(x) + 1 / x)), 1/2 at 0.
    /// </summary>
    public static Tensor I1e(Tensor x) => Smooth(x, static t => BesselOf(t, order: 1, scaled: true), static (g, n) =>
    {
        var zero = Equal(n.X, 0);
        var slope = I0e(n.X) - n.Output * (Sign(n.X) + 1 / Where(zero, 1.0, n.X));
        return [g * Where(zero, 0.5, slope)];
    }, nameof(I1e));

    /// <summary>TensorFlow's name of <see cref="I0"/> (<c>tf.math.bessel_i0</c>).</summary>
    public static Tensor BesselI0(Tensor x) => I0(x);

    /// <summary>TensorFlow's name of <see cref="I0e"/> (<c>tf.math.bessel_i0e</c>).</summary>
    public static Tensor BesselI0e(Tensor x) => I0e(x);

    /// <summary>TensorFlow's name of <see cref="I1"/> (<c>tf.math.bessel_i1</c>).</summary>
    public static Tensor BesselI1(Tensor x) => I1(x);

    /// <summary>TensorFlow's name of <see cref="I1e"/> (<c>tf.math.bessel_i1e</c>).</summary>
    public static Tensor BesselI1e(Tensor x) => I1e(x);

    // Cephes' i0 / i1 (and i0e / i1e, scaled) on a float64 tensor: e^|x| times a Chebyshev series in
    // |x| / 2 - 2 on [0, 8] (times |x| for I1), in 32 / |x| - 2 over √|x| beyond. I1 is odd.
    private static Tensor BesselOf(Tensor x, int order, bool scaled)
    {
        var a = Abs(x);
        var near = LessEqual(a, 8.0);
        var small = Chebyshev(Minimum(a, 8.0) / 2 - 2, order == 0 ? I0Near : I1Near);
        if (order == 1) small *= a;
        var farA = Maximum(a, 8.0);
        var large = Chebyshev(32 / farA - 2, order == 0 ? I0Far : I1Far) / Sqrt(farA);
        var series = Where(near, small, large);
        // At ±inf the far series times e^|x| is 0 · inf: the limit, +inf, instead (the scaled series is 0 there).
        var value = scaled ? series : Where(IsInf(a), double.PositiveInfinity, series * Exp(a));
        return order == 0 ? value : Where(Less(x, 0), -value, value);
    }

    // Cephes' chbevl: Clenshaw's recurrence over coefficients highest degree first, the constant term halved.
    private static Tensor Chebyshev(Tensor t, double[] c)
    {
        Tensor b0 = c[0] * OnesLike(t), b1 = ZerosLike(t), b2 = b1;
        for (int i = 1; i < c.Length; i++)
        {
            b2 = b1;
            b1 = b0;
            b0 = t * b1 - b2 + c[i];
        }
        return 0.5 * (b0 - b2);
    }

    // Cephes' coefficients (numpy.lib.function_base._i0A/_i0B; i1.c's A and B).
    private static readonly double[] I0Near =
        [-4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16, 1.715391285555133e-15,
         -1.1685332877993451e-14, 7.676185498604936e-14, -4.856446783111929e-13, 2.95505266312964e-12,
         -1.726826291441556e-11, 9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
         -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07, 1.1173875391201037e-06,
         -4.4167383584587505e-06, 1.6448448070728896e-05, -5.754195010082104e-05, 0.00018850288509584165,
         -0.0005763755745385824, 0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
         -0.02373741480589947, 0.04930528423967071, -0.09490109704804764, 0.17162090152220877,
         -0.3046826723431984, 0.6767952744094761];

    private static readonly double[] I0Far =
        [-7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17, 3.461222867697461e-17,
         -2.8276239805165836e-16, -3.425485619677219e-16, 1.7725601330565263e-15, 3.8116806693526224e-15,
         -9.554846698828307e-15, -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
         7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11, -3.1499165279632416e-11,
         1.1889147107846439e-11, 4.94060238822497e-10, 3.3962320257083865e-09, 2.266668990498178e-08,
         2.0489185894690638e-07, 2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943,
         0.8044904110141088];

    private static readonly double[] I1Near =
        [2.77791411276104639959e-18, -2.11142121435816608115e-17, 1.55363195773620046921e-16,
         -1.10559694773538630805e-15, 7.60068429473540693410e-15, -5.04218550472791168711e-14,
         3.22379336594557470981e-13, -1.98397439776494371520e-12, 1.17361862988909016308e-11,
         -6.66348972350202774223e-11, 3.62559028155211703701e-10, -1.88724975172282928790e-9,
         9.38153738649577178388e-9, -4.44505912879632808065e-8, 2.00329475355213526229e-7,
         -8.56872026469545474066e-7, 3.47025130813767847674e-6, -1.32731636560394358279e-5,
         4.78156510755005422638e-5, -1.61760815825896745588e-4, 5.12285956168575772895e-4,
         -1.51357245063125314899e-3, 4.15642294431288815669e-3, -1.05640848946261981558e-2,
         2.47264490306265168283e-2, -5.29459812080949914269e-2, 1.02643658689847095384e-1,
         -1.76416518357834055153e-1, 2.52587186443633654823e-1];

    private static readonly double[] I1Far =
        [7.51729631084210481353e-18, 4.41434832307170791151e-18, -4.65030536848935832153e-17,
         -3.20952592199342395980e-17, 2.96262899764595013876e-16, 3.30820231092092828324e-16,
         -1.88035477551078244854e-15, -3.81440307243700780478e-15, 1.04202769841288027642e-14,
         4.27244001671195135429e-14, -2.10154184277266431302e-14, -4.08355111109219731823e-13,
         -7.19855177624590851209e-13, 2.03562854414708950722e-12, 1.41258074366137813316e-11,
         3.25260358301548823856e-11, -1.89749581235054123450e-11, -5.58974346219658380687e-10,
         -3.83538038596423702205e-9, -2.63146884688951950684e-8, -2.51223623787020892529e-7,
         -3.88256480887769039346e-6, -1.10588938762623716291e-4, -9.76109749136146840777e-3,
         7.78576235018280120474e-1];
}
