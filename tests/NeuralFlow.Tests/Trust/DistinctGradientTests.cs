namespace NeuralFlow.Tests;

/// <summary>
/// Each tensor <c>Gradient</c> returns belongs to the caller alone: disposing one gradient never
/// disposes another, even where a rule passed one gradient through to several sources.
/// </summary>
public abstract class DistinctGradientTests(string backend) : BackendTest(backend)
{
    // Two result objects, and the second still readable once the first is disposed.
    private static void AssertIndependent(Tensor[] grads, double[] expectedSecond)
    {
        Assert.NotSame(grads[0], grads[1]);
        grads[0].Dispose();
        Assert.Equal(expectedSecond, grads[1].ToArray<double>());
        grads[1].Dispose();
    }

    [SkippableFact]
    public void Sum_of_a_plus_b_gives_two_tensors()
    {
        RequireBackend();
        var a = new Variable(NF.Constant(new[] { 1.0, 2.0 }, [2]));
        var b = new Variable(NF.Constant(new[] { 3.0, 4.0 }, [2]));
        using var tape = new GradientTape();
        var grads = tape.Gradient(NF.ReduceSum(a + b), [a, b]);
        Assert.Equal(new[] { 1.0, 1.0 }, grads[0].ToArray<double>());
        AssertIndependent(grads, [1, 1]);
    }

    [SkippableFact]
    public void A_source_listed_twice_gets_two_tensors()
    {
        RequireBackend();
        var a = new Variable(NF.Constant(new[] { 1.0, 2.0 }, [2]));
        using var tape = new GradientTape();
        var grads = tape.Gradient(NF.ReduceSum(a * 3), [a, a]);
        Assert.Equal(new[] { 3.0, 3.0 }, grads[0].ToArray<double>());
        AssertIndependent(grads, [3, 3]);
    }

    [SkippableFact]
    public void Identity_like_ops_pass_the_target_gradient_through_as_separate_tensors()
    {
        RequireBackend();
        var a = NF.Constant(new[] { 1.0, 2.0, 3.0, 4.0 }, [2, 2]);
        using var tape = new GradientTape();
        tape.Watch(a);
        var r = NF.Reshape(a, [4]);
        var grads = tape.Gradient(r, [a, r, a]);
        Assert.NotSame(grads[0], grads[2]);
        Assert.NotSame(grads[1], grads[0]);
        grads[1].Dispose();
        grads[2].Dispose();
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0 }, grads[0].ToArray<double>());
    }

    [SkippableFact]
    public void A_repeated_result_still_differentiates_under_an_outer_tape()
    {
        RequireBackend();
        var x = new Variable(3.0);
        using var outer = new GradientTape(persistent: true);
        Tensor[] grads;
        using (var inner = new GradientTape())
            grads = inner.Gradient(x * x, [x, x]);                    // 2x, twice
        Assert.NotSame(grads[0], grads[1]);
        Assert.Equal(6.0, grads[1].Item<double>());
        Assert.Equal(2.0, outer.Gradient(grads[1], x).Item<double>());
        Assert.Equal(2.0, outer.Gradient(grads[0], x).Item<double>());
    }
}

public sealed class ManagedDistinctGradientTests() : DistinctGradientTests("managed");

public sealed class NativeCpuDistinctGradientTests() : DistinctGradientTests("cpu");

public sealed class CudaDistinctGradientTests() : DistinctGradientTests("cuda");
