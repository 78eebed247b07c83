using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's merge layers (keras/src/layers/merging/*.py) on every
/// engine: the elementwise merges on rand(2, 3, 4) pairs and in the two-input functional model of
/// their "Usage in a Keras model" blocks, Concatenate and Dot on <c>np.arange</c> (int64) inputs
/// (values from make_sweep_layers_reference.py; Keras 2's docstrings printed the same) and on the
/// outputs of Dense layers fed int64 arrays.
/// </summary>
public abstract class MergingDocstringTests(string backend) : BackendTest(backend)
{
    private static Tensor Arange(long start, long stop, params int[] shape) => NF.Reshape(NF.Range(start, stop), shape);

    private static IEnumerable<(Layer Layer, Func<double, double, double> Op)> Elementwise() =>
    [
        (new Layers.Add(), (a, b) => a + b), (new Layers.Subtract(), (a, b) => a - b), (new Layers.Multiply(), (a, b) => a * b),
        (new Layers.Average(), (a, b) => (a + b) / 2), (new Layers.Maximum(), Math.Max), (new Layers.Minimum(), Math.Min),
    ];

    [SkippableFact]
    public void Elementwise_merges_of_the_examples_give_their_shapes_and_values()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var x1 = NF.Random.Uniform([2, 3, 4], dtype: DType.Float64);
        var x2 = NF.Random.Uniform([2, 3, 4], dtype: DType.Float64);
        double[] a = Doubles(x1), b = Doubles(x2);
        foreach (var (layer, op) in Elementwise())
        {
            var y = layer.Call([x1, x2]);
            Assert.Equal(new Shape(2, 3, 4), y.Shape);
            AssertValues(a.Zip(b, op).ToArray(), Doubles(y), 1e-6, 1e-7, layer.GetType().Name);
        }
    }

    [SkippableFact]
    public void Elementwise_merges_join_two_dense_branches_in_a_functional_model()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        foreach (var (layer, _) in Elementwise())
        {
            var input1 = Layers.Input([16]);
            var branch1 = new Layers.Dense(8, activation: "relu").Call(input1);
            var input2 = Layers.Input([32]);
            var branch2 = new Layers.Dense(8, activation: "relu").Call(input2);
            var merged = layer.Call([branch1, branch2]);
            var output = new Layers.Dense(4).Call(merged);
            var model = new Model([input1, input2], output);
            Assert.Equal(new int?[] { null, 4 }, output.Shape);
            Assert.Equal(new Shape(3, 4), model.Predict(new[] { NF.Random.Normal([3, 16]), NF.Random.Normal([3, 32]) }).Shape);
        }
    }

    [SkippableFact]
    public void Concatenate_and_Dot_of_integer_arrays_give_the_published_values()
    {
        RequireBackend();
        // concatenate.py: Concatenate(axis=1) of arange(20).reshape(2, 2, 5) and arange(20, 30).reshape(2, 1, 5).
        var joined = new Layers.Concatenate(axis: 1).Call([Arange(0, 20, 2, 2, 5), Arange(20, 30, 2, 1, 5)]);
        Assert.Equal(new Shape(2, 3, 5), joined.Shape);
        Assert.Equal(DType.Int64, joined.DType);
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23, 24, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 25, 26, 27, 28, 29],
            joined.ToArray<long>());
        // dot.py: Dot(axes=(1, 2)) of arange(10).reshape(1, 5, 2) and arange(10, 20).reshape(1, 2, 5).
        var dot = new Layers.Dot([1, 2]).Call([Arange(0, 10, 1, 5, 2), Arange(10, 20, 1, 2, 5)]);
        Assert.Equal(new Shape(1, 2, 2), dot.Shape);
        AssertValues([260, 360, 320, 445], Doubles(dot), 0, 0, "Dot(axes=(1, 2))");
    }

    // Before, Dot handed integer inputs to MatMul, which takes floats only, and threw.
    [SkippableFact]
    public void Dot_of_integers_is_exact_and_takes_a_float_partners_type()
    {
        RequireBackend();
        // Products past 2^53 (float64's exact integers) still come out exact, as NumPy's int64 matmul.
        long big = (1L << 40) + 1;
        var a = NF.Constant(new[] { big, 3L }, [1, 2]);
        var b = NF.Constant(new[] { 1L << 20, 5L }, [1, 2]);
        Assert.Equal([big * (1L << 20) + 15], new Layers.Dot(axes: 1).Call([a, b]).ToArray<long>());
        var ints = NF.Constant(new[] { 1, 2, 3, 4 }, [2, 2]);
        var int32 = new Layers.Dot(axes: 1).Call([ints, ints]);
        Assert.Equal(DType.Int32, int32.DType);
        Assert.Equal([5, 25], int32.ToArray<int>());
        // An integer beside a float: the float's type (Keras' dtype promotion), normalized: cosines in float32.
        var mixed = new Layers.Dot(axes: 1).Call([ints, NF.Constant(new double[] { 0.5, 1, 1, 0.5 }, [2, 2])]);
        Assert.Equal(DType.Float64, mixed.DType);
        AssertValues([2.5, 5], Doubles(mixed), 0, 0, "int . float64");
        var cosine = new Layers.Dot(axes: 1, normalize: true).Call([ints, ints]);
        Assert.Equal(DType.Float32, cosine.DType);
        AssertValues([1, 1], Doubles(cosine), 1e-6, 0, "normalized");
    }

    [SkippableFact]
    public void Concatenate_and_Dot_join_dense_layers_fed_integer_arrays()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        // "Usage in a Keras model": Dense(8) on arange(10).reshape(5, 2) and arange(10, 20).reshape(5, 2)
        // (int64; Keras' Dense computes float32 from them).
        var x1 = new Layers.Dense(8).Call(Arange(0, 10, 5, 2));
        var x2 = new Layers.Dense(8).Call(Arange(10, 20, 5, 2));
        Assert.Equal(DType.Float32, x1.DType);
        Assert.Equal(new Shape(5, 16), new Layers.Concatenate().Call([x1, x2]).Shape);
        var dot = new Layers.Dot(axes: 1).Call([x1, x2]);
        Assert.Equal(new Shape(5, 1), dot.Shape);
        AssertValues(Doubles(NF.ReduceSum(x1 * x2, 1, keepDims: true)), Doubles(dot), 1e-5, 1e-5, "Dot(axes=1)");
    }
}

public sealed class ManagedMergingDocstringTests() : MergingDocstringTests("managed");

public sealed class NativeCpuMergingDocstringTests() : MergingDocstringTests("cpu");

public sealed class CudaMergingDocstringTests() : MergingDocstringTests("cuda");
