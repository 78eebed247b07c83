// Namespace NeuralFlow.Tests: the emulated-CUDA run (build.cake) selects the Cuda* classes of every namespace.
namespace NeuralFlow.Tests;

/// <summary>
/// Element counts, byte counts and computed dimensions are checked, never wrapped: a wrapped
/// byte count gave a tiny buffer that fills then overran (SIGSEGV) or indexing read garbage.
/// Shapes this large are made as broadcast views, which hold no memory.
/// </summary>
public abstract class SizeOverflowTests(string backend) : BackendTest(backend)
{
    private static Tensor Huge(params int[] dims) => NF.BroadcastTo(NF.Zeros([1]), dims);

    [SkippableFact]
    public void A_byte_count_past_int64_is_refused_naming_the_shape()
    {
        RequireBackend();
        // 16 * 536838145 * 536903681 elements fit int64; times 4 bytes wraps to 64.
        var e = Assert.Throws<OverflowException>(() => NF.Zeros([16, 536838145, 536903681]));
        Assert.Contains("(16, 536838145, 536903681)", e.Message);
        Assert.Contains("float32", e.Message);
    }

    [SkippableFact]
    public void An_element_count_past_int64_is_refused_naming_the_shape()
    {
        RequireBackend();
        // 2^64 elements wrapped to 0: a 0-byte buffer whose indexing returned heap garbage.
        var e = Assert.Throws<OverflowException>(() => NF.Zeros([65536, 65536, 65536, 65536]));
        Assert.Contains("(65536, 65536, 65536, 65536)", e.Message);
        Assert.Throws<OverflowException>(() => new Shape(65536, 65536, 65536, 65536));
        // The strides of a zero-size shape are computed from its other dimensions: checked too.
        Assert.Throws<OverflowException>(() => new Shape(0, 65536, 65536, 65536, 65536));
    }

    [SkippableFact]
    public void A_size_that_fits_int64_but_not_memory_is_an_out_of_memory_error()
    {
        RequireBackend();
        // 2^50 float32 = 4 PiB: more than any address space, refused by the allocator.
        var e = Assert.ThrowsAny<SystemException>(() => NF.Zeros([1 << 20, 1 << 20, 1 << 10]));
        Assert.True(e is OutOfMemoryException or InsufficientMemoryException, e.GetType().Name + ": " + e.Message);
    }

    [SkippableFact]
    public void Concat_whose_axis_passes_int32_is_refused()
    {
        RequireBackend();
        var parts = Enumerable.Range(0, 4).Select(_ => Huge(1 << 30)).ToArray();
        // The sum, 2^32, wrapped to 0 and gave shape (0,).
        var e = Assert.Throws<OverflowException>(() => NF.Concat(parts));
        Assert.Contains("4294967296", e.Message);
        Assert.Contains("(1073741824,)", e.Message);
        foreach (var p in parts) p.Dispose();
    }

    [SkippableFact]
    public void Reshape_whose_inferred_dimension_passes_int32_is_refused()
    {
        RequireBackend();
        using var x = Huge(65536, 65536, 2);
        var e = Assert.Throws<ArgumentException>(() => NF.Reshape(x, [2, -1]));
        Assert.Contains("4294967296", e.Message);
        // A product of the requested dimensions past int64 cannot match the count either.
        Assert.Throws<ArgumentException>(() => NF.Reshape(x, [65536, 65536, 65536, 65536, 0]));
    }

    [SkippableFact]
    public void OneHot_and_MatMul_results_too_large_are_refused_before_allocating()
    {
        RequireBackend();
        using var indices = NF.BroadcastTo(NF.Constant(new[] { 0 }), [65536, 65536]);
        var e = Assert.Throws<OverflowException>(() => NF.OneHot(indices, int.MaxValue));
        Assert.Contains("(65536, 65536, 2147483647)", e.Message);
        using var a = NF.BroadcastTo(NF.Zeros([1, 1, 1, 1]), [65536, 65536, 65536, 1]);
        using var b = NF.BroadcastTo(NF.Zeros([1, 1]), [1, 65536]);
        Assert.Throws<OverflowException>(() => NF.MatMul(a, b));
    }

    [SkippableFact]
    public void Range_with_a_non_finite_bound_is_refused()
    {
        RequireBackend();
        Assert.Throws<ArgumentException>(() => NF.Range(0.0, double.NaN));
        Assert.Throws<ArgumentException>(() => NF.Range(double.NegativeInfinity, 0.0));
        Assert.Throws<ArgumentException>(() => NF.Range(0.0, 1.0, double.NaN));
        Assert.Throws<ArgumentException>(() => NF.Range(0.0, 1e10));
    }
}

public sealed class ManagedSizeOverflowTests() : SizeOverflowTests("managed");
public sealed class NativeCpuSizeOverflowTests() : SizeOverflowTests("cpu");
public sealed class CudaSizeOverflowTests() : SizeOverflowTests("cuda");
