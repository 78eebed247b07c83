namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// Exponentials that land in float's subnormal range. PyTorch 1.13 (torch.exp) and NumPy give
/// exp(-100) = 3.78e-44, as the managed engine did; the native CPU engine flushed every exp below
/// 1.2e-38 to 0 (and gave exp(88.376) for every x up to 88.72), so the two engines disagreed.
/// </summary>
public abstract class SubnormalExpTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Exp_gives_the_subnormal_floats_and_the_top_of_the_range()
    {
        RequireBackend();
        float[] x = [-100f, -88f, -87.5f, -103f, -105f, 88.5f, 88.7f, 88.8f];
        var got = NF.Exp(NF.Constant(x)).ToArray<float>();
        // (float)exp((double)x): torch.exp gives the same floats for these.
        float[] want = [3.783506e-44f, 6.0546015e-39f, 9.982e-39f, 1.401298e-45f, 0f, 2.7230914e38f, 3.3259764e38f, float.PositiveInfinity];
        for (int i = 0; i < x.Length; i++)
        {
            float w = (float)Math.Exp(x[i]);
            Assert.True(w == got[i] || BitDistance(w, got[i]) <= 1, $"exp({x[i]}) = {got[i]:R}, want {w:R}");
            Assert.True(want[i] == 0 || float.IsInfinity(want[i]) ? want[i] == got[i] : Math.Abs(got[i] / want[i] - 1) < 1e-3,
                $"exp({x[i]}) = {got[i]:R}, PyTorch {want[i]:R}");
        }
    }

    [SkippableFact]
    public void Log_of_sigmoid_of_a_confident_wrong_logit_is_finite()
    {
        RequireBackend();
        var z = NF.Constant(new[] { -90f, -95f, -100f });
        var logSig = NF.Log(NF.Sigmoid(z)).ToArray<float>();
        // The value is z itself to float precision (log(1 + e^z) ~ e^z, far below z's ulp); the
        // subnormal sigmoid holds fewer bits, so allow a relative 1e-2. (PyTorch's float sigmoid
        // flushes to 0 here, giving -inf; the managed engine always gave the finite value, and the
        // native one now agrees with it.)
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(logSig[i] / (double)z.ToArray<float>()[i] - 1) < 1e-2, $"log(sigmoid({z.ToArray<float>()[i]})) = {logSig[i]}");
    }

    private static long BitDistance(float a, float b) =>
        Math.Abs((long)BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b));
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedSubnormalExpTests() : SubnormalExpTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuSubnormalExpTests() : SubnormalExpTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaSubnormalExpTests() : SubnormalExpTests("cuda");
