namespace NeuralFlow.Tests;

/// <summary>
/// Comparison operators (x &gt; 0, a &lt;= b: bool tensors, as TensorFlow's) and the logical ops on
/// bool tensors (NF.LogicalAnd/Or/Xor/Not, and on bools the &amp; | ^ ! operators) on every backend,
/// with broadcasting, against the truth tables NumPy's logical_* give; a non-bool operand is
/// refused with the op's name. They replay inside NF.Function.
/// </summary>
public abstract class LogicalTests(string backend) : BackendTest(backend)
{
    private static bool[] B(Tensor t) => t.ToArray<bool>();

    [SkippableFact]
    public void Comparison_operators_take_numbers_and_tensors_and_give_bools()
    {
        RequireBackend();
        var x = NF.Constant(new[] { -1f, 0f, 2f, float.NaN });
        Assert.Equal(new[] { false, false, true, false }, B(x > 0));
        Assert.Equal(new[] { false, true, true, false }, B(x >= 0));
        Assert.Equal(new[] { true, false, false, false }, B(x < 0));
        Assert.Equal(new[] { true, true, false, false }, B(x <= 0));
        Assert.Equal(DType.Bool, (x > 0).DType);
        var ints = NF.Constant(new[] { 1, 5, 3 });
        Assert.Equal(new[] { false, true, false }, B(ints > 3));
        Assert.Equal(new[] { true, false, true }, B(ints <= NF.Constant(new[] { 1, 4, 3 })));
        var column = NF.Constant(new[,] { { 1f }, { 3f } });
        Assert.Equal(new[] { false, false, true, true }, B(column > NF.Constant(new[] { 1f, 2f })));
    }

    [SkippableFact]
    public void Logical_ops_follow_the_truth_tables_with_broadcasting()
    {
        RequireBackend();
        var a = NF.Constant(new[] { false, false, true, true });
        var b = NF.Constant(new[] { false, true, false, true });
        Assert.Equal(new[] { false, false, false, true }, B(a & b));
        Assert.Equal(new[] { false, true, true, true }, B(a | b));
        Assert.Equal(new[] { false, true, true, false }, B(a ^ b));
        Assert.Equal(new[] { true, true, false, false }, B(!a));
        Assert.Equal(B(a & b), B(NF.LogicalAnd(a, b)));
        Assert.Equal(B(!b), B(NF.LogicalNot(b)));
        var row = NF.Constant(new[,] { { true, false } });
        var col = NF.Constant(new[,] { { true }, { false } });
        Assert.Equal(new[] { true, false, false, false }, B(row & col));
        Assert.Equal(new[] { true, true, true, false }, B(row | col));
        Assert.Equal(new[] { 2, 2 }, (row ^ col).Shape.ToArray());
        var x = NF.Constant(new[] { -2f, 0.5f, 3f });
        Assert.Equal(new[] { false, true, false }, B((x > 0) & (x < 1)));
    }

    [SkippableFact]
    public void A_non_bool_operand_is_refused_with_the_ops_name()
    {
        RequireBackend();
        var f = NF.Constant(new[] { 1f, 0f });
        var e = Assert.Throws<ArgumentException>(() => NF.LogicalAnd(f, f > 0));
        Assert.Contains("NF.LogicalAnd", e.Message);
        Assert.Contains("float32", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("NF.LogicalNot", Assert.Throws<ArgumentException>(() => !f).Message);
        Assert.Contains("NF.LogicalOr", Assert.Throws<ArgumentException>(() => NF.LogicalOr(NF.Constant(new[] { 1 }), NF.Constant(new[] { true }))).Message);
        // & | ^ are the bitwise ops (logical on bools, tests/Bitwise): a float operand is refused with that name.
        var op = Assert.Throws<ArgumentException>(() => f & (f > 0));
        Assert.Contains("BitwiseAnd", op.Message);
        Assert.Contains("float32", op.Message);
    }

    [SkippableFact]
    public void Comparisons_and_logical_ops_replay_in_a_function()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => NF.Cast((x > 0) & !(x > 2), DType.Float32) * x);
        foreach (var values in new[] { new[] { -1f, 1f, 3f }, new[] { 2f, -5f, 0.5f }, new[] { 4f, 1.5f, 0f } })
        {
            var x = NF.Constant(values);
            Assert.Equal(values.Select(v => v > 0 && v <= 2 ? v : 0f).ToArray(), f(x).ToArray<float>());
        }
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }
}

public sealed class ManagedLogicalTests() : LogicalTests("managed");

public sealed class NativeCpuLogicalTests() : LogicalTests("cpu");

public sealed class CudaLogicalTests() : LogicalTests("cuda");
