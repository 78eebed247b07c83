namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// The gradient of a scattered min or max where values tie: TensorFlow's tensor_scatter_nd_max/min
/// and torch's scatter_reduce amax/amin split the upstream gradient evenly among the values equal
/// to the result. Before, the whole gradient went to the earliest of them (the input, then the
/// updates in order), as NF.Maximum's rule does for a pair. Values from guides_references.py.
/// </summary>
public abstract class GuidesScatterTieGradientTests(string backend) : BackendTest(backend)
{
    private static (double[] Out, double[] DTensor, double[] DUpdates) Run(
        Func<Tensor, Tensor, Tensor> f, double[] tensor, double[] updates, double[] upstream)
    {
        var t = NF.Constant(tensor);
        var u = NF.Constant(updates);
        using var tape = new GradientTape();
        tape.Watch(t);
        tape.Watch(u);
        var y = f(t, u);
        var g = tape.Gradient(NF.ReduceSum(y * NF.Constant(upstream)), [t, u]);
        return (y.ToArray<double>(), g[0].ToArray<double>(), g[1].ToArray<double>());
    }

    private static void Close(double[] expected, double[] actual) => Reference.AssertClose(expected, actual, 1e-12, 1e-12);

    [SkippableFact]
    public void Tensor_scatter_nd_max_and_min_split_ties_as_tensorflow()
    {
        RequireBackend();
        var idx = NF.Constant(new[,] { { 1 }, { 1 }, { 3 }, { 0 } });
        double[] x = [1, 5, 2, 7], w = [1, 2, 3, 4];
        var max = Run((t, u) => NF.TensorScatterNdMax(t, idx, u), x, [5, 5, 3, 1], w);
        Close([1, 5, 2, 7], max.Out);
        Close([0.5, 2.0 / 3, 3, 4], max.DTensor);
        Close([2.0 / 3, 2.0 / 3, 0, 0.5], max.DUpdates);
        var min = Run((t, u) => NF.TensorScatterNdMin(t, idx, u), x, [0, 0, 7, 1], w);
        Close([1, 0, 2, 7], min.Out);
        Close([0.5, 0, 3, 2], min.DTensor);
        Close([1, 1, 2, 0.5], min.DUpdates);
        // Keras-style ScatterUpdate(reduction: "max") is the same op.
        Close(max.DUpdates, Run((t, u) => NF.ScatterUpdate(t, idx, u, "max"), x, [5, 5, 3, 1], w).DUpdates);
    }

    [SkippableFact]
    public void Scatter_reduce_amax_splits_ties_as_torch()
    {
        RequireBackend();
        var idx = NF.Constant(new[] { 1L, 1L, 2L });
        var amax = Run((t, u) => NF.ScatterReduce(t, 0, idx, u, "amax"), [1, 5, 2], [5, 5, 0], [1, 1, 1]);
        Close([1, 5, 2], amax.Out);
        Close([1, 1.0 / 3, 1], amax.DTensor);
        Close([1.0 / 3, 1.0 / 3, 0], amax.DUpdates);
        // Without the input's own value, only the values taken share: they add up to the upstream.
        var noSelf = Run((t, u) => NF.ScatterReduce(t, 0, NF.Constant(new[] { 1L, 1L, 3L, 0L }), u, "amax", includeSelf: false),
            [1, 5, 2, 7], [4, 4, 3, 1], [1, 2, 3, 4]);
        Close([1, 4, 2, 3], noSelf.Out);
        Close([0, 0, 3, 0], noSelf.DTensor);
        Close([1, 1, 4, 1], noSelf.DUpdates);
    }

    [SkippableFact]
    public void A_nan_result_takes_no_gradient_and_second_derivatives_still_flow()
    {
        RequireBackend();
        var idx = NF.Constant(new[,] { { 0 } });
        var nan = Run((t, u) => NF.TensorScatterNdMax(t, idx, u), [double.NaN, 1], [2], [1, 1]);
        Assert.True(double.IsNaN(nan.Out[0]));
        Assert.All(nan.DTensor.Concat(nan.DUpdates), v => Assert.False(double.IsNaN(v)));
        var x = NF.Constant(new[] { 0.5, -1.5, 2.0 });
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor first;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            var y = NF.ReduceSum(NF.TensorScatterNdMax(x * x, NF.Constant(new[,] { { 1 }, { 2 } }), NF.Constant(new[] { 1.0, 9.0 })) * x);
            first = inner.Gradient(y, x);
        }
        // y = x0^3 + x1^3 + 9 x2 (x1^2 = 2.25 beats 1; 9 beats x2^2 = 4): dy/dx = [3x0^2, 3x1^2, 9], d2y = [6x0, 6x1, 0].
        Close([0.75, 6.75, 9], first.ToArray<double>());
        Close([3, -9, 0], outer.Gradient(NF.ReduceSum(first), x).ToArray<double>());
    }
}

/// <summary>Scatter min/max tie gradients, on the managed backend.</summary>
public sealed class ManagedGuidesScatterTieGradientTests() : GuidesScatterTieGradientTests("managed");

/// <summary>Scatter min/max tie gradients, on the native CPU backend.</summary>
public sealed class NativeCpuGuidesScatterTieGradientTests() : GuidesScatterTieGradientTests("cpu");

/// <summary>Scatter min/max tie gradients, on the CUDA backend.</summary>
public sealed class CudaGuidesScatterTieGradientTests() : GuidesScatterTieGradientTests("cuda");
