using System.Numerics;
using System.Runtime.InteropServices;
using NeuralFlow.Backends;
using NeuralFlow.Backends.Managed;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 16's fused optimizer steps (Nadam, Adamax, Adadelta, AMSGrad, centered RMSprop,
/// gradient clipping, weight decay) called on each backend's kernel directly: several steps
/// against a float64 reference of the Keras 3 formula written here, against the same formula in
/// T (bit for bit), with guard bytes around every buffer.
/// </summary>
public abstract class OptimizerKernelTests(string backend) : BackendTest(backend)
{
    private IBackend B => BackendRegistry.Get(BackendName);

    // 140_001 is above every parallel threshold (native and managed).
    private static readonly int[] Sizes = [1, 7, 33, 1025, 140_001];

    public static IEnumerable<object[]> Cases() =>
        from c in NewSteps.Configs from dt in new[] { DType.Float32, DType.Float64 } select new object[] { c.Name, dt };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Step_matches_the_float64_reference_and_the_formula_in_T(string config, DType dtype)
    {
        RequireBackend();
        var c = NewSteps.Configs.Single(x => x.Name == config);
        foreach (int n in Sizes)
        {
            if (dtype == DType.Float32) Check<float>(c, n, 3e-5, 1e-6);
            else Check<double>(c, n, 1e-12, 1e-14);
        }
    }

    private void Check<T>(NewSteps.Config c, int n, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (w0, grads) = Fused.OptimizerData<T>(n, steps: 5, seed: n + 11);
        var got = NewSteps.Run(B, c, w0, grads);
        var wd = Fused.D(w0);
        var sd = new double[3][];
        var wt = (T[])w0.Clone();
        var st = new T[3][];
        for (int k = 0; k < 3; k++)
        {
            sd[k] = new double[n];
            st[k] = new T[n];
        }
        for (int step = 1; step <= grads.Length; step++)
        {
            var p = c.P with { Step = step };
            for (int i = 0; i < n; i++)
            {
                NewSteps.Reference(c.Kind, p, ref wd[i], double.CreateTruncating(grads[step - 1][i]), ref sd[0][i], ref sd[1][i], ref sd[2][i]);
                NewSteps.Reference(c.Kind, p, ref wt[i], grads[step - 1][i], ref st[0][i], ref st[1][i], ref st[2][i]);
            }
        }
        string what = $"{BackendName} {c.Name} {typeof(T).Name} n={n}";
        AssertClose(wd, Fused.D(got.W), rtol, atol, what + " param");
        // Every engine, CUDA too, raises Ftrl's accumulator to a general power with the one portable
        // pow (CUDA's own powf differed from the C runtime's in the last bit on an H200).
        Assert.True(wt.AsSpan().SequenceEqual(got.W), what + ": param differs from the formula evaluated in T");
        for (int k = 0; k < 3; k++)
        {
            if (got.Slots[k] is not { } slot) continue;
            AssertClose(sd[k], Fused.D(slot), rtol, atol, $"{what} slot{k}");
            Assert.True(st[k].AsSpan().SequenceEqual(slot), $"{what}: slot{k} differs from the formula evaluated in T");
        }
    }

    [SkippableFact]
    public void Missing_third_slot_and_NaN_options_are_refused_without_writing()
    {
        RequireBackend();
        using var guards = new Sentinels(B);
        nint p = guards.Output(new float[4], "param");
        void Refused(string what, Action call)
        {
            Assert.Contains(what, Assert.Throws<ArgumentException>(call).Message, StringComparison.OrdinalIgnoreCase);
            guards.Check("a refused update (" + what + ")");
        }
        Refused("slot2", () => B.OptimizerUpdate(OptimizerKind.Adam, DType.Float32, p, p, p, p, 0, 4, new OptimizerParams(0.1, Amsgrad: true)));
        Refused("slot2", () => B.OptimizerUpdate(OptimizerKind.RMSprop, DType.Float32, p, p, p, 0, 0, 4, new OptimizerParams(0.1, Centered: true)));
        Refused("slot1", () => B.OptimizerUpdate(OptimizerKind.Nadam, DType.Float32, p, p, p, 0, 0, 4, new OptimizerParams(0.1)));
        Refused("slot0", () => B.OptimizerUpdate(OptimizerKind.Adadelta, DType.Float32, p, p, 0, p, 0, 4, new OptimizerParams(0.1)));
        Refused("NaN", () => B.OptimizerUpdate(OptimizerKind.Sgd, DType.Float32, p, p, 0, 0, 0, 4, new OptimizerParams(0.1, WeightDecay: double.NaN)));
        Refused("kind", () => B.OptimizerUpdate((OptimizerKind)8, DType.Float32, p, p, p, p, p, 4, new OptimizerParams(0.1)));
    }
}

public sealed class ManagedOptimizerKernelTests() : OptimizerKernelTests("managed");

public sealed class NativeCpuOptimizerKernelTests() : OptimizerKernelTests("cpu");

public sealed class CudaOptimizerKernelTests() : OptimizerKernelTests("cuda");

/// <summary>The managed and native engines give the same bits for issue 16's steps.</summary>
public class OptimizerKernelAgreementTests
{
    [SkippableFact]
    public void New_steps_are_bit_identical_across_engines()
    {
        Skip.If(BackendRegistry.NativeCpu is null, "only the managed backend is available");
        foreach (var c in NewSteps.Configs)
        {
            foreach (int n in new[] { 7, 1025, 140_001 })
            {
                var (w32, g32) = Fused.OptimizerData<float>(n, 4, seed: 5);
                var a = NewSteps.Run(BackendRegistry.Managed, c, w32, g32);
                var b = NewSteps.Run(BackendRegistry.NativeCpu!, c, w32, g32);
                Assert.True(a.W.AsSpan().SequenceEqual(b.W), $"{c.Name} float32 n={n}: managed and native differ");
                for (int k = 0; k < 3; k++)
                    Assert.True((a.Slots[k] ?? []).AsSpan().SequenceEqual(b.Slots[k]), $"{c.Name} float32 n={n}: slot{k} differs");
            }
        }
    }
}

/// <summary>Configurations and the float64/T reference of issue 16's steps.</summary>
internal static class NewSteps
{
    public sealed record Config(string Name, OptimizerKind Kind, OptimizerParams P, bool[] Uses);

    private static readonly bool[] One = [true, false, false], Two = [true, true, false], Three = [true, true, true], Skip1 = [true, false, true];

    public static readonly Config[] Configs =
    [
        new("nadam", OptimizerKind.Nadam, new(0.01, Beta1: 0.5, Beta2: 0.67, Epsilon: 1e-5), Two),
        new("adamax", OptimizerKind.Adamax, new(0.2, Beta1: 0.85, Beta2: 0.95, Epsilon: 1e-6), Two),
        new("adadelta", OptimizerKind.Adadelta, new(1.0, Rho: 0.8, Epsilon: 1e-6), Two),
        new("adam_amsgrad", OptimizerKind.Adam, new(0.01, Amsgrad: true), Three),
        new("rmsprop_centered", OptimizerKind.RMSprop, new(0.01, Centered: true), Skip1),
        new("rmsprop_centered_momentum", OptimizerKind.RMSprop, new(0.01, Momentum: 0.5, Centered: true), Three),
        new("adam_weight_decay", OptimizerKind.Adam, new(0.01, WeightDecay: 0.004), Two),
        new("sgd_clipnorm", OptimizerKind.Sgd, new(0.1, GradMul: 0.75, GradDiv: 2.5), [false, false, false]),
        new("sgd_momentum_global_clip", OptimizerKind.Sgd, new(0.1, Momentum: 0.9, GradMul: 0.3, GradDiv: 1), One),
        new("adagrad_clipvalue_decay", OptimizerKind.Adagrad, new(0.1, ClipValue: 0.25, WeightDecay: 0.5), One),
        new("adadelta_all", OptimizerKind.Adadelta, new(0.5, Rho: 0.9, GradMul: 2, GradDiv: 3, WeightDecay: 0.01), Two),
        // keras2 session: Ftrl, the root power alone and a general power with every term and option.
        new("ftrl", OptimizerKind.Ftrl, new(0.5, LrPower: -0.5), Two),
        new("ftrl_all", OptimizerKind.Ftrl, new(0.05, LrPower: -0.2, L1: 0.05, L2: 0.15, L2Shrinkage: 0.01, Beta: 0.3, WeightDecay: 0.004, ClipValue: 0.5), Two),
    ];

    /// <summary>One step of the Keras 3 formula (neuralflow.h, nf_optimizer_update_ex) in U.</summary>
    public static void Reference<U>(OptimizerKind kind, in OptimizerParams p, ref U w, U g, ref U s0, ref U s1, ref U s2)
        where U : IFloatingPointIeee754<U>
    {
        U C(double x) => U.CreateTruncating(x);
        // The engines' pow for Ftrl's general power (PortablePowTests checks it against Math.Pow).
        static U PortablePower(U x, U y) => U.CreateTruncating(PortablePow.Pow(double.CreateTruncating(x), double.CreateTruncating(y)));
        U lr = C(p.LearningRate), eps = C(p.Epsilon);
        if (p.GradDiv != 0) g = g * C(p.GradMul) / C(p.GradDiv);
        if (p.ClipValue > 0) g = g < -C(p.ClipValue) ? -C(p.ClipValue) : g > C(p.ClipValue) ? C(p.ClipValue) : g;
        if (p.WeightDecay != 0) w = w - w * C(p.WeightDecay) * lr;
        double t = p.Step;
        switch (kind)
        {
            case OptimizerKind.Nadam:
            {
                double prod = 1;
                for (int i = 1; i <= p.Step; i++) prod *= p.Beta1 * (1 - 0.5 * Math.Pow(0.96, i));
                double u0 = p.Beta1 * (1 - 0.5 * Math.Pow(0.96, t)), u1 = p.Beta1 * (1 - 0.5 * Math.Pow(0.96, t + 1));
                s0 = s0 + (g - s0) * C(1 - p.Beta1);
                s1 = s1 + (g * g - s1) * C(1 - p.Beta2);
                U mh = C(u1) * s0 / C(1 - prod * u1) + C(1 - u0) * g / C(1 - prod);
                w -= mh * lr / (U.Sqrt(s1 / C(1 - Math.Pow(p.Beta2, t))) + eps);
                break;
            }
            case OptimizerKind.Adamax:
                s0 = s0 + (g - s0) * C(1 - p.Beta1);
                s1 = U.Max(C(p.Beta2) * s1, U.Abs(g));
                w -= lr * s0 / (C(1 - Math.Pow(p.Beta1, t)) * (s1 + eps));
                break;
            case OptimizerKind.Adadelta:
            {
                U rho = C(p.Rho), c = C(1 - p.Rho);
                s0 = rho * s0 + c * g * g;
                U d = -U.Sqrt(s1 + eps) * g / U.Sqrt(s0 + eps);
                s1 = rho * s1 + c * d * d;
                w += lr * d;
                break;
            }
            case OptimizerKind.Adam when p.Amsgrad:
            {
                U alpha = C(p.LearningRate * Math.Sqrt(1 - Math.Pow(p.Beta2, t)) / (1 - Math.Pow(p.Beta1, t)));
                s0 = C(p.Beta1) * s0 + C(1 - p.Beta1) * g;
                s1 = C(p.Beta2) * s1 + C(1 - p.Beta2) * (g * g);
                s2 = U.Max(s2, s1);
                w -= alpha * s0 / (U.Sqrt(s2) + eps);
                break;
            }
            case OptimizerKind.RMSprop when p.Centered:
            {
                U rho = C(p.Rho), c = C(1 - p.Rho);
                s0 = rho * s0 + c * (g * g);
                s2 = rho * s2 + c * g;
                U inc = g * lr / U.Sqrt(s0 - s2 * s2 + eps);
                if (p.Momentum > 0)
                {
                    s1 = C(p.Momentum) * s1 + inc;
                    w -= s1;
                }
                else w -= inc;
                break;
            }
            case OptimizerKind.Ftrl:
            {
                // keras/src/optimizers/ftrl.py's update_step; s0 = accumulator, s1 = linear.
                U na = s0 + g * g, power = C(-p.LrPower);
                U pn = p.LrPower == -0.5 ? U.Sqrt(na) : PortablePower(na, power), pa = p.LrPower == -0.5 ? U.Sqrt(s0) : PortablePower(s0, power);
                s1 = s1 + (g + C(2 * p.L2Shrinkage) * w - (pn - pa) / lr * w);
                U l1 = C(p.L1), clipped = s1 < -l1 ? -l1 : s1 > l1 ? l1 : s1;
                w = (clipped - s1) / (pn / lr + C(2 * (p.L2 + p.Beta / (2 * p.LearningRate))));
                s0 = na;
                break;
            }
            default:
                Fused.StepReference(kind, p, ref w, g, ref s0, ref s1);
                break;
        }
    }

    /// <summary>Runs every step on <paramref name="backend"/>; returns param and the slots used (null where unused).</summary>
    public static (T[] W, T[]?[] Slots) Run<T>(IBackend backend, Config c, T[] w0, T[][] grads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = w0.Length;
        var dtype = typeof(T) == typeof(float) ? DType.Float32 : DType.Float64;
        using var guards = new Sentinels(backend);
        nint w = guards.Output(w0, "param");
        var s = Enumerable.Range(0, 3).Select(k => c.Uses[k] ? guards.Output(new T[n], $"slot{k}") : 0).ToArray();
        using var g = backend.Allocate((long)n * dtype.SizeInBytes());
        for (int step = 1; step <= grads.Length; step++)
        {
            backend.Upload(MemoryMarshal.AsBytes(grads[step - 1].AsSpan()), g.Pointer, 0);
            backend.OptimizerUpdate(c.Kind, dtype, w, g.Pointer, s[0], s[1], s[2], n, c.P with { Step = step });
            guards.Check($"{c.Name} step {step}");
        }
        return (guards.Read<T>(w, n), s.Select(ptr => ptr == 0 ? null : guards.Read<T>(ptr, n)).ToArray());
    }
}
