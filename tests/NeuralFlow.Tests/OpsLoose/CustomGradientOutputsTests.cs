using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.OpsLoose;

/// <summary>
/// NF.CustomGradient of several inputs and several outputs (tf.custom_gradient returning a tuple):
/// the gradient function receives one upstream per output (zeros for an unused one), the numbers of
/// torch.autograd.Function in ops_loose_references.py, float64 finite differences, second order,
/// an NF.Function step that replays, mixed float dtypes, and the errors for bad functions.
/// </summary>
public abstract class CustomGradientOutputsTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    // Outputs (x * y, sin(x) + y) with twice the true gradient, as TwoByTwo in the .py.
    private static Func<Tensor[], Tensor[]> TwoByTwo(List<(Shape Shape, double[] Values)[]>? seen = null) => NF.CustomGradient((Tensor[] xs) =>
    {
        var (x, y) = (xs[0], xs[1]);
        return (new[] { x * y, NF.Sin(x) + y }, dys =>
        {
            // Read at once: the tape frees its temporaries once the gradient is taken.
            seen?.Add(dys.Select(d => (d.Shape, d.ToArray<double>())).ToArray());
            return [2 * (dys[0] * y + dys[1] * NF.Cos(x)), 2 * (dys[0] * x + dys[1])];
        });
    });

    [SkippableFact]
    public void Each_output_gets_its_own_upstream_as_torch()
    {
        RequireBackend();
        var f = TwoByTwo();
        var x = D(0.5, -1.25, 2.0);
        var y = D(3.0, 0.25, -1.5);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        tape.Watch(y);
        var outs = f([x, y]);
        Assert.Equal(2, outs.Length);
        // "custom2x2 outputs"
        AssertClose([1.5, -0.3125, -3.0], outs[0].ToArray<double>(), 1e-15, 0, "x * y");
        AssertClose([3.479425538604203, -0.6989846193555862, -0.5907025731743183], outs[1].ToArray<double>(), 1e-15, 0, "sin(x) + y");
        var loss = NF.ReduceSum(outs[0] * D(1, 2, 3)) + NF.ReduceSum(outs[1] * outs[1]);
        var g = tape.Gradient(loss, [x, y]);
        // "custom2x2 dx" / "dy"
        AssertClose([18.213932712300267, 0.11837807418735569, -8.016723971333002], g[0]!.ToArray<double>(), 1e-14, 0, "dx");
        AssertClose([14.917702154416812, -7.795938477422345, 9.637189707302728], g[1]!.ToArray<double>(), 1e-14, 0, "dy");
    }

    [SkippableFact]
    public void An_unused_output_passes_zeros()
    {
        RequireBackend();
        var seen = new List<(Shape Shape, double[] Values)[]>();
        var f = TwoByTwo(seen);
        var x = D(0.5, -1.25, 2.0);
        var y = D(3.0, 0.25, -1.5);
        using var tape = new GradientTape();
        tape.Watch(x);
        tape.Watch(y);
        var outs = f([x, y]);
        var g = tape.Gradient(NF.ReduceSum(outs[0]), [x, y]);
        // "custom2x2 only first"
        AssertClose([6.0, 0.5, -3.0], g[0]!.ToArray<double>(), 0, 0, "dx");
        AssertClose([1.0, -2.5, 4.0], g[1]!.ToArray<double>(), 0, 0, "dy");
        var dys = Assert.Single(seen);
        AssertClose([1, 1, 1], dys[0].Values, 0, 0, "upstream of the used output");
        AssertClose([0, 0, 0], dys[1].Values, 0, 0, "upstream of the unused output");
        Assert.Equal(new Shape(3), dys[1].Shape);
        Assert.Equal(new Shape(3), dys[0].Shape);
    }

    [SkippableFact]
    public void Mixed_shapes_and_float_dtypes_keep_their_own()
    {
        RequireBackend();
        // A float32 matrix output and a float64 scalar output of a float64 input.
        var f = NF.CustomGradient((Tensor[] xs) =>
        {
            var x = xs[0];
            var m = NF.Cast(NF.Reshape(x, [2, 2]), DType.Float32) * 3f;
            var s = NF.ReduceSum(x * x);
            return (new[] { m, s }, dys => [NF.Reshape(NF.Cast(dys[0], DType.Float64), [4]) * 3 + dys[1] * 2 * x]);
        });
        var x = D(1, -2, 0.5, 4);
        using var tape = new GradientTape();
        tape.Watch(x);
        var outs = f([x]);
        Assert.Equal(DType.Float32, outs[0].DType);
        Assert.Equal(new Shape(2, 2), outs[0].Shape);
        Assert.Equal(DType.Float64, outs[1].DType);
        Assert.Equal(0, outs[1].Rank);
        Assert.Equal(new[] { 3f, -6f, 1.5f, 12f }, outs[0].ToArray<float>());
        AssertClose([21.25], outs[1].ToArray<double>(), 0, 0, "sum of squares");
        var g = tape.Gradient(NF.ReduceSum(NF.Cast(outs[0], DType.Float64)) + outs[1] * 0.5, x);
        AssertClose([3 + 1, 3 - 2, 3 + 0.5, 3 + 4], g.ToArray<double>(), 0, 0, "gradient");
    }

    [SkippableFact]
    public void True_gradients_match_finite_differences_and_second_order()
    {
        RequireBackend();
        // The true gradient as the custom rule, so that finite differences must agree.
        var f = NF.CustomGradient((Tensor[] xs) =>
        {
            var (x, y) = (xs[0], xs[1]);
            return (new[] { x * y, NF.Sin(x) + y }, dys => [dys[0] * y + dys[1] * NF.Cos(x), dys[0] * x + dys[1]]);
        });
        GradientTests.Check(t => { var o = f([t[0], t[1]]); return o[0] * o[1] + NF.Exp(o[1]); }, GradientTests.In([2, 3], 1), GradientTests.In([2, 3], 2));
        // Second order: the rule is made of NF ops, so an outer tape differentiates it.
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => { var o = f([x, x * x]); return o[0] * o[1]; }, [5]);
    }

    [SkippableFact]
    public void A_replayed_NF_Function_step_gives_the_eager_numbers()
    {
        RequireBackend();
        var f = TwoByTwo();
        Tensor[] Gradients(Tensor x, Tensor y)
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            tape.Watch(y);
            var o = f([x, y]);
            var g = tape.Gradient(NF.ReduceSum(o[0] * D(1, 2, 3)) + NF.ReduceSum(o[1] * o[1]), [x, y]);
            return [g[0]!, g[1]!];
        }
        var step = NF.Function((Tensor x, Tensor y) => Gradients(x, y));
        var first = step(D(0.1, 0.2, 0.3), D(1, 1, 1));
        var info = TracedFunction.Of(step);
        Assert.Null(info.EagerReason);
        var replayed = step(D(0.5, -1.25, 2.0), D(3.0, 0.25, -1.5));
        Assert.True(info.LastCallReplayed, info.EagerReason);
        AssertClose([18.213932712300267, 0.11837807418735569, -8.016723971333002], replayed[0].ToArray<double>(), 1e-14, 0, "dx replayed");
        AssertClose([14.917702154416812, -7.795938477422345, 9.637189707302728], replayed[1].ToArray<double>(), 1e-14, 0, "dy replayed");
        var eager = Gradients(D(0.1, 0.2, 0.3), D(1, 1, 1));
        AssertClose(eager[0].ToArray<double>(), first[0].ToArray<double>(), 0, 0, "traced call equals eager");
    }

    [SkippableFact]
    public void Bad_functions_throw_naming_the_problem()
    {
        RequireBackend();
        var x = D(1, 2, 3);
        var none = NF.CustomGradient((Tensor[] xs) => (Array.Empty<Tensor>(), dys => [dys[0]]));
        Assert.Contains("returned no outputs", Assert.Throws<InvalidOperationException>(() => none([x])).Message);
        var nullOutput = NF.CustomGradient((Tensor[] xs) => (new Tensor[] { xs[0], null! }, dys => [dys[0]]));
        Assert.Contains("CustomGradient: output 1 of the function is null", Assert.Throws<InvalidOperationException>(() => nullOutput([x])).Message);
        var integer = NF.CustomGradient((Tensor[] xs) => (new[] { xs[0], NF.Cast(xs[0], DType.Int32) }, dys => [dys[0]]));
        Assert.Contains("CustomGradient: output 1 is int32", Assert.Throws<InvalidOperationException>(() => integer([x])).Message);
        var noGrad = NF.CustomGradient((Tensor[] xs) => (new[] { xs[0] * 2 }, (Func<Tensor[], Tensor?[]>)null!));
        Assert.Contains("null gradient function", Assert.Throws<InvalidOperationException>(() => noGrad([x])).Message);
        var wrongCount = NF.CustomGradient((Tensor[] xs) => (new[] { xs[0] * 2, xs[0] * 3 }, dys => [dys[0], dys[1]]));
        using var tape = new GradientTape();
        tape.Watch(x);
        var outs = wrongCount([x]);
        var bad = Assert.Throws<InvalidOperationException>(() => tape.Gradient(NF.ReduceSum(outs[0] + outs[1]), x));
        Assert.Contains("the gradient function returned 2 gradients for 1 inputs", bad.Message);
    }
}

/// <summary>Several-output custom gradients on the managed engine.</summary>
public sealed class ManagedCustomGradientOutputsTests() : CustomGradientOutputsTests("managed");

/// <summary>Several-output custom gradients on the native CPU engine.</summary>
public sealed class NativeCpuCustomGradientOutputsTests() : CustomGradientOutputsTests("cpu");

/// <summary>Several-output custom gradients on the CUDA engine.</summary>
public sealed class CudaCustomGradientOutputsTests() : CustomGradientOutputsTests("cuda");
