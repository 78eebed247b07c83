using NeuralFlow.Tests.UserProbe23;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// tf.math's special functions beyond the gamma family of UserProbe23, on every backend (values from
/// special_functions_references.py: PyTorch 1.13 and mpmath): Zeta and Polygamma of order 2 and up at negative
/// fractional arguments below -7 (NaN before), Lgamma relatively exact near its roots 1 and 2 (about 1e-15 absolute,
/// 2e-9 relative at 0.999999, before), the scaled and first-order Bessel functions I0e, I1, I1e (tf.math.bessel_*,
/// torch.special.i0e/i1/i1e), and the regularized incomplete gamma and beta functions Igamma, Igammac and Betainc
/// (tf.math.igamma/igammac/betainc, torch.special.gammainc/gammaincc), which did not exist.
/// </summary>
public abstract class SpecialFunctionsTests(string backend) : BackendTest(backend)
{
    private const double Inf = double.PositiveInfinity, NaN = double.NaN;

    private static void Near(double[] want, Tensor got, string what, double relative = 1e-13, double absolute = 1e-300) =>
        GammaFamilyTests.Near(want, got.ToArray<double>(), what, relative, absolute);

    [SkippableFact]
    public void Zeta_and_polygamma_take_negative_fractional_arguments_far_below_zero()
    {
        RequireBackend();
        var q = NF.Constant(new[] { -7.5, -8.25, -20.5, -100.3, -3.7 });
        Near([0.007782255897951962, -62.00604391262574, 0.0011331449598188984, -34.41872264898075, 34.44672734433677],
             NF.Zeta(3.0 * NF.OnesLike(q), q), "zeta(3, q)", relative: 1e-11);
        Near([32.46905098794077, 259.75708173321505, 32.46966105882883, 128.1701520634739, 128.165774906811],
             NF.Zeta(4.0 * NF.OnesLike(q), q), "zeta(4, q)", relative: 1e-12);
        Near([9.744766282170433, 19.62504691762201, 9.82199434464988, 15.06949314924401, 14.84242186412428],
             NF.Polygamma(1, q), "trigamma", relative: 1e-12);
        Near([-0.015564511795903924, 124.01208782525148, -0.002266289919637797, 68.8374452979615, -68.89345468867354],
             NF.Polygamma(2, q), "polygamma(2)", relative: 1e-11);
        Near([194.8143059276446, 1558.5424903992903, 194.81796635297297, 769.0209123808432, 768.994649440866],
             NF.Polygamma(3, q), "polygamma(3)", relative: 1e-12);
        // Still undefined where it was: a fractional s with a negative q, and the poles.
        Near([NaN, Inf, Inf], NF.Zeta(NF.Constant(new[] { 2.5, 3.0, 2.0 }), NF.Constant(new[] { -20.5, -30.0, -1.0 })), "domain");
        // Digamma's gradient (trigamma by its own reflection) agrees with Polygamma(1, ·) over there.
        var v = new Variable(q);
        using var tape = new GradientTape();
        var grad = tape.Gradient(NF.ReduceSum(NF.Digamma(v)), v);
        Near(NF.Polygamma(1, q).ToArray<double>(), grad, "digamma'", relative: 1e-12);
        GradientTests.Check(t => NF.Polygamma(2, t[0] * 0.1 - 12.5), GradientTests.In([4], 41, -0.3, 0.3));
    }

    [SkippableFact]
    public void Lgamma_is_relatively_exact_near_its_roots()
    {
        RequireBackend();
        double[] x = [0.9, 0.99, 0.999999, 1.000001, 1.01, 1.19, 1.81, 1.999, 2.0001, 2.19];
        Near([0.06637623973474295, 0.005854806764709781, 5.772164873855652e-07, -5.772148423874147e-07, -0.005690307946069651,
              -0.08242007447712085, -0.06819719688569571, -0.0004224618006921073, 4.2281658112919945e-05, 0.09153323264631712],
             NF.Lgamma(NF.Constant(x)), "lgamma", relative: 4e-15);
        Near([0.0, 0.0], NF.Lgamma(NF.Constant(new[] { 1.0, 2.0 })), "exact zeros");
        GradientTests.Check(t => NF.Lgamma(t[0] * 0.05 + 1.0), GradientTests.In([4], 42, -1, 1));
        GradientTests.Check(t => NF.Lgamma(t[0] * 0.05 + 2.0), GradientTests.In([4], 43, -1, 1));
    }

    [SkippableFact]
    public void Scaled_and_first_order_bessel_functions_match_pytorch()
    {
        RequireBackend();
        var z = NF.Constant(new[] { 0.0, 1.0, -5.0, 20.0, 1000.0, -1e5 });
        Near([1.0, 0.46575960759364043, 0.18354081260932834, 0.089780311884826, 0.012617240455891257, 0.0012615678379767766],
             NF.I0e(z), "i0e");
        Near([0.0, 0.5651591039924851, -24.335642142450524, 42454973.385127775], NF.I1(NF.Constant(new[] { 0.0, 1.0, -5.0, 20.0 })), "i1");
        Near([0.0, 0.2079104153497085, -0.16397226694454234, 0.08750622218328867, 0.01261093025692863, -0.001261561530121817],
             NF.I1e(z), "i1e");
        // TensorFlow's names are the same functions; the unscaled ones overflow where the scaled stay finite.
        Near(NF.I0e(z).ToArray<double>(), NF.BesselI0e(z), "bessel_i0e");
        Near(NF.I1(z).ToArray<double>(), NF.BesselI1(z), "bessel_i1");
        Near([Inf, Inf, -0.0], NF.BesselI1(NF.Constant(new[] { 1000.0, Inf, -0.0 })), "i1 limits");
        Near([0.0, 0.0], NF.I0e(NF.Constant(new[] { Inf, -Inf })), "i0e limits");
        Assert.Equal(DType.Float32, NF.I1e(NF.Constant(new[] { 1, 2 })).DType);

        var x = new Variable(NF.Constant(new[] { -3.0, -0.5, 0.25, 2.0, 9.0 }));
        using (var tape = new GradientTape(persistent: true))
        {
            Near([0.04617364086452452, 0.4886144672642784, -0.6929045334423511, -0.0932390333047333, -0.007734540645831789],
                 tape.Gradient(NF.ReduceSum(NF.I0e(x)), x), "i0e'", relative: 1e-12);
            Near([3.563002513397487, 0.5476947599595309, 0.5117697054417363, 1.484266875017402, 979.0422742317127],
                 tape.Gradient(NF.ReduceSum(NF.I1(x)), x), "i1'", relative: 1e-12);
            Near([-0.01943526356790909, 0.17577286089453492, 0.30045401865287813, -0.014395611319735546, -0.006401568680378361],
                 tape.Gradient(NF.ReduceSum(NF.I1e(x)), x), "i1e'", relative: 1e-12);
        }
        GradientTests.Check(t => NF.I0e(t[0] * 3), GradientTests.In([2, 3], 44));
        GradientTests.Check(t => NF.I1e(t[0] * 3 + 0.1), GradientTests.In([2, 3], 45));
        GradientTests.Check(t => NF.I1(t[0] * 2), GradientTests.In([2, 3], 46));
    }

    [SkippableFact]
    public void Incomplete_gamma_matches_mpmath_across_its_regions()
    {
        RequireBackend();
        // Series, continued fraction, the small-x form of Q, large a near x (9 √a terms), tiny a.
        var a = NF.Constant(new[] { 0.5, 1, 3, 100, 100, 1e4, 20, 1e-3, 0.2, 50, 1e6, 7 });
        var x = NF.Constant(new[] { 0.2, 2, 2.5, 100, 90, 1.0001e4, 60, 0.8, 0.01, 70, 1e6 - 300, 1e-5 });
        Near([0.4729107431344619, 0.8646647167633873, 0.45618688411667047, 0.5132987982791487, 0.15822098918643016, 0.5053189319622186,
              0.9999999993648082, 0.9996891369289659, 0.432867560926525, 0.994859497541494, 0.3822042718895688, 1.9841096230930343e-39],
             NF.Igamma(a, x), "igamma", relative: 1e-12);
        Near([0.5270892568655381, 0.1353352832366127, 0.5438131158833295, 0.48670120172085135, 0.8417790108135699, 0.49468106803778145,
              6.351918340378976e-10, 0.0003108630710340944, 0.567132439073475, 0.005140502458505894, 0.6177957281104312, 1.0],
             NF.Igammac(a, x), "igammac", relative: 1e-12);
        // Edges (Cephes' and TensorFlow's): x = 0, x = inf, a = 0, negative arguments.
        var ea = NF.Constant(new[] { 2.0, 2.0, 0.0, 0.0, -1.0, 2.0, NaN });
        var ex = NF.Constant(new[] { 0.0, Inf, 3.0, 0.0, 1.0, -1.0, 1.0 });
        Near([0.0, 1.0, 1.0, NaN, NaN, NaN, NaN], NF.Igamma(ea, ex), "igamma edges");
        Near([1.0, 0.0, 0.0, NaN, NaN, NaN, NaN], NF.Igammac(ea, ex), "igammac edges");
        // Poisson's CDF: P(N ≤ 3) for rate 2.5 is Q(4, 2.5); PyTorch's names are the same functions.
        double poisson = Enumerable.Range(0, 4).Sum(k => Math.Exp(-2.5) * Math.Pow(2.5, k) / new[] { 1, 1, 2, 6 }[k]);
        Near([poisson], NF.Gammaincc(NF.Constant(new[] { 4.0 }), NF.Constant(new[] { 2.5 })), "poisson cdf", relative: 1e-14);
        Near(NF.Igamma(a, x).ToArray<double>(), NF.Gammainc(a, x), "gammainc");
        // dtypes as TF's: float32 stays float32, integers give float32, a C# number takes the tensor's dtype.
        Assert.Equal(DType.Float32, NF.Igamma(2, NF.Constant(new[] { 1f, 2f })).DType);
        Assert.Equal(DType.Float32, NF.Igamma(NF.Constant(new[] { 2, 3 }), NF.Constant(new[] { 1, 2 })).DType);
        Assert.Equal(new Shape(2, 3), NF.Igammac(NF.Constant(new[,] { { 1.0 }, { 2.0 } }), NF.Constant(new[] { 0.5, 1.0, 4.0 })).Shape);
        Assert.Throws<ArgumentException>(() => NF.Igamma(NF.Constant(new[] { 1.0, 2.0 }), NF.Constant(new[] { 1.0, 2.0, 3.0 })));
    }

    [SkippableFact]
    public void Incomplete_gamma_differentiates_in_x_and_in_a()
    {
        RequireBackend();
        var a = NF.Constant(new[] { 0.5, 3, 20 });
        var x = new Variable(NF.Constant(new[] { 0.2, 2.5, 25 }));
        using (var tape = new GradientTape(persistent: true))
        {
            var p = NF.ReduceSum(NF.Igamma(a, x));
            var q = NF.ReduceSum(NF.Igammac(a, x));
            double[] density = [1.0328830949345567, 0.25651562069968376, 0.04153397488679306];
            Near(density, tape.Gradient(p, x), "igamma'", relative: 1e-12);
            Near(density.Select(d => -d).ToArray(), tape.Gradient(q, x), "igammac'", relative: 1e-12);
        }
        GradientTests.Check(t => NF.Igamma(3.0, t[0] + 2), GradientTests.In([2, 3], 47));

        // In a (TF's igamma_grad_a; PyTorch has none): every region of the series and the fraction, against mpmath.diff.
        var av = new Variable(NF.Constant(new[] { 0.5, 1, 3, 100, 100, 1e4, 20, 1e-3, 0.2, 50, 7, 2.5 }));
        var ax = NF.Constant(new[] { 0.2, 2, 2.5, 100, 90, 1.0001e4, 60, 0.8, 0.01, 70, 1e-5, 0.7 });
        double[] dA = [-0.8201614064863388, -0.2208254262118595, -0.24711735748326824, -0.03992749785778605, -0.02461191684397991,
                       -0.0039890571454012464, -7.286787262210339e-10, -0.31112944653806407, -1.871314883163448, -0.001984018680936287,
                       -2.6842160168134864e-38, -0.11515032062805552];
        using (var tape = new GradientTape(persistent: true))
        {
            var p = NF.ReduceSum(NF.Igamma(av, ax));
            var q = NF.ReduceSum(NF.Igammac(av, ax));
            Near(dA, tape.Gradient(p, av), "d/da igamma", relative: 1e-11);
            Near(dA.Select(d => -d).ToArray(), tape.Gradient(q, av), "d/da igammac", relative: 1e-11);
        }
        GradientTests.Check(t => NF.Igamma(t[0] + 2, 2.5), GradientTests.In([2, 3], 49));
        // Second derivatives through the one in a are refused by name, not a silent zero.
        var a2 = new Variable(NF.Constant(new[] { 2.0 }));
        using var outer = new GradientTape();
        Tensor first;
        using (var inner = new GradientTape()) first = inner.Gradient(NF.ReduceSum(NF.Igamma(a2, NF.Constant(new[] { 1.5 }))), a2);
        var e = Assert.Throws<NotSupportedException>(() => outer.Gradient(NF.ReduceSum(first), a2));
        Assert.Contains("second derivatives", e.Message);
    }

    [SkippableFact]
    public void Incomplete_beta_matches_mpmath_and_gives_a_student_t_cdf()
    {
        RequireBackend();
        var a = NF.Constant(new[] { 0.5, 2, 10, 1e3, 0.1, 5, 200 });
        var b = NF.Constant(new[] { 0.5, 3, 20, 2e3, 0.2, 1, 0.5 });
        var x = NF.Constant(new[] { 0.3, 0.4, 0.3, 0.34, 0.999, 0.9, 0.998 });
        Near([0.36901011956554536, 0.5248, 0.3640040810719442, 0.7812150911606427, 0.9139598779614838, 0.5904900000000001, 0.3711529156731767],
             NF.Betainc(a, b, x), "betainc", relative: 1e-12);
        Near([0.0, 1.0, NaN, NaN, NaN, NaN], NF.Betainc(NF.Constant(new[] { 2.0, 2.0, 2.0, 0.0, 2.0, -1.0 }), NF.Constant(new[] { 3.0, 3.0, 3.0, 3.0, 3.0, 3.0 }),
             NF.Constant(new[] { 0.0, 1.0, 1.5, 0.5, -0.1, 0.5 })), "betainc edges");
        // Student-t CDF at 1.5 with 4 degrees of freedom, as TF Probability writes it: 1 - I_{v/(v+t²)}(v/2, 1/2) / 2.
        const double v = 4, t = 1.5;
        Near([0.896], 1 - NF.Betainc(NF.Constant(new[] { v / 2 }), 0.5, NF.Constant(new[] { v / (v + t * t) })) / 2, "student t", relative: 1e-14);
        var xv = new Variable(NF.Constant(new[] { 0.4, 0.3, 0.3 }));
        using (var tape = new GradientTape())
        {
            var y = NF.ReduceSum(NF.Betainc(NF.Constant(new[] { 2.0, 0.5, 10 }), NF.Constant(new[] { 3.0, 0.5, 20 }), xv));
            Near([1.7279999999999998, 0.6946091180428566, 4.494022255936535], tape.Gradient(y, xv), "betainc'", relative: 1e-12);
        }
        GradientTests.Check(t3 => NF.Betainc(2.0, 3.0, t3[0] * 0.2 + 0.5), GradientTests.In([2, 3], 48));
        var bv = new Variable(NF.Constant(new[] { 3.0 }));
        using var refused = new GradientTape();
        var z = NF.ReduceSum(NF.Betainc(2.0, bv, NF.Constant(new[] { 0.5 })));
        Assert.Throws<NotSupportedException>(() => refused.Gradient(z, bv));
        Assert.Equal(DType.Float32, NF.Betainc(2, 3, NF.Constant(new[] { 0.5f })).DType);
    }

    [SkippableFact]
    public void Host_functions_replay_inside_a_compiled_step_with_fresh_values()
    {
        RequireBackend();
        // The host loop is one recorded host call: the step replays it, so a second call with new values gets their
        // CDF, not the traced one.
        var step = NF.Function((Tensor t) => NF.Igamma(3.0, t) * 2);
        var first = step(NF.Constant(new[] { 1.0, 2.0 })).ToArray<double>();
        var second = step(NF.Constant(new[] { 2.0, 3.0 })).ToArray<double>();
        Near([2 * 0.08030139707139416, 2 * 0.3233235838169366], NF.Constant(first), "first call", relative: 1e-13);
        Near([2 * 0.3233235838169366, 2 * 0.5768099188731565], NF.Constant(second), "second call", relative: 1e-13);
        Assert.True(TracedFunction.Of(step).LastCallReplayed, TracedFunction.Of(step).EagerReason);
    }
}

/// <summary>The special functions on the managed backend.</summary>
public sealed class ManagedSpecialFunctionsTests() : SpecialFunctionsTests("managed");

/// <summary>The special functions on the native CPU backend.</summary>
public sealed class NativeCpuSpecialFunctionsTests() : SpecialFunctionsTests("cpu");

/// <summary>The special functions on CUDA.</summary>
public sealed class CudaSpecialFunctionsTests() : SpecialFunctionsTests("cuda");
