using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's reshaping layers (keras/src/layers/reshaping/*.py) on every
/// engine, with their published values and shapes. Most feed <c>np.arange(...)</c>, an int64
/// array, which Keras keeps integral (its layers cast float inputs only).
/// </summary>
public abstract class ReshapingDocstringTests(string backend) : BackendTest(backend)
{
    /// <summary>np.arange(prod(shape)).reshape(shape): int64.</summary>
    private static Tensor Arange(params int[] shape) =>
        NF.Reshape(NF.Range(0L, shape.Aggregate(1L, (a, b) => a * b)), shape);

    private static void Published(double[] expected, int[] shape, Tensor y, string what)
    {
        Assert.Equal(new Shape(shape), y.Shape);
        Assert.Equal(DType.Int64, y.DType);
        AssertValues(expected, Doubles(y), 0, 0, what);
    }

    [SkippableFact]
    public void Cropping_examples_give_the_published_values_and_shapes()
    {
        RequireBackend();
        // cropping1d.py: Cropping1D(cropping=1) on arange(12).reshape(2, 3, 2) gives [[[2 3]] [[8 9]]].
        Published([2, 3, 8, 9], [2, 1, 2], new Layers.Cropping1D(cropping: 1).Call(Arange(2, 3, 2)), "Cropping1D");
        // cropping2d.py / cropping3d.py: shapes only.
        Assert.Equal(new Shape(2, 24, 20, 3), new Layers.Cropping2D(((2, 2), (4, 4))).Call(Arange(2, 28, 28, 3)).Shape);
        Assert.Equal(new Shape(2, 24, 20, 6, 3), new Layers.Cropping3D((2, 4, 2)).Call(Arange(2, 28, 28, 10, 3)).Shape);
    }

    [SkippableFact]
    public void Symbolic_reshapes_give_the_published_shapes()
    {
        RequireBackend();
        var sequence = Layers.Input([10, 64]);
        Assert.Equal(new int?[] { null, 640 }, new Layers.Flatten().Call(sequence).Shape);
        Assert.Equal(new int?[] { null, 64, 10 }, new Layers.Permute([2, 1]).Call(sequence).Shape);
        Assert.Equal(new int?[] { null, 3, 32 }, new Layers.RepeatVector(3).Call(Layers.Input([32])).Shape);
        var flat = Layers.Input([12]);
        Assert.Equal(new int?[] { null, 3, 4 }, new Layers.Reshape([3, 4]).Call(flat).Shape);
        // "another example with shape inference using -1 as dimension".
        Assert.Equal(new int?[] { null, 3, 2, 2 }, new Layers.Reshape([-1, 2, 2]).Call(flat).Shape);
    }

    [SkippableFact]
    public void UpSampling_examples_give_the_published_values()
    {
        RequireBackend();
        // up_sampling1d.py: UpSampling1D(size=2) on arange(12).reshape(2, 2, 3) repeats every step.
        Published([0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8, 6, 7, 8, 9, 10, 11, 9, 10, 11], [2, 4, 3],
            new Layers.UpSampling1D(size: 2).Call(Arange(2, 2, 3)), "UpSampling1D");
        // up_sampling2d.py: UpSampling2D(size=(1, 2)) on arange(12).reshape(2, 2, 1, 3) doubles the width.
        Published([0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8, 6, 7, 8, 9, 10, 11, 9, 10, 11], [2, 2, 2, 3],
            new Layers.UpSampling2D([1, 2]).Call(Arange(2, 2, 1, 3)), "UpSampling2D");
        // up_sampling3d.py: UpSampling3D(size=(2, 2, 2)) on ones(2, 1, 2, 1, 3) (float64: Keras computes float32).
        var y = new Layers.UpSampling3D([2, 2, 2]).Call(NF.Ones([2, 1, 2, 1, 3], DType.Float64));
        Assert.Equal(new Shape(2, 2, 4, 2, 3), y.Shape);
        Assert.All(Doubles(y), v => Assert.Equal(1.0, v));
    }

    [SkippableFact]
    public void ZeroPadding_examples_give_the_published_values()
    {
        RequireBackend();
        // zero_padding1d.py: ZeroPadding1D(padding=2) on arange(12).reshape(2, 2, 3).
        double[] zeros = [0, 0, 0, 0, 0, 0];
        Published([.. zeros, 0, 1, 2, 3, 4, 5, .. zeros, .. zeros, 6, 7, 8, 9, 10, 11, .. zeros], [2, 6, 3],
            new Layers.ZeroPadding1D(padding: 2).Call(Arange(2, 2, 3)), "ZeroPadding1D");
        // zero_padding2d.py: ZeroPadding2D(padding=1) on arange(4).reshape(1, 1, 2, 2).
        Published([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 3, 4, 2],
            new Layers.ZeroPadding2D(padding: 1).Call(Arange(1, 1, 2, 2)), "ZeroPadding2D");
        // zero_padding3d.py: ZeroPadding3D(padding=2) on arange(12).reshape(1, 1, 2, 2, 3): a shape.
        Assert.Equal(new Shape(1, 5, 6, 6, 3), new Layers.ZeroPadding3D(padding: 2).Call(Arange(1, 1, 2, 2, 3)).Shape);
    }
}

public sealed class ManagedReshapingDocstringTests() : ReshapingDocstringTests("managed");

public sealed class NativeCpuReshapingDocstringTests() : ReshapingDocstringTests("cpu");

public sealed class CudaReshapingDocstringTests() : ReshapingDocstringTests("cuda");
