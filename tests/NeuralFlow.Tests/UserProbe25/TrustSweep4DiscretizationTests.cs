using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of Discretization: a NaN input took bin 0 (Keras' digitize gives the last
/// bin), NaN in Adapt's data became a NaN boundary (every value then mis-binned), and num_bins = 0
/// failed in Adapt with "Specified argument was out of the range of valid values (Parameter 'length')", before.
/// </summary>
public abstract class TrustSweep4DiscretizationTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void NaN_falls_in_the_last_bin_as_np_digitize_and_Bucketize_put_it()
    {
        RequireBackend();
        var layer = new Layers.Discretization(binBoundaries: [0, 1]);
        float[] x = [float.NaN, 0.5f, -1, 1, 0, float.PositiveInfinity, float.NegativeInfinity];
        // trust_sweep4_references.py: np.digitize and torch.bucketize(right=True) both give [2, 1, 0, 2, 1, 2, 0].
        Assert.Equal(new long[] { 2, 1, 0, 2, 1, 2, 0 }, layer.Call(NF.Constant(x)).ToArray<long>());
        Assert.Equal(new long[] { 2, 1 }, layer.Call(NF.Constant(new[] { double.NaN, 0.5 })).ToArray<long>());
        // Encoded, NaN marks the last slot.
        Assert.Equal(new[] { 0f, 0f, 1f }, new Layers.Discretization(binBoundaries: [0, 1], outputMode: "one_hot").Call(NF.Constant(new[] { float.NaN })).ToArray<float>());
        // Repeated boundaries keep np.digitize's answer ([0, 2, 2, 3] in the reference script).
        Assert.Equal(new long[] { 0, 2, 2, 3 }, new Layers.Discretization(binBoundaries: [1, 1, 2]).Call(NF.Constant(new[] { 0.5f, 1, 1.5f, 2 })).ToArray<long>());
    }

    [SkippableFact]
    public void Adapt_refuses_NaN_data_and_zero_bins_by_name()
    {
        RequireBackend();
        var nan = Assert.Throws<ArgumentException>(() => new Layers.Discretization(numBins: 3, name: "bins").Adapt(NF.Constant(new[] { 1f, float.NaN, 2, 3 })));
        Assert.Equal("data", nan.ParamName);
        Assert.Contains("bins: Adapt's data holds NaN (at 1", nan.Message);
        // Keras takes num_bins = 0 and divides by it in adapt; here Adapt says so.
        var zero = new Layers.Discretization(numBins: 0, name: "none");
        Assert.Contains("none: num_bins is 0", Assert.Throws<InvalidOperationException>(() => zero.Adapt(NF.Constant(new[] { 1f, 2, 3 }))).Message);
        // Infinities are numbers: they adapt.
        var layer = new Layers.Discretization(numBins: 2);
        layer.Adapt(NF.Constant(new[] { float.NegativeInfinity, 1, 2, 3 }));
        Assert.Equal(new[] { 1.0 }, layer.BinBoundaries);
    }
}

/// <summary>The Discretization sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4DiscretizationTests() : TrustSweep4DiscretizationTests("managed");

/// <summary>The Discretization sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4DiscretizationTests() : TrustSweep4DiscretizationTests("cpu");

/// <summary>The Discretization sweep on CUDA.</summary>
public sealed class CudaTrustSweep4DiscretizationTests() : TrustSweep4DiscretizationTests("cuda");
