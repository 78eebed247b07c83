using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's pooling layers (keras/src/layers/pooling/*.py) on every
/// engine. The 1-D and 2-D examples print no values in Keras 3; those here are the examples'
/// inputs through TF's pooling rules (make_sweep_layers_reference.py), which are also the values
/// the Keras 2 docstrings printed. The 3-D and global examples publish shapes.
/// </summary>
public abstract class PoolingDocstringTests(string backend) : BackendTest(backend)
{
    private static Tensor Sequence() => NF.Constant(new double[] { 1, 2, 3, 4, 5 }, [1, 5, 1]);

    private static Tensor Image(int height, int width) =>
        NF.Reshape(NF.Range(1.0, height * width + 1.0, dtype: DType.Float64), [1, height, width, 1]);

    private static void Pooled(double[] expected, int[] shape, Tensor y, string what)
    {
        Assert.Equal(new Shape(shape), y.Shape);
        AssertValues(expected, Doubles(y), 1e-6, 0, what);
    }

    [SkippableFact]
    public void Pooling1D_examples_give_tf_values()
    {
        RequireBackend();
        Pooled([1.5, 2.5, 3.5, 4.5], [1, 4, 1], new Layers.AveragePooling1D(2, strides: 1, padding: "valid").Call(Sequence()), "avg s1 valid");
        Pooled([1.5, 3.5], [1, 2, 1], new Layers.AveragePooling1D(2, strides: 2, padding: "valid").Call(Sequence()), "avg s2 valid");
        // "same" pads one step at the end, which the average does not count.
        Pooled([1.5, 2.5, 3.5, 4.5, 5], [1, 5, 1], new Layers.AveragePooling1D(2, strides: 1, padding: "same").Call(Sequence()), "avg s1 same");
        Pooled([2, 3, 4, 5], [1, 4, 1], new Layers.MaxPooling1D(2, strides: 1, padding: "valid").Call(Sequence()), "max s1 valid");
        Pooled([2, 4], [1, 2, 1], new Layers.MaxPooling1D(2, strides: 2, padding: "valid").Call(Sequence()), "max s2 valid");
        Pooled([2, 3, 4, 5, 5], [1, 5, 1], new Layers.MaxPooling1D(2, strides: 1, padding: "same").Call(Sequence()), "max s1 same");
    }

    [SkippableFact]
    public void Pooling2D_examples_give_tf_values()
    {
        RequireBackend();
        Pooled([3, 4, 6, 7], [1, 2, 2, 1], new Layers.AveragePooling2D([2, 2], [1, 1], "valid").Call(Image(3, 3)), "avg s1 valid");
        Pooled([3.5, 5.5], [1, 1, 2, 1], new Layers.AveragePooling2D([2, 2], [2, 2], "valid").Call(Image(3, 4)), "avg s2 valid");
        Pooled([3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9], [1, 3, 3, 1], new Layers.AveragePooling2D([2, 2], [1, 1], "same").Call(Image(3, 3)), "avg s1 same");
        Pooled([5, 6, 8, 9], [1, 2, 2, 1], new Layers.MaxPooling2D([2, 2], [1, 1], "valid").Call(Image(3, 3)), "max s1 valid");
        Pooled([6, 8], [1, 1, 2, 1], new Layers.MaxPooling2D([2, 2], [2, 2], "valid").Call(Image(3, 4)), "max s2 valid");
        Pooled([5, 6, 6, 8, 9, 9, 8, 9, 9], [1, 3, 3, 1], new Layers.MaxPooling2D([2, 2], [1, 1], "same").Call(Image(3, 3)), "max s1 same");
    }

    [SkippableFact]
    public void Pooling3D_and_global_pooling_give_the_published_shapes()
    {
        RequireBackend();
        // average_pooling3d.py / max_pooling3d.py: Input(shape=(30, 30, 30, 3)), pool_size=3 -> (batch, 10, 10, 10, 3).
        var volume = Layers.Input([30, 30, 30, 3]);
        Assert.Equal(new int?[] { null, 10, 10, 10, 3 }, new Layers.AveragePooling3D(poolSize: 3).Call(volume).Shape);
        Assert.Equal(new int?[] { null, 10, 10, 10, 3 }, new Layers.MaxPooling3D(poolSize: 3).Call(volume).Shape);

        // global_*_pooling{1,2,3}d.py: rand inputs of (2, 3, 4), (2, 4, 5, 3), (2, 4, 5, 4, 3).
        NF.Random.SetSeed(5);
        var x1 = NF.Random.Uniform([2, 3, 4], dtype: DType.Float64);
        var x2 = NF.Random.Uniform([2, 4, 5, 3], dtype: DType.Float64);
        var x3 = NF.Random.Uniform([2, 4, 5, 4, 3], dtype: DType.Float64);
        Assert.Equal(new Shape(2, 4), new Layers.GlobalAveragePooling1D().Call(x1).Shape);
        Assert.Equal(new Shape(2, 4), new Layers.GlobalMaxPooling1D().Call(x1).Shape);
        Assert.Equal(new Shape(2, 3), new Layers.GlobalAveragePooling2D().Call(x2).Shape);
        Assert.Equal(new Shape(2, 3), new Layers.GlobalMaxPooling2D().Call(x2).Shape);
        Assert.Equal(new Shape(2, 3), new Layers.GlobalAveragePooling3D().Call(x3).Shape);
        Assert.Equal(new Shape(2, 3), new Layers.GlobalMaxPooling3D().Call(x3).Shape);
        // The values are the means and maxima over the spatial axes.
        AssertValues(Doubles(NF.ReduceMean(x2, [1, 2])), Doubles(new Layers.GlobalAveragePooling2D().Call(x2)), 1e-6, 1e-7, "global average 2D");
        AssertValues(Doubles(NF.ReduceMax(x3, [1, 2, 3])), Doubles(new Layers.GlobalMaxPooling3D().Call(x3)), 1e-6, 0, "global max 3D");
    }
}

public sealed class ManagedPoolingDocstringTests() : PoolingDocstringTests("managed");

public sealed class NativeCpuPoolingDocstringTests() : PoolingDocstringTests("cpu");

public sealed class CudaPoolingDocstringTests() : PoolingDocstringTests("cuda");
