namespace NeuralFlow;

// The inverse of the standard normal CDF (tf.math.ndtri, torch.special.ndtri, scipy.special.ndtri),
// the quantile function of tfp's Normal and of sampling by inverse transform. Like Erfinv it has no
// engine kernel: Smooth (Trig.cs) computes it in float64 with the tape paused and records its one
// derivative rule. sqrt(2) * erfinv(2p - 1) would lose the tail: 2p - 1 rounds to -1 for p below
// about 1e-17, so Cephes' rational approximations in sqrt(-2 log p) are used there instead, as
// TensorFlow, PyTorch and SciPy all do.
public static partial class NF
{
    /// <summary>
    /// The inverse of the standard normal CDF (<c>tf.math.ndtri</c>, <c>torch.special.ndtri</c>): x with
    /// Φ(x) = p for p in (0, 1); -inf at 0, +inf at 1, NaN outside [0, 1] and for NaN. float32 and float64
    /// keep their dtype; integers give float32. Gradient g · √(2π) · exp(x² / 2), 1 / φ(x).
    /// </summary>
    public static Tensor Ndtri(Tensor p) =>
        Smooth(p, NdtriOf, static (g, n) => [g * SqrtTwoPi * Exp(0.5 * Square(n.Output))], nameof(Ndtri));

    /// <summary>
    /// The inverse of <see cref="Erfc"/> (<c>tf.math.erfcinv</c>): y with erfc(y) = x for x in (0, 2); +inf at 0, -inf at
    /// 2, NaN outside [0, 2]. Computed as -ndtri(x / 2) / √2, TensorFlow's definition, which keeps the tail near 0 that
    /// erfinv(1 - x) loses. Its gradient is Ndtri's, -√π / 2 · exp(y²).
    /// </summary>
    public static Tensor Erfcinv(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var p = x.DType.IsFloating() ? x : Cast(x, DType.Float32);
        return Ndtri(p * 0.5) * -0.70710678118654752440;
    }

    private const double SqrtTwoPi = 2.50662827463100050242;
    private const double ExpMinusTwo = 0.13533528323661269189;   // e^-2: where the central approximation ends

    // Cephes' ndtri on a float64 tensor: for e^-2 < p < 1 - e^-2 a rational function of (p - 1/2)²;
    // in the tails, with y the smaller of p and 1 - p and z = sqrt(-2 ln y), z - ln(z) / z corrected by a
    // rational function of 1 / z (one for z < 8, one beyond, i.e. y below e^-32).
    private static Tensor NdtriOf(Tensor p)
    {
        var inside = LogicalAnd(Greater(p, 0.0), Less(p, 1.0));
        var upper = Greater(p, 1 - ExpMinusTwo);
        var y = Where(upper, 1 - p, p);
        var central = LogicalAnd(Greater(y, ExpMinusTwo), inside);

        var w = p - 0.5;
        var w2 = Square(w);
        var middle = (w + w * (w2 * Horner(w2, NdtriP0) / Horner(w2, NdtriQ0))) * SqrtTwoPi;

        // Outside the tails (and outside (0, 1)) the tail formula runs on a harmless 0.5 and is discarded.
        var z = Sqrt(-2.0 * Log(Where(LogicalAnd(inside, LogicalNot(central)), y, 0.5)));
        var r = 1.0 / z;
        var correction = Where(Less(z, 8.0), r * Horner(r, NdtriP1) / Horner(r, NdtriQ1), r * Horner(r, NdtriP2) / Horner(r, NdtriQ2));
        var tail = z - Log(z) / z - correction;
        var x = Where(central, middle, Where(upper, tail, -tail));

        var edge = Where(Equal(p, 0.0), double.NegativeInfinity, Where(Equal(p, 1.0), double.PositiveInfinity, double.NaN));
        return Where(inside, x, edge);
    }

    // Cephes' coefficients (ndtri.c), highest degree first as Horner takes them; the Q polynomials'
    // leading 1, implicit in Cephes' p1evl, written out.
    private static readonly double[] NdtriP0 =
        [-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1, 1.39312609387279679503E1,
         -1.23916583867381258016E0];

    private static readonly double[] NdtriQ0 =
        [1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1, -2.25462687854119370527E2,
         2.00260212380060660359E2, -8.20372256168333339912E1, 1.59056225126211695515E1, -1.18331621121330003142E0];

    private static readonly double[] NdtriP1 =
        [4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1, 4.40805073893200834700E1,
         1.46849561928858024014E1, 2.18663306850790267539E0, -1.40256079171354495875E-1, -3.50424626827848203418E-2,
         -8.57456785154685413611E-4];

    private static readonly double[] NdtriQ1 =
        [1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1, 1.50425385692907503408E1,
         2.50464946208309415979E0, -1.42182922854787788574E-1, -3.80806407691578277194E-2, -9.33259480895457427372E-4];

    private static readonly double[] NdtriP2 =
        [3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0, 1.33303460815807542389E0,
         2.01485389549179081538E-1, 1.23716634817820021358E-2, 3.01581553508235416007E-4, 2.65806974686737550832E-6,
         6.23974539184983293730E-9];

    private static readonly double[] NdtriQ2 =
        [1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0, 2.16236993594496635890E-1,
         1.34204006088543189037E-2, 3.28014464682127739104E-4, 2.89247864745380683936E-6, 6.79019408009981274425E-9];
}
