namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// NF.Erfc (tf.math.erfc, torch.special.erfc), the complementary error function, on every backend: its own kernel in
/// each engine, so the right tail keeps its digits where 1 - NF.Erf is 0 (x &gt;= 6 in float64) or has lost most of
/// them (erfc(5) from 1 - erf is off in the fifth digit). Values and gradient -2/√π e^(-x²) against PyTorch 1.13
/// (erfc_references.py), finite differences in float64, float32, and the op inside a compiled step.
/// </summary>
public abstract class ErfcTests(string backend) : BackendTest(backend)
{
    private static readonly double[] X = [-3.0, -0.5, 0.0, 0.3, 1.4, 1.6, 3.0, 5.0, 10.0, 26.0, double.PositiveInfinity, double.NegativeInfinity];

    [SkippableFact]
    public void Matches_pytorch_in_float64_into_the_far_tail()
    {
        RequireBackend();
        double[] want = [1.9999779095030015, 1.5204998778130465, 1.0, 0.6713732405408726, 0.0477148802373512, 0.023651616655355985,
                         2.209049699858544e-05, 1.537459794428035e-12, 2.088487583762545e-45, 5.663192408856143e-296, 0.0, 2.0];
        var got = NF.Erfc(NF.Constant(X)).ToArray<double>();
        for (int i = 0; i < X.Length; i++)
            Assert.True(Math.Abs(got[i] - want[i]) <= 4e-15 * want[i], $"erfc({X[i]}) = {got[i]:R}, want {want[i]:R}");
        Assert.True(double.IsNaN(NF.Erfc(NF.Constant(new[] { double.NaN })).ToArray<double>()[0]));
        // What the op is for: 1 - erf has no digits left there.
        Assert.Equal(0.0, (1 - NF.Erf(NF.Constant(new[] { 10.0 }))).ToArray<double>()[0]);
    }

    [SkippableFact]
    public void Gradient_matches_pytorch_and_finite_differences()
    {
        RequireBackend();
        double[] wantGrad = [-0.00013925305194674786, -0.8787825789354448, -1.1283791670955126, -1.031260909618963, -0.15894170767727792,
                             -0.08722905863394531, -0.00013925305194674786, -1.5670866531017336e-11, -4.197656231354417e-44];
        var x = new Variable(NF.Constant(X[..9]));
        using var tape = new GradientTape();
        var grad = tape.Gradient(NF.ReduceSum(NF.Erfc(x)), x).ToArray<double>();
        for (int i = 0; i < wantGrad.Length; i++)
            Assert.True(Math.Abs(grad[i] - wantGrad[i]) <= 1e-14 * Math.Abs(wantGrad[i]), $"erfc'({X[i]}) = {grad[i]:R}, want {wantGrad[i]:R}");
        GradientTests.Check(t => NF.Erfc(t[0] * 1.5), GradientTests.In([2, 5], 21));
        GradientTests.Check(t => NF.Erfc(NF.Transpose(t[0], [1, 0])) * t[1], GradientTests.In([3, 4], 22), GradientTests.In([4, 3], 23));
    }

    [SkippableFact]
    public void Keeps_float32_and_its_tail()
    {
        RequireBackend();
        float[] want = [1.999977946281433f, 1.5204999446868896f, 1.0f, 0.6713732481002808f, 0.04771488532423973f, 0.023651614785194397f,
                        2.2090496713644825e-05f, 1.5374598295869735e-12f];
        var y = NF.Erfc(NF.Constant(X[..8].Select(v => (float)v).ToArray()));
        Assert.Equal(DType.Float32, y.DType);
        var got = y.ToArray<float>();
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(got[i] - want[i]) <= 2e-7 * want[i], $"erfc({X[i]}) = {got[i]:R}, want {want[i]:R}");
        // erfc(10) = 2.1e-45 is a float32 subnormal: one or two of its smallest steps, never 0 (1 - erf is 0 from x = 4).
        float tail = NF.Erfc(NF.Constant(new[] { 10f })).ToArray<float>()[0];
        Assert.True(tail > 0 && (double)tail < 3e-45, $"erfc(10f) = {tail:R}");
        Assert.Equal(0f, NF.Erfc(NF.Constant(new[] { 11f })).ToArray<float>()[0]);
    }

    [SkippableFact]
    public void Runs_in_a_compiled_step_as_it_runs_eagerly()
    {
        RequireBackend();
        // A Gaussian tail probability: P(Z > z) = erfc(z / √2) / 2, with its gradient, traced and replayed.
        var z = new Variable(NF.Constant(new[] { 0.5f, 2f, 4f, -1f }));
        Tensor Step(Tensor scale)
        {
            using var tape = new GradientTape();
            var p = NF.ReduceSum(NF.Erfc(z * scale) * 0.5f);
            return tape.Gradient(p, z) + p;
        }
        var eager = Step(NF.Constant(0.70710677f)).ToArray<float>();
        var step = NF.Function((Tensor s) => Step(s));
        step(NF.Constant(0.70710677f));
        Assert.Equal(eager, step(NF.Constant(0.70710677f)).ToArray<float>());
        // Replayed, not run eagerly again (an eager fallback would make the comparison above trivially equal).
        Assert.True(TracedFunction.Of(step).LastCallReplayed, TracedFunction.Of(step).EagerReason);
    }
}

/// <summary>Erfc on the managed backend.</summary>
public sealed class ManagedErfcTests() : ErfcTests("managed");

/// <summary>Erfc on the native CPU backend.</summary>
public sealed class NativeCpuErfcTests() : ErfcTests("cpu");

/// <summary>Erfc on CUDA.</summary>
public sealed class CudaErfcTests() : ErfcTests("cuda");
