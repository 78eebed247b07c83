using NeuralFlow.Tests.UserProbe23;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The rest of tf.math.special, which did not exist: the Bessel functions J0, J1, Y0, Y1 (also torch.special.bessel_*),
/// K0, K1 and the scaled K0e, K1e (torch.special.modified_bessel_k* / scaled_modified_bessel_k*), Dawson's integral,
/// the Fresnel integrals, Spence's function and the exponential integral. Values from
/// special_bessel_integrals_references.py (mpmath at 30 digits) on both sides of every piece's boundary, TensorFlow's
/// docstring examples in float32, the edges (0, negatives, ±inf, NaN, overflow), and gradients.
/// </summary>
public abstract class SpecialBesselIntegralsTests(string backend) : BackendTest(backend)
{
    private const double Inf = double.PositiveInfinity, NaN = double.NaN;

    private static void Near(double[] want, Tensor got, string what, double relative = 4e-15, double absolute = 1e-300) =>
        GammaFamilyTests.Near(want, got.ToArray<double>(), what, relative, absolute);

    private static readonly (string Name, Func<Tensor, Tensor> F)[] Functions =
    [
        ("J0", NF.BesselJ0), ("J1", NF.BesselJ1), ("Y0", NF.BesselY0), ("Y1", NF.BesselY1), ("K0", NF.BesselK0), ("K1", NF.BesselK1),
        ("K0e", NF.BesselK0e), ("K1e", NF.BesselK1e), ("Dawsn", NF.Dawsn), ("FresnelCos", NF.FresnelCos), ("FresnelSin", NF.FresnelSin),
        ("Spence", NF.Spence), ("Expint", NF.Expint),
    ];

    private static Func<Tensor, Tensor> Named(string name) => Functions.Single(f => f.Name == name).F;

    [SkippableFact]
    public void Bessel_functions_match_mpmath_on_both_sides_of_each_piece()
    {
        RequireBackend();
        // J and Y near their zeros are exact to about 1e-16 absolute (Y's logarithmic term cancels to 6e-16 at 0.89), so
        // those points get an absolute bound.
        Near([0.9776262465382961, -6.10876525973673e-17, 0.17399001312793258, 0.16929736911054297, 0.14406215754684787, -0.007976118326761688],
             NF.BesselJ0(NF.Constant(new[] { 0.3, 2.404825557695773, 7.99, 8.01, 25.5, 1e4 + 0.5 })), "j0", relative: 1e-14, absolute: 1e-16);
        Near([-0.148318816273104, 0.0128210029267317, 0.23320071425350178, 0.236047103630834, 0.02237687453690972, -0.000725968356813763],
             NF.BesselJ1(NF.Constant(new[] { -0.3, 3.8, 7.99, 8.01, 60.25, 1e6 })), "j1", relative: 1e-13, absolute: 1e-16);
        Near([-7.40316028370197, -0.0031519646830523813, 0.22192874178576452, 0.22508990929357914, 0.12289749913503732, 0.001846766158865064],
             NF.BesselY0(NF.Constant(new[] { 1e-5, 0.89, 7.99, 8.01, 33.3, 1e5 })), "y0", relative: 1e-13, absolute: 1e-15);
        Near([-63661.97727536548, 0.0014877892897633682, -0.16048695141166464, -0.15562145403809824, 0.10164733899741435, 8.683736048687936e-05],
             NF.BesselY1(NF.Constant(new[] { 1e-5, 2.2, 7.99, 8.01, 41.0, 1e7 })), "y1", relative: 1e-13, absolute: 1e-15);
        var k = NF.Constant(new[] { 1e-8, 0.7, 1.99, 2.01, 30.0, 700.0 });
        Near([18.536612259610777, 0.6605198599151016, 0.1153017675517768, 0.11250436099872804, 2.1324774964630563e-14, 4.669776431685377e-306],
             NF.BesselK0(k), "k0", relative: 1e-14);
        Near([99999999.9999999, 1.050283535312918, 0.14171756162240132, 0.1380408773192077, 2.1677320018915495e-14, 4.6731107967079664e-306],
             NF.BesselK1(k), "k1", relative: 1e-14);
        // The scaled forms stay finite where K underflows to 0 (800 and beyond).
        var ke = NF.Constant(new[] { 1e-3, 1.5, 2.5, 100.0, 800.0, 1e6 });
        Near([7.030716002378251, 0.9582100532948965, 0.7595486903280996, 0.12517562165912657, 0.044304427486646016, 0.0012533139806513213],
             NF.BesselK0e(ke), "k0e", relative: 1e-14);
        Near([1000.9967345590684, 1.243165873552553, 0.900174423907878, 0.12579995047957854, 0.04433210911141211, 0.0012533146073081549],
             NF.BesselK1e(ke), "k1e", relative: 1e-14);
        // PyTorch's names are the same functions.
        Near(NF.BesselK0(k).ToArray<double>(), NF.ModifiedBesselK0(k), "modified_bessel_k0");
        Near(NF.BesselK1e(ke).ToArray<double>(), NF.ScaledModifiedBesselK1(ke), "scaled_modified_bessel_k1");
        Near(NF.I0(k).ToArray<double>(), NF.ModifiedBesselI0(k), "modified_bessel_i0");
    }

    [SkippableFact]
    public void Integrals_match_mpmath_on_both_sides_of_each_piece()
    {
        RequireBackend();
        Near([0.0009999993333336, 0.5410442246351816, 0.30340495122733274, 0.2992977022496128, 0.1296968230601469, 0.12900113703813024,
              0.06308033315699248, 0.06292026930563153, -0.010002001201201684, 5e-201],
             NF.Dawsn(NF.Constant(new[] { 0.001, 0.9241388730, 1.99, 2.01, 3.99, 4.01, 7.99, 8.01, -50.0, 1e200 })), "dawsn");
        // Far out the phase πx²/2 is reduced exactly (x² itself rounds away whole turns past x = 1e4).
        var f = NF.Constant(new[] { 1e-3, 1.0, 1.99, 2.01, -7.5, 1e4 + 0.1, 123456.789 });
        Near([0.0009999999999997533, 0.7798934003768229, 0.47825995987439224, 0.4982468029499104, -0.5160182501523364, 0.5000004999747013,
              0.4999992398522264], NF.FresnelCos(f), "fresnel_cos", relative: 1e-14);
        Near([5.235987755982066e-10, 0.43825914739035476, 0.3437292113083154, 0.34373025726590506, -0.46070123294683063, 0.49996817325656323,
              0.5000024637082502], NF.FresnelSin(f), "fresnel_sin", relative: 1e-14);
        Near([1.6449340451249606, 0.8893776242860387, 0.5961653613779507, 0.5684384438966669, 0.0, -0.8155258814773397, -0.8293888705204264,
              -9.197761709530997, -383.38159802126427],
             NF.Spence(NF.Constant(new[] { 1e-9, 0.3, 0.49, 0.51, 1.0, 1.99, 2.01, 50.0, 1e12 })), "spence");
        // Ei(710) is finite (3.2e305) though e^710 overflows.
        Near([-1.4358675656812567e-28, -9.835525290649882e-11, -0.0011482955912753257, -0.04958229052673643, -13.23829589306249,
              -13.238293893062492, 0.4542199048631736, 4.917381131214442, 4.991272307961501, 40.18527535580318, 234955.8524907683,
              6039718263611242.0, 8.971814067954495e+25, 1.0923447258538808e+26, 6.496482508088665e+127, 3.1509156882062014e+305],
             NF.Expint(NF.Constant(new[] { -60.0, -20.0, -5.0, -1.99, -1e-6, 1e-6, 0.5, 1.99, 2.01, 5.0, 15.0, 40.0, 63.9, 64.1, 300.0, 710.0 })),
             "expint", relative: 1e-13);
    }

    [SkippableFact]
    public void TensorFlow_docstring_examples_give_its_float32_values()
    {
        RequireBackend();
        float[] bessel = [0.5f, 1f, 2f, 4f];
        (string Name, float[] X, double[] Want)[] docs =
        [
            ("J0", bessel, [0.93846981, 0.76519769, 0.22389078, -0.39714981]),
            ("J1", bessel, [0.24226846, 0.44005059, 0.57672481, -0.066043328]),
            ("Y0", bessel, [-0.44451873, 0.088256964, 0.51037567, -0.016940739]),
            ("Y1", bessel, [-1.4714724, -0.78121282, -0.10703243, 0.39792571]),
            ("K0", bessel, [0.92441907, 0.42102444, 0.11389387, 0.011159676]),
            ("K1", bessel, [1.6564411, 0.60190723, 0.13986588, 0.012483499]),
            ("K0e", bessel, [1.5241094, 1.1444631, 0.84156822, 0.60929767]),
            ("K1e", bessel, [2.7310097, 1.6361535, 1.0334768, 0.68157595]),
            ("Dawsn", [-1f, -0.5f, 0.5f, 1f], [-0.53807951, -0.42443638, 0.42443638, 0.53807951]),
            ("Expint", [1f, 1.1f, 2.1f, 4.1f], [1.8951178, 2.1673783, 5.3332354, 21.048467]),
            ("FresnelCos", [-1f, -0.1f, 0.1f, 1f], [-0.7798934, -0.099997533, 0.099997533, 0.7798934]),
            ("FresnelSin", [-1f, -0.1f, 0.1f, 1f], [-0.43825915, -0.00052358955, 0.00052358955, 0.43825915]),
            ("Spence", [0.5f, 1f, 2f, 3f], [0.58224053, 0, -0.82246703, -1.4367464]),
        ];
        foreach (var (name, x, want) in docs)
        {
            var y = Named(name)(NF.Constant(x));
            Assert.Equal(DType.Float32, y.DType);
            GammaFamilyTests.Near(want, y.ToArray<float>().Select(v => (double)v).ToArray(), name, 2e-7, 1e-12);
        }
        // Integers give float32, as the other special functions.
        Assert.Equal(DType.Float32, NF.BesselJ0(NF.Constant(new[] { 1, 2 })).DType);
    }

    [SkippableFact]
    public void Edges_are_the_limits_and_the_domains_nan()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 0.0, -0.0, -1.0, Inf, -Inf, NaN });
        Near([1.0, 1.0, 0.7651976865579666, 0.0, 0.0, NaN], NF.BesselJ0(x), "j0 edges", relative: 1e-15);
        Near([0.0, -0.0, -0.44005058574493355, 0.0, -0.0, NaN], NF.BesselJ1(x), "j1 edges", relative: 1e-15);
        Near([-Inf, -Inf, NaN, 0.0, NaN, NaN], NF.BesselY0(x), "y0 edges");
        Near([-Inf, -Inf, NaN, 0.0, NaN, NaN], NF.BesselY1(x), "y1 edges");
        foreach (var k in new[] { NF.BesselK0(x), NF.BesselK1(x), NF.BesselK0e(x), NF.BesselK1e(x) })
            Near([Inf, Inf, NaN, 0.0, NaN, NaN], k, "k edges");
        Near([0.0, -0.0, -0.5380795069127684, 0.0, -0.0, NaN], NF.Dawsn(x), "dawsn edges", relative: 1e-15);
        Near([0.0, -0.0, -0.7798934003768229, 0.5, -0.5, NaN], NF.FresnelCos(x), "fresnel_cos edges", relative: 1e-15);
        Near([0.0, -0.0, -0.43825914739035476, 0.5, -0.5, NaN], NF.FresnelSin(x), "fresnel_sin edges", relative: 1e-15);
        Near([1.6449340668482264, 1.6449340668482264, NaN, -Inf, NaN, NaN], NF.Spence(x), "spence edges", relative: 1e-15);
        Near([-Inf, -Inf, -0.21938393439552029, Inf, -0.0, NaN], NF.Expint(x), "expint edges", relative: 1e-15);
        Near([Inf, 0.0], NF.Expint(NF.Constant(new[] { 717.0, -800.0 })), "expint overflow and underflow");
    }

    [SkippableFact]
    public void Gradients_are_the_functions_derivatives()
    {
        RequireBackend();
        (string Name, double[] X, double[] Want)[] grads =
        [
            ("J0", [0.5, 9.0], [-0.2422684576748739, -0.24531178657332528]),
            ("J1", [0.0, 9.0], [0.5, -0.11759047635769006]),
            ("Y0", [0.5, 9.0], [1.471472392670243, -0.10431457519671589]),
            ("Y1", [0.5, 9.0], [2.4984260518337797, 0.23834618992983403]),
            ("K0", [0.5, 3.0], [-1.656441120003301, -0.040156431128194184]),
            ("K1", [0.5, 3.0], [-4.237301311234267, -0.048124981429010644]),
            ("K0e", [0.5, 3.0], [-1.2069003224378763, -0.10880188208493513]),
            ("K1e", [0.5, 3.0], [-4.255119093985695, -0.16005261129132717]),
            ("Dawsn", [0.5, 5.0], [0.5755636164979777, -0.021340744242768356]),
            ("FresnelCos", [0.5, 3.0], [0.9238795325112867, 0.0]),
            ("FresnelSin", [0.5, 3.0], [0.3826834323650898, 1.0]),
            ("Spence", [0.3, 1.0, 4.0], [-1.7199611490370514, -1.0, -0.4620981203732969]),
            ("Expint", [-3.0, 0.5, 3.0], [-0.01659568945595465, 3.2974425414002564, 6.69517897439589]),
        ];
        foreach (var (name, x, want) in grads)
        {
            var v = new Variable(NF.Constant(x));
            using var tape = new GradientTape();
            var y = NF.ReduceSum(Named(name)(v));
            Near(want, tape.Gradient(y, v), name + "'", relative: 1e-13, absolute: 1e-15);
        }

        // Finite differences through the rules, second derivatives included (each rule is made of these functions).
        GradientTests.Check(t => NF.BesselJ1(t[0] * 4), GradientTests.In([2, 3], 61));
        GradientTests.Check(t => NF.BesselY1(t[0] * 2 + 5), GradientTests.In([2, 3], 62));
        GradientTests.Check(t => NF.BesselK1e(t[0] + 3), GradientTests.In([2, 3], 63));
        GradientTests.Check(t => NF.Dawsn(t[0] * 3) * NF.FresnelSin(t[0]), GradientTests.In([2, 3], 64));
        GradientTests.Check(t => NF.Spence(t[0] + 2.5) + NF.Expint(t[0] * 2), GradientTests.In([2, 3], 65));
        var z = new Variable(NF.Constant(new[] { 0.5, 9.0 }));
        using (var outer = new GradientTape())
        {
            Tensor first;
            using (var inner = new GradientTape()) first = inner.Gradient(NF.ReduceSum(NF.BesselJ0(z)), z);
            // J0'' = -J1' = -(J0 - J1/x).
            Near([-0.4539328918910651, 0.11759047635769006], outer.Gradient(NF.ReduceSum(first), z), "j0''", relative: 1e-12);
        }
    }

    [SkippableFact]
    public void A_compiled_function_gives_the_eager_values()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 0.25, 1.5, 3.0, 9.5, 70.0 });
        Tensor Eager(Tensor t) => NF.BesselJ0(t) + NF.BesselK0e(t) * NF.Expint(-t) + NF.FresnelCos(t) * NF.Spence(t) + NF.Dawsn(t);
        var compiled = NF.Function((Tensor t) => Eager(t));
        var want = Eager(x).ToArray<double>();
        Assert.Equal(want, compiled(x).ToArray<double>());
        Assert.Equal(Eager(x * 2).ToArray<double>(), compiled(x * 2).ToArray<double>());
        Assert.True(TracedFunction.Of(compiled).LastCallReplayed, TracedFunction.Of(compiled).EagerReason);
    }
}

/// <summary>tf.math.special's Bessel functions and integrals, on the managed backend.</summary>
public sealed class ManagedSpecialBesselIntegralsTests() : SpecialBesselIntegralsTests("managed");

/// <summary>tf.math.special's Bessel functions and integrals, on the native CPU backend.</summary>
public sealed class NativeCpuSpecialBesselIntegralsTests() : SpecialBesselIntegralsTests("cpu");

/// <summary>tf.math.special's Bessel functions and integrals, on the CUDA backend.</summary>
public sealed class CudaSpecialBesselIntegralsTests() : SpecialBesselIntegralsTests("cuda");
