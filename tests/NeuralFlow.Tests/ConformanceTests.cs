using NeuralFlow.Backends;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// The conformance suite: written once, run on every backend (one subclass each), every result
/// compared with a float64 reference computed here.
/// </summary>
public abstract class ConformanceTests(string backend) : BackendTest(backend)
{
    private static Tensor T(double[] v, int[] shape, DType dtype = DType.Float32) => dtype switch
    {
        DType.Float32 => NF.Constant(F(v), shape),
        DType.Float64 => NF.Constant(v, shape),
        DType.Int32 => NF.Constant(v.Select(x => (int)Math.Round(x * 10)).ToArray(), shape),
        DType.Int64 => NF.Constant(v.Select(x => (long)Math.Round(x * 10)).ToArray(), shape),
        DType.UInt8 => NF.Constant(v.Select(x => (byte)Math.Clamp(Math.Round(x * 40 + 100), 0, 255)).ToArray(), shape),
        _ => NF.Constant(v.Select(x => x > 0).ToArray(), shape),
    };

    public static IEnumerable<object[]> BinaryCases()
    {
        int[][][] shapes =
        [
            [[1], [1]], [[7], [7]], [[33], [33]], [[1025], [1025]], [[3, 4], [4]], [[3, 1], [1, 5]],
            [[2, 3, 4], [3, 1]], [[0, 4], [4]], [[], [5]], [[300, 300], [300]],
        ];
        foreach (var op in new[] { BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div, BinaryOp.Maximum, BinaryOp.Minimum, BinaryOp.Less, BinaryOp.Equal })
            foreach (var s in shapes)
                yield return [op, s[0], s[1]];
    }

    private static double Apply(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Pow => Math.Pow(a, b),
        BinaryOp.Maximum => Math.Max(a, b),
        BinaryOp.Minimum => Math.Min(a, b),
        BinaryOp.Equal => a == b ? 1 : 0,
        BinaryOp.NotEqual => a != b ? 1 : 0,
        BinaryOp.Less => a < b ? 1 : 0,
        BinaryOp.LessEqual => a <= b ? 1 : 0,
        BinaryOp.Greater => a > b ? 1 : 0,
        _ => a >= b ? 1 : 0,
    };

    private static Tensor Call(BinaryOp op, Tensor a, Tensor b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Pow => NF.Pow(a, b),
        BinaryOp.Maximum => NF.Maximum(a, b),
        BinaryOp.Minimum => NF.Minimum(a, b),
        BinaryOp.Equal => NF.Equal(a, b),
        BinaryOp.NotEqual => NF.NotEqual(a, b),
        BinaryOp.Less => NF.Less(a, b),
        BinaryOp.LessEqual => NF.LessEqual(a, b),
        BinaryOp.Greater => NF.Greater(a, b),
        _ => NF.GreaterEqual(a, b),
    };

    [SkippableTheory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_float_with_broadcasting_matches_reference(BinaryOp op, int[] sa, int[] sb)
    {
        RequireBackend();
        var a = RandomValues((int)new Shape(sa).Count, 1);
        var b = RandomValues((int)new Shape(sb).Count, 2).Select(x => x == 0 ? 0.5 : x).ToArray();
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var expected = Binary(dtype == DType.Float32 ? F(a).Select(x => (double)x).ToArray() : a, sa,
                                  dtype == DType.Float32 ? F(b).Select(x => (double)x).ToArray() : b, sb, (x, y) => Apply(op, x, y), out var shape);
            using var r = Call(op, T(a, sa, dtype), T(b, sb, dtype));
            Assert.Equal(new Shape(shape), r.Shape);
            Assert.Equal(op.IsComparison() ? DType.Bool : dtype, r.DType);
            AssertClose(expected, r.ToDoubleArray(), dtype == DType.Float32 ? 1e-6 : 1e-12, 1e-7, $"{op} {dtype}");
        }
    }

    [SkippableTheory]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    [InlineData(DType.UInt8)]
    public void Binary_integers_match_reference(DType dtype)
    {
        RequireBackend();
        int[] sa = [4, 33], sb = [33];
        var a = RandomValues(4 * 33, 3);
        var b = RandomValues(33, 4);
        using var ta = T(a, sa, dtype);
        using var tb = T(b, sb, dtype);
        var da = ta.ToDoubleArray();
        var db = tb.ToDoubleArray();
        foreach (var op in new[] { BinaryOp.Add, BinaryOp.Mul, BinaryOp.Maximum, BinaryOp.Minimum, BinaryOp.GreaterEqual, BinaryOp.NotEqual })
        {
            var expected = Binary(da, sa, db, sb, (x, y) => Apply(op, x, y), out _);
            if (dtype == DType.UInt8) expected = expected.Select(v => op.IsComparison() ? v : (double)(byte)(long)v).ToArray();
            using var r = Call(op, ta, tb);
            AssertClose(expected, r.ToDoubleArray(), 0, 0, $"{op} {dtype}");
        }
        // Division of integers is true division and gives float32, as in PyTorch.
        using var q = ta / tb;
        Assert.Equal(DType.Float32, q.DType);
    }

    [SkippableFact]
    public void Binary_on_strided_views_matches_reference()
    {
        RequireBackend();
        var a = RandomValues(40 * 33, 5);
        var b = RandomValues(33 * 40, 6);
        using var ta = T(a, [40, 33]);
        using var tb = T(b, [33, 40]);
        using var tbT = NF.Transpose(tb);                // strides (1, 40)
        using var every2 = ta[.., ..];
        using var sum = ta + tbT;
        var expected = new double[40 * 33];
        var bt = Transpose2D(F(b).Select(x => (double)x).ToArray(), 33, 40);
        var af = F(a);
        for (int i = 0; i < expected.Length; i++) expected[i] = af[i] + bt[i];
        AssertClose(expected, sum.ToDoubleArray(), 1e-6, 1e-6);
        using var rows = ta[10..20];
        using var last = ta[^1];
        Assert.Equal(new Shape(10, 33), rows.Shape);
        AssertClose(af.Skip(39 * 33).Select(x => (double)x).ToArray(), last.ToDoubleArray());
        using var doubled = rows * 2f;
        AssertClose(af.Skip(330).Take(330).Select(x => 2.0 * x).ToArray(), doubled.ToDoubleArray());
    }

    [SkippableFact]
    public void Weak_scalars_follow_the_tensor_dtype()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { 1, 2, 3, 4 });
        using var y = 2 * x + 1;
        Assert.Equal(DType.Int32, y.DType);
        Assert.Equal([3, 5, 7, 9], y.ToArray<int>());
        using var img = NF.Constant(new byte[] { 0, 51, 255 });
        using var scaled = img / 255f;
        Assert.Equal(DType.Float32, scaled.DType);
        AssertClose([0, 0.2, 1], scaled.ToDoubleArray(), 1e-6);
        using var d = NF.Constant(new[] { 1.5, 2.5 });
        using var d2 = d * 2f;
        Assert.Equal(DType.Float64, d2.DType);
        using var neg = -x;
        Assert.Equal([-1, -2, -3, -4], neg.ToArray<int>());
        using var half = 1 - x / 2;
        Assert.Equal(DType.Float32, half.DType);
        Assert.Equal([0.5f, 0f, -0.5f, -1f], half.ToArray<float>());
    }

    [SkippableTheory]
    [InlineData(UnaryOp.Neg)] [InlineData(UnaryOp.Abs)] [InlineData(UnaryOp.Exp)] [InlineData(UnaryOp.Log)]
    [InlineData(UnaryOp.Sqrt)] [InlineData(UnaryOp.Square)] [InlineData(UnaryOp.Relu)] [InlineData(UnaryOp.Sigmoid)]
    [InlineData(UnaryOp.Tanh)] [InlineData(UnaryOp.Sign)]
    public void Unary_matches_reference(UnaryOp op)
    {
        RequireBackend();
        Func<double, double> f = op switch
        {
            UnaryOp.Neg => x => -x, UnaryOp.Abs => Math.Abs, UnaryOp.Exp => Math.Exp, UnaryOp.Log => Math.Log,
            UnaryOp.Sqrt => Math.Sqrt, UnaryOp.Square => x => x * x, UnaryOp.Relu => x => Math.Max(x, 0),
            UnaryOp.Sigmoid => x => 1 / (1 + Math.Exp(-x)), UnaryOp.Tanh => Math.Tanh, _ => x => Math.Sign(x),
        };
        Func<Tensor, Tensor> call = op switch
        {
            UnaryOp.Neg => NF.Negative, UnaryOp.Abs => NF.Abs, UnaryOp.Exp => NF.Exp, UnaryOp.Log => NF.Log,
            UnaryOp.Sqrt => NF.Sqrt, UnaryOp.Square => NF.Square, UnaryOp.Relu => NF.Relu,
            UnaryOp.Sigmoid => NF.Sigmoid, UnaryOp.Tanh => NF.Tanh, _ => NF.Sign,
        };
        bool positive = op is UnaryOp.Log or UnaryOp.Sqrt;
        foreach (int n in new[] { 0, 1, 7, 33, 1025, 70000 })
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                var v = RandomValues(n, n + 7, positive ? 0.01 : -5, 5);
                using var t = T(v, [n], dtype);
                var exact = dtype == DType.Float32 ? F(v).Select(x => (double)x).ToArray() : v;
                using var r = call(t);
                AssertClose(exact.Select(f).ToArray(), r.ToDoubleArray(), dtype == DType.Float32 ? 2e-6 : 1e-12, 1e-7, $"{op} {dtype} n={n}");
            }
        // A transposed (strided) input.
        var m = RandomValues(6 * 5, 9, positive ? 0.01 : -3, 3);
        using var mt = NF.Transpose(T(m, [6, 5], DType.Float64));
        using var rm = call(mt);
        AssertClose(Transpose2D(m, 6, 5).Select(f).ToArray(), rm.ToDoubleArray(), 1e-12, 1e-12);
    }

    [SkippableFact]
    public void Sigmoid_is_stable_on_both_tails()
    {
        RequireBackend();
        using var s = NF.Sigmoid(NF.Constant(new[] { -1000f, -50f, 0f, 50f, 1000f }));
        var v = s.ToArray<float>();
        Assert.All(v, x => Assert.False(float.IsNaN(x)));
        Assert.Equal(0f, v[0]);
        Assert.Equal(0.5f, v[2]);
        Assert.Equal(1f, v[4]);
    }

    [SkippableTheory]
    [InlineData(new[] { 1 }, new[] { 0 })]
    [InlineData(new[] { 1025 }, new[] { 0 })]
    [InlineData(new[] { 256, 50 }, new[] { 0 })]
    [InlineData(new[] { 256, 50 }, new[] { 1 })]
    [InlineData(new[] { 7, 33 }, new[] { 0, 1 })]
    [InlineData(new[] { 3, 4, 5 }, new[] { 0, 2 })]
    [InlineData(new[] { 3, 4, 5 }, new[] { 1 })]
    [InlineData(new[] { 0, 4 }, new[] { 0 })]
    [InlineData(new[] { 300, 300 }, new[] { 1 })]
    public void Reductions_match_reference(int[] shape, int[] axes)
    {
        RequireBackend();
        int n = (int)new Shape(shape).Count;
        var v = RandomValues(n, 11);
        using var t = T(v, shape, DType.Float64);
        var keptShape = shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        int outCount = keptShape.Aggregate(1, (a, b) => a * b);
        var groups = new List<double>[outCount];
        for (int i = 0; i < outCount; i++) groups[i] = [];
        var ks = Strides(keptShape);
        for (int i = 0; i < n; i++)
        {
            var idx = Unravel(i, shape);
            long o = 0;
            for (int d = 0; d < shape.Length; d++) o += (axes.Contains(d) ? 0 : idx[d]) * ks[d];
            groups[o].Add(v[i]);
        }
        using var sum = NF.ReduceSum(t, axes);
        AssertClose(groups.Select(g => g.Sum()).ToArray(), sum.ToDoubleArray(), 1e-12, 1e-12, "sum");
        using var mean = NF.ReduceMean(t, axes, keepDims: true);
        Assert.Equal(new Shape(keptShape), mean.Shape);
        AssertClose(groups.Select(g => g.Count == 0 ? double.NaN : g.Average()).ToArray(), mean.ToDoubleArray(), 1e-12, 1e-12, "mean");
        if (n > 0)
        {
            using var max = NF.ReduceMax(t, axes);
            AssertClose(groups.Select(g => g.Max()).ToArray(), max.ToDoubleArray(), 0, 0, "max");
            using var min = NF.ReduceMin(t, axes);
            AssertClose(groups.Select(g => g.Min()).ToArray(), min.ToDoubleArray(), 0, 0, "min");
        }
        using var tf = T(v, shape, DType.Float32);
        using var sumf = NF.ReduceSum(tf, axes);
        var vf = F(v);
        AssertClose(groups.Select(g => g.Sum()).ToArray(), sumf.ToDoubleArray(), 1e-5, 1e-4, "sum float32");
        using var strided = NF.Transpose(t);
        using var total = NF.ReduceSum(strided);
        AssertClose([v.Sum()], total.ToDoubleArray(), 1e-12, 1e-12, "sum of transposed");
    }

    [SkippableFact]
    public void Reductions_of_integers_and_bools()
    {
        RequireBackend();
        using var x = NF.Constant(new[,] { { 1, 5, 3 }, { 4, 2, 6 } });
        Assert.Equal([5, 7, 9], NF.ReduceSum(x, 0).ToArray<int>());
        Assert.Equal(21, NF.ReduceSum(x).Item<int>());
        Assert.Equal(720, NF.ReduceProd(x).Item<int>());
        Assert.Equal([5, 6], NF.ReduceMax(x, 1).ToArray<int>());
        Assert.Equal([1L, 2L], NF.ArgMax(x, 1).ToArray<long>());
        Assert.Equal([0L, 1L, 0L], NF.ArgMin(x, 0).ToArray<long>());
        Assert.Equal([1L, 0L, 1L], NF.ArgMax(x, axis: 0).ToArray<long>());
        using var flags = NF.Greater(x, 2);
        Assert.Equal(4L, NF.ReduceSum(flags).Item<long>());
        Assert.Equal(4 / 6f, NF.ReduceMean(flags).Item<float>(), 6);
        Assert.Equal([true, true], NF.ReduceMax(flags, 1).ToArray<bool>());
        Assert.Equal([false, false], NF.ReduceMin(flags, 1).ToArray<bool>());
        // Ties go to the first index.
        Assert.Equal(1L, NF.ArgMax(NF.Constant(new[] { 1f, 3f, 3f })).Item<long>());
    }

    [SkippableTheory]
    [InlineData(new[] { 1, 1 }, -1)]
    [InlineData(new[] { 7, 33 }, -1)]
    [InlineData(new[] { 7, 33 }, 0)]
    [InlineData(new[] { 3, 4, 5 }, 1)]
    [InlineData(new[] { 2, 1025 }, 1)]
    [InlineData(new[] { 500, 784 }, 1)]
    public void Softmax_and_log_softmax_match_reference(int[] shape, int axis)
    {
        RequireBackend();
        int n = (int)new Shape(shape).Count;
        var v = RandomValues(n, 21, -30, 30);
        int a = axis < 0 ? axis + shape.Length : axis;
        var strides = Strides(shape);
        var expected = new double[n];
        var expectedLog = new double[n];
        for (int i = 0; i < n; i++)
        {
            var idx = Unravel(i, shape);
            if (idx[a] != 0) continue;
            var members = Enumerable.Range(0, shape[a]).Select(j => i + j * strides[a]).ToArray();
            double max = members.Max(p => v[p]);
            double sum = members.Sum(p => Math.Exp(v[p] - max));
            foreach (var p in members)
            {
                expected[p] = Math.Exp(v[p] - max) / sum;
                expectedLog[p] = v[p] - max - Math.Log(sum);
            }
        }
        using var t = T(v, shape, DType.Float64);
        AssertClose(expected, NF.Softmax(t, axis).ToDoubleArray(), 1e-12, 1e-15, "softmax");
        AssertClose(expectedLog, NF.LogSoftmax(t, axis).ToDoubleArray(), 1e-12, 1e-12, "log_softmax");
        using var tf = T(v, shape, DType.Float32);
        AssertClose(expected, NF.Softmax(tf, axis).ToDoubleArray(), 1e-4, 1e-6, "softmax float32");
        // Huge logits must not overflow.
        using var big = NF.Softmax(NF.Constant(new[] { 1000f, 1000f }));
        Assert.Equal([0.5f, 0.5f], big.ToArray<float>());
    }

    [SkippableTheory]
    [InlineData(1, 1, 1, false, false)]
    [InlineData(7, 33, 5, false, false)]
    [InlineData(33, 7, 65, true, false)]
    [InlineData(16, 1025, 3, false, true)]
    [InlineData(64, 48, 80, true, true)]
    [InlineData(129, 257, 130, false, false)]
    public void MatMul_matches_reference(int m, int k, int n, bool ta, bool tb)
    {
        RequireBackend();
        var a = RandomValues(m * k, 31);
        var b = RandomValues(k * n, 32);
        var expected = MatMul(a, b, m, k, n);
        using var tA = ta ? NF.Constant(Transpose2D(a, m, k), [k, m]) : NF.Constant(a, [m, k]);
        using var tB = tb ? NF.Constant(Transpose2D(b, k, n), [n, k]) : NF.Constant(b, [k, n]);
        using var c = NF.MatMul(tA, tB, transposeA: ta, transposeB: tb);
        Assert.Equal(new Shape(m, n), c.Shape);
        AssertClose(expected, c.ToDoubleArray(), 1e-10, 1e-10, "float64");
        using var fA = NF.Cast(tA, DType.Float32);
        using var fB = NF.Cast(tB, DType.Float32);
        using var cf = NF.MatMul(fA, fB, ta, tb);
        AssertClose(expected, cf.ToDoubleArray(), 1e-4, 1e-4 * Math.Sqrt(k), "float32");
        // A transposed view gives the same product as the flag.
        using var viewA = ta ? NF.Transpose(tA) : NF.Transpose(NF.Transpose(tA));
        using var cv = NF.MatMul(viewA, tB, false, tb);
        AssertClose(expected, cv.ToDoubleArray(), 1e-10, 1e-10, "view");
    }

    [SkippableFact]
    public void MatMul_batched_with_broadcast_and_vectors()
    {
        RequireBackend();
        var a = RandomValues(3 * 4 * 5, 41);
        var b = RandomValues(5 * 2, 42);
        using var ta = NF.Constant(a, [3, 4, 5]);
        using var tb = NF.Constant(b, [5, 2]);
        using var c = NF.MatMul(ta, tb);
        Assert.Equal(new Shape(3, 4, 2), c.Shape);
        var expected = Enumerable.Range(0, 3).SelectMany(i => MatMul(a.Skip(i * 20).Take(20).ToArray(), b, 4, 5, 2)).ToArray();
        AssertClose(expected, c.ToDoubleArray(), 1e-12, 1e-12);
        using var v = NF.Constant(new[] { 1.0, 2.0, 3.0, 4.0, 5.0 });
        using var mv = NF.MatMul(NF.Constant(a, [12, 5]), v);
        Assert.Equal(new Shape(12), mv.Shape);
        AssertClose(MatMul(a, [1, 2, 3, 4, 5], 12, 5, 1), mv.ToDoubleArray(), 1e-12, 1e-12);
        using var empty = NF.MatMul(NF.Zeros([0, 3]), NF.Zeros([3, 4]));
        Assert.Equal(new Shape(0, 4), empty.Shape);
        using var zeroK = NF.MatMul(NF.Ones([2, 0]), NF.Ones([0, 3]));
        Assert.Equal(new float[6], zeroK.ToArray<float>());
    }

    [SkippableFact]
    public void Cast_between_every_pair_of_dtypes()
    {
        RequireBackend();
        double[] v = [0, 1, 2.7, -2.7, 200, 300, -1];
        // DType.String is host text (StringTensor), which no tensor holds: a cast to it is refused.
        var numeric = Enum.GetValues<DType>().Where(d => d != DType.String).ToArray();
        Assert.Throws<NotSupportedException>(() => NF.Cast(NF.Constant(v), DType.String));
        foreach (DType from in numeric)
        {
            using var src = NF.Cast(NF.Constant(v), from);
            var sv = src.ToDoubleArray();
            foreach (DType to in numeric)
            {
                using var dst = NF.Cast(src, to);
                Assert.Equal(to, dst.DType);
                var expected = sv.Select(x => Convert(x, from, to)).ToArray();
                AssertClose(expected, dst.ToDoubleArray(), 1e-6, 1e-6, $"{from}->{to}");
            }
        }
        using var nan = NF.Cast(NF.Constant(new[] { float.NaN, 1e20f, -1e20f }), DType.Int32);
        Assert.Equal([0, int.MaxValue, int.MinValue], nan.ToArray<int>());
    }

    // Floats to integers truncate and saturate; integers to narrower integers wrap, as in NumPy.
    private static double Convert(double x, DType from, DType to) => to switch
    {
        DType.Float32 => (float)x,
        DType.Float64 => x,
        DType.Float16 => (double)(Half)x,
        DType.Int32 or DType.Int64 => Math.Truncate(x),
        DType.UInt8 when from.IsFloating() => Math.Clamp(Math.Truncate(x), 0, 255),
        DType.UInt8 => (byte)(long)x,
        _ => x != 0 ? 1 : 0,
    };

    [SkippableFact]
    public void Shape_operations_and_views()
    {
        RequireBackend();
        using var x = NF.Range(24);
        using var r = NF.Reshape(x, [2, -1, 4]);
        Assert.Equal(new Shape(2, 3, 4), r.Shape);
        using var t = NF.Transpose(r, [2, 0, 1]);
        Assert.Equal(new Shape(4, 2, 3), t.Shape);
        Assert.Equal(1 * 1 + 0 * 12 + 1 * 4, t[1, 0, 1].Item<int>());
        using var flat = NF.Reshape(t, [-1]);            // non-contiguous: copies
        Assert.Equal([0, 4, 8, 12, 16, 20, 1, 5], flat.ToArray<int>()[..8]);
        using var e = NF.ExpandDims(x, 0);
        Assert.Equal(new Shape(1, 24), e.Shape);
        using var s = NF.Squeeze(e);
        Assert.Equal(new Shape(24), s.Shape);
        using var c = NF.Concat([NF.Ones([2, 3]), NF.Zeros([1, 3])], axis: 0);
        Assert.Equal([1f, 1, 1, 1, 1, 1, 0, 0, 0], c.ToArray<float>());
        using var c1 = NF.Concat([NF.Ones([2, 1]), NF.Zeros([2, 2])], axis: 1);
        Assert.Equal([1f, 0, 0, 1, 0, 0], c1.ToArray<float>());
        using var st = NF.Stack([NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 3, 4 })], axis: 1);
        Assert.Equal(new Shape(2, 2), st.Shape);
        Assert.Equal([1, 3, 2, 4], st.ToArray<int>());
        using var m = NF.Constant(new[,] { { 1, 1, 1, 1 }, { 4, 4, 4, 4 }, { 5, 5, 5, 5 } });
        Assert.Equal([4, 4, 4, 4], m[1, ..].ToArray<int>());
        Assert.Equal([1, 4, 5], m[.., 0].ToArray<int>());
        Assert.Equal(new Shape(2, 4), m[..2].Shape);
        Assert.Equal(new Shape(3, 4), m[..500].Shape);
        Assert.Equal(5, m[^1, ^1].Item<int>());
    }

    [SkippableFact]
    public void Gather_and_one_hot()
    {
        RequireBackend();
        using var x = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } });
        using var g = NF.Gather(x, NF.Constant(new[] { 2, 0, 2 }));
        Assert.Equal([5f, 6, 1, 2, 5, 6], g.ToArray<float>());
        using var g1 = NF.Gather(x, NF.Constant(new long[] { 1 }), axis: 1);
        Assert.Equal([2f, 4, 6], g1.ToArray<float>());
        using var oh = NF.OneHot(NF.Constant(new byte[] { 0, 2, 9 }), depth: 3);
        Assert.Equal(new Shape(3, 3), oh.Shape);
        Assert.Equal([1f, 0, 0, 0, 0, 1, 0, 0, 0], oh.ToArray<float>());
        using var oh2 = NF.OneHot(NF.Constant(new[,] { { 1 }, { 0 } }), depth: 2, onValue: 5, offValue: -1, dtype: DType.Int32);
        Assert.Equal([-1, 5, 5, -1], oh2.ToArray<int>());
    }

    [SkippableFact]
    public void Fill_range_and_random()
    {
        RequireBackend();
        using var xs = NF.Range(1f, 5f, 0.1f);
        Assert.Equal(40, xs.Count);
        Assert.Equal(4.9f, xs[^1].Item<float>(), 5);
        Assert.Equal([7L, 7L], NF.Fill([2], 7, DType.Int64).ToArray<long>());
        NF.Random.SetSeed(5);
        using var u = NF.Random.Uniform([100000], minval: -1, maxval: 1);
        var uv = u.ToArray<float>();
        Assert.All(uv, v => Assert.InRange(v, -1f, 1f));
        Assert.InRange(uv.Average(), -0.02, 0.02);
        Assert.InRange(uv.Select(v => (double)v * v).Average(), 1 / 3.0 - 0.01, 1 / 3.0 + 0.01);
        using var nrm = NF.Random.Normal([100000], mean: 2, stddev: 3, dtype: DType.Float64);
        var nv = nrm.ToArray<double>();
        Assert.InRange(nv.Average(), 1.95, 2.05);
        Assert.InRange(Math.Sqrt(nv.Select(v => (v - 2) * (v - 2)).Average()), 2.95, 3.05);
        NF.Random.SetSeed(5);
        using var again = NF.Random.Uniform([100000], minval: -1, maxval: 1);
        Assert.Equal(uv, again.ToArray<float>());
        using var ints = NF.Random.Uniform([1000], 0, 10, DType.Int32);
        Assert.All(ints.ToArray<int>(), v => Assert.InRange(v, 0, 9));
    }

    [SkippableFact]
    public void Variables_assign_in_place()
    {
        RequireBackend();
        using var vec = NF.Constant(new[] { 1, 2, 3, 4 });
        using var matrix = NF.Constant(new[,] { { 1, 1, 1, 1 }, { 4, 4, 4, 4 }, { 5, 5, 5, 5 } });
        var v = new Variable(matrix);
        using var sum = v + vec;
        v.Assign(sum);
        Assert.Equal([2, 3, 4, 5, 5, 6, 7, 8, 6, 7, 8, 9], v.ToArray<int>());
        Assert.Equal([1, 1, 1, 1], matrix[0].ToArray<int>()); // the variable copied its initial value
        v.AssignSub(NF.Ones([3, 4], DType.Int32));
        // assign_add takes the variable's shape exactly, as TensorFlow's kernel ("shapes must be equal"): a row is
        // spread on purpose.
        Assert.Throws<ArgumentException>(() => v.AssignAdd(vec));
        v.AssignAdd(NF.BroadcastTo(vec, [3, 4]));
        Assert.Equal([2, 4, 6, 8], v[0].ToArray<int>());
        var m = new Variable(1f);
        m.Assign(NF.Constant(2.5f));
        m.AssignSub(0.5f * NF.Constant(1f));
        Assert.Equal(2f, m.Item<float>());
        var s = new Variable(0) + NF.Constant(1);
        Assert.Equal(Shape.Scalar, s.Shape);
        Assert.Equal(1, s.Item<int>());
    }

    [SkippableFact]
    public void Csharp_numbers_follow_the_tensor_to_its_backend()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { 1f, 2f });
        var other = BackendName == "managed" ? Backends.BackendRegistry.NativeCpu : Backends.BackendRegistry.Managed;
        Skip.If(other is null, "only one backend here");
        // Outside this test's scope, numbers are made on another backend; they still combine with x.
        using (NF.UseBackend(other!))
        {
            using var y = x * 2 + 1;
            Assert.Equal(x.Backend, y.Backend);
            Assert.Equal([3f, 5f], y.ToArray<float>());
        }
    }

    [SkippableFact]
    public void Memory_is_returned_on_dispose()
    {
        RequireBackend();
        // Finalize earlier tests' garbage first: a collection triggered while this test allocates
        // (every 32 MB of undisposed buffers, DeviceBuffer) would otherwise free their buffers
        // between the readings below.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = NF.Backend.GetMemoryStats();
        var t = NF.Zeros([1000, 100]);
        var during = NF.Backend.GetMemoryStats();
        Assert.True(during.LiveBytes - before.LiveBytes >= 400_000, $"live {before.LiveBytes} -> {during.LiveBytes}");
        var view = t[..10];
        t.Dispose();
        using (var first = view[0, 0])
            Assert.Equal(0f, first.Item<float>()); // the view keeps the buffer alive
        view.Dispose();
        var after = NF.Backend.GetMemoryStats();
        Assert.True(after.LiveBytes - before.LiveBytes < 400_000, $"live {before.LiveBytes} -> {after.LiveBytes}");
    }
}

public sealed class ManagedConformanceTests() : ConformanceTests("managed");

public sealed class NativeCpuConformanceTests() : ConformanceTests("cpu");

public sealed class CudaConformanceTests() : ConformanceTests("cuda");
