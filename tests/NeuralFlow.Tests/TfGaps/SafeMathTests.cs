namespace NeuralFlow.Tests.TfGaps;

/// <summary>
/// TensorFlow's safe elementwise ops and sums on every engine: DivideNoNan, MultiplyNoNan,
/// Xdivy, Xlogy, Xlog1py, AddN and ReduceEuclideanNorm, with their values, float64
/// finite-difference gradients, the finite gradient at the masked places and the errors.
/// Before, none existed. References: the tf.math.divide_no_nan and reduce_euclidean_norm
/// docstrings (tensorflow/python/ops/math_ops.py), and for the x-ops
/// <c>/usr/bin/python3 -c "import torch; x=torch.tensor([0.,1,2,.5],dtype=torch.float64); y=torch.tensor([0.,3,.5,2],dtype=torch.float64); print(torch.xlogy(x,y), torch.special.xlog1py(x,y))"</c>.
/// </summary>
public abstract class SafeMathTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    private static void Close(double[] expected, Tensor actual, double tol = 1e-12) =>
        Reference.AssertClose(expected, actual.ToArray<double>(), tol, tol, "value");

    [SkippableFact]
    public void Safe_ops_give_tensorflow_values()
    {
        RequireBackend();
        // divide_no_nan docstring: 3 / 0 -> 0 and NaN / 0 -> 0.
        Assert.Equal([0f, 0f, 1.5f], NF.DivideNoNan(NF.Constant(new[] { 3f, float.NaN, 3f }), NF.Constant(new[] { 0f, 0f, 2f })).ToArray<float>());
        Close([0, 0, 6], NF.MultiplyNoNan(D(double.PositiveInfinity, double.NaN, 3), D(0, 0, 2)));
        var x = D(0, 1, 2, 0.5);
        var y = D(0, 3, 0.5, 2);
        Close([0, 1 / 3.0, 4, 0.25], NF.Xdivy(x, y));
        Close([0, 1.0986122886681098, -1.3862943611198906, 0.34657359027997264], NF.Xlogy(x, y));
        Close([0, 1.3862943611198906, 0.8109302162163288, 0.5493061443340548], NF.Xlog1py(x, y));
        Close([0], NF.Xlog1py(D(0), D(-1)));   // 0 * log(0) is 0 here, not NaN
        // Broadcasting as TensorFlow's binary ops do.
        Assert.Equal(new Shape(2, 3), NF.Xlogy(NF.Ones(new Shape(2, 1), DType.Float64), NF.Ones(new Shape(3), DType.Float64)).Shape);
    }

    [SkippableFact]
    public void Add_n_and_euclidean_norm_give_tensorflow_values()
    {
        RequireBackend();
        // tf.math.add_n docstring: a = [[1, 2], [3, 4]], b = [[5, 0], [10, 20]]; add_n([a, b, a]) = [[7, 4], [16, 28]].
        var a = NF.Constant(new[,] { { 1, 2 }, { 3, 4 } });
        var b = NF.Constant(new[,] { { 5, 0 }, { 10, 20 } });
        Assert.Equal([7, 4, 16, 28], NF.AddN(a, b, a).ToArray<int>());
        // tf.math.reduce_euclidean_norm docstring: int32 gives 4 (sqrt 17 truncated); float32 the roots.
        Assert.Equal(4, NF.ReduceEuclideanNorm(NF.Constant(new[,] { { 1, 2, 3 }, { 1, 1, 1 } })).Item<int>());
        var f = NF.Constant(new[,] { { 1f, 2, 3 }, { 1, 1, 1 } });
        Assert.Equal(MathF.Sqrt(17), NF.ReduceEuclideanNorm(f).Item<float>(), 5);
        Assert.Equal([MathF.Sqrt(2), MathF.Sqrt(5), MathF.Sqrt(10)], NF.ReduceEuclideanNorm(f, 0).ToArray<float>());
        var rows = NF.ReduceEuclideanNorm(f, 1, keepDims: true);
        Assert.Equal(new Shape(2, 1), rows.Shape);
        Assert.Equal(MathF.Sqrt(14), rows.ToArray<float>()[0], 5);
        Assert.Equal(MathF.Sqrt(17), NF.ReduceEuclideanNorm(f, [0, 1]).Item<float>(), 5);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences_and_stay_finite_where_masked()
    {
        RequireBackend();
        GradientTests.Check(t => NF.DivideNoNan(t[0], t[1]), GradientTests.In([3, 4], 51), GradientTests.In([4], 52, 0.5, 2));
        GradientTests.Check(t => NF.MultiplyNoNan(t[0], t[1]), GradientTests.In([3, 4], 53), GradientTests.In([3, 4], 54));
        GradientTests.Check(t => NF.Xdivy(t[0], t[1]), GradientTests.In([3, 4], 55), GradientTests.In([3, 4], 56, 0.5, 2));
        GradientTests.Check(t => NF.Xlogy(t[0], t[1]), GradientTests.In([3, 4], 57), GradientTests.In([3, 4], 58, 0.5, 2));
        GradientTests.Check(t => NF.Xlog1py(t[0], t[1]), GradientTests.In([3, 4], 59), GradientTests.In([3, 4], 60, 0.5, 2));
        GradientTests.Check(t => NF.AddN(t[0], t[1], t[0]), GradientTests.In([2, 3], 61), GradientTests.In([2, 3], 62));
        GradientTests.Check(t => NF.ReduceEuclideanNorm(t[0], 1), GradientTests.In([3, 4], 63));
        // At the masked places the gradient is 0, not NaN (TensorFlow's rule for these ops).
        foreach (var op in new Func<Tensor, Tensor, Tensor>[] { NF.DivideNoNan, NF.MultiplyNoNan, (p, q) => NF.Xlogy(q, p), (p, q) => NF.Xdivy(q, p), (p, q) => NF.Xlog1py(q, p - 1) })
        {
            var p = D(2, 3);
            var q = D(0, 1);
            Tensor[] grads;
            using (var tape = new GradientTape())
            {
                tape.Watch(p);
                tape.Watch(q);
                grads = tape.Gradient(NF.ReduceSum(op(p, q)), [p, q]);
            }
            Assert.All(grads.SelectMany(g => g.ToArray<double>()), v => Assert.True(double.IsFinite(v), $"gradient {v}"));
        }
    }

    [SkippableFact]
    public void Bad_inputs_are_named()
    {
        RequireBackend();
        Assert.Contains("both must be float", Assert.Throws<ArgumentException>(() => NF.Xlogy(NF.Constant(new[] { 1 }), D(1))).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NF.AddN()).Message);
        Assert.Contains("inputs[1]", Assert.Throws<ArgumentException>(() => NF.AddN(D(1, 2), D(1))).Message);
        Assert.Contains("inputs[1]", Assert.Throws<ArgumentException>(() => NF.AddN(D(1, 2), NF.Constant(new[] { 1f, 2f }))).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => NF.ReduceEuclideanNorm(NF.Constant(new[] { true }))).Message);
    }
}

public sealed class ManagedSafeMathTests() : SafeMathTests("managed");

public sealed class NativeCpuSafeMathTests() : SafeMathTests("cpu");

public sealed class CudaSafeMathTests() : SafeMathTests("cuda");
