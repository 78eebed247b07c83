using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>NF.CumSum / NF.CumProd (tf.math.cumsum / cumprod) on every backend: NumPy values, PyTorch gradients, finite differences, edge cases, errors.</summary>
public abstract class CumulativeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Values_and_gradients_match_NumPy_and_PyTorch()
    {
        RequireBackend();
        foreach (var c in Ops16bFixtures.Cumulative)
        {
            var x = NF.Constant(c.X, c.XShape);
            using var tape = new GradientTape();
            tape.Watch(x);
            var y = c.Op == "sum" ? NF.CumSum(x, c.Axis, c.Exclusive, c.Reverse) : NF.CumProd(x, c.Axis, c.Exclusive, c.Reverse);
            var dx = tape.Gradient(NF.ReduceSum(y * NF.Constant(c.W, c.XShape)), [x])[0];
            string what = $"cum{c.Op} {string.Join("x", c.XShape)} axis {c.Axis}{(c.Exclusive ? " exclusive" : "")}{(c.Reverse ? " reverse" : "")}";
            AssertClose(c.Out, y.ToArray<double>(), 1e-13, 1e-14, what);
            AssertClose(c.Dx, dx.ToArray<double>(), 1e-12, 1e-13, what + " dx");
        }
    }

    [SkippableFact]
    public void TensorFlow_examples_integers_float32_accumulation_and_non_finite()
    {
        RequireBackend();
        // tf.math.cumsum([a, b, c]) docs: [a, a + b, a + b + c]; exclusive [0, a, a + b]; reverse [a + b + c, b + c, c].
        var x = NF.Constant(new[] { 1, 2, 3 });
        Assert.Equal([1, 3, 6], NF.CumSum(x).ToArray<int>());
        Assert.Equal([0, 1, 3], NF.CumSum(x, exclusive: true).ToArray<int>());
        Assert.Equal([6, 5, 3], NF.CumSum(x, reverse: true).ToArray<int>());
        Assert.Equal([5, 3, 0], NF.CumSum(x, exclusive: true, reverse: true).ToArray<int>());
        Assert.Equal([1, 2, 6], NF.CumProd(x).ToArray<int>());
        Assert.Equal([1, 1, 2], NF.CumProd(x, exclusive: true).ToArray<int>());
        Assert.Equal(DType.Int32, NF.CumSum(x).DType);
        // int32 wraps as NumPy's int32 cumsum does.
        Assert.Equal([int.MaxValue, int.MinValue], NF.CumSum(NF.Constant(new[] { int.MaxValue, 1 })).ToArray<int>());
        Assert.Equal([200, 144], NF.CumSum(NF.Constant(new byte[] { 200, 200 })).ToArray<byte>());
        // Float32 sums accumulate in double: 1e8 + 1 + 1 - 1e8 is 2, not 0.
        Assert.Equal(2f, NF.CumSum(NF.Constant(new[] { 1e8f, 1f, 1f, -1e8f })).ToArray<float>()[3]);
        var nf = NF.CumSum(NF.Constant(new[] { 1.0, double.PositiveInfinity, double.NaN, 2 })).ToArray<double>();
        Assert.Equal(1.0, nf[0]);
        Assert.Equal(double.PositiveInfinity, nf[1]);
        Assert.True(double.IsNaN(nf[2]) && double.IsNaN(nf[3]));
        Assert.Equal(new Shape(0, 3), NF.CumSum(NF.Zeros([0, 3]), 1).Shape);
        Assert.Equal(new Shape(2, 0), NF.CumProd(NF.Zeros([2, 0]), -1).Shape);
        // A view (transposed: [[1, 3], [2, 4]]) reads through its strides.
        var m = NF.Transpose(NF.Constant(new[,] { { 1.0, 2 }, { 3, 4 } }));
        Assert.Equal([1.0, 4, 2, 6], NF.CumSum(m, 1).ToArray<double>());
    }

    [SkippableFact]
    public void Finite_differences_agree_in_float64()
    {
        RequireBackend();
        GradientTests.Check(t => NF.CumSum(t[0], 1, exclusive: true), GradientTests.In([3, 4], 51));
        GradientTests.Check(t => NF.CumSum(t[0] * t[0], 0, reverse: true), GradientTests.In([4, 2], 52));
        GradientTests.Check(t => NF.CumProd(t[0], -1), GradientTests.In([2, 5], 53, 0.5, 1.5));
        GradientTests.Check(t => NF.CumProd(t[0], 0, exclusive: true, reverse: true), GradientTests.In([4, 3], 54, 0.5, 1.5));
    }

    [SkippableFact]
    public void Bad_arguments_are_named()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.CumSum(NF.Zeros([2, 3]), 2));
        Assert.Contains("axis 2 is out of range for x of shape (2, 3)", e.Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => NF.CumSum(NF.Zeros([2], DType.Bool))).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.CumProd(NF.Constant(2f))).Message);
    }
}

public sealed class ManagedCumulativeTests() : CumulativeTests("managed");

public sealed class NativeCpuCumulativeTests() : CumulativeTests("cpu");

public sealed class CudaCumulativeTests() : CumulativeTests("cuda");
