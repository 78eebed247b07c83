using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of HashedCrossing's calls: <c>layer.Call(new[] { a, b })</c> on two integer
/// tensors went to the host-array overload (C# drops the inherited list overload when one declared on
/// the layer applies, and a Tensor[] is an Array) and failed with "feature 0 holds Tensor", before.
/// </summary>
public abstract class TrustSweep4HashedCrossingTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void An_array_of_tensors_crosses_as_a_list_of_tensors()
    {
        RequireBackend();
        var layer = new Layers.HashedCrossing(17);
        var a = NF.Constant(new[] { 3, 1, 4, 1, 5 });
        var b = NF.Constant(new long[] { 9, 2, 6, 5, 3 });
        // KerasLoose/hashed_crossing_references.py "ints": the bins of (a, b) in 17 bins.
        Assert.Equal([0L, 14, 16, 13, 10], layer.Call(new[] { a, b }).ToArray<long>());
        Assert.Equal([0L, 14, 16, 13, 10], layer.Call(new List<Tensor> { a, b }).ToArray<long>());
        // Its own errors still come through: one feature, or float features.
        Assert.Contains("at least two inputs", Assert.Throws<ArgumentException>(() => layer.Call(new[] { a })).Message);
        Assert.Contains("integer or string dtype", Assert.Throws<ArgumentException>(() => layer.Call(new[] { NF.Cast(a, DType.Float32), b })).Message);
    }
}

/// <summary>The HashedCrossing call sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4HashedCrossingTests() : TrustSweep4HashedCrossingTests("managed");

/// <summary>The HashedCrossing call sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4HashedCrossingTests() : TrustSweep4HashedCrossingTests("cpu");

/// <summary>The HashedCrossing call sweep on CUDA.</summary>
public sealed class CudaTrustSweep4HashedCrossingTests() : TrustSweep4HashedCrossingTests("cuda");
