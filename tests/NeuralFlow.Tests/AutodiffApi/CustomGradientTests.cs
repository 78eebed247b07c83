using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.AutodiffApi;

/// <summary>
/// NF.CustomGradient (tf.custom_gradient) on every engine: the docstring's log1pexp (a finite
/// gradient at x = 100 where the plain one is NaN in float32), gradient reversal and the
/// straight-through estimator, two and n inputs, variables, finite-difference and second-order
/// checks, a replayed NF.Function step giving the eager numbers, and the errors for bad gradient functions.
/// </summary>
public abstract class CustomGradientTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    // tf.custom_gradient's docstring example.
    private static readonly Func<Tensor, Tensor> Log1pExp = NF.CustomGradient((Tensor x) =>
    {
        var e = NF.Exp(x);
        return (NF.Log(1 + e), dy => dy * (1 - 1 / (1 + e)));
    });

    private static readonly Func<Tensor, Tensor> ReverseGradient = NF.CustomGradient((Tensor x) => (NF.Identity(x), dy => -dy));

    private static readonly Func<Tensor, Tensor> StraightThroughRound = NF.CustomGradient((Tensor x) => (NF.Round(x), dy => dy));

    [SkippableFact]
    public void Log1pexp_docstring_gradient_is_finite_where_the_plain_one_is_nan()
    {
        RequireBackend();
        // autodiff_api_references.py: plain float32 gradient of log(1 + exp(x)) at [0, 100] is [0.5, nan]; the custom one is sigmoid: [0.5, 1].
        var x = NF.Constant(new[] { 0f, 100f });
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var plain = tape.Gradient(NF.ReduceSum(NF.Log(1 + NF.Exp(x))), x).ToArray<float>();
            Assert.Equal(0.5, plain[0], 6);
            Assert.True(float.IsNaN(plain[1]));
        }
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = Log1pExp(x);
            Assert.Equal(DType.Float32, y.DType);
            var values = y.ToArray<float>();
            Assert.Equal(Math.Log(2), values[0], 6);
            Assert.Equal(float.PositiveInfinity, values[1]);
            Assert.Equal(new[] { 0.5f, 1f }, tape.Gradient(NF.ReduceSum(y), x).ToArray<float>());
        }
    }

    [SkippableFact]
    public void Custom_gradients_match_finite_differences_and_second_order()
    {
        RequireBackend();
        GradientTests.Check(t => Log1pExp(t[0]), GradientTests.In([2, 3], 1));
        // The gradient function reads e = exp(x) from the forward pass, which the outer tape recorded:
        // its second derivative is sigmoid's derivative.
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => Log1pExp(x), [5]);
        var two = NF.CustomGradient((Tensor a, Tensor b) => (a * b + NF.Sin(a), dy => (dy * (b + NF.Cos(a)), dy * a)));
        GradientTests.Check(t => two(t[0], t[1]), GradientTests.In([4], 2), GradientTests.In([4], 3));
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => two(x, x * x), [3]);
    }

    [SkippableFact]
    public void Gradient_reversal_and_straight_through_estimator()
    {
        RequireBackend();
        var x = D(0.2, 1.7, -2.6);
        var w = D(1, 2, 3);
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = ReverseGradient(x);
            AssertClose([0.2, 1.7, -2.6], y.ToArray<double>(), 0, 0, "reversal forward");
            AssertClose([-1, -2, -3], tape.Gradient(NF.ReduceSum(y * w), x).ToArray<double>(), 0, 0, "reversal backward");
        }
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = StraightThroughRound(x);
            AssertClose([0, 2, -3], y.ToArray<double>(), 0, 0, "STE forward");
            // Round's own gradient is zero; the estimator passes the upstream gradient straight through.
            AssertClose([1, 2, 3], tape.Gradient(NF.ReduceSum(y * w), x).ToArray<double>(), 0, 0, "STE backward");
        }
        // Gradient reversal before a layer: the layer's own parameters still get ordinary gradients.
        var v = new Variable(NF.Constant(new[] { 0.5, -1.0, 2.0 }));
        using (var tape = new GradientTape())
        {
            var loss = NF.ReduceSum(ReverseGradient(v * x) * w);
            var g = tape.Gradient(loss, [v])[0];
            AssertClose([-0.2, -3.4, 7.8], g.ToArray<double>(), 1e-15, 0, "reversed into a variable");
        }
    }

    [SkippableFact]
    public void N_inputs_with_a_missing_gradient_and_variables()
    {
        RequireBackend();
        var f = NF.CustomGradient((Tensor[] xs) => (xs[0] * xs[1] + xs[2], dy => new Tensor?[] { dy * xs[1], null, dy }));
        var a = D(1, 2);
        var b = D(3, 4);
        var c = D(5, 6);
        using (var tape = new GradientTape())
        {
            tape.Watch([a, b, c]);
            var g = tape.Gradient(NF.ReduceSum(f([a, b, c])), [a, b, c]);
            AssertClose([3, 4], g[0].ToArray<double>(), 0, 0, "a");
            Assert.Null(g[1]);   // the gradient function gave none
            AssertClose([1, 1], g[2].ToArray<double>(), 0, 0, "c");
        }
        // A variable read inside: found, handed to the gradient function, and given its gradient.
        var scale = new Variable(NF.Constant(new[] { 2.0, -1.0 }), name: "scale");
        IReadOnlyList<Variable>? seen = null;
        var scaled = NF.CustomGradient((Tensor[] xs) => (xs[0] * scale, (dy, vars) =>
        {
            seen = vars;
            return (new Tensor?[] { dy * vars[0] }, new Tensor?[] { 10 * dy * xs[0] });   // 10x: only the custom rule gives this
        }));
        using (var tape = new GradientTape())
        {
            tape.Watch(a);
            var y = scaled([a]);
            AssertClose([2, -2], y.ToArray<double>(), 0, 0, "forward");
            var g = tape.Gradient(NF.ReduceSum(y), [a, scale]);
            Assert.Equal(new[] { scale }, seen);
            AssertClose([2, -1], g[0].ToArray<double>(), 0, 0, "input");
            AssertClose([10, 20], g[1].ToArray<double>(), 0, 0, "variable");
        }
    }

    [SkippableFact]
    public void A_replayed_NF_Function_step_gives_the_eager_numbers()
    {
        RequireBackend();
        var step = NF.Function((Tensor x) =>
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            var loss = NF.ReduceSum(Log1pExp(x * x) + ReverseGradient(NF.Sin(x)) * x);
            return tape.Gradient(loss, x);
        });
        static double[] Expected(double[] xs) => xs.Select(v =>
        {
            double s = 1 / (1 + Math.Exp(-v * v));
            return s * 2 * v - Math.Cos(v) * v + Math.Sin(v);
        }).ToArray();
        double[] first = [0.3, -1.2, 2.0], second = [1.5, 0.1, -0.4];
        AssertClose(Expected(first), step(D(first)).ToArray<double>(), 1e-14, 1e-15, "traced call");
        var info = TracedFunction.Of(step);
        Assert.Null(info.EagerReason);
        var replayed = step(D(second)).ToArray<double>();
        Assert.True(info.LastCallReplayed, info.EagerReason);
        AssertClose(Expected(second), replayed, 1e-14, 1e-15, "replayed call");
        using var eager = new GradientTape();
        var x2 = D(second);
        eager.Watch(x2);
        var eagerGrad = eager.Gradient(NF.ReduceSum(Log1pExp(x2 * x2) + ReverseGradient(NF.Sin(x2)) * x2), x2).ToArray<double>();
        AssertClose(eagerGrad, replayed, 1e-15, 0, "replay equals eager");
    }

    [SkippableFact]
    public void Bad_gradient_functions_throw_naming_the_problem()
    {
        RequireBackend();
        var x = D(1, 2, 3);
        var wrongShape = NF.CustomGradient((Tensor t) => (t * 2, dy => NF.ReduceSum(dy)));
        var wrongDType = NF.CustomGradient((Tensor t) => (t * 2, dy => NF.Cast(dy, DType.Float32)));
        var wrongCount = NF.CustomGradient((Tensor[] ts) => (ts[0] * 2, dy => new Tensor?[] { dy, dy }));
        var noOutput = NF.CustomGradient((Tensor t) => (null!, dy => dy));
        var noGrad = NF.CustomGradient((Tensor t) => (t, null!));
        foreach (var (f, message) in new (Func<Tensor, Tensor>, string)[]
                 {
                     (wrongShape, "the gradient for input 0 is float64 () but the input is float64 (3,)"),
                     (wrongDType, "the gradient for input 0 is float32 (3,) but the input is float64 (3,)"),
                     (t => wrongCount([t]), "the gradient function returned 2 gradients for 1 inputs"),
                 })
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            var y = NF.ReduceSum(f(x));
            var e = Assert.Throws<InvalidOperationException>(() => tape.Gradient(y, x));
            Assert.Contains("CustomGradient: " + message, e.Message);
        }
        var v = new Variable(NF.Constant(new[] { 1.0, 2.0 }), name: "v");
        var a = NF.Constant(new[] { 3.0, 4.0 });
        var badVariable = NF.CustomGradient((Tensor[] ts) => (ts[0] * v, (dy, vars) => (new Tensor?[] { dy }, new Tensor?[] { NF.ReduceSum(dy) })));
        var missingVariable = NF.CustomGradient((Tensor[] ts) => (ts[0] * v, (dy, vars) => (new Tensor?[] { dy }, Array.Empty<Tensor?>())));
        foreach (var (f, message) in new (Func<Tensor[], Tensor>, string)[]
                 {
                     (badVariable, "the gradient for variable 0 ('v') is float64 () but the variable is float64 (2,)"),
                     (missingVariable, "the gradient function returned 0 variable gradients for the 1 variables"),
                 })
        {
            using var tape = new GradientTape();
            tape.Watch(a);
            var y = NF.ReduceSum(f([a]));
            Assert.Contains("CustomGradient: " + message, Assert.Throws<InvalidOperationException>(() => tape.Gradient(y, [a, v])).Message);
        }
        Assert.Contains("null output", Assert.Throws<InvalidOperationException>(() => noOutput(x)).Message);
        Assert.Contains("null gradient function", Assert.Throws<InvalidOperationException>(() => noGrad(x)).Message);
        Assert.Throws<ArgumentNullException>(() => NF.CustomGradient((Func<Tensor, (Tensor, Func<Tensor, Tensor?>)>)null!));
        Assert.Contains("input 1 is null", Assert.Throws<ArgumentNullException>(() => wrongCount([x, null!])).Message);
    }
}

public sealed class ManagedCustomGradientTests() : CustomGradientTests("managed");

public sealed class NativeCpuCustomGradientTests() : CustomGradientTests("cpu");

public sealed class CudaCustomGradientTests() : CustomGradientTests("cuda");
