using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>The same program gives the same numbers on every backend.</summary>
public class CrossBackendTests
{
    private static IEnumerable<IBackend> Backends => BackendRegistry.Available;

    private static float[] On(IBackend backend, Func<Tensor> make)
    {
        using var scope = NF.UseBackend(backend);
        using var t = make();
        return t.ToArray<float>();
    }

    [SkippableFact]
    public void Random_numbers_are_identical_on_every_backend()
    {
        Skip.If(BackendRegistry.NativeCpu is null, "only the managed backend is available");
        float[]? uniform = null, normal = null;
        foreach (var backend in Backends)
        {
            var u = On(backend, () => { NF.Random.SetSeed(42); return NF.Random.Uniform([1001]); });
            var n = On(backend, () => { NF.Random.SetSeed(42); NF.Random.Uniform([3]); return NF.Random.Normal([1001]); });
            if (uniform is null) { uniform = u; normal = n; continue; }
            Assert.Equal(uniform, u);
            Assert.Equal(normal!, n);
        }
    }

    [Fact]
    public void Philox_matches_the_documented_reference_values()
    {
        // First values of seed 42, offset 0, from the formula in neuralflow.h (computed by the C++ engine).
        foreach (var backend in Backends)
        {
            using var scope = NF.UseBackend(backend);
            NF.Random.SetSeed(42);
            using var u = NF.Random.Uniform([4]);
            Assert.Equal(PhiloxReference.Uniform42, u.ToArray<float>());
            NF.Random.SetSeed(42);
            using var n = NF.Random.Normal([4]);
            Assert.Equal(PhiloxReference.Normal42, n.ToArray<float>());
        }
    }

    [SkippableFact]
    public void A_small_forward_pass_agrees_across_backends()
    {
        Skip.If(BackendRegistry.NativeCpu is null, "only the managed backend is available");
        float[]? first = null;
        foreach (var backend in Backends)
        {
            var r = On(backend, () =>
            {
                NF.Random.SetSeed(7);
                using var x = NF.Random.Normal([64, 784]);
                using var w = NF.Random.Normal([784, 50], stddev: 0.05);
                using var h = NF.Relu(NF.MatMul(x, w) + NF.Random.Normal([50]));
                return NF.Softmax(NF.MatMul(h, NF.Random.Normal([50, 10], stddev: 0.1)));
            });
            if (first is null) { first = r; continue; }
            Reference.AssertClose(first.Select(v => (double)v).ToArray(), r.Select(v => (double)v).ToArray(), 1e-4, 1e-6);
        }
    }
}
