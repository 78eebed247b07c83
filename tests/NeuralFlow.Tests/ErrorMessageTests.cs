namespace NeuralFlow.Tests;

/// <summary>Every error a user can meet names what was wrong, on every backend.</summary>
public abstract class ErrorMessageTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Dtype_mismatch_names_both_dtypes_and_the_op()
    {
        RequireBackend();
        using var f = NF.Constant(new[] { 1f, 2f });
        using var i = NF.Constant(new[] { 1, 2 });
        var e = Assert.Throws<ArgumentException>(() => f + i);
        Assert.Contains("float32", e.Message);
        Assert.Contains("int32", e.Message);
        Assert.Contains("Add", e.Message);
        Assert.Contains("NF.Cast", e.Message);
    }

    [SkippableFact]
    public void Incompatible_shapes_name_both_shapes()
    {
        RequireBackend();
        using var a = NF.Zeros([3, 4]);
        using var b = NF.Zeros([5]);
        var e = Assert.Throws<ArgumentException>(() => a * b);
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("(5,)", e.Message);
        var m = Assert.Throws<ArgumentException>(() => NF.MatMul(a, NF.Zeros([3, 2])));
        Assert.Contains("(3, 4)", m.Message);
        Assert.Contains("(3, 2)", m.Message);
    }

    [SkippableFact]
    public void Bad_axis_names_the_axis_and_rank()
    {
        RequireBackend();
        using var a = NF.Zeros([3, 4]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.ReduceSum(a, 2));
        Assert.Contains("Axis 2", e.Message);
        Assert.Contains("rank 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Softmax(a, -3));
        Assert.Throws<ArgumentException>(() => NF.ReduceSum(a, [1, -1]));
    }

    [SkippableFact]
    public void Reshape_of_wrong_size_names_both_shapes()
    {
        RequireBackend();
        using var a = NF.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentException>(() => NF.Reshape(a, [4, 2]));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 2)", e.Message);
        Assert.Throws<ArgumentException>(() => NF.Reshape(a, [-1, 4]));
        Assert.Throws<ArgumentException>(() => NF.Reshape(a, [-1, -1]));
    }

    [SkippableFact]
    public void Item_of_the_wrong_type_says_which_to_use()
    {
        RequireBackend();
        var s = new Variable(0) + NF.Constant(1);
        var e = Assert.Throws<InvalidCastException>(() => s.Item<float>());
        Assert.Contains("int32", e.Message);
        Assert.Contains("Item<int>()", e.Message);
        var many = Assert.Throws<InvalidOperationException>(() => NF.Zeros([2]).Item<float>());
        Assert.Contains("(2,)", many.Message);
        Assert.Throws<InvalidCastException>(() => NF.Zeros([2]).ToArray<double>());
    }

    [SkippableFact]
    public void Use_after_dispose_is_an_ObjectDisposedException()
    {
        RequireBackend();
        var a = NF.Zeros([2, 2]);
        a.Dispose();
        a.Dispose(); // twice is fine
        var e = Assert.Throws<ObjectDisposedException>(() => a + 1);
        Assert.Contains("(2, 2)", e.Message);
        Assert.Throws<ObjectDisposedException>(() => a.ToArray<float>());
        Assert.Contains("disposed", a.ToString());
    }

    [SkippableFact]
    public void Index_errors_name_the_index_and_bound()
    {
        RequireBackend();
        using var m = NF.Zeros([3, 4]);
        var e = Assert.Throws<IndexOutOfRangeException>(() => m[3]);
        Assert.Contains("3", e.Message);
        Assert.Contains("size 3", e.Message);
        Assert.Throws<IndexOutOfRangeException>(() => m[0, 0, 0]);
        var g = Assert.Throws<ArgumentException>(() => NF.Gather(m, NF.Constant(new[] { 0, 7 })));
        Assert.Contains("7", g.Message);
        // Every engine names the op, not its C function (the cpu engine said "nf_gather: indices[1] = 7 ...").
        Assert.StartsWith("Gather:", g.Message);
        Assert.DoesNotContain("nf_", g.Message);
        var singular = Assert.Throws<ArgumentException>(() => NF.MatrixInverse(NF.Constant(new float[,] { { 1, 2 }, { 2, 4 } })));
        Assert.Contains("Lu: batch element 0 of 1 is singular", singular.Message);
        Assert.DoesNotContain("nf_", singular.Message);
        Assert.Throws<ArgumentException>(() => NF.Gather(m, NF.Constant(new[] { 0.5f })));
    }

    [SkippableFact]
    public void Invalid_requests_are_exceptions_not_crashes()
    {
        RequireBackend();
        // Integer matrices multiply as tf.matmul's (TfMathDocTests); bool ones are still refused.
        Assert.Throws<ArgumentException>(() => NF.MatMul(NF.Constant(new[,] { { true } }), NF.Constant(new[,] { { true } })));
        Assert.Throws<ArgumentException>(() => NF.Softmax(NF.Constant(new[] { 1, 2 })));
        Assert.Throws<ArgumentException>(() => NF.Constant(new[] { true }) + NF.Constant(new[] { false }));
        Assert.Throws<ArgumentException>(() => NF.ReduceMax(NF.Zeros([0])));
        Assert.Throws<ArgumentException>(() => NF.Random.Uniform([3], 1, 0));
        Assert.Throws<ArgumentException>(() => new Shape(1, 2, 3, 4, 5, 6, 7, 8, 9));
        Assert.Throws<ArgumentException>(() => NF.Zeros([-1]));
        // Integer division by zero inside the engine never traps.
        using var zero = NF.Cast(NF.Constant(new[] { 0 }), DType.Int32);
        Assert.True(float.IsInfinity((NF.Constant(new[] { 1 }) / zero).ToArray<float>()[0]));
    }
}

public sealed class ManagedErrorMessageTests() : ErrorMessageTests("managed");

public sealed class NativeCpuErrorMessageTests() : ErrorMessageTests("cpu");

public sealed class CudaErrorMessageTests() : ErrorMessageTests("cuda");
