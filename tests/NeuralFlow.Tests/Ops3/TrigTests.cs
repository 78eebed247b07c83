using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// The composed trigonometric and hyperbolic functions where composition could go wrong: float32
/// accuracy across the domain against .NET's Math (C's libm), special values (±inf, NaN, ±1, out
/// of domain, overflow edges), atan2's quadrants and signed zeros as C's atan2, integer inputs,
/// central differences in float64 and a second derivative.
/// </summary>
public abstract class TrigTests(string backend) : BackendTest(backend)
{
    private static readonly (string Name, Func<Tensor, Tensor> Op, Func<double, double> Exact, double Lo, double Hi)[] Functions =
    [
        ("Tan", NF.Tan, Math.Tan, -1.5, 1.5),
        ("Atan", NF.Atan, Math.Atan, -60, 60),
        ("Asin", NF.Asin, Math.Asin, -1, 1),
        ("Acos", NF.Acos, Math.Acos, -1, 1),
        ("Sinh", NF.Sinh, Math.Sinh, -89, 89),
        ("Cosh", NF.Cosh, Math.Cosh, -89, 89),
        ("Asinh", NF.Asinh, Math.Asinh, -1e4, 1e4),
        ("Acosh", NF.Acosh, Math.Acosh, 1, 1e4),
        ("Atanh", NF.Atanh, Math.Atanh, -0.999, 0.999),
    ];

    [SkippableFact]
    public void Float32_results_are_within_a_few_ulps_of_libm_across_the_domain()
    {
        RequireBackend();
        foreach (var (name, op, exact, lo, hi) in Functions)
        {
            // A dense grid plus tiny arguments, where cancellation would show.
            var xs = Enumerable.Range(0, 4001).Select(i => (float)(lo + (hi - lo) * i / 4000.0))
                .Concat([1e-7f, -3e-5f, 1e-3f]).Where(x => x >= lo && x <= hi).ToArray();
            var got = op(NF.Constant(xs)).ToArray<float>();
            for (int i = 0; i < xs.Length; i++)
            {
                double want = exact(xs[i]);
                double tol = 2 * Math.Max(Math.Abs(want), float.Epsilon) * Math.Pow(2, -23) + 1e-30;
                Assert.True(Math.Abs(got[i] - want) <= tol, $"{name}({xs[i]:R}) = {got[i]:R}, libm {want:R}");
            }
        }
    }

    [SkippableFact]
    public void Special_values_follow_libm()
    {
        RequireBackend();
        double[] xs = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1, -1, 2, -2, 0.5, 0, 1e300, -1e300, 710, -710, 1e-300];
        foreach (var (name, op, exact, _, _) in Functions)
        {
            var got = op(NF.Constant(xs)).ToArray<double>();
            for (int i = 0; i < xs.Length; i++)
            {
                double want = exact(xs[i]);
                if (double.IsNaN(want) || double.IsInfinity(want)) Assert.True(want.Equals(got[i]), $"{name}({xs[i]}) = {got[i]}, libm {want}");
                else Assert.True(Math.Abs(got[i] - want) <= 1e-15 * Math.Abs(want), $"{name}({xs[i]}) = {got[i]:R}, libm {want:R}");
            }
        }
        // Float32 overflow edges: sinh and cosh stay finite as long as the true value fits.
        Assert.Equal((float)Math.Sinh(89), NF.Sinh(NF.Constant(new[] { 89f })).Item<float>(), 4e-7f * (float)Math.Sinh(89));
        Assert.Equal(float.PositiveInfinity, NF.Cosh(NF.Constant(new[] { 89.5f })).Item<float>());
        Assert.Equal((float)Math.Asinh(1e30), NF.Asinh(NF.Constant(new[] { 1e30f })).Item<float>(), 1e-5f);
        Assert.Equal((float)Math.Acosh(3e38), NF.Acosh(NF.Constant(new[] { 3e38f })).Item<float>(), 1e-5f);
    }

    [SkippableFact]
    public void Atan2_takes_the_quadrant_from_the_signs_as_C_does()
    {
        RequireBackend();
        double[] v = [0.0, -0.0, 1, -1, 2.5, -1e-300, double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        var ys = v.SelectMany(a => v.Select(_ => a)).ToArray();
        var xs = v.SelectMany(_ => v).ToArray();
        var got = NF.Atan2(NF.Constant(ys), NF.Constant(xs)).ToArray<double>();
        for (int i = 0; i < ys.Length; i++)
        {
            double want = Math.Atan2(ys[i], xs[i]);
            string what = $"atan2({ys[i]}, {xs[i]}) = {got[i]:R}, C {want:R}";
            if (double.IsNaN(want)) Assert.True(double.IsNaN(got[i]), what);
            else Assert.True(Math.Abs(got[i] - want) <= 1e-15 * Math.Abs(want) && double.IsNegative(got[i]) == double.IsNegative(want), what);
        }
        // Float32 and a C# number on either side; integers compute in float32.
        Assert.Equal(DType.Float32, NF.Atan2(NF.Constant(new[] { 1f }), 1.0).DType);
        Assert.Equal(Math.PI / 4, NF.Atan2(1.0, NF.Constant(new[] { 1.0 })).ToArray<double>()[0], 1e-15);
        var ints = NF.Atan2(NF.Constant(new[] { 1, -1 }), NF.Constant(new[] { 0, 0 }));
        Assert.Equal(DType.Float32, ints.DType);
        Assert.Equal(new[] { (float)(Math.PI / 2), (float)(-Math.PI / 2) }, ints.ToArray<float>());
    }

    [SkippableFact]
    public void Integer_inputs_compute_in_float32()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 0, 1, 2 });
        foreach (var (name, op, exact, _, _) in Functions)
        {
            var y = op(x);
            Assert.Equal(DType.Float32, y.DType);
            var got = y.ToArray<float>();
            for (int i = 0; i < 3; i++) Assert.True(((float)exact(i)).Equals(got[i]) || Math.Abs(got[i] - exact(i)) <= 3e-7 * Math.Abs(exact(i)), $"{name}({i}) = {got[i]}");
        }
    }

    [SkippableFact]
    public void Gradients_match_central_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Tan(t[0]), GradientTests.In([2, 3], 301, -1.2, 1.2));
        GradientTests.Check(t => NF.Atan(t[0]), GradientTests.In([2, 3], 302, -4, 4));
        GradientTests.Check(t => NF.Asin(t[0]), GradientTests.In([2, 3], 303, -0.9, 0.9));
        GradientTests.Check(t => NF.Acos(t[0]), GradientTests.In([2, 3], 304, -0.9, 0.9));
        GradientTests.Check(t => NF.Sinh(t[0]), GradientTests.In([2, 3], 305, -3, 3));
        GradientTests.Check(t => NF.Cosh(t[0]), GradientTests.In([2, 3], 306, -3, 3));
        GradientTests.Check(t => NF.Asinh(t[0]), GradientTests.In([2, 3], 307, -5, 5));
        GradientTests.Check(t => NF.Acosh(t[0]), GradientTests.In([2, 3], 308, 1.1, 5));
        GradientTests.Check(t => NF.Atanh(t[0]), GradientTests.In([2, 3], 309, -0.9, 0.9));
        GradientTests.Check(t => NF.Atan2(t[0], t[1]), GradientTests.In([3, 2], 310), GradientTests.In([2], 311, 0.2, 2));
        GradientTests.Check(t => NF.SquaredDifference(t[0], t[1]), GradientTests.In([3, 2], 312), GradientTests.In([3, 1], 313));
    }

    [SkippableFact]
    public void Second_derivatives_come_from_recorded_rules()
    {
        RequireBackend();
        // d²/dx² atan(x) = -2x / (1 + x²)²; d²/dx² sinh(x) = sinh(x).
        var x = NF.Constant(new[] { -1.5, 0.3, 2.0 });
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor first, firstSinh;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            first = inner.Gradient(NF.ReduceSum(NF.Atan(x)), [x])[0];
        }
        var second = outer.Gradient(NF.ReduceSum(first), [x])[0].ToArray<double>();
        AssertClose(new[] { -1.5, 0.3, 2.0 }.Select(v => -2 * v / Math.Pow(1 + v * v, 2)).ToArray(), second, 1e-12, 1e-14, "atan''");
        using var outer2 = new GradientTape();
        outer2.Watch(x);
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            firstSinh = inner.Gradient(NF.ReduceSum(NF.Sinh(x)), [x])[0];
        }
        AssertClose(new[] { -1.5, 0.3, 2.0 }.Select(Math.Sinh).ToArray(), outer2.Gradient(NF.ReduceSum(firstSinh), [x])[0].ToArray<double>(), 1e-12, 1e-14, "sinh''");
    }

    [SkippableFact]
    public void Predicates_classify_floats_and_integers()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.MaxValue });
        Assert.Equal(new[] { false, true, false, false, false, false }, NF.IsNan(x).ToArray<bool>());
        Assert.Equal(new[] { false, false, true, true, false, false }, NF.IsInf(x).ToArray<bool>());
        Assert.Equal(new[] { true, false, false, false, true, true }, NF.IsFinite(x).ToArray<bool>());
        var ints = NF.Constant(new[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(new Shape(2, 2), NF.IsNan(ints).Shape);
        Assert.All(NF.IsNan(ints).ToArray<bool>(), Assert.False);
        Assert.All(NF.IsInf(ints).ToArray<bool>(), Assert.False);
        Assert.All(NF.IsFinite(ints).ToArray<bool>(), Assert.True);
    }
}

public sealed class ManagedTrigTests() : TrigTests("managed");

public sealed class NativeCpuTrigTests() : TrigTests("cpu");

public sealed class CudaTrigTests() : TrigTests("cuda");
