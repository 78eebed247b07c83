using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of Normalization: axis [1, -1] on a rank-2 input failed in a Reshape that
/// named neither the layer nor the axis, and a mean of 1 value with a variance of 3 was taken (Keras
/// refuses mean and variance of different shapes), before.
/// </summary>
public abstract class TrustSweep4NormalizationTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void An_axis_named_twice_after_counting_from_the_end_is_refused_by_name()
    {
        RequireBackend();
        var layer = new Layers.Normalization(axis: [1, -1], name: "twice");
        var e = Assert.Throws<ArgumentException>(() => layer.Call(NF.Zeros(new Shape(2, 3))));
        Assert.Equal("axis", e.ParamName);
        Assert.Contains("twice: axis [1, -1] names an axis twice for inputs of shape (2, 3)", e.Message);
        // On a rank-3 input the same axes are two different ones.
        var fine = new Layers.Normalization(axis: [1, -1]);
        fine.Adapt(NF.Reshape(NF.Range(0f, 12f), [2, 2, 3]));
        Assert.Equal(new Shape(2, 3), fine.Mean!.Shape);
    }

    [SkippableFact]
    public void Mean_and_variance_of_different_shapes_are_refused_as_in_Keras()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Layers.Normalization(mean: [1], variance: [1, 2, 3]));
        Assert.Equal("variance", e.ParamName);
        Assert.Contains("mean and variance must have the same shape, got 1 and 3 values", e.Message);
        // One value each still broadcasts to every feature.
        var one = new Layers.Normalization(mean: [1], variance: [4]);
        Assert.Equal(new[] { 0f, 1f, 2f }, one.Call(NF.Constant(new[] { 1f, 3, 5 })).ToArray<float>());
        // A layer adapted on a column of rank 1 names its shape as Python writes a 1-tuple.
        var column = new Layers.Normalization();
        column.Adapt(NF.Constant(new[] { 1f, 2, 3 }));
        Assert.Contains("built for inputs of shape (3,)", Assert.Throws<ArgumentException>(() => column.Call(NF.Zeros(new Shape(3, 1)))).Message);
    }
}

/// <summary>The Normalization sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4NormalizationTests() : TrustSweep4NormalizationTests("managed");

/// <summary>The Normalization sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4NormalizationTests() : TrustSweep4NormalizationTests("cpu");

/// <summary>The Normalization sweep on CUDA.</summary>
public sealed class CudaTrustSweep4NormalizationTests() : TrustSweep4NormalizationTests("cuda");
