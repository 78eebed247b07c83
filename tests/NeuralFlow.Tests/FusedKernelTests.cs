using System.Numerics;
using System.Runtime.InteropServices;
using NeuralFlow.Backends;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// The fused training kernels (<see cref="IBackend.OptimizerUpdate"/>,
/// <see cref="IBackend.SoftmaxCrossEntropy"/>) called directly on each backend, against float64
/// references written here; <see cref="FusedKernelAgreementTests"/> compares the backends.
/// </summary>
public abstract class FusedKernelTests(string backend) : BackendTest(backend)
{
    private IBackend B => BackendRegistry.Get(BackendName);

    // 140_001 is above every parallel threshold (native and managed).
    private static readonly int[] Sizes = [1, 7, 33, 1025, 140_001];

    public static IEnumerable<object[]> OptimizerCases() =>
        from c in Fused.Configs from dt in new[] { DType.Float32, DType.Float64 } select new object[] { c.Name, dt };

    [SkippableTheory]
    [MemberData(nameof(OptimizerCases))]
    public void Optimizer_update_matches_the_float64_reference_and_the_formula_in_T(string config, DType dtype)
    {
        RequireBackend();
        var c = Fused.Configs.Single(x => x.Name == config);
        foreach (int n in Sizes)
        {
            if (dtype == DType.Float32) CheckOptimizer<float>(c, n, 2e-5, 1e-6);
            else CheckOptimizer<double>(c, n, 1e-12, 1e-14);
        }
    }

    private void CheckOptimizer<T>(Fused.Config c, int n, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (w0, grads) = Fused.OptimizerData<T>(n, steps: 5, seed: n);
        var got = Fused.RunOptimizer(B, c, w0, grads);
        // Reference: the same steps in double, and in T (which the kernel must match bit for bit).
        var wd = w0.Select(double.CreateTruncating).ToArray();
        double[] s0d = Enumerable.Repeat(c.Slot0Init, n).ToArray(), s1d = new double[n];
        var wt = (T[])w0.Clone();
        T[] s0t = Enumerable.Repeat(T.CreateTruncating(c.Slot0Init), n).ToArray(), s1t = new T[n];
        for (int step = 1; step <= grads.Length; step++)
        {
            var p = c.P with { Step = step };
            for (int i = 0; i < n; i++)
            {
                Fused.StepReference(c.Kind, p, ref wd[i], double.CreateTruncating(grads[step - 1][i]), ref s0d[i], ref s1d[i]);
                Fused.StepReference(c.Kind, p, ref wt[i], grads[step - 1][i], ref s0t[i], ref s1t[i]);
            }
        }
        string what = $"{BackendName} {c.Name} {typeof(T).Name} n={n}";
        AssertClose(wd, Fused.D(got.W), rtol, atol, what + " param");
        if (c.Uses0) AssertClose(s0d, Fused.D(got.S0!), rtol, atol, what + " slot0");
        if (c.Uses1) AssertClose(s1d, Fused.D(got.S1!), rtol, atol, what + " slot1");
        Assert.True(wt.AsSpan().SequenceEqual(got.W), what + ": param differs from the formula evaluated in T");
        if (c.Uses0) Assert.True(s0t.AsSpan().SequenceEqual(got.S0), what + ": slot0 differs from the formula evaluated in T");
        if (c.Uses1) Assert.True(s1t.AsSpan().SequenceEqual(got.S1), what + ": slot1 differs from the formula evaluated in T");
    }

    [SkippableFact]
    public void Optimizer_update_rejects_bad_input()
    {
        RequireBackend();
        using var guards = new Sentinels(B);
        nint p = guards.Output(new float[4], "param");
        var adam = new OptimizerParams(0.01);
        // Every call, refused or not, must leave the bytes after its 4 elements alone.
        void Refused<E>(string what, Action call) where E : Exception
        {
            Assert.Contains(what, Assert.Throws<E>(call).Message, StringComparison.OrdinalIgnoreCase);
            guards.Check("a refused update (" + what + ")");
        }
        Refused<ArgumentException>("slot1", () => B.OptimizerUpdate(OptimizerKind.Adam, DType.Float32, p, p, p, 0, 4, adam));
        Refused<ArgumentException>("slot0", () => B.OptimizerUpdate(OptimizerKind.Sgd, DType.Float32, p, p, 0, 0, 4, new OptimizerParams(0.1, Momentum: 0.9)));
        Refused<ArgumentException>("step", () => B.OptimizerUpdate(OptimizerKind.Adam, DType.Float32, p, p, p, p, 4, adam with { Step = 0 }));
        Refused<ArgumentException>("count", () => B.OptimizerUpdate(OptimizerKind.Adagrad, DType.Float32, p, p, p, 0, -1, adam));
        Refused<ArgumentException>("kind", () => B.OptimizerUpdate((OptimizerKind)9, DType.Float32, p, p, p, p, 4, adam));
        Refused<NotSupportedException>("", () => B.OptimizerUpdate(OptimizerKind.Sgd, DType.Int32, p, p, 0, 0, 4, adam));
        // Unused slots may be 0, and so may everything when count is 0.
        B.OptimizerUpdate(OptimizerKind.Sgd, DType.Float32, p, p, 0, 0, 4, new OptimizerParams(0.1));
        guards.Check("sgd on 4 elements");
        B.OptimizerUpdate(OptimizerKind.Adam, DType.Float64, 0, 0, 0, 0, 0, adam);
    }

    public static IEnumerable<object[]> CrossEntropyCases()
    {
        int[][] shapes = [[1, 1], [1, 7], [7, 33], [33, 10], [5, 1025], [3000, 10]];
        foreach (var s in shapes)
            foreach (var layout in Fused.LayoutKinds)
            {
                yield return [s[0], s[1], layout, DType.Float32, DType.Int32];
                yield return [s[0], s[1], layout, DType.Float64, DType.Int64];
                if (s[1] <= 256) yield return [s[0], s[1], layout, DType.Float32, DType.UInt8];
                yield return [s[0], s[1], layout, DType.Float32, DType.Float32]; // dense
                yield return [s[0], s[1], layout, DType.Float64, DType.Float64];
            }
    }

    [SkippableTheory]
    [MemberData(nameof(CrossEntropyCases))]
    public void Softmax_cross_entropy_matches_the_float64_reference(int n, int c, string layout, DType dtype, DType labelDtype)
    {
        RequireBackend();
        bool f32 = dtype == DType.Float32;
        var data = Fused.CrossEntropyData(n, c, layout, labelDtype, seed: n * 31 + c);
        var (loss, grad) = Fused.RunCrossEntropy(B, dtype, data, withGrad: true);
        var (lossOnly, _) = Fused.RunCrossEntropy(B, dtype, data, withGrad: false);
        var (wantLoss, wantGrad) = Fused.CrossEntropyReference(data, dtype);
        string what = $"{BackendName} [{n}, {c}] {layout} {dtype.Name()} labels {labelDtype.Name()}";
        AssertClose(wantLoss, loss, f32 ? 2e-6 : 1e-12, 0, what + " loss");
        AssertClose(wantGrad, grad, f32 ? 2e-6 : 1e-12, f32 ? 1e-7 : 1e-15, what + " grad");
        Assert.Equal(loss, lossOnly);
    }

    [SkippableFact]
    public void Softmax_cross_entropy_is_stable_for_huge_logits()
    {
        RequireBackend();
        // Row 0: the label holds the max (loss ~e^-2000); row 1: the label is 2000 below the max;
        // row 2: three equal logits (log 3). Then dense: a zero label where log_softmax is -2000.
        var data = new Fused.CrossEntropyCase(
            [1000, -1000, 0, 1000, -1000, 0, -1000, -1000, -1000], new Layout(new Shape(3, 3), [3, 1], 0),
            DType.Int32, Sparse: [0, 1, 2], Dense: null);
        var (loss, grad) = Fused.RunCrossEntropy(B, DType.Float32, data, withGrad: true);
        Assert.Equal(0.0, loss[0]);
        Assert.Equal(2000.0, loss[1], 3);
        Assert.Equal(Math.Log(3), loss[2], 6);
        Assert.All(grad, g => Assert.True(double.IsFinite(g)));
        Assert.Equal(-1.0, grad[4], 6);
        var dense = new Fused.CrossEntropyCase([1000, -1000], new Layout(new Shape(1, 2), [2, 1], 0), DType.Float64, null, Dense: [1, 0]);
        var (dl, dg) = Fused.RunCrossEntropy(B, DType.Float64, dense, withGrad: true);
        Assert.Equal([0.0], dl);
        Assert.Equal([0.0, 0.0], dg);
        // A tiny float64 loss keeps its relative precision: log1p(e^-40), not log(1 + e^-40) = 0.
        var tiny = new Fused.CrossEntropyCase([40, 0], new Layout(new Shape(1, 2), [2, 1], 0), DType.Int64, Sparse: [0], Dense: null);
        var (tl, _) = Fused.RunCrossEntropy(B, DType.Float64, tiny, withGrad: false);
        AssertClose([Math.Exp(-40)], tl, 1e-12, 0, "log1p(e^-40)");
        // An infinite logit is a certain prediction: loss 0 at its class, inf elsewhere.
        var inf = new Fused.CrossEntropyCase([double.PositiveInfinity, 0, double.PositiveInfinity, 0],
            new Layout(new Shape(2, 2), [2, 1], 0), DType.Int32, Sparse: [0, 1], Dense: null);
        var (il, ig) = Fused.RunCrossEntropy(B, DType.Float64, inf, withGrad: true);
        Assert.Equal([0.0, double.PositiveInfinity], il);
        Assert.Equal([0.0, 0.0, 1.0, -1.0], ig);
    }


    [SkippableFact]
    public void Softmax_cross_entropy_rejects_bad_input()
    {
        RequireBackend();
        var bad = new Fused.CrossEntropyCase(new double[6], new Layout(new Shape(2, 3), [3, 1], 0), DType.Int32, Sparse: [0, 3], Dense: null);
        var e = Assert.Throws<ArgumentException>(() => Fused.RunCrossEntropy(B, DType.Float32, bad, withGrad: true));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("label 3", e.Message);
        var rank1 = bad with { Layout = new Layout(new Shape(6), [1], 0) };
        Assert.Throws<ArgumentException>(() => Fused.RunCrossEntropy(B, DType.Float32, rank1, withGrad: false));
        var floatLabels = bad with { LabelDtype = DType.Float32 };
        Assert.Throws<ArgumentException>(() => Fused.RunCrossEntropy(B, DType.Float32, floatLabels, withGrad: false));
        Assert.Throws<NotSupportedException>(() => Fused.RunCrossEntropy(B, DType.Int32, bad with { Sparse = [0, 1] }, withGrad: false));
    }
}

public sealed class ManagedFusedKernelTests() : FusedKernelTests("managed");

public sealed class NativeCpuFusedKernelTests() : FusedKernelTests("cpu");

public sealed class CudaFusedKernelTests() : FusedKernelTests("cuda");

/// <summary>The managed and native fused kernels give the same numbers.</summary>
public class FusedKernelAgreementTests
{
    private static (IBackend Managed, IBackend Native) Both()
    {
        Skip.If(BackendRegistry.NativeCpu is null, "only the managed backend is available");
        return (BackendRegistry.Managed, BackendRegistry.NativeCpu!);
    }

    [SkippableFact]
    public void Optimizer_updates_are_bit_identical()
    {
        var (managed, native) = Both();
        foreach (var c in Fused.Configs)
        {
            foreach (int n in new[] { 7, 1025, 140_001 })
            {
                var (w32, g32) = Fused.OptimizerData<float>(n, 4, seed: 3);
                var (a, b) = (Fused.RunOptimizer(managed, c, w32, g32), Fused.RunOptimizer(native, c, w32, g32));
                Assert.True(a.W.AsSpan().SequenceEqual(b.W) && (a.S0 ?? []).AsSpan().SequenceEqual(b.S0) && (a.S1 ?? []).AsSpan().SequenceEqual(b.S1),
                    $"{c.Name} float32 n={n}: managed and native differ");
                var (w64, g64) = Fused.OptimizerData<double>(n, 4, seed: 4);
                var (a64, b64) = (Fused.RunOptimizer(managed, c, w64, g64), Fused.RunOptimizer(native, c, w64, g64));
                Assert.True(a64.W.AsSpan().SequenceEqual(b64.W), $"{c.Name} float64 n={n}: managed and native differ");
            }
        }
    }

    [SkippableFact]
    public void Softmax_cross_entropy_agrees()
    {
        var (managed, native) = Both();
        foreach (var layout in Fused.LayoutKinds)
        {
            foreach (var (labelDtype, dtype) in new[] { (DType.Int64, DType.Float32), (DType.Float32, DType.Float32), (DType.Int32, DType.Float64) })
            {
                var data = Fused.CrossEntropyData(300, 10, layout, labelDtype, seed: 5);
                var (ml, mg) = Fused.RunCrossEntropy(managed, dtype, data, withGrad: true);
                var (nl, ng) = Fused.RunCrossEntropy(native, dtype, data, withGrad: true);
                double rtol = dtype == DType.Float32 ? 1e-6 : 1e-13;
                AssertClose(nl, ml, rtol, 0, $"{layout} {labelDtype.Name()} loss");
                AssertClose(ng, mg, rtol, dtype == DType.Float32 ? 1e-8 : 1e-16, $"{layout} {labelDtype.Name()} grad");
            }
        }
    }
}

/// <summary>Data, references and backend calls shared by the fused-kernel tests.</summary>
internal static class Fused
{
    public sealed record Config(string Name, OptimizerKind Kind, OptimizerParams P, double Slot0Init, bool Uses0, bool Uses1);

    public static readonly Config[] Configs =
    [
        new("sgd", OptimizerKind.Sgd, new(0.1), 0, false, false),
        new("sgd_momentum", OptimizerKind.Sgd, new(0.1, Momentum: 0.9), 0, true, false),
        new("sgd_nesterov", OptimizerKind.Sgd, new(0.1, Momentum: 0.9, Nesterov: true), 0, true, false),
        new("adam", OptimizerKind.Adam, new(0.01), 0, true, true),
        new("rmsprop", OptimizerKind.RMSprop, new(0.01), 0, true, false),
        new("rmsprop_momentum", OptimizerKind.RMSprop, new(0.01, Momentum: 0.5), 0, true, true),
        new("adagrad", OptimizerKind.Adagrad, new(0.1), 0.1, true, false),
    ];

    public static double[] D<T>(T[] v) where T : INumberBase<T> => v.Select(double.CreateTruncating).ToArray();

    public static (T[] W, T[][] Grads) OptimizerData<T>(int n, int steps, int seed) where T : IFloatingPointIeee754<T> =>
        (Conv<T>(RandomValues(n, seed, -1, 1)), Enumerable.Range(1, steps).Select(s => Conv<T>(RandomValues(n, seed * 100 + s, -1, 1))).ToArray());

    private static T[] Conv<T>(double[] v) where T : INumberBase<T> => v.Select(T.CreateTruncating).ToArray();

    /// <summary>One step of the header's formula in U, hyperparameters converted to U first.</summary>
    public static void StepReference<U>(OptimizerKind kind, in OptimizerParams p, ref U w, U g, ref U s0, ref U s1)
        where U : IFloatingPointIeee754<U>
    {
        U C(double x) => U.CreateTruncating(x);
        U lr = C(p.LearningRate), mu = C(p.Momentum), eps = C(p.Epsilon);
        switch (kind)
        {
            case OptimizerKind.Sgd when p.Momentum == 0:
                w -= lr * g;
                break;
            case OptimizerKind.Sgd:
                s0 = mu * s0 - lr * g;
                w += p.Nesterov ? mu * s0 - lr * g : s0;
                break;
            case OptimizerKind.Adam:
                U alpha = C(p.LearningRate * Math.Sqrt(1 - Math.Pow(p.Beta2, p.Step)) / (1 - Math.Pow(p.Beta1, p.Step)));
                s0 = C(p.Beta1) * s0 + C(1 - p.Beta1) * g;
                s1 = C(p.Beta2) * s1 + C(1 - p.Beta2) * (g * g);
                w -= alpha * s0 / (U.Sqrt(s1) + eps);
                break;
            case OptimizerKind.RMSprop:
                s0 = C(p.Rho) * s0 + C(1 - p.Rho) * (g * g);
                U inc = lr * g / U.Sqrt(s0 + eps);
                if (p.Momentum > 0)
                {
                    s1 = mu * s1 + inc;
                    w -= s1;
                }
                else w -= inc;
                break;
            default:
                s0 += g * g;
                w -= lr * g / U.Sqrt(s0 + eps);
                break;
        }
    }

    /// <summary>Runs every step of <paramref name="grads"/> on <paramref name="backend"/>; returns param and the slots used.</summary>
    public static (T[] W, T[]? S0, T[]? S1) RunOptimizer<T>(IBackend backend, Config c, T[] w0, T[][] grads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = w0.Length;
        var dtype = typeof(T) == typeof(float) ? DType.Float32 : DType.Float64;
        using var guards = new Sentinels(backend);
        nint w = guards.Output(w0, "param");
        nint s0 = guards.Output(Enumerable.Repeat(T.CreateTruncating(c.Slot0Init), n).ToArray(), "slot0");
        nint s1 = guards.Output(new T[n], "slot1");
        using var g = backend.Allocate((long)n * dtype.SizeInBytes());
        for (int step = 1; step <= grads.Length; step++)
        {
            backend.Upload(MemoryMarshal.AsBytes(grads[step - 1].AsSpan()), g.Pointer, 0);
            backend.OptimizerUpdate(c.Kind, dtype, w, g.Pointer, c.Uses0 ? s0 : 0, c.Uses1 ? s1 : 0, n, c.P with { Step = step });
            guards.Check($"{c.Name} step {step}");
        }
        return (guards.Read<T>(w, n), c.Uses0 ? guards.Read<T>(s0, n) : null, c.Uses1 ? guards.Read<T>(s1, n) : null);
    }

    private static DeviceBuffer Upload<T>(IBackend backend, T[] data) where T : unmanaged
    {
        var b = backend.Allocate((long)data.Length * Marshal.SizeOf<T>());
        backend.Upload(MemoryMarshal.AsBytes(data.AsSpan()), b.Pointer, 0);
        return b;
    }

    // ---- cross-entropy ----------------------------------------------------------------------

    /// <summary>Logits storage (values exactly representable in float32) read through Layout; sparse or dense labels.</summary>
    public sealed record CrossEntropyCase(double[] Storage, Layout Layout, DType LabelDtype, long[]? Sparse, double[]? Dense);

    public static readonly string[] LayoutKinds = ["contiguous", "transposed", "strided"];

    public static CrossEntropyCase CrossEntropyData(int n, int c, string kind, DType labelDtype, int seed)
    {
        var shape = new Shape(n, c);
        var layout = kind switch
        {
            "contiguous" => new Layout(shape, [c, 1], 0),
            "transposed" => new Layout(shape, [1, n], 0),
            _ => new Layout(shape, [2L * c, 2], 3), // every other element, offset 3
        };
        long storage = kind == "strided" ? 2L * n * c + 3 : (long)n * c;
        var logits = F(RandomValues((int)storage, seed, -15, 15)).Select(x => (double)x).ToArray();
        var r = new System.Random(seed + 1);
        if (labelDtype is DType.Int32 or DType.Int64 or DType.UInt8)
            return new(logits, layout, labelDtype, Enumerable.Range(0, n).Select(_ => (long)r.Next(c)).ToArray(), null);
        // Probability rows (float32-exact) with some exact zeros.
        var y = new double[(long)n * c];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < c; j++) sum += y[i * c + j] = (i + j) % 2 == 1 && c > 1 ? 0 : r.NextDouble();
            for (int j = 0; j < c; j++) y[i * c + j] = (float)(y[i * c + j] / sum);
        }
        return new(logits, layout, labelDtype, null, y);
    }

    private static double Logit(CrossEntropyCase d, int i, int j) =>
        d.Storage[d.Layout.Offset + i * d.Layout.Strides[0] + j * d.Layout.Strides[1]];

    public static (double[] Loss, double[] Grad) CrossEntropyReference(CrossEntropyCase d, DType dtype)
    {
        int n = d.Layout.Shape[0], c = d.Layout.Shape[1];
        var loss = new double[n];
        var grad = new double[n * c];
        for (int i = 0; i < n; i++)
        {
            int a = 0;
            for (int j = 1; j < c; j++) if (Logit(d, i, j) > Logit(d, i, a)) a = j;
            double m = Logit(d, i, a), rest = 0;
            for (int j = 0; j < c; j++) if (j != a) rest += Math.Exp(Logit(d, i, j) - m);
            // log1p(rest) by Goldberg's trick (double.LogP1 is log(rest + 1), imprecise for small rest).
            double s = 1 + rest, logS = s == 1 ? rest : Math.Log(s) * rest / (s - 1);
            for (int j = 0; j < c; j++)
            {
                double y = d.Sparse is { } k ? (k[i] == j ? 1 : 0) : d.Dense![i * c + j];
                if (y != 0) loss[i] += y * (logS - (Logit(d, i, j) - m));
                grad[i * c + j] = Math.Exp(Logit(d, i, j) - m) / s - y;
            }
        }
        return (loss, grad);
    }

    /// <summary>Uploads logits (as <paramref name="dtype"/>) and labels, runs the kernel, returns loss and gradient as doubles.</summary>
    public static (double[] Loss, double[] Grad) RunCrossEntropy(IBackend b, DType dtype, CrossEntropyCase d, bool withGrad)
    {
        long n = d.Layout.Rank == 2 ? d.Layout.Shape[0] : 1, total = d.Layout.Shape.Count;
        using var logits = UploadAs(b, dtype, d.Storage);
        using var labels = d.Sparse is { } k
            ? d.LabelDtype switch
            {
                DType.Int32 => Upload(b, k.Select(x => (int)x).ToArray()),
                DType.UInt8 => Upload(b, k.Select(x => (byte)x).ToArray()),
                _ => Upload(b, k),
            }
            : UploadAs(b, d.LabelDtype, d.Dense!);
        using var guards = new Sentinels(b);
        long size = dtype.SizeInBytes();
        nint loss = guards.Output(n * size, "loss"), grad = guards.Output(total * size, "grad");
        b.SoftmaxCrossEntropy(dtype, logits.Pointer, d.Layout, d.LabelDtype, labels.Pointer, d.Sparse is not null, loss, withGrad ? grad : 0);
        guards.Check("softmax_cross_entropy");
        return (ReadAsDouble(guards, dtype, loss, n), withGrad ? ReadAsDouble(guards, dtype, grad, total) : []);
    }

    private static DeviceBuffer UploadAs(IBackend b, DType dtype, double[] v) => dtype switch
    {
        DType.Float32 => Upload(b, F(v)),
        DType.Int32 => Upload(b, v.Select(x => (int)x).ToArray()),
        _ => Upload(b, v),
    };

    private static double[] ReadAsDouble(Sentinels guards, DType dtype, nint output, long count) =>
        dtype == DType.Float32 ? D(guards.Read<float>(output, count)) : guards.Read<double>(output, count);
}
