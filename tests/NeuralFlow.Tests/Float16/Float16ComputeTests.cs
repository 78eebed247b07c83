using NeuralFlow.Keras;
using static NeuralFlow.Tests.Float16.Float16Testing;

namespace NeuralFlow.Tests.Float16;

/// <summary>
/// Arithmetic on float16 tensors gives float16 results computed in float32 and rounded once
/// (PyTorch's CPU half ops), on every engine: values from float16_references.py beside this file
/// (NumPy's float16 results for add/mul/div, which round once, compared exactly; exp within one
/// ulp; torch's float32-accumulated sum, mean and matmul), promotion, gradients (first and
/// second order) and a float16 variable trained with SGD.
/// </summary>
public abstract class Float16ComputeTests(string backend) : BackendTest(backend)
{
    // float16_references.py "a" and "b": rng(7) uniform(-4, 4) and uniform(0.5, 4) as float16.
    private static readonly ushort[] A = [0x3C01, 0x425B, 0x4069, 0xC066, 0xBE65, 0x41FA, 0xC3EA, 0x4124, 0x40C1, 0xB41B, 0xBE4E, 0xBF17];
    private static readonly ushort[] B = [0x3D91, 0x401E, 0x4088, 0x40E0, 0x43F8, 0x428C, 0x415B, 0x43EC, 0x3D04, 0x3C3E, 0x414A, 0x393B];

    [SkippableFact]
    public void Add_multiply_divide_match_numpy_float16_exactly()
    {
        RequireBackend();
        using var a = FromBits(A);
        using var b = FromBits(B);
        using var sum = a + b;
        Exactly([0x40C9, 0x453C, 0x4478, 0x33A0, 0x40C6, 0x4643, 0xBD1E, 0x4688, 0x4343, 0x3A6E, 0x3C46, 0xBC7A], sum, "a + b");
        using var prod = a * b;
        Exactly([0x3D92, 0x468B, 0x44FF, 0xC55C, 0xC65F, 0x48E4, 0xC94C, 0x4917, 0x41F6, 0xB45B, 0xC42B, 0xBCA3], prod, "a * b");
        using var quot = a / b;
        Exactly([0x39C1, 0x3E2D, 0x3BC9, 0xBB38, 0xB66B, 0x3B4E, 0xBDE9, 0x3931, 0x3F95, 0xB3BE, 0xB8C5, 0xC16C], quot, "a / b");
        // A C# number takes the tensor's dtype (torch: half + 0.1 is half): 1 + 0.1 = 0x3C66.
        using var one = FromBits(0x3C00);
        using var plus = one + 0.1;
        Exactly([0x3C66], plus, "1 + 0.1");
        using var three = FromBits(0x4100) * 3;
        Exactly([0x4780], three, "2.5 * 3");
        // Overflow is inf, as float16 arithmetic overflows: 65504 * 2.
        using var over = FromBits(0x7BFF) * 2;
        Exactly([0x7C00], over, "65504 * 2");
        // Broadcasting, a comparison (bool result) and a view operand.
        using var row = FromBits(0x3C00, 0x4000, 0x4200);
        using var m = NF.Reshape(FromBits(A), [4, 3]);
        using var mb = m + row;
        Assert.Equal(new Shape(4, 3), mb.Shape);
        using var gt = NF.Greater(a, b);
        Assert.Equal(DType.Bool, gt.DType);
        var av = a.ToArray<Half>(); var bv = b.ToArray<Half>();
        Assert.Equal(av.Zip(bv, (x, y) => x > y), gt.ToArray<bool>());
    }

    [SkippableFact]
    public void Exp_and_other_unary_ops_round_their_float32_result()
    {
        RequireBackend();
        using var a = FromBits(A);
        using var e = NF.Exp(a);
        // np.exp on float16 rounds float32's exp once; a float32 exp may differ by an ulp of float32.
        WithinOneUlp([0x4171, 0x4E00, 0x4889, 0x2F19, 0x3278, 0x4CF6, 0x24E5, 0x4A89, 0x4963, 0x3A31, 0x329E, 0x3170], e, "exp(a)");
        using var n = -a;
        Assert.Equal(A.Select(v => (ushort)(v ^ 0x8000)), Bits(n));
        using var sq = NF.Sqrt(FromBits(0x4400, 0x0000, 0xBC00));   // sqrt(4) = 2, sqrt(0) = 0, sqrt(-1) = NaN
        var s = sq.ToArray<Half>();
        Assert.Equal((Half)2, s[0]);
        Assert.Equal((Half)0, s[1]);
        Assert.True(Half.IsNaN(s[2]));
    }

    [SkippableFact]
    public void Sum_mean_and_matmul_accumulate_in_float32_and_round_once()
    {
        RequireBackend();
        using var a = FromBits(A);
        using var sum = NF.ReduceSum(a);
        Exactly([0x41EB], sum, "sum(a)");
        using var mean = NF.ReduceMean(a);
        Exactly([0x33E4], mean, "mean(a)");
        using var rows = NF.ReduceSum(NF.Reshape(a, [3, 4]), 1);
        Exactly([0x442F, 0x1A00, 0xBCEA], rows, "sum(a.reshape(3, 4), axis=1)");
        // torch sums [2048, 1, 1, 1, 1] in float32 to 2052; float16 accumulation would stay at 2048.
        using var steps = NF.ReduceSum(NF.Constant(new[] { 2048, 1, 1, 1, 1 }.Select(v => (Half)v).ToArray()));
        Assert.Equal((Half)2052, steps.Item<Half>());
        using var am = NF.Reshape(FromBits(A), [3, 4]);
        using var bm = NF.Reshape(FromBits(B), [4, 3]);
        using var mm = NF.MatMul(am, bm);
        Exactly([0x4A5B, 0x4C69, 0x4B00, 0xC19F, 0xB42C, 0x41C2, 0xC2D6, 0xC70F, 0x3DA4], mm, "A @ B");
        // A transposed operand (a layout the op passes beside the tensor) gives the same product.
        using var bt = NF.Transpose(bm);
        using var mmT = NF.MatMul(am, NF.Transpose(bt));
        Exactly(Bits(mm), mmT, "A @ B through a transposed view");
        using var mx = NF.ReduceMax(a);
        Exactly([0x425B], mx, "max(a)");
        using var am2 = NF.ArgMax(a);
        Assert.Equal(1L, Convert.ToInt64(am2.DType == DType.Int64 ? am2.Item<long>() : am2.Item<int>()));
    }

    // op on float16 equals op on the float32 values rounded once: each of these is one kernel, so
    // the Engine's float32 stand-in runs exactly the float32 computation.
    private static void SameAsFloat32Rounded(Tensor x16, Func<Tensor, Tensor> op, string what)
    {
        using var x32 = NF.Cast(x16, DType.Float32);
        using var want32 = op(x32);
        using var want = want32.DType == DType.Float32 ? NF.Cast(want32, DType.Float16) : want32.View(want32.Layout);
        using var got = op(x16);
        Assert.Equal(want.DType, got.DType);
        Assert.Equal(want.Shape, got.Shape);
        if (got.DType == DType.Float16) Exactly(Bits(want), got, what);
        else Assert.Equal(want.ToDoubleArray(), got.ToDoubleArray());
    }

    [SkippableFact]
    public void Every_kind_of_kernel_takes_float16_through_the_float32_stand_ins()
    {
        RequireBackend();
        var r = new Random(3);
        using var img = NF.Constant(Enumerable.Range(0, 2 * 5 * 5 * 3).Select(_ => (Half)(r.NextDouble() * 4 - 2)).ToArray(), [2, 5, 5, 3]);
        using var kernel = NF.Constant(Enumerable.Range(0, 3 * 3 * 3 * 4).Select(_ => (Half)(r.NextDouble() - 0.5)).ToArray(), [3, 3, 3, 4]);
        using var kernel32 = NF.Cast(kernel, DType.Float32);
        using var m = NF.Reshape(FromBits(A), [3, 4]);
        SameAsFloat32Rounded(m, t => NF.Softmax(t), "softmax");
        SameAsFloat32Rounded(m, t => NF.LogSoftmax(t, 0), "log_softmax");
        SameAsFloat32Rounded(m, t => NF.CumSum(t, 1), "cumsum");
        SameAsFloat32Rounded(m, t => NF.Sort(t), "sort");
        SameAsFloat32Rounded(m, t => NF.ArgSort(t), "argsort");
        SameAsFloat32Rounded(m, t => NF.Gather(t, NF.Constant(new[] { 2, 0 }), 0), "gather");
        SameAsFloat32Rounded(m, t => NF.Where(NF.Greater(t, NF.ZerosLike(t)), t, NF.ZerosLike(t)), "where");
        SameAsFloat32Rounded(m, t => NF.Concat([t, t], 1), "concat");
        SameAsFloat32Rounded(m, t => NF.Pad(t, new[,] { { 1, 0 }, { 0, 2 } }, constantValues: 0.5), "pad");
        SameAsFloat32Rounded(m, t => NF.Tanh(t), "tanh");
        SameAsFloat32Rounded(m, t => NF.Sigmoid(t), "sigmoid");
        SameAsFloat32Rounded(m, t => NF.ReduceMax(t, 0), "max");
        SameAsFloat32Rounded(m, t => NF.ArgMax(t, 1), "argmax");
        SameAsFloat32Rounded(img, t => NF.MaxPool2D(t, [2, 2]), "max_pool");
        SameAsFloat32Rounded(img, t => NF.Conv2D(t, t.DType == DType.Float16 ? kernel : kernel32), "conv2d");
        using var oh = NF.OneHot(NF.Constant(new[] { 0, 2 }), 3, dtype: DType.Float16);
        Assert.Equal(new ushort[] { 0x3C00, 0, 0, 0, 0, 0x3C00 }, Bits(oh));
        // A composed op (several kernels, each rounded) stays float16 and close to float32's value.
        using var ln = NF.LayerNormalization(m);
        using var ln32 = NF.LayerNormalization(NF.Cast(m, DType.Float32));
        Assert.Equal(DType.Float16, ln.DType);
        var (a16, a32) = (ln.ToDoubleArray(), ln32.ToDoubleArray());
        for (int i = 0; i < a16.Length; i++) Assert.True(Math.Abs(a16[i] - a32[i]) <= 1e-2 * Math.Max(1, Math.Abs(a32[i])), $"layer_norm[{i}]: {a16[i]} vs {a32[i]}");
    }

    [SkippableFact]
    public void Float16_promotes_as_torch_promote_types()
    {
        RequireBackend();
        // torch.promote_types: (float16, float32) -> float32, (float16, float64) -> float64,
        // (float16, int64) -> float16, (float16, int32) -> float16.
        using var h = FromBits(0x3E00, 0xC000);   // 1.5, -2
        using var f32 = NF.Constant(new[] { 1f, 1f });
        using var f64 = NF.Constant(new[] { 1.0, 1.0 });
        using var i64 = NF.Constant(new[] { 1L, 1L });
        using var i32 = NF.Constant(new[] { 1, 1 });
        Assert.Equal(DType.Float32, Engine.PromotedDType("t", h, f32));
        Assert.Equal(DType.Float64, Engine.PromotedDType("t", f64, h));
        Assert.Equal(DType.Float16, Engine.PromotedDType("t", h, i64));
        Assert.Equal(DType.Float16, Engine.PromotedDType("t", i32, h));
        // NumPy-style ops that promote: np.fmax(float16, float32) is float32, with int64 float16.
        using var mx = NF.Fmax(h, f32);
        Assert.Equal(DType.Float32, mx.DType);
        Assert.Equal(new[] { 1.5f, 1f }, mx.ToArray<float>());
        using var mi = NF.Fmax(h, i64);
        Assert.Equal(new ushort[] { 0x3E00, 0x3C00 }, Bits(mi));
    }

    [SkippableFact]
    public void Gradients_flow_through_float16_tensors()
    {
        RequireBackend();
        // d/dx sum(x * exp(x)) = exp(x) (1 + x); the gradient is float16, computed as float16 ops
        // are (each step rounded once), so compared against float64 within float16's precision.
        double[] xs = [-1.5, -0.25, 0.5, 1.25];
        using var x = NF.Constant(xs.Select(v => (Half)v).ToArray());
        using var tape = new GradientTape();
        tape.Watch(x);
        using var y = NF.ReduceSum(x * NF.Exp(x));
        Assert.Equal(DType.Float16, y.DType);
        using var g = tape.Gradient(y, x);
        Assert.Equal(DType.Float16, g.DType);
        var got = g.ToArray<Half>();
        for (int i = 0; i < xs.Length; i++)
        {
            double want = Math.Exp(xs[i]) * (1 + xs[i]);
            Assert.True(Math.Abs((double)got[i] - want) <= 4e-3 * Math.Max(1, Math.Abs(want)), $"[{i}]: {got[i]} vs {want}");
        }
        // A gradient of a gradient: d2/dx2 sum(x^3) = 6x, exact in float16 for these x.
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor g1;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            g1 = inner.Gradient(NF.ReduceSum(x * x * x), x);
        }
        using var g2 = outer.Gradient(NF.ReduceSum(g1), x);
        Assert.Equal(DType.Float16, g2.DType);
        Assert.Equal(xs.Select(v => (Half)(6 * v)), g2.ToArray<Half>());
        // A float16 operand mixed into a promoting op gets its gradient back in float16.
        using var w = NF.Constant(new[] { 2f, 2f, 2f, 2f });
        using var t2 = new GradientTape();
        t2.Watch(x);
        using var z = NF.ReduceSum(NF.Fmax(x, w) + NF.Cast(x, DType.Float32));
        using var gx = t2.Gradient(z, x);
        Assert.Equal(DType.Float16, gx.DType);
        Assert.Equal(new[] { 1.0, 1, 1, 1 }, gx.ToArray<Half>().Select(v => (double)v));
    }

    [SkippableFact]
    public void A_float16_variable_trains_with_SGD()
    {
        RequireBackend();
        // y = 3x - 1 from 8 points; w and b float16 variables, plain SGD, mean squared error.
        var xs = Enumerable.Range(0, 8).Select(i => (Half)(i / 4.0 - 1)).ToArray();
        using var x = NF.Constant(xs);
        using var y = NF.Constant(xs.Select(v => (Half)(3 * (double)v - 1)).ToArray());
        var w = new Variable(NF.Constant((Half)0));
        var b = new Variable(NF.Constant((Half)0));
        var opt = new Optimizers.SGD(0.2);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var tape = new GradientTape();
            using var err = w * x + b - y;
            using var loss = NF.ReduceMean(err * err);
            Assert.Equal(DType.Float16, loss.DType);
            if (step == 0) first = (double)loss.Item<Half>();
            last = (double)loss.Item<Half>();
            var grads = tape.Gradient(loss, [w, b]);
            Assert.All(grads, t => Assert.Equal(DType.Float16, t.DType));
            opt.ApplyGradients(grads, [w, b]);
        }
        Assert.Equal(DType.Float16, w.DType);
        Assert.True(last < first / 100, $"loss {first} -> {last}");
        Assert.True(Math.Abs((double)w.Item<Half>() - 3) < 0.02, $"w = {w.Item<Half>()}");
        Assert.True(Math.Abs((double)b.Item<Half>() + 1) < 0.02, $"b = {b.Item<Half>()}");
    }
}

public sealed class ManagedFloat16ComputeTests() : Float16ComputeTests("managed");

public sealed class NativeCpuFloat16ComputeTests() : Float16ComputeTests("cpu");

public sealed class CudaFloat16ComputeTests() : Float16ComputeTests("cuda");
