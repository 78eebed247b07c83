using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.AutodiffApi;

/// <summary>
/// keras.ops.map / vectorized_map / scan / associative_scan on every engine: the Keras
/// docstrings' examples, NumPy references (autodiff_api_references.py: reversed scans and a
/// non-commutative matrix-product scan), empty inputs, finite-difference gradients, an
/// NF.Function replay, and the errors for mismatched inputs and functions.
/// </summary>
public abstract class MapScanTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    [SkippableFact]
    public void Map_and_VectorizedMap_keras_docstring_and_several_tensors()
    {
        RequireBackend();
        // keras.ops.map(lambda x: x**2, arange(10)) -> [0, 1, 4, ..., 81].
        var ys = NF.Map(x => x * x, NF.Range(10));
        Assert.Equal(DType.Int32, ys.DType);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * i).ToArray(), ys.ToArray<int>());
        // Slices of a matrix, results of another shape: row sums and outer products.
        var m = NF.Constant(new[,] { { 1.0, 2 }, { 3, 4 }, { 5, 6 } });
        var outs = NF.Map(r => [NF.ReduceSum(r[0]), r[1] * r[0]], [m, D(10, 20, 30)]);
        AssertClose([3, 7, 11], outs[0].ToArray<double>(), 0, 0, "sums");
        Assert.Equal(new Shape(3, 2), outs[1].Shape);
        AssertClose([10, 20, 60, 80, 150, 180], outs[1].ToArray<double>(), 0, 0, "products");
        var v = NF.VectorizedMap(r => NF.MatMul(NF.Reshape(r, [1, 2]), NF.Reshape(r, [2, 1])), m);
        Assert.Equal(new Shape(3, 1, 1), v.Shape);
        AssertClose([5, 25, 61], v.ToArray<double>(), 0, 0, "vectorized_map");
        var vs = NF.VectorizedMap(e => [e[0] + e[1]], [m, m]);
        AssertClose([2, 4, 6, 8, 10, 12], vs[0].ToArray<double>(), 0, 0, "vectorized_map list");
        // An empty axis 0 gives an empty stack of the function's output shape.
        var empty = NF.Map(r => NF.Concat([r, r], 0), NF.Zeros(new Shape(0, 3)));
        Assert.Equal(new Shape(0, 6), empty.Shape);
        GradientTests.Check(t => NF.Map(r => NF.Sin(r) * NF.ReduceSum(r), t[0]), GradientTests.In([4, 3], 1));
    }

    [SkippableFact]
    public void Scan_keras_docstring_reverse_length_and_several_carries()
    {
        RequireBackend();
        // keras.ops.scan(lambda c, x: (c + x, c + x), 0, [1, 2, 3, 4, 5]) -> 15, [1, 3, 6, 10, 15].
        var (carry, ys) = NF.Scan((c, x) => (c + x!, c + x!), NF.Constant(0), NF.Constant(new[] { 1, 2, 3, 4, 5 }));
        Assert.Equal(15, carry.Item<int>());
        Assert.Equal(new[] { 1, 3, 6, 10, 15 }, ys!.ToArray<int>());
        // reverse: from the last slice, ys aligned with xs (numpy: cumsum of the reversed, reversed).
        var (rc, rys) = NF.Scan((c, x) => (c + x!, c + x!), NF.Constant(0), NF.Constant(new[] { 1, 2, 3, 4, 5 }), reverse: true);
        Assert.Equal(15, rc.Item<int>());
        Assert.Equal(new[] { 15, 14, 12, 9, 5 }, rys!.ToArray<int>());
        // No xs: length iterations with x null; a null y gives no ys.
        var (fib, none) = NF.Scan((c, _) => (c * 2.0, null), D(1, 3), length: 4);
        AssertClose([16, 48], fib.ToArray<double>(), 0, 0, "length only");
        Assert.Null(none);
        // Two carries (Fibonacci) with ys of another shape than the carry.
        var (pair, fibs) = NF.Scan((c, _) => ([c[1], c[0] + c[1]], [NF.Stack([c[0], c[1]])]), [D(0), D(1)], length: 5);
        AssertClose([5], pair[0].ToArray<double>(), 0, 0, "fib carry");
        Assert.Equal(new Shape(5, 2, 1), fibs![0].Shape);
        AssertClose([0, 1, 1, 1, 1, 2, 2, 3, 3, 5], fibs[0].ToArray<double>(), 0, 0, "fib ys");
        // Zero iterations: the init carry, and ys of the function's y shape with 0 rows.
        var (c0, y0) = NF.Scan((c, x) => (c + NF.ReduceSum(x!), NF.Stack([x!, x!])), D(1), NF.Zeros(new Shape(0, 3), DType.Float64));
        AssertClose([1], c0.ToArray<double>(), 0, 0, "empty carry");
        Assert.Equal(new Shape(0, 2, 3), y0!.Shape);
        // A linear recurrence h = tanh(h * w + x): gradients with respect to init, xs and w.
        GradientTests.Check(t => NF.Scan((h, x) => { var n = NF.Tanh(h * t[2] + x!); return (n, n * 2); }, t[0], t[1], reverse: true).Ys!,
            GradientTests.In([3], 2), GradientTests.In([4, 3], 3), GradientTests.In([3], 4));
        GradientTests.Check(t => NF.Scan((h, x) => (h * x!, null), t[0], t[1]).Carry, GradientTests.In([2], 5), GradientTests.In([3, 2], 6));
    }

    [SkippableFact]
    public void Scan_is_traced_and_replayed_by_NF_Function()
    {
        RequireBackend();
        var f = NF.Function((Tensor xs) => NF.Scan((c, x) => (c * 0.5 + x!, c), NF.Zeros(new Shape(2), DType.Float64), xs).Ys!);
        var info = TracedFunction.Of(f);
        static double[] Expected(double[] xs)
        {
            var r = new double[xs.Length];
            double c0 = 0, c1 = 0;
            for (int i = 0; i < xs.Length / 2; i++)
            {
                r[2 * i] = c0; r[2 * i + 1] = c1;
                c0 = c0 * 0.5 + xs[2 * i]; c1 = c1 * 0.5 + xs[2 * i + 1];
            }
            return r;
        }
        double[] a = [1, 2, 3, 4, 5, 6], b = [-1, 0.5, 2, 2, 7, -3];
        AssertClose(Expected(a), f(NF.Constant(a, [3, 2])).ToArray<double>(), 0, 0, "traced");
        AssertClose(Expected(b), f(NF.Constant(b, [3, 2])).ToArray<double>(), 0, 0, "replayed");
        Assert.True(info.LastCallReplayed, info.EagerReason);
    }

    [SkippableFact]
    public void AssociativeScan_keras_docstring_and_non_commutative_matrix_products()
    {
        RequireBackend();
        // keras.ops.associative_scan(lambda x, y: x + y, arange(5)) -> [0, 1, 3, 6, 10].
        Assert.Equal(new[] { 0, 1, 3, 6, 10 }, NF.AssociativeScan((a, b) => a + b, NF.Range(5)).ToArray<int>());
        // The docstring's list case: three [1, 2] vectors, summed pairwise -> [1, 3] each.
        var three = NF.AssociativeScan((a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]],
            [NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 1, 2 })]);
        Assert.All(three, t => Assert.Equal(new[] { 1, 3 }, t.ToArray<int>()));
        // autodiff_api_references.py "matprod": 2x2 matrix products (associative, not commutative), 6 of them.
        double[] mv = [0.27, -0.46, -0.92, -0.97, 0.63, 0.83, 0.21, 0.46, 0.09, 0.87, 0.63, -0.99,
                       0.71, -0.93, 0.46, -0.65, 0.73, 0.08, -0.4, -0.15, -0.94, -0.75, 0.34, 0.29];
        var ms = NF.Constant(mv, [6, 2, 2]);
        var forward = NF.AssociativeScan((a, b) => NF.MatMul(a, b), ms);
        AssertClose([-0.037686420899999996, -0.02988602073, 0.37572917985, 0.298021607865], forward[5].ToArray<double>(), 1e-13, 0, "forward last");
        AssertClose([0.014489999999999984, 0.051570000000000026, -0.8326709999999999, 0.516231], forward[2].ToArray<double>(), 1e-13, 0, "forward 2");
        var backward = NF.AssociativeScan((a, b) => NF.MatMul(a, b), ms, reverse: true);
        AssertClose([0.09198219441, 0.09566781897299999, -0.030907000710000007, -0.032170607163000006], backward[0].ToArray<double>(), 1e-13, 0, "reverse 0");
        AssertClose([0.18786626999999995, -0.5552000699999998, -0.06300837000000001, 0.18636417000000002], backward[2].ToArray<double>(), 1e-13, 0, "reverse 2");
        // Along axis 1 (negative axes too), lengths 0 and 1, and the gradient.
        var rows = NF.Constant(new[,] { { 1.0, 2, 3 }, { 4, 5, 6 } });
        AssertClose([1, 3, 6, 4, 9, 15], NF.AssociativeScan((a, b) => a + b, rows, axis: -1).ToArray<double>(), 0, 0, "axis -1");
        AssertClose([6, 5, 3, 15, 11, 6], NF.AssociativeScan((a, b) => a + b, rows, reverse: true, axis: 1).ToArray<double>(), 0, 0, "reverse axis 1");
        Assert.Equal(new Shape(0, 2), NF.AssociativeScan((a, b) => a + b, NF.Zeros(new Shape(0, 2))).Shape);
        AssertClose([1, 2], NF.AssociativeScan((a, b) => a * b, NF.Constant(new[,] { { 1.0, 2 } })).ToArray<double>(), 0, 0, "one");
        GradientTests.Check(t => NF.AssociativeScan((a, b) => NF.MatMul(a, b), t[0], reverse: true), GradientTests.In([5, 2, 2], 7));
        GradientTests.Check(t => NF.AssociativeScan((a, b) => a * b + b, t[0], axis: 1), GradientTests.In([2, 7], 8));
    }

    [SkippableFact]
    public void Bad_inputs_and_functions_throw_naming_the_op()
    {
        RequireBackend();
        var m = NF.Zeros(new Shape(3, 2), DType.Float64);
        Assert.Contains("Map: xs[0] is a scalar", Assert.Throws<ArgumentException>(() => NF.Map(x => x, NF.Constant(1.0))).Message);
        Assert.Contains("Map: xs[0] has 3 positions along axis 0 but xs[1] (shape (2,)) has 2",
            Assert.Throws<ArgumentException>(() => NF.Map(x => x, [m, D(1, 2)])).Message);
        Assert.Contains("Map: value 0 is float64 (3,) but the function returned float64 (2,)",
            Assert.Throws<InvalidOperationException>(() => NF.Map(x => NF.ReduceSum(x).Item<double>() > 0.5 ? x : NF.Concat([x, x[..1]], 0), NF.Constant(new[,] { { 0.0, 0 }, { 1, 1 } }))).Message);
        Assert.Contains("Scan: give xs or length", Assert.Throws<ArgumentException>(() => NF.Scan((c, x) => (c, c), D(0))).Message);
        Assert.Contains("Scan: length is 4 but xs have 3 slices", Assert.Throws<ArgumentException>(() => NF.Scan((c, x) => (c, c), D(0), m, length: 4)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Scan((c, x) => (c, c), D(0), length: -1));
        Assert.Contains("Scan: value 0 is float64 (1,) but f returned float64 (2,)",
            Assert.Throws<InvalidOperationException>(() => NF.Scan((c, x) => (x!, c), D(0), m)).Message);
        int calls = 0;
        Assert.Contains("ys on some calls and null on others",
            Assert.Throws<InvalidOperationException>(() => NF.Scan((c, x) => (c, calls++ == 0 ? c : null), D(0), length: 3)).Message);
        Assert.Contains("AssociativeScan: elems[0] has 3 positions along axis 0 but elems[1] (shape (2,)) has 2",
            Assert.Throws<ArgumentException>(() => NF.AssociativeScan((a, b) => a, [m, D(1, 2)])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.AssociativeScan((a, b) => a + b, m, axis: 2));
        Assert.Contains("AssociativeScan: value 0 is float64 (2, 2) but f returned float64 (2,)",
            Assert.Throws<InvalidOperationException>(() => NF.AssociativeScan((a, b) => NF.ReduceSum(a + b, 0), m)).Message);
    }
}

public sealed class ManagedMapScanTests() : MapScanTests("managed");

public sealed class NativeCpuMapScanTests() : MapScanTests("cpu");

public sealed class CudaMapScanTests() : MapScanTests("cuda");
