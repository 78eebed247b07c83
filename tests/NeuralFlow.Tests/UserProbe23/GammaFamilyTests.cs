namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// NF.Lgamma, NF.Digamma, NF.Polygamma and NF.Zeta (tf.math.lgamma / digamma / polygamma / zeta, torch's of the same
/// names), which did not exist, on every backend: values with their poles and infinities and gradients against PyTorch
/// 1.13 in float64 (gamma_references.py), finite differences, float32, and a Poisson negative log-likelihood with its
/// log(y!) term (TF's log_poisson_loss with compute_full_loss needs lgamma) inside a compiled step.
/// </summary>
public abstract class GammaFamilyTests(string backend) : BackendTest(backend)
{
    private const double Inf = double.PositiveInfinity, NaN = double.NaN;
    private static readonly double[] X = [-2.5, -1.0, -0.0, 0.0, 1e-8, 0.5, 1.0, 1.4616321449683622, 2.0, 3.7, 8.0, 30.0, 1e10, Inf, -Inf, NaN];

    [SkippableFact]
    public void Lgamma_and_digamma_match_pytorch_with_their_poles()
    {
        RequireBackend();
        double[] lgamma = [-0.05624371649767405, Inf, Inf, Inf, 18.42068073818021, 0.5723649429247001, 0.0, -0.12148629053584961, 0.0,
                           1.428072326665388, 8.525161361065415, 71.25703896716801, 220258509288.81058, Inf, Inf, NaN];
        double[] digamma = [1.1031566406452433, NaN, Inf, -Inf, -100000000.57721564, -1.9635100260214229, -0.5772156649015328,
                            -4.069010753338098e-16, 0.422784335098467, 1.1671535393615111, 2.0156414779556098, 3.384438132685525,
                            23.025850929890456, Inf, NaN, NaN];
        var x = NF.Constant(X);
        Near(lgamma, NF.Lgamma(x).ToArray<double>(), "lgamma");
        Near(digamma, NF.Digamma(x).ToArray<double>(), "digamma", absolute: 1e-15);
        Assert.Equal(DType.Float64, NF.Lgamma(x).DType);
    }

    [SkippableFact]
    public void Polygamma_and_zeta_match_pytorch_and_take_the_limits_it_misses()
    {
        RequireBackend();
        // PyTorch 1.13's own trigamma is good to about 3e-10 only (4.934802202073678 at 0.5, where π²/2 = 4.934802200544679),
        // gives 6.58e32 at the pole -1 and NaN for polygamma(3, +inf), whose limit is 0: the trigamma values are its
        // Cephes zeta(2, x) (the reflection at -2.5), the poles +inf and the limits 0, as TensorFlow's Cephes gives them.
        double[] trigamma = [9.539246644989124, Inf, Inf, Inf, 1e+16, 4.93480220054468, 1.6449340668482266,
                             0.9676722454476214, 0.6449340668482266, 0.31003785767003833, 0.13313701469403144, 0.033895060357739946,
                             1.00000000005e-10, 0.0, Inf, NaN];
        double[] polygamma3 = [194.74787621918756, Inf, Inf, Inf, 5.999999999999999e+32, 97.40909103400242, 6.493939402266829,
                               1.5509985657339072, 0.4939394022668293, 0.05827921795656364, 0.004699239795945102, 7.786003664736127e-05,
                               2.0000000003000003e-30, 0.0, Inf, NaN];
        var x = NF.Constant(X);
        Near(trigamma, NF.Polygamma(1, x).ToArray<double>(), "trigamma");
        Near(polygamma3, NF.Polygamma(3, x).ToArray<double>(), "polygamma(3)");
        Near(NF.Digamma(x).ToArray<double>(), NF.Polygamma(0, x).ToArray<double>(), "polygamma(0)");
        // TF's rule for the order: a whole number; otherwise NaN.
        Near([NaN, NaN, 1.6449340668482266], NF.Polygamma(NF.Constant(new[] { -1.0, 1.5, 1.0 }), NF.Constant(new[] { 1.0, 1.0, 1.0 })).ToArray<double>(), "orders");

        double[] zeta = [1.6449340668482266, 0.11810202582086368, 34.052975515075595, Inf, NaN, Inf, 9.539246644989124,
                         5.0502499916675004e-05, 9.726988504392654];
        var s = NF.Constant(new[] { 2.0, 3.0, 1.5, 1.0, 0.5, 4.0, 2.0, 3.0, 2.0 });
        var q = NF.Constant(new[] { 1.0, 2.5, 0.1, 1.0, 1.0, -2.0, -2.5, 100.0, -6.5 });
        Near(zeta, NF.Zeta(s, q).ToArray<double>(), "zeta");
    }

    [SkippableFact]
    public void Gradients_match_pytorch_and_finite_differences()
    {
        RequireBackend();
        var x = new Variable(NF.Constant(new[] { -2.5, -0.3, 0.2, 1.0, 3.7, 12.0 }));
        using (var tape = new GradientTape(persistent: true))
        {
            var weighted = NF.ReduceSum(NF.Lgamma(x) * NF.Range(1.0, 7.0, dtype: DType.Float64));
            var di = NF.ReduceSum(NF.Digamma(x));
            Near([1.1031566406452433, 4.226619559270797, -15.867119689776564, -2.308862659606131, 5.835767696807555, 14.655970079854875],
                 tape.Gradient(weighted, x).ToArray<double>(), "lgamma'");
            Near([9.539246644989124, 13.94516026780572, 26.26737720542378, 1.6449340668482266, 0.31003785767003833, 0.0869018728717684],
                 tape.Gradient(di, x).ToArray<double>(), "digamma'");
        }
        var h = new Variable(NF.Constant(new[] { 0.2, 1.0, 3.7, 12.0 }));
        using (var tape = new GradientTape())
        {
            var p2 = NF.Polygamma(2, h);
            Near([-251.4780361144359, -2.404113806319188, -0.09539530872855405, -0.007547205368998914], p2.ToArray<double>(), "polygamma(2)");
            Near([3753.2449948647254, 6.493939402266829, 0.05827921795656364, 0.001310093231070826], tape.Gradient(NF.ReduceSum(p2), h).ToArray<double>(), "polygamma(2)'");
        }
        GradientTests.Check(t => NF.Lgamma(t[0] + 3), GradientTests.In([2, 3], 31));
        GradientTests.Check(t => NF.Lgamma(t[0] * 0.3 - 1.5), GradientTests.In([2, 3], 32, -0.4, 0.4));
        GradientTests.Check(t => NF.Digamma(t[0] + 2.5), GradientTests.In([2, 3], 33));
        GradientTests.Check(t => NF.Polygamma(1, t[0] + 3), GradientTests.In([4], 34));
        GradientTests.Check(t => NF.Zeta(3.0, t[0] + 3), GradientTests.In([4], 35));
        // Second order: lgamma'' = trigamma.
        var y = new Variable(NF.Constant(new[] { 0.7, 2.2 }));
        using var outer = new GradientTape();
        Tensor first;
        using (var inner = new GradientTape()) first = inner.Gradient(NF.ReduceSum(NF.Lgamma(y)), y);
        Near(NF.Polygamma(1, y).ToArray<double>(), outer.Gradient(NF.ReduceSum(first), y).ToArray<double>(), "lgamma''");
    }

    [SkippableFact]
    public void Keeps_float32_and_runs_in_a_compiled_poisson_loss()
    {
        RequireBackend();
        var f = NF.Constant(new[] { 0.5f, 2f, 7.25f });
        Assert.Equal(DType.Float32, NF.Lgamma(f).DType);
        Near([0.5723649263381958, 0.0, 7.052185535430908], NF.Lgamma(f).ToArray<float>().Select(v => (double)v).ToArray(), "lgamma float32", relative: 1e-6, absolute: 1e-7);
        Near([-1.9635108709335327, 0.4227842092514038, 1.9104535579681396], NF.Digamma(f).ToArray<float>().Select(v => (double)v).ToArray(), "digamma float32", relative: 1e-6);
        Assert.Equal(DType.Float32, NF.Lgamma(NF.Constant(new[] { 3 })).DType);

        // Poisson NLL with the log(y!) term: rate - y log(rate) + lgamma(y + 1), traced and replayed as it runs eagerly.
        var logRate = new Variable(NF.Constant(new[] { 0.1f, 1.2f, -0.5f }));
        var counts = NF.Constant(new[] { 0f, 3f, 1f });
        Tensor Loss(Tensor y)
        {
            using var tape = new GradientTape();
            var nll = NF.ReduceSum(NF.Exp(logRate) - y * logRate + NF.Lgamma(y + 1));
            return NF.Concat([NF.Reshape(nll, [1]), tape.Gradient(nll, logRate)], 0);
        }
        var eager = Loss(counts).ToArray<float>();
        var step = NF.Function((Tensor y) => Loss(y));
        step(counts);
        Assert.Equal(eager, step(counts).ToArray<float>());
        // Replayed, not run eagerly again (an eager fallback would make the comparison above trivially equal).
        Assert.True(TracedFunction.Of(step).LastCallReplayed, TracedFunction.Of(step).EagerReason);
        double want = new[] { (0.1, 0.0), (1.2, 3.0), (-0.5, 1.0) }.Sum(p => Math.Exp(p.Item1) - p.Item2 * p.Item1) + Math.Log(6);
        Assert.Equal(want, eager[0], 5);
    }

    internal static void Near(double[] want, double[] got, string what, double relative = 1e-13, double absolute = 1e-300)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
        {
            if (double.IsNaN(want[i])) Assert.True(double.IsNaN(got[i]), $"{what}[{i}]: {got[i]:R}, want NaN");
            else if (double.IsInfinity(want[i])) Assert.True(want[i] == got[i], $"{what}[{i}]: {got[i]:R}, want {want[i]}");
            else Assert.True(Math.Abs(got[i] - want[i]) <= relative * Math.Abs(want[i]) + absolute, $"{what}[{i}]: {got[i]:R}, want {want[i]:R}");
        }
    }
}

/// <summary>The gamma family on the managed backend.</summary>
public sealed class ManagedGammaFamilyTests() : GammaFamilyTests("managed");

/// <summary>The gamma family on the native CPU backend.</summary>
public sealed class NativeCpuGammaFamilyTests() : GammaFamilyTests("cpu");

/// <summary>The gamma family on CUDA.</summary>
public sealed class CudaGammaFamilyTests() : GammaFamilyTests("cuda");
