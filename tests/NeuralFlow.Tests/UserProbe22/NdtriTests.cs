namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// NF.Ndtri (tf.math.ndtri, torch.special.ndtri): the inverse of the standard normal CDF in float64 and float32, its
/// edges (-inf at 0, +inf at 1, NaN outside [0, 1]) and its gradient 1 / φ(x), against PyTorch 1.13
/// (ndtri_references.py). It did not exist before; the CVAE tutorial probe spelled it sqrt(2) · erfinv(2p - 1), which
/// is -inf for p = 1e-20.
/// </summary>
public abstract class NdtriTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Matches_pytorch_in_float64_with_its_edges_and_gradient()
    {
        RequireBackend();
        double[] p = [1e-300, 1e-20, 1e-10, 0.001, 0.025, 0.1, 0.135, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-12, 0, 1, -0.5, 1.5, double.NaN];
        double[] want = [-37.0470962993612, -9.262340089798409, -6.361340902404056, -3.090232306167813, -1.9599639845400545,
                         -1.2815515655446004, -1.1030625561995973, -0.5244005127080409, 0.0, 0.5244005127080407, 1.959963984540054,
                         3.090232306167813, 7.0344869100478356, double.NegativeInfinity, double.PositiveInfinity, double.NaN, double.NaN, double.NaN];
        double[] wantGrad = [2.6973044650428873e+298, 1.0674725333014075e+19, 1535723698.1963818, 296.9923515892307, 17.110083080332725,
                             5.698059856117003, 4.605779991608571, 2.876103659264292, 2.5066282746310002, 2.876103659264292, 17.110083080332707,
                             296.9923515892307, 139445764410.29645, double.PositiveInfinity, double.PositiveInfinity, double.NaN, double.NaN, double.NaN];
        var x = new Variable(NF.Constant(p));
        double[] got, grad;
        using (var tape = new GradientTape())
        {
            var y = NF.Ndtri(x);
            Assert.Equal(DType.Float64, y.DType);
            got = y.ToArray<double>();
            grad = tape.Gradient(NF.ReduceSum(y), x).ToArray<double>();
        }
        for (int i = 0; i < p.Length; i++)
        {
            AssertClose(want[i], got[i], 1e-14, $"ndtri({p[i]})");
            AssertClose(wantGrad[i], grad[i], 1e-12, $"ndtri'({p[i]})");
        }
    }

    [SkippableFact]
    public void Keeps_float32_and_matches_pytorch_there()
    {
        RequireBackend();
        float[] p = [1e-30f, 1e-6f, 0.05f, 0.2f, 0.5f, 0.8f, 0.95f, 0.999999f];
        float[] want = [-11.46402359008789f, -4.753424167633057f, -1.6448535919189453f, -0.8416212201118469f, 0f,
                        0.8416212201118469f, 1.6448535919189453f, 4.750757694244385f];
        // d/dp of sum(ndtri(p) * [1..8])
        float[] wantGrad = [8.657947041814751e+28f, 404176.25f, 29.087905883789062f, 14.287656784057617f, 12.533141136169434f,
                            21.431486129760742f, 67.87178039550781f, 1596348.25f];
        var x = new Variable(NF.Constant(p));
        using var tape = new GradientTape();
        var y = NF.Ndtri(x);
        Assert.Equal(DType.Float32, y.DType);
        var grad = tape.Gradient(NF.ReduceSum(y * NF.Range(1f, 9f)), x);
        Assert.Equal(DType.Float32, grad.DType);
        for (int i = 0; i < p.Length; i++)
        {
            AssertClose(want[i], y.ToArray<float>()[i], 1e-6, $"ndtri({p[i]})");
            AssertClose(wantGrad[i], grad.ToArray<float>()[i], 1e-5, $"ndtri'({p[i]})");
        }
        // Integers give float32 (0 and 1 are the edges); the quantile undoes the CDF.
        Assert.Equal(new[] { float.NegativeInfinity, float.PositiveInfinity }, NF.Ndtri(NF.Constant(new[] { 0, 1 })).ToArray<float>());
        var z = NF.Constant(new[] { -3.0, -0.4, 0.0, 1.7 });
        var cdf = 0.5 * (1 + NF.Erf(z / Math.Sqrt(2)));
        Assert.Equal(z.ToArray<double>(), NF.Ndtri(cdf).ToArray<double>(), (a, b) => Math.Abs(a - b) < 1e-9);
    }

    private static void AssertClose(double want, double got, double relative, string what)
    {
        if (double.IsNaN(want)) Assert.True(double.IsNaN(got), $"{what}: {got}, want NaN");
        else if (double.IsInfinity(want)) Assert.True(want == got, $"{what}: {got}, want {want}");
        else Assert.True(Math.Abs(got - want) <= relative * Math.Abs(want) + 1e-300, $"{what}: {got:R}, want {want:R}");
    }
}

/// <summary>Ndtri on the managed backend.</summary>
public sealed class ManagedNdtriTests() : NdtriTests("managed");

/// <summary>Ndtri on the native CPU backend.</summary>
public sealed class NativeCpuNdtriTests() : NdtriTests("cpu");

/// <summary>Ndtri on CUDA.</summary>
public sealed class CudaNdtriTests() : NdtriTests("cuda");
