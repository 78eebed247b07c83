// Namespace NeuralFlow.Tests: the emulated-CUDA run (build.cake) selects the Cuda* classes of every namespace.
namespace NeuralFlow.Tests;

/// <summary>
/// Index errors name the index, the axis and its size: <c>t[int.MinValue]</c> said only
/// "Non-negative number required" (negating int.MinValue overflowed).
/// </summary>
public abstract class IndexErrorTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void IntMinValue_names_the_index_the_axis_and_the_size()
    {
        RequireBackend();
        using var t = NF.Zeros([3]);
        var e = Assert.Throws<IndexOutOfRangeException>(() => t[int.MinValue]);
        Assert.Contains("index -2147483648 is out of range for axis 0 with size 3", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public void Out_of_range_positions_on_any_axis_name_it()
    {
        RequireBackend();
        using var t = NF.Zeros([3, 4]);
        var e = Assert.Throws<IndexOutOfRangeException>(() => t[1, int.MaxValue]);
        Assert.Contains("index 2147483647 is out of range for axis 1 with size 4", e.Message, StringComparison.OrdinalIgnoreCase);
        e = Assert.Throws<IndexOutOfRangeException>(() => t[-4]);
        Assert.Contains("index -4 is out of range for axis 0 with size 3", e.Message, StringComparison.OrdinalIgnoreCase);
        e = Assert.Throws<IndexOutOfRangeException>(() => t[^int.MaxValue]);
        Assert.Contains("^2147483647", e.Message);
        Assert.Contains("axis 0 with size 3", e.Message);
        e = Assert.Throws<IndexOutOfRangeException>(() => t[0, 0, 0]);
        Assert.Contains("(3, 4)", e.Message);
    }

    [SkippableFact]
    public void Negative_and_from_end_positions_still_resolve()
    {
        RequireBackend();
        using var t = NF.Constant(new[] { 10, 20, 30 });
        using var last = t[-1];
        using var first = t[-3];
        using var hat = t[^2];
        Assert.Equal(30, last.Item<int>());
        Assert.Equal(10, first.Item<int>());
        Assert.Equal(20, hat.Item<int>());
    }

    [SkippableFact]
    public void Gather_errors_name_the_index_the_axis_and_the_size()
    {
        RequireBackend();
        using var x = NF.Zeros([3, 2]);
        using var idx = NF.Constant(new[] { 0, int.MinValue });
        var e = Assert.ThrowsAny<ArgumentException>(() => NF.Gather(x, idx));
        Assert.Contains("-2147483648", e.Message);
        Assert.Contains("axis 0", e.Message);
        Assert.Contains("3", e.Message);
    }
}

public sealed class ManagedIndexErrorTests() : IndexErrorTests("managed");
public sealed class NativeCpuIndexErrorTests() : IndexErrorTests("cpu");
public sealed class CudaIndexErrorTests() : IndexErrorTests("cuda");
